"""Reads of the training app with access control built in (404 for what the viewer may not see)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone

from training import rules
from training.models import LADDER, RANK, Award, Completion, Enrolment, LeaderDesignation, LeaderPolicy, Tier
from workstyle import dates
from workstyle.models import OrgUnit, Role, StaffProfile
from workstyle.roles import has_role
from workstyle.selectors.org import can_see_unit, profile_of
from workstyle.services.audit import log_event, log_personal_read

HR_ROLES = (Role.HR, Role.ADMIN)
REPORT_ROLES = (Role.HR, Role.ADMIN, Role.DX_OFFICE, Role.EXECUTIVE)
TARGET_SHARE = 1 / 3
PLAN_END = dt.date(2028, 3, 31)  # end of FY2027 (令和9年度)


def can_see_reports(user) -> bool:
    return has_role(user, *REPORT_ROLES)


def is_hr(user) -> bool:
    return has_role(user, *HR_ROLES)


# ---------------------------------------------------------------------------------------------- tiers


def valid_awards_q(day: dt.date) -> Q:
    return Q(revoked_at__isnull=True, superseded_at__isnull=True) & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))


def current_tiers(*, day: dt.date | None = None, user_ids=None) -> dict[int, set[str]]:
    """Tiers each person holds on ``day`` (one query)."""
    day = day or dates.today()
    qs = Award.objects.filter(valid_awards_q(day))
    if user_ids is not None:
        qs = qs.filter(user_id__in=list(user_ids))
    out: dict[int, set[str]] = defaultdict(set)
    for uid, tier in qs.values_list("user_id", "tier"):
        out[uid].add(tier)
    return out


def ladder_tier(tiers: set[str]) -> str | None:
    """The highest bronze/silver/gold tier in ``tiers``."""
    best = None
    for t in LADDER:
        if t in tiers:
            best = t
    return best


def next_tier(current: str | None) -> str | None:
    if current is None:
        return Tier.BRONZE
    i = LADDER.index(current)
    return LADDER[i + 1] if i + 1 < len(LADDER) else None


@dataclass
class Progress:
    tier: str | None
    tiers: set[str]
    next_tier: str | None
    checklist: list[rules.Item] = field(default_factory=list)
    set_name: str = ""
    has_rule: bool = False


def progress_of(user, *, day: dt.date | None = None, specs=None) -> Progress:
    from training.services import facts_for, load_rule_specs

    day = day or dates.today()
    specs = specs if specs is not None else load_rule_specs()
    facts, _ever = facts_for([user.pk], day=day)
    f = facts.get(user.pk) or rules.Facts()
    tier = ladder_tier(f.held)
    nxt = next_tier(tier)
    p = Progress(tier=tier, tiers=set(f.held), next_tier=nxt)
    if nxt:
        best = rules.best_set(specs, nxt, f)
        if best is not None:
            from training.models import Course

            names = dict(Course.objects.values_list("pk", "title"))
            p.checklist = rules.checklist(best, f, names, {t.value: str(t.label) for t in Tier})
            p.set_name, p.has_rule = best.name, True
    return p


# ---------------------------------------------------------------------------------------------- records


@dataclass
class TrainingRecord:
    profile: StaffProfile
    show_scores: bool
    awards: list
    completions: list
    enrolments: list
    progress: Progress


def record_for(viewer, employee_number: str) -> TrainingRecord:
    """A person's training record: themselves, HR (with scores), their chiefs (tiers, no scores). Logged."""
    profile = StaffProfile.objects.select_related("user", "section").filter(employee_number=employee_number).first()
    if profile is None:
        raise Http404
    own = profile.user_id == viewer.pk
    hr = is_hr(viewer)
    viewer_profile = profile_of(viewer)
    chief = bool(viewer_profile and viewer_profile.is_manager and profile.section.path.startswith(viewer_profile.section.path))
    if not (own or hr or chief):
        raise Http404
    log_personal_read(actor=viewer, subject=profile.user, what="training record", obj=profile)
    awards = list(Award.objects.filter(user=profile.user).select_related("revoked_by").order_by("-awarded_on", "-pk"))
    completions = list(Completion.objects.filter(user=profile.user).select_related("course"))
    enrolments = list(Enrolment.objects.filter(user=profile.user).select_related("session__course"))
    return TrainingRecord(profile=profile, show_scores=own or hr, awards=awards, completions=completions,
                          enrolments=enrolments, progress=progress_of(profile.user))


def award_for_owner(viewer, public_id) -> Award:
    """An award's certificate or credential: its holder or HR."""
    award = Award.objects.select_related("user", "user__staff").filter(public_id=public_id).first()
    if award is None or not (award.user_id == viewer.pk or is_hr(viewer)):
        raise Http404
    if award.user_id != viewer.pk:
        log_personal_read(actor=viewer, subject=award.user, what="training certificate", obj=award)
    return award


def award_public(public_id) -> Award:
    award = Award.objects.select_related("user", "user__staff", "renewed_by").filter(public_id=public_id).first()
    if award is None:
        raise Http404
    return award


