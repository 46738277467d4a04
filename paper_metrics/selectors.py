"""Reads for the paper dashboards, with access built in.

Who sees what: the DX/AI strategy office, executives and administrators see the whole city; a manager sees
the units of their own bureau (or ward); everyone else sees their own section. Per-person printing is never
shown on these pages; only administrators see raw job rows (``raw_jobs``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.http import Http404

from paper_metrics import meetings_adapter
from paper_metrics.metrics import UnitYear, elapsed_months, evaluate, fiscal_months, target_pct_for
from paper_metrics.models import (
    BASELINE_FY,
    EnteredBaseline,
    FollowUpComment,
    ImportBatch,
    MonthlyUsage,
    PaperSettings,
    PrinterMonthly,
    PrintJob,
    SectionCodeMap,
)
from workstyle import dates
from workstyle.models import OrgUnit, Role, StaffProfile
from workstyle.roles import has_role
from workstyle.selectors.org import profile_of

USE_KINDS = (MonthlyUsage.Kind.PRINT, MonthlyUsage.Kind.MANUAL)
CITY = "city"


def sees_city(user) -> bool:
    return has_role(user, Role.DX_OFFICE, Role.EXECUTIVE, Role.ADMIN)


def can_view_unit(user, unit: OrgUnit | None) -> bool:
    """``unit`` None means the whole city."""
    if sees_city(user):
        return True
    profile = profile_of(user)
    if profile is None or unit is None:
        return False
    if profile.is_manager:
        return unit.top_id == profile.section.top_id
    return unit.pk == profile.section_id


def can_see_raw_rows(user) -> bool:
    return has_role(user, Role.ADMIN)


def default_scope(user) -> OrgUnit | None | bool:
    """The page a user lands on: the city (None), their bureau (managers), their section; False: nothing."""
    if sees_city(user):
        return None
    profile = profile_of(user)
    if profile is None:
        return False
    if profile.is_manager:
        return profile.section.top
    return profile.section


def unit_for(user, code: str) -> OrgUnit:
    unit = OrgUnit.objects.select_related("top", "parent").filter(code=code).first()
    if unit is None or not can_view_unit(user, unit):
        raise Http404
    return unit


def visible_tops(user):
    if sees_city(user):
        return OrgUnit.objects.filter(parent__isnull=True).order_by("path")
    profile = profile_of(user)
    if profile is not None and profile.is_manager:
        return OrgUnit.objects.filter(pk=profile.section.top_id)
    return OrgUnit.objects.none()


# -- the report ------------------------------------------------------------------------------------------------

@dataclass
class Row:
    unit: OrgUnit
    year: UnitYear
    staff: int = 0

    @property
    def per_staff(self) -> float | None:
        return self.year.fytd / self.staff if self.staff else None


@dataclass
class Report:
    unit: OrgUnit | None
    fy: int
    year: UnitYear
    conf: PaperSettings
    months: list[dt.date]
    children: list[Row] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)
    printers: list[dict] = field(default_factory=list)
    purchases: list[float] = field(default_factory=list)
    meetings_saved: list[float] = field(default_factory=list)
    staff: int = 0
    co2_kg: float = 0.0
    trees: float = 0.0
    baseline_entered: bool = False

    @property
    def per_staff(self) -> float | None:
        return self.year.fytd / self.staff if self.staff else None

    @property
    def meetings_saved_total(self) -> float:
        return sum(self.meetings_saved[: self.year.elapsed])

    @property
    def purchases_total(self) -> float:
        return sum(self.purchases[: self.year.elapsed])

    @property
    def monthly_rows(self):
        y = self.year
        return [
            {"month": m, "actual": y.actual[i], "baseline": y.baseline[i], "target": y.target_monthly[i],
             "purchased": self.purchases[i] if i < y.elapsed else None,
             "meetings": self.meetings_saved[i] if i < y.elapsed else None}
            for i, m in enumerate(self.months)
        ]


def _remap() -> dict[int, int]:
    """Section id → successor section id, following old → new section codes (chains resolved)."""
    codes = dict(SectionCodeMap.objects.values_list("old_code", "new_section_id"))
    if not codes:
        return {}
    ids = dict(OrgUnit.objects.filter(code__in=list(codes)).values_list("pk", "code"))
    out = {}
    for pk, code in ids.items():
        target, seen = codes[code], {pk}
        code_of = dict(OrgUnit.objects.filter(pk=target).values_list("pk", "code"))
        while code_of.get(target) in codes and target not in seen:
            seen.add(target)
            target = codes[code_of[target]]
            code_of = dict(OrgUnit.objects.filter(pk=target).values_list("pk", "code"))
        out[pk] = target
    return out


def _sections_in(unit: OrgUnit | None) -> dict[int, OrgUnit]:
    qs = OrgUnit.objects.filter(kind=OrgUnit.Kind.SECTION)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.path)
    return {u.pk: u for u in qs.only("id", "code", "name", "path", "parent_id", "top_id", "kind")}


def data_version() -> int:
    """Bumped after every change to paper data or settings (see services.bump_version); part of cache keys."""
    return cache.get_or_set("paper_metrics:version", 1, timeout=None)


def _usage_table(fy: int) -> dict[str, dict[int, dict[dt.date, float]]]:
    """kind → section → month → sheets for FY2023 and ``fy``, reorganisations applied. One grouped query,
    cached city-wide until the data changes."""
    key = f"paper_metrics:usage:{fy}:{data_version()}"
    table = cache.get(key)
    if table is not None:
        return table
    remap = _remap()
    months = fiscal_months(BASELINE_FY) + fiscal_months(fy)
    qs = (MonthlyUsage.objects.filter(month__in=months).values_list("kind", "section_id", "month")
          .annotate(s=Sum("sheets")).values_list("kind", "section_id", "month", "s").order_by())
    table: dict = {}
    for kind, sid, month, sheets in qs:
        per = table.setdefault(kind, {}).setdefault(remap.get(sid, sid), {})
        per[month] = per.get(month, 0.0) + (sheets or 0.0)
    cache.set(key, table, timeout=3600)
    return table


def _monthly(table, kinds, months: list[dt.date]) -> dict[int, dict[dt.date, float]]:
    out: dict[int, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    wanted = set(months)
    for kind in kinds:
        for sid, per in table.get(kind, {}).items():
            for month, sheets in per.items():
                if month in wanted:
                    out[sid][month] += sheets
    return out


def _baselines(table, section_ids: set[int]) -> tuple[dict[int, list[float]], set[int]]:
    """Each section's FY2023 monthly baseline: actual FY2023 use, or an entered annual figure spread by the
    city's FY2023 seasonality."""
    months = fiscal_months(BASELINE_FY)
    actual = _monthly(table, USE_KINDS, months)
    city = [sum(actual[s].get(m, 0.0) for s in actual) for m in months]
    total = sum(city)
    shares = [c / total for c in city] if total else [1 / 12] * 12
    out = {sid: [actual.get(sid, {}).get(m, 0.0) for m in months] for sid in section_ids}
    entered = dict(EnteredBaseline.objects.filter(section_id__in=section_ids).values_list("section_id", "annual_sheets"))
    for sid, annual in entered.items():
        out[sid] = [annual * s for s in shares]
    return out, set(entered)


