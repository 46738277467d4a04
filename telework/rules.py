"""Telework rules: the effective rules of a unit (inherited from parents and the city default), and the
arithmetic that checks a set of requested half-day slots against them.

A slot is ``(date, "am" | "pm")``; a whole day is both slots and counts 1, a half day counts 0.5.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workstyle import dates

HALF = Decimal("0.5")
Slot = tuple[dt.date, str]

RULE_KEYS = ("week_cap", "month_cap", "min_notice", "employment_type", "blackout", "office_days", "person")

RULE_NAMES = {
    "week_cap": gettext_lazy("Most telework days per week"),
    "month_cap": gettext_lazy("Most telework days per month"),
    "min_notice": gettext_lazy("Minimum notice"),
    "employment_type": gettext_lazy("Excluded staff types"),
    "blackout": gettext_lazy("Blackout dates"),
    "office_days": gettext_lazy("Required office days per week"),
    "person": gettext_lazy("Excluded person (counter or shift work)"),
}


@dataclass
class EffectiveRules:
    max_week: Decimal | None = None
    max_month: Decimal | None = None
    min_notice: int | None = None
    excluded_types: frozenset[str] = frozenset()
    office_days: int | None = None
    blackouts: dict[dt.date, str] = field(default_factory=dict)
    blackout_sources: dict[dt.date, str] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)

    def mode(self, key: str) -> str:
        return self.modes.get(key) or "block"


@dataclass
class Finding:
    rule: str
    mode: str  # block / warn
    params: dict

    @property
    def message(self) -> str:
        return finding_message(self.rule, self.params)

    def as_json(self) -> dict:
        return {"rule": self.rule, "mode": self.mode, "params": self.params}


def fmt_days(value) -> str:
    d = Decimal(str(value)).normalize()
    return f"{d:f}"


def finding_message(rule: str, params: dict) -> str:
    p = dict(params)
    source = p.get("source") or _("city default")
    p["source"] = source
    if rule == "week_cap":
        return _('Rule "at most %(cap)s telework days a week" (%(source)s): the week of %(week)s would have '
                 '%(days)s days.') % p
    if rule == "month_cap":
        return _('Rule "at most %(cap)s telework days a month" (%(source)s): %(month)s would have %(days)s days.') % p
    if rule == "min_notice":
        return _('Rule "request at least %(notice)s working days ahead" (%(source)s): %(day)s is %(given)s working '
                 'days away.') % p
    if rule == "employment_type":
        return _('Rule "staff types excluded from telework" (%(source)s): %(type)s may not telework.') % p
    if rule == "blackout":
        return _('Rule "no telework on blackout dates" (%(source)s): %(day)s is a blackout date (%(reason)s).') % p
    if rule == "office_days":
        return _('Rule "at least %(required)s office days a week" (%(source)s): the week of %(week)s would have '
                 '%(office)s office days out of %(working)s working days.') % p
    if rule == "person":
        return _('Rule "excluded from telework": %(name)s is excluded (%(reason)s).') % p
    return rule


# --- arithmetic -------------------------------------------------------------------------------------------


def units_by_week(slots: Iterable[Slot]) -> dict[dt.date, Decimal]:
    out: dict[dt.date, Decimal] = defaultdict(Decimal)
    for day, _slot in set(slots):
        out[dates.week_start(day)] += HALF
    return dict(out)


def units_by_month(slots: Iterable[Slot]) -> dict[tuple[int, int], Decimal]:
    out: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for day, _slot in set(slots):
        out[(day.year, day.month)] += HALF
    return dict(out)


def full_days(slots: Iterable[Slot]) -> set[dt.date]:
    by_day: dict[dt.date, set[str]] = defaultdict(set)
    for day, slot in slots:
        by_day[day].add(slot)
    return {d for d, s in by_day.items() if s >= {"am", "pm"}}


def office_days_in_week(week: dt.date, telework_slots: Iterable[Slot]) -> tuple[int, int]:
    """(office days, working days) in the week starting ``week``: a working day without whole-day telework
    is an office day (a half day of telework still means coming in)."""
    working = [week + dt.timedelta(days=i) for i in range(7) if dates.is_working_day(week + dt.timedelta(days=i))]
    full = full_days(telework_slots)
    return sum(1 for d in working if d not in full), len(working)


def check(
    rules: EffectiveRules,
    *,
    new: set[Slot],
    existing: set[Slot],
    today: dt.date,
    employment_type: str = "",
    employment_type_label: str = "",
    excluded_reason: str | None = None,
    person_name: str = "",
) -> list[Finding]:
    """Every rule the new slots break, given the person's other active slots."""
    findings: list[Finding] = []
    src = rules.sources
    if excluded_reason is not None:
        findings.append(Finding("person", "block", {"name": person_name, "reason": excluded_reason}))
    if employment_type and employment_type in rules.excluded_types:
        findings.append(Finding("employment_type", rules.mode("employment_type"),
                                {"type": employment_type_label or employment_type,
                                 "source": src.get("employment_type", "")}))
    if not new:
        return findings
    first = min(d for d, _s in new)
    if rules.min_notice is not None:
        given = dates.working_days_between(today, first)
        if given < rules.min_notice:
            findings.append(Finding("min_notice", rules.mode("min_notice"),
                                    {"notice": rules.min_notice, "day": first.isoformat(), "given": given,
                                     "source": src.get("min_notice", "")}))
    for day in sorted({d for d, _s in new}):
        if day in rules.blackouts:
            findings.append(Finding("blackout", rules.mode("blackout"),
                                    {"day": day.isoformat(), "reason": rules.blackouts[day],
                                     "source": rules.blackout_sources.get(day, "")}))
    combined = set(existing) | set(new)
    new_weeks = set(units_by_week(new))
    if rules.max_week is not None:
        totals = units_by_week(combined)
        for week in sorted(new_weeks):
            if totals[week] > rules.max_week:
                findings.append(Finding("week_cap", rules.mode("week_cap"),
                                        {"cap": fmt_days(rules.max_week), "week": week.isoformat(),
                                         "days": fmt_days(totals[week]), "source": src.get("week_cap", "")}))
    if rules.max_month is not None:
        totals_m = units_by_month(combined)
        for ym in sorted(set(units_by_month(new))):
            if totals_m[ym] > rules.max_month:
                findings.append(Finding("month_cap", rules.mode("month_cap"),
                                        {"cap": fmt_days(rules.max_month), "month": f"{ym[0]}-{ym[1]:02d}",
                                         "days": fmt_days(totals_m[ym]), "source": src.get("month_cap", "")}))
    if rules.office_days:
        for week in sorted(new_weeks):
            week_slots = [(d, s) for d, s in combined if dates.week_start(d) == week]
            office, working = office_days_in_week(week, week_slots)
            if office < min(rules.office_days, working):
                findings.append(Finding("office_days", rules.mode("office_days"),
                                        {"required": rules.office_days, "week": week.isoformat(),
                                         "office": office, "working": working,
                                         "source": src.get("office_days", "")}))
    return findings