# ---------------------------------------------------------------------------------------------- leaders


def effective_leaders(*, day: dt.date | None = None, section_ids=None) -> list[LeaderDesignation]:
    """Designations in force on ``day`` under the configured transfer rule (computed, so a transfer takes
    effect at once even before the nightly job closes the row)."""
    day = day or dates.today()
    policy = LeaderPolicy.objects.filter(pk=1).first() or LeaderPolicy()
    qs = (LeaderDesignation.objects.filter(ended_on__isnull=True, term_start__lte=day, term_end__gte=day,
                                           user__staff__is_active=True)
          .select_related("user__staff", "section"))
    if section_ids is not None:
        qs = qs.filter(section_id__in=list(section_ids))
    if policy.transfer_rule == LeaderPolicy.TransferRule.ENDS:
        qs = qs.filter(user__staff__section_id=F("section_id"))
    return list(qs)


def sections_without_leader(*, day: dt.date | None = None, units=None) -> list[OrgUnit]:
    day = day or dates.today()
    led = {d.section_id for d in effective_leaders(day=day)}
    qs = units if units is not None else OrgUnit.objects.filter(kind=OrgUnit.Kind.SECTION, is_active=True)
    return [u for u in qs.select_related("top", "parent").order_by("path") if u.pk not in led]


def section_view(viewer, code: str):
    """A section's tiers and leaders for its chiefs, HR and the DX office; scores are never shown here."""
    unit = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.SECTION).select_related("parent", "top").first()
    if unit is None:
        raise Http404
    vp = profile_of(viewer)
    allowed = can_see_reports(viewer) or (vp is not None and vp.is_manager and can_see_unit(viewer, unit))
    if not allowed:
        raise Http404
    staff = list(StaffProfile.objects.filter(section=unit, is_active=True).select_related("user")
                 .order_by("-is_manager", "name_kana"))
    tiers = current_tiers(user_ids=[s.user_id for s in staff])
    rows = [(s, ladder_tier(tiers.get(s.user_id, set())), Tier.SPECIALIST in tiers.get(s.user_id, set())) for s in staff]
    leaders = effective_leaders(section_ids=[unit.pk])
    # the tiers of named people are personal data: one audit event per look at the section
    log_event(actor=viewer, action="personal_record.read", obj=unit, details={"what": "section DX tiers",
                                                                            "people": len(staff)})
    history = list(LeaderDesignation.objects.filter(section=unit).select_related("user__staff").order_by("-term_start"))
    return unit, rows, leaders, history


def leader_overview(viewer):
    """Leaders and sections without one, for report roles (city-wide) or a manager (their units)."""
    vp = profile_of(viewer)
    if can_see_reports(viewer):
        units = OrgUnit.objects.filter(kind=OrgUnit.Kind.SECTION, is_active=True)
    elif vp is not None and vp.is_manager:
        units = OrgUnit.objects.filter(kind=OrgUnit.Kind.SECTION, is_active=True, path__startswith=vp.section.path)
    else:
        raise Http404
    ids = list(units.values_list("pk", flat=True))
    leaders = effective_leaders(section_ids=ids)
    return leaders, sections_without_leader(units=units), len(ids)


# ---------------------------------------------------------------------------------------------- coverage


@dataclass
class CoverageRow:
    unit_id: int
    code: str
    name: str
    kind: str
    parent_name: str
    staff: int = 0
    bronze: int = 0  # bronze or higher
    silver_gold: int = 0
    leaders: int = 0

    @property
    def bronze_share(self) -> float:
        return self.bronze / self.staff if self.staff else 0.0

    @property
    def sg_share(self) -> float:
        return self.silver_gold / self.staff if self.staff else 0.0

    @property
    def status(self) -> str:
        if not self.staff:
            return "no_data"
        if self.sg_share >= TARGET_SHARE:
            return "on_track"
        return "at_risk" if self.sg_share >= TARGET_SHARE * 0.6 else "off_track"


@dataclass
class Coverage:
    level: str
    rows: list[CoverageRow]
    total: CoverageRow
    day: dt.date


LEVELS = ("bureau", "department", "section")