def _staff_counts() -> dict[int, int]:
    """Active staff per section (cached ten minutes: headcount moves slowly)."""
    counts = cache.get("paper_metrics:staff")
    if counts is None:
        counts = dict(StaffProfile.objects.filter(is_active=True).values_list("section_id").annotate(n=Count("id"))
                      .values_list("section_id", "n").order_by())
        cache.set("paper_metrics:staff", counts, timeout=600)
    return counts


def _sum_lists(lists) -> list[float]:
    acc = [0.0] * 12
    for lst in lists:
        for i, v in enumerate(lst):
            acc[i] += v
    return acc


def _child_key(unit: OrgUnit | None, section: OrgUnit, by_section: bool) -> int:
    if unit is None and not by_section:
        return section.top_id
    return section.pk


def report(user, unit: OrgUnit | None, fy: int | None = None, *, today: dt.date | None = None,
           by_section: bool = False) -> Report:
    if not can_view_unit(user, unit):
        raise Http404
    today = today or dates.today()
    fy = fy or dates.fiscal_year(today)
    conf = PaperSettings.load()
    months = fiscal_months(fy)
    elapsed = elapsed_months(fy, today)
    pct = target_pct_for(fy, conf.target_steps)
    sections = _sections_in(unit)
    sids = set(sections)
    table = _usage_table(fy)
    use = _monthly(table, USE_KINDS, months)
    base, entered = _baselines(table, sids)
    sec_actual = {sid: [use.get(sid, {}).get(m, 0.0) for m in months] for sid in sids}

    total_actual = _sum_lists(sec_actual.values())
    total_base = _sum_lists(base.values())
    year = evaluate(fy=fy, elapsed=elapsed, actual=total_actual, baseline=total_base, target_pct=pct,
                    margin=conf.at_risk_margin)
    staff_by_section = _staff_counts()
    rep = Report(unit=unit, fy=fy, year=year, conf=conf, months=months)
    rep.staff = sum(staff_by_section.get(s, 0) for s in sids)
    rep.baseline_entered = bool(entered)

    # ranking: bureaus/wards for the city, sections for a bureau, department or section
    groups: dict[int, list[int]] = defaultdict(list)
    for sid, sec in sections.items():
        groups[_child_key(unit, sec, by_section)].append(sid)
    child_units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(groups)).select_related("top")}
    for key, members in groups.items():
        y = evaluate(fy=fy, elapsed=elapsed, actual=_sum_lists(sec_actual[s] for s in members),
                     baseline=_sum_lists(base[s] for s in members), target_pct=pct, margin=conf.at_risk_margin)
        if y.fytd or y.baseline_total:
            rep.children.append(Row(unit=child_units[key], year=y, staff=sum(staff_by_section.get(s, 0) for s in members)))
    rank = {"off_track": 0, "at_risk": 1, "on_track": 2, "no_data": 3}
    rep.children.sort(key=lambda r: (rank[r.year.status], -(r.year.change_pct if r.year.change_pct is not None else -1e9)))

    counted = months[:elapsed]
    if counted:
        src = MonthlyUsage.objects.filter(month__gte=counted[0], month__lte=counted[-1])
        if unit is not None:
            src = src.filter(section__path__startswith=unit.path)
        rep.sources = list(src.values("kind", "source").annotate(sheets=Sum("sheets"), jobs=Sum("jobs"))
                           .order_by("kind", "-sheets"))
        prt = PrinterMonthly.objects.filter(month__gte=counted[0], month__lte=counted[-1])
        if unit is not None:
            prt = prt.filter(section__path__startswith=unit.path)
        rep.printers = list(prt.values("printer").annotate(sheets=Sum("sheets"), jobs=Sum("jobs")).order_by("-sheets")[:50])
    purchases = _monthly(table, (MonthlyUsage.Kind.PURCHASE,), months)
    rep.purchases = [sum(purchases.get(s, {}).get(m, 0.0) for s in sids) for m in months]
    saved = defaultdict(float)
    for sid, month, sheets in meetings_adapter.paper_saved_by_section_month(start=months[0], end=dt.date(fy + 1, 3, 31)):
        if sid in sids:
            saved[month.replace(day=1)] += sheets
    rep.meetings_saved = [saved.get(m, 0.0) for m in months]
    if rep.meetings_saved_total:
        rep.sources.append({"kind": "meetings", "source": "meetings", "sheets": rep.meetings_saved_total, "jobs": None})
    rep.co2_kg = year.fytd * conf.co2_g_per_sheet / 1000
    rep.trees = year.fytd / conf.sheets_per_tree if conf.sheets_per_tree else 0.0
    return rep