def expand_days(*, kind: str, start: dt.date, end: dt.date, weekdays: Iterable[int] = ()) -> list[dt.date]:
    """The working days a request covers: one day as given; a range or a weekly pattern skip non-working days."""
    if kind == "single":
        return [start]
    days = dates.working_days(start, end)
    if kind == "pattern":
        wanted = set(weekdays)
        days = [d for d in days if d.weekday() in wanted]
    return days


def slots_for(days: Iterable[dt.date], part: str) -> set[Slot]:
    parts = ("am", "pm") if part == "day" else (part,)
    return {(d, p) for d in days for p in parts}


# --- effective rules from the database -----------------------------------------------------------------


def effective_rules(unit) -> EffectiveRules:
    """The rules for ``unit``: each field from the nearest unit up the tree that sets it, else the city default."""
    from django.db.models import Q

    from telework.models import BlackoutDate, TeleworkRule

    codes = [c for c in (unit.path or "").strip("/").split("/") if c] if unit is not None else []
    rows = list(TeleworkRule.objects.filter(Q(is_default=True) | Q(unit__code__in=codes)).select_related("unit"))
    depth = {code: i for i, code in enumerate(codes)}
    rows.sort(key=lambda r: -1 if r.is_default else depth.get(r.unit.code, -1))  # default first, nearest last
    eff = EffectiveRules()
    for r in rows:
        label = str(_("city default")) if r.is_default else r.unit.name
        pairs = [
            ("week_cap", "max_week", r.max_days_per_week, r.max_days_per_week_mode),
            ("month_cap", "max_month", r.max_days_per_month, r.max_days_per_month_mode),
            ("min_notice", "min_notice", r.min_notice_days, r.min_notice_days_mode),
            ("office_days", "office_days", r.office_days_per_week, r.office_days_per_week_mode),
        ]
        for key, attr, value, mode in pairs:
            if value is not None:
                setattr(eff, attr, value)
                eff.sources[key] = label
            if mode:
                eff.modes[key] = mode
        if r.excluded_employment_types is not None:
            eff.excluded_types = frozenset(r.excluded_employment_types)
            eff.sources["employment_type"] = label
        if r.excluded_employment_types_mode:
            eff.modes["employment_type"] = r.excluded_employment_types_mode
        if r.blackout_mode:
            eff.modes["blackout"] = r.blackout_mode
    bq = Q(unit__isnull=True) | Q(unit__code__in=codes)
    for b in BlackoutDate.objects.filter(bq).select_related("unit").order_by("date"):
        eff.blackouts[b.date] = b.reason
        eff.blackout_sources[b.date] = str(_("city default")) if b.unit is None else b.unit.name
    return eff