def coverage(*, level: str = "bureau", day: dt.date | None = None) -> Coverage:
    """Shares of bronze and of silver-or-gold by bureau, department or section. Four queries whatever the size."""
    day = day or dates.today()
    if level not in LEVELS:
        level = "bureau"
    units = {u[0]: u for u in OrgUnit.objects.values_list("pk", "code", "name", "kind", "parent_id", "top_id", "path")}
    tiers = current_tiers(day=day)
    led = {d.section_id for d in effective_leaders(day=day)} if level == "section" else set()
    rows: dict[int, CoverageRow] = {}
    total = CoverageRow(0, "", "", "", "")

    def row_for(uid):
        r = rows.get(uid)
        if r is None:
            u = units[uid]
            parent = units.get(u[4])
            r = rows[uid] = CoverageRow(uid, u[1], u[2], u[3], parent[2] if parent else "")
        return r

    for uid, section_id in StaffProfile.objects.filter(is_active=True).values_list("user_id", "section_id"):
        u = units[section_id]
        if level == "bureau":
            key = u[5] or u[0]
        elif level == "department":
            key = u[0] if u[3] == "department" else (u[4] if u[3] == "section" else None)
        else:
            key = u[0] if u[3] == "section" else None
        t = ladder_tier(tiers.get(uid, set()))
        bronze = t is not None
        sg = t in (Tier.SILVER, Tier.GOLD)
        total.staff += 1
        total.bronze += bronze
        total.silver_gold += sg
        if key is None:
            continue
        r = row_for(key)
        r.staff += 1
        r.bronze += bronze
        r.silver_gold += sg
    for r in rows.values():
        r.leaders = 1 if r.unit_id in led else 0
    return Coverage(level=level, rows=sorted(rows.values(), key=lambda r: units[r.unit_id][6]), total=total, day=day)


@dataclass
class TrendPoint:
    month_end: dt.date
    bronze: int
    silver_gold: int


def _month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    out = []
    y, m = start.year, start.month
    while True:
        nxt = dt.date(y + (m == 12), m % 12 + 1, 1)
        last = nxt - dt.timedelta(days=1)
        out.append(min(last, end))
        if last >= end:
            return out
        y, m = nxt.year, nxt.month


def trend(*, day: dt.date | None = None, since: dt.date | None = None) -> list[TrendPoint]:
    """People holding bronze (or higher) and silver-or-gold at each month end since ``since`` (one query)."""
    day = day or dates.today()
    since = since or dates.fiscal_year_range(dates.fiscal_year(day) - 1)[0]
    points = _month_ends(since, day)
    intervals: dict[int, list[tuple[dt.date, dt.date | None, str]]] = defaultdict(list)
    for uid, tier, start, until, revoked in Award.objects.filter(tier__in=LADDER, user__staff__is_active=True).values_list(
        "user_id", "tier", "awarded_on", "valid_until", "revoked_at"
    ):
        end = until
        if revoked is not None:
            rd = timezone.localdate(revoked)
            end = min(end, rd - dt.timedelta(days=1)) if end else rd - dt.timedelta(days=1)
        intervals[uid].append((start, end, tier))
    counts_b = [0] * len(points)
    counts_s = [0] * len(points)
    for spans in intervals.values():
        for i, p in enumerate(points):
            best = 0
            for start, end, tier in spans:
                if start <= p and (end is None or end >= p):
                    best = max(best, RANK[tier])
            if best >= 1:
                counts_b[i] += 1
            if best >= 2:
                counts_s[i] += 1
    return [TrendPoint(p, b, s) for p, b, s in zip(points, counts_b, counts_s, strict=True)]


@dataclass
class Projection:
    staff: int
    target: int
    current: int
    pace_per_month: float
    months_left: int
    projected: int
    reaches_target: bool
    months_needed: int | None


def projection(points: list[TrendPoint], staff: int, *, day: dt.date | None = None) -> Projection:
    """Silver-or-gold at the end of FY2027 if the pace of the last (up to) twelve months holds."""
    day = day or dates.today()
    target = math.ceil(staff * TARGET_SHARE)
    current = points[-1].silver_gold if points else 0
    window = points[-13:]
    span = len(window) - 1
    pace = (window[-1].silver_gold - window[0].silver_gold) / span if span > 0 else 0.0
    months_left = max(0, (PLAN_END.year - day.year) * 12 + PLAN_END.month - day.month)
    projected = round(current + pace * months_left)
    needed = None
    if current >= target:
        needed = 0
    elif pace > 0:
        needed = math.ceil((target - current) / pace)
    return Projection(staff, target, current, round(pace, 1), months_left, projected, projected >= target, needed)


@dataclass
class CloseRow:
    profile: StaffProfile
    tier: str | None
    next_tier: str
    missing: int


def close_to_next_tier(*, max_missing: int = 1, limit: int = 100, unit: OrgUnit | None = None) -> tuple[list[CloseRow], int]:
    """Staff who miss at most ``max_missing`` courses/items for their next tier (constant queries)."""
    from training.services import facts_for, load_rule_specs

    day = dates.today()
    specs = load_rule_specs()
    facts, _ever = facts_for(None, day=day)
    found = []
    for uid, f in facts.items():
        tier = ladder_tier(f.held)
        nxt = next_tier(tier)
        if nxt is None:
            continue
        best = rules.best_set(specs, nxt, f)
        if best is None:
            continue
        missing = rules.set_missing(best, f)
        if 0 < missing <= max_missing:
            found.append((missing, uid, tier, nxt))
    found.sort(key=lambda x: (x[0], x[1]))
    profiles = StaffProfile.objects.select_related("section").in_bulk([x[1] for x in found[:limit]], field_name="user_id")
    return [CloseRow(profiles[uid], tier, nxt, m) for m, uid, tier, nxt in found[:limit] if uid in profiles], len(found)