def off_track_units(user, fy: int | None = None) -> list[Row]:
    """Sections (city-wide, or the manager's bureau) that are off track or at risk, worst first."""
    scope = default_scope(user)
    if scope is False:
        return []
    if scope is not None and scope.kind == OrgUnit.Kind.SECTION:
        return []
    rep = report(user, scope, fy, by_section=True)
    rows = [r for r in rep.children if r.year.status in ("off_track", "at_risk")]
    rows.sort(key=lambda r: (r.year.status != "off_track", -(r.year.forecast_vs_target_pct or 0)))
    return rows


def comments_for(user, unit: OrgUnit):
    if not can_view_unit(user, unit):
        raise Http404
    return FollowUpComment.objects.filter(unit=unit).select_related("author__staff")[:100]


def imports(user):
    from paper_metrics.services import can_import

    if user is None or not can_import(user):
        return ImportBatch.objects.none()
    return ImportBatch.objects.select_related("imported_by__staff").order_by("-imported_at", "-id")


def import_for(user, pk: int) -> ImportBatch:
    from paper_metrics.services import can_import

    if not can_import(user) or user is None:
        raise Http404
    batch = ImportBatch.objects.filter(pk=pk).select_related("imported_by__staff").first()
    if batch is None:
        raise Http404
    return batch


def raw_jobs(user, batch: ImportBatch):
    if not can_see_raw_rows(user):
        raise Http404
    return PrintJob.objects.filter(batch=batch).order_by("line").select_related("section")


def section_status(user) -> Report | None:
    """The user's own section this fiscal year (home card). Access is checked per user; the report itself
    is the same for everyone who may see the section, so it is cached per section until the data changes."""
    profile = profile_of(user)
    if profile is None or not can_view_unit(user, profile.section):
        return None
    key = f"paper_metrics:section_status:{profile.section_id}:{dates.today().isoformat()}:{data_version()}"
    rep = cache.get(key)
    if rep is None:
        rep = report(user, profile.section)
        cache.set(key, rep, timeout=600)
    return rep


def staff_sections_query(q: str):
    return OrgUnit.objects.filter(kind="section").filter(Q(code__icontains=q) | Q(name__icontains=q))[:20]
