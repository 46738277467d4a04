"""Every state change of the training app: one function each, one transaction, audited, DomainError on refusal."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from training import periods, rules
from training.models import (
    EVALUATION_ORDER,
    Award,
    Completion,
    Course,
    CourseSession,
    DxProjectReport,
    Enrolment,
    LeaderDesignation,
    LeaderPolicy,
    Requirement,
    RequirementSet,
    Tier,
    TierSetting,
)
from workstyle import dates
from workstyle.csvfiles import read_csv
from workstyle.errors import DomainError, ImportRejected, PermissionDenied
from workstyle.models import OrgUnit, Role, StaffProfile, User
from workstyle.roles import has_role
from workstyle.services.audit import log_event
from workstyle.services.notifications import notify

HR_ROLES = (Role.HR, Role.ADMIN)
IMPORT_COLUMNS = ["employee_number", "course_code", "completed_on", "score"]
SYSTEM_ISSUER = "system"


def _require_hr(actor) -> None:
    if not has_role(actor, *HR_ROLES):
        raise PermissionDenied(_("Only HR and training staff may do this."))


def tier_label(tier: str) -> str:
    return str(Tier(tier).label)


# ---------------------------------------------------------------------------------------------- rules data


def load_rule_specs() -> list[rules.SetSpec]:
    """Every active requirement set as plain data (3 queries whatever the size)."""
    sets = {s.pk: s for s in RequirementSet.objects.filter(is_active=True)}
    reqs = list(Requirement.objects.filter(requirement_set_id__in=list(sets)))
    courses_of: dict[int, set[int]] = defaultdict(set)
    for rid, cid in Requirement.courses.through.objects.filter(requirement_id__in=[r.pk for r in reqs]).values_list(
        "requirement_id", "course_id"
    ):
        courses_of[rid].add(cid)
    by_set: dict[int, list[rules.ReqSpec]] = defaultdict(list)
    for r in reqs:
        by_set[r.requirement_set_id].append(rules.ReqSpec(
            kind=r.kind, course_ids=frozenset(courses_of[r.pk]), n=r.n, tier=r.tier, hours=r.hours, id=r.pk,
        ))
    return [rules.SetSpec(tier=s.tier, reqs=tuple(by_set[s.pk]), name=s.name, id=s.pk) for s in sets.values()]


def tier_settings() -> dict[str, TierSetting]:
    have = {t.tier: t for t in TierSetting.objects.all()}
    return {t.value: have.get(t.value) or TierSetting(tier=t.value) for t in Tier}


def leader_policy() -> LeaderPolicy:
    return LeaderPolicy.objects.filter(pk=1).first() or LeaderPolicy(pk=1)


def facts_for(user_ids: list[int] | None, *, day: dt.date) -> tuple[dict[int, rules.Facts], dict[int, set[str]]]:
    """Facts per person and the tiers each person has ever been awarded (constant number of queries).

    ``user_ids`` None means every active member of staff."""
    people = StaffProfile.objects.filter(is_active=True)
    if user_ids is not None:
        people = people.filter(user_id__in=user_ids)
    ids = list(people.values_list("user_id", flat=True))
    completed: dict[int, set[int]] = defaultdict(set)
    course_info = {c.pk: (c.tier, c.hours) for c in Course.objects.all().only("pk", "tier", "hours")}
    comp_qs = Completion.objects.values_list("user_id", "course_id")
    award_qs = Award.objects.values_list("user_id", "tier", "valid_until", "revoked_at", "superseded_at")
    report_qs = DxProjectReport.objects.filter(status=DxProjectReport.Status.APPROVED).values_list("user_id", flat=True)
    if user_ids is not None:
        comp_qs = comp_qs.filter(user_id__in=ids)
        award_qs = award_qs.filter(user_id__in=ids)
        report_qs = report_qs.filter(user_id__in=ids)
    # plain rows, no per-row model machinery: this is the one query that grows with the data (150,000 rows)
    sql, params = comp_qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for uid, cid in cursor.fetchall():
            completed[uid].add(cid)
    held: dict[int, set[str]] = defaultdict(set)
    ever: dict[int, set[str]] = defaultdict(set)
    for uid, tier, until, revoked, superseded in award_qs:
        ever[uid].add(tier)
        if revoked is None and superseded is None and (until is None or until >= day):
            held[uid].add(tier)
    reports = set(report_qs)
    facts = {}
    for uid in ids:
        hours: dict[str, Decimal] = defaultdict(Decimal)
        for cid in completed.get(uid, ()):
            tier, h = course_info[cid]
            hours[tier] += h
        facts[uid] = rules.Facts(completed=frozenset(completed.get(uid, ())), hours_by_tier=dict(hours),
                                 held=held.get(uid, set()), approved_report=uid in reports)
    return facts, ever


def _notify_awards(awards: list[Award]) -> None:
    """One notification per person, created in bulk per tier."""
    by_tier: dict[str, list[int]] = defaultdict(list)
    for a in awards:
        by_tier[a.tier].append(a.user_id)
    url = reverse("training:index")
    for tier, ids in by_tier.items():
        notify(recipients=list(User.objects.filter(pk__in=ids)), kind="training.award", url=url,
               title=_("You reached the %(tier)s DX tier") % {"tier": tier_label(tier)},
               body=_("Congratulations. Your certificate and badge are on your My DX page."))


@dataclass
class EvaluationResult:
    evaluated: int = 0
    awarded: Counter = field(default_factory=Counter)
    awards: list[Award] = field(default_factory=list)


def evaluate_tiers(*, user_ids: list[int] | None = None, actor=None, on: dt.date | None = None,
                   notify_people: bool = True) -> EvaluationResult:
    """Award every tier whose requirements a person now meets (automatic awarding happens once per tier:
    after an expiry or a revocation, HR renews or awards again). Constant number of queries."""
    day = on or dates.today()
    with transaction.atomic():
        specs = load_rule_specs()
        settings_ = tier_settings()
        auto = {t for t, s in settings_.items() if s.auto_award}
        facts, ever = facts_for(user_ids, day=day)
        result = EvaluationResult(evaluated=len(facts))
        new: list[Award] = []
        for uid, f in facts.items():
            for tier in rules.newly_met(specs, f, EVALUATION_ORDER, auto - ever.get(uid, set())):
                new.append(Award(
                    user_id=uid, tier=tier, awarded_on=day,
                    valid_until=periods.valid_until(day, settings_[tier].validity_months),
                    issuer=None, issuer_label=SYSTEM_ISSUER, basis=Award.Basis.AUTOMATIC,
                ))
                result.awarded[tier] += 1
        if new:
            Award.objects.bulk_create(new, batch_size=2000)
            result.awards = new
            log_event(actor=actor, action="training.tiers.evaluate", object_type="training.award",
                      details={"evaluated": result.evaluated, "awarded": dict(result.awarded)})
            if notify_people:
                _notify_awards(new)
    return result


# ---------------------------------------------------------------------------------------------- courses


def create_course(*, actor, code: str, title: str, tier: str, kind: str, hours: Decimal, provider: str = "",
                  description: str = "") -> Course:
    _require_hr(actor)
    code = code.strip()
    if not code or not title.strip():
        raise DomainError(_("A course needs a code and a title."))
    if tier not in Tier.values or kind not in Course.Kind.values:
        raise DomainError(_("Unknown tier or kind."))
    if hours < 0:
        raise DomainError(_("Hours cannot be negative."))
    with transaction.atomic():
        if Course.objects.filter(code=code).exists():
            raise DomainError(_("The course code %(code)s is already used.") % {"code": code})
        course = Course.objects.create(code=code, title=title.strip(), tier=tier, kind=kind, hours=hours,
                                       provider=provider.strip(), description=description.strip())
        log_event(actor=actor, action="training.course.create", obj=course)
    return course


def update_course(*, actor, course_id: int, title: str, tier: str, kind: str, hours: Decimal, provider: str = "",
                  is_active: bool = True) -> Course:
    """Change a course. The code stays (imports refer to it); a retired course is hidden but its completions stay."""
    _require_hr(actor)
    if not title.strip():
        raise DomainError(_("A course needs a code and a title."))
    if tier not in Tier.values or kind not in Course.Kind.values:
        raise DomainError(_("Unknown tier or kind."))
    if hours < 0:
        raise DomainError(_("Hours cannot be negative."))
    with transaction.atomic():
        course = Course.objects.select_for_update().filter(pk=course_id).first()
        if course is None:
            raise DomainError(_("This course does not exist."), code="not_found")
        before = {"title": course.title, "tier": course.tier, "kind": course.kind, "hours": str(course.hours),
                  "provider": course.provider, "is_active": course.is_active}
        course.title, course.tier, course.kind, course.hours = title.strip(), tier, kind, hours
        course.provider, course.is_active = provider.strip(), is_active
        course.save()
        log_event(actor=actor, action="training.course.update", obj=course, details={"before": before})
    return course


def create_session(*, actor, course: Course, starts_on: dt.date, ends_on: dt.date, capacity: int,
                   location: str = "") -> CourseSession:
    _require_hr(actor)
    if ends_on < starts_on:
        raise DomainError(_("A session cannot end before it starts."))
    if capacity < 1:
        raise DomainError(_("The capacity must be at least 1."))
    with transaction.atomic():
        session = CourseSession.objects.create(course=course, starts_on=starts_on, ends_on=ends_on,
                                               capacity=capacity, location=location.strip())
        log_event(actor=actor, action="training.session.create", obj=session)
    return session


def enrol(*, actor, session_id: int, user=None) -> Enrolment:
    """Enrol a person (oneself, or anyone for HR). A full session puts the person on the waiting list.
    The session row is locked; the database check forbids more enrolled than the capacity."""
    user = user or actor
    if user.pk != actor.pk:
        _require_hr(actor)
    with transaction.atomic():
        session = CourseSession.objects.select_for_update(of=("self",)).select_related("course").filter(pk=session_id).first()
        if session is None:
            raise DomainError(_("This session does not exist."), code="not_found")
        if session.ends_on < dates.today():
            raise DomainError(_("This session is over; enrolment is closed."))
        if Enrolment.objects.filter(session=session, user=user).exclude(status=Enrolment.Status.CANCELLED).exists():
            raise DomainError(_("%(name)s is already enrolled or on the waiting list.") % {"name": user.display_name()})
        if session.enrolled_count < session.capacity:
            status = Enrolment.Status.ENROLLED
            CourseSession.objects.filter(pk=session.pk).update(enrolled_count=F("enrolled_count") + 1)
        else:
            status = Enrolment.Status.WAITLISTED
        enrolment = Enrolment.objects.create(session=session, user=user, status=status)
        log_event(actor=actor, action=f"training.enrolment.{status}", obj=enrolment, subject=user,
                  details={"session": session.pk})
    return enrolment


def cancel_enrolment(*, actor, enrolment_id: int) -> Enrolment | None:
    """Cancel; when a seat frees, the first person on the waiting list gets it and is told. Returns the promoted one."""
    with transaction.atomic():
        enrolment = Enrolment.objects.select_related("session").filter(pk=enrolment_id).first()
        if enrolment is None:
            raise DomainError(_("This enrolment does not exist."), code="not_found")
        if enrolment.user_id != actor.pk:
            _require_hr(actor)
        session = CourseSession.objects.select_for_update(of=("self",)).select_related("course").get(pk=enrolment.session_id)
        enrolment.refresh_from_db()
        if enrolment.status == Enrolment.Status.CANCELLED:
            raise DomainError(_("This enrolment is already cancelled."))
        if session.ends_on < dates.today():
            raise DomainError(_("The session is over; its enrolments are kept as the attendance record."))
        was_enrolled = enrolment.status == Enrolment.Status.ENROLLED
        enrolment.status = Enrolment.Status.CANCELLED
        enrolment.save(update_fields=["status", "updated_at"])
        log_event(actor=actor, action="training.enrolment.cancel", obj=enrolment, subject=enrolment.user)
        promoted = None
        if was_enrolled:
            promoted = (Enrolment.objects.select_related("user").filter(session=session, status=Enrolment.Status.WAITLISTED)
                        .order_by("created_at", "pk").first())
            if promoted is None:
                CourseSession.objects.filter(pk=session.pk).update(enrolled_count=F("enrolled_count") - 1)
            else:
                promoted.status = Enrolment.Status.ENROLLED
                promoted.save(update_fields=["status", "updated_at"])
                log_event(actor=actor, action="training.enrolment.promote", obj=promoted, subject=promoted.user)
                notify(recipients=[promoted.user], kind="training.enrolment",
                       url=reverse("training:course", args=[session.course.code]),
                       title=_("A seat is free: you are enrolled"),
                       body=_("You moved from the waiting list to the session %(session)s.") % {"session": str(session)})
    return promoted


def record_attendance(*, actor, session_id: int, attended_user_ids: set[int], score_by_user: dict | None = None) -> int:
    """HR marks who attended; attendance of an ended session creates a completion and evaluates tiers."""
    _require_hr(actor)
    with transaction.atomic():
        session = CourseSession.objects.select_for_update(of=("self",)).select_related("course").get(pk=session_id)
        enrolments = list(Enrolment.objects.filter(session=session, status=Enrolment.Status.ENROLLED))
        changed = []
        for e in enrolments:
            attended = e.user_id in attended_user_ids
            if e.attended != attended:
                e.attended = attended
                changed.append(e)
        Enrolment.objects.bulk_update(changed, ["attended"])
        completions = 0
        if session.ends_on <= dates.today():
            present = [e.user_id for e in enrolments if e.attended]
            existing = set(Completion.objects.filter(course=session.course, completed_on=session.ends_on,
                                                     user_id__in=present).values_list("user_id", flat=True))
            new = [Completion(user_id=uid, course=session.course, completed_on=session.ends_on,
                              source=Completion.Source.ATTENDANCE, evidence=_("Attended session %(id)s") % {"id": session.pk},
                              score=(score_by_user or {}).get(uid))
                   for uid in present if uid not in existing]
            Completion.objects.bulk_create(new)
            completions = len(new)
            if new:
                evaluate_tiers(user_ids=[c.user_id for c in new], actor=actor)
        log_event(actor=actor, action="training.attendance", obj=session,
                  details={"attended": sorted(attended_user_ids), "completions": completions})
    return completions


# ---------------------------------------------------------------------------------------------- completions


def add_completion(*, actor, user, course: Course, completed_on: dt.date, score: Decimal | None = None,
                   evidence: str = "") -> Completion:
    _require_hr(actor)
    if completed_on > dates.today():
        raise DomainError(_("The completion date is in the future."))
    if score is not None and not (0 <= score <= 100):
        raise DomainError(_("The score must be between 0 and 100."))
    with transaction.atomic():
        if Completion.objects.filter(user=user, course=course, completed_on=completed_on).exists():
            raise DomainError(_("This completion is already recorded."))
        c = Completion.objects.create(user=user, course=course, completed_on=completed_on, score=score,
                                      evidence=evidence.strip()[:300], source=Completion.Source.MANUAL)
        log_event(actor=actor, action="training.completion.add", obj=c, subject=user)
        evaluate_tiers(user_ids=[user.pk], actor=actor)
    return c


@dataclass
class CompletionImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    people: int = 0
    awarded: dict = field(default_factory=dict)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return _("%(created)s new, %(updated)s changed, %(unchanged)s already recorded; %(awarded)s tiers awarded.") % {
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "awarded": sum(self.awarded.values()),
        }


def _parse_score(value: str) -> Decimal | None:
    if value == "":
        return None
    try:
        score = Decimal(value)
    except InvalidOperation:
        raise ValueError
    if not score.is_finite() or not (0 <= score <= 100):
        raise ValueError
    return score.quantize(Decimal("0.1"))


def import_completions(*, data: bytes, actor, file_name: str = "", dry_run: bool = False) -> CompletionImportReport:
    """Import `employee_number,course_code,completed_on,score[,evidence]`. All or nothing; the same file twice
    changes nothing the second time; every bad line is named."""
    if actor is not None:
        _require_hr(actor)
    csvf = read_csv(data, name=file_name, required=IMPORT_COLUMNS, optional=["evidence"])
    today = dates.today()
    numbers = {row["employee_number"] for _line, row in csvf.rows}
    codes = {row["course_code"] for _line, row in csvf.rows}
    people = dict(StaffProfile.objects.filter(employee_number__in=numbers, is_active=True)
                  .values_list("employee_number", "user_id"))
    courses = dict(Course.objects.filter(code__in=codes).values_list("code", "pk"))
    errors: list[tuple[int, str]] = []
    seen: dict[tuple, int] = {}
    parsed: dict[tuple[int, int, dt.date], tuple[Decimal | None, str]] = {}
    for line, row in csvf.rows:
        bad = False
        number, code = row["employee_number"], row["course_code"]
        if number not in people:
            errors.append((line, _("unknown or inactive employee number %(n)s") % {"n": number}))
            bad = True
        if code not in courses:
            errors.append((line, _("unknown course code %(code)s") % {"code": code}))
            bad = True
        day = None
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["completed_on"]):
            errors.append((line, _("completed_on must be a date like 2025-04-01, got %(v)s") % {"v": row["completed_on"]}))
            bad = True
        else:
            try:
                day = dt.date.fromisoformat(row["completed_on"])
            except ValueError:
                errors.append((line, _("%(v)s is not a calendar date") % {"v": row["completed_on"]}))
                bad = True
        if day is not None and day > today:
            errors.append((line, _("the date %(d)s is in the future") % {"d": day.isoformat()}))
            bad = True
        try:
            score = _parse_score(row["score"])
        except ValueError:
            errors.append((line, _("score must be a number from 0 to 100, got %(v)s") % {"v": row["score"]}))
            bad = True
        if bad:
            continue
        key = (number, code, day)
        if key in seen:
            errors.append((line, _("duplicate of line %(other)s") % {"other": seen[key]}))
            continue
        seen[key] = line
        parsed[(people[number], courses[code], day)] = (score, row.get("evidence", "")[:300])
    if errors:
        raise ImportRejected(_("The completions file has errors; nothing was stored."), errors=sorted(errors))

    report = CompletionImportReport(dry_run=dry_run)
    with transaction.atomic():
        user_ids = sorted({k[0] for k in parsed})
        existing = {}
        for c in Completion.objects.filter(user_id__in=user_ids, course_id__in=set(courses.values())).only(
            "pk", "user_id", "course_id", "completed_on", "score", "evidence"
        ).iterator(chunk_size=20000):
            existing[(c.user_id, c.course_id, c.completed_on)] = c
        new, changed = [], []
        for key, (score, evidence) in parsed.items():
            c = existing.get(key)
            if c is None:
                new.append(Completion(user_id=key[0], course_id=key[1], completed_on=key[2], score=score,
                                      evidence=evidence or file_name[:300], source=Completion.Source.IMPORT))
            elif c.score != score:
                c.score = score
                changed.append(c)
            else:
                report.unchanged += 1
        report.created, report.updated = len(new), len(changed)
        report.people = len(user_ids)
        if dry_run:
            return report
        Completion.objects.bulk_create(new, batch_size=5000)
        if changed:
            Completion.objects.bulk_update(changed, ["score"], batch_size=5000)
        if report.changed:
            log_event(actor=actor, action="training.completions.import", object_type="training.completion",
                      details={"file": file_name, "sha256": csvf.sha256, "created": report.created,
                               "updated": report.updated, "unchanged": report.unchanged})
            touched = sorted({c.user_id for c in new} | {c.user_id for c in changed})
            report.awarded = dict(evaluate_tiers(user_ids=touched, actor=actor).awarded)
    return report


# ---------------------------------------------------------------------------------------------- tier rules


def create_requirement_set(*, actor, tier: str, name: str) -> RequirementSet:
    _require_hr(actor)
    if tier not in Tier.values:
        raise DomainError(_("Unknown tier."))
    if not name.strip():
        raise DomainError(_("Give the requirement set a name."))
    with transaction.atomic():
        s = RequirementSet.objects.create(tier=tier, name=name.strip())
        log_event(actor=actor, action="training.rules.set_create", obj=s)
    return s


def add_requirement(*, actor, requirement_set: RequirementSet, kind: str, course_ids: list[int] | None = None,
                    n: int = 1, tier: str = "", hours: Decimal = Decimal(0)) -> Requirement:
    _require_hr(actor)
    course_ids = list(course_ids or [])
    if kind not in Requirement.Kind.values:
        raise DomainError(_("Unknown requirement kind."))
    if kind in ("all_of", "any_n_of") and not course_ids:
        raise DomainError(_("Choose at least one course."))
    if kind == "any_n_of" and not (1 <= n <= len(course_ids)):
        raise DomainError(_("“Any n of” needs n between 1 and the number of courses chosen."))
    if kind in ("previous_tier", "min_hours") and tier not in Tier.values:
        raise DomainError(_("Choose a tier."))
    if kind == "previous_tier" and tier == requirement_set.tier:
        raise DomainError(_("A tier cannot require itself."))
    if kind == "min_hours" and hours <= 0:
        raise DomainError(_("The hours must be more than 0."))
    with transaction.atomic():
        req = Requirement.objects.create(requirement_set=requirement_set, kind=kind, n=n if kind == "any_n_of" else 1,
                                         tier=tier if kind in ("previous_tier", "min_hours") else "",
                                         hours=hours if kind == "min_hours" else 0)
        if course_ids and kind in ("all_of", "any_n_of"):
            found = list(Course.objects.filter(pk__in=course_ids).values_list("pk", flat=True))
            req.courses.set(found)
        log_event(actor=actor, action="training.rules.requirement_add", obj=req,
                  details={"set": requirement_set.pk, "kind": kind, "courses": course_ids, "n": n, "tier": tier,
                           "hours": str(hours)})
    return req


def remove_requirement(*, actor, requirement_id: int) -> None:
    _require_hr(actor)
    with transaction.atomic():
        req = Requirement.objects.filter(pk=requirement_id).first()
        if req is None:
            raise DomainError(_("This requirement does not exist."), code="not_found")
        log_event(actor=actor, action="training.rules.requirement_remove", obj=req,
                  details={"set": req.requirement_set_id, "kind": req.kind})
        req.delete()


def set_requirement_set_active(*, actor, requirement_set_id: int, active: bool) -> RequirementSet:
    _require_hr(actor)
    with transaction.atomic():
        s = RequirementSet.objects.select_for_update().get(pk=requirement_set_id)
        s.is_active = active
        s.save(update_fields=["is_active"])
        log_event(actor=actor, action="training.rules.set_active", obj=s, details={"active": active})
    return s


def update_tier_setting(*, actor, tier: str, validity_months: int | None, remind_days_before: int,
                        auto_award: bool) -> TierSetting:
    _require_hr(actor)
    if tier not in Tier.values:
        raise DomainError(_("Unknown tier."))
    if validity_months is not None and validity_months < 1:
        raise DomainError(_("The validity must be at least one month, or empty for no expiry."))
    with transaction.atomic():
        s, _c = TierSetting.objects.update_or_create(tier=tier, defaults={
            "validity_months": validity_months, "remind_days_before": remind_days_before, "auto_award": auto_award})
        log_event(actor=actor, action="training.rules.tier_setting", obj=s,
                  details={"validity_months": validity_months, "remind_days_before": remind_days_before,
                           "auto_award": auto_award})
    return s


# ---------------------------------------------------------------------------------------------- awards


def _current_award(user, tier) -> Award | None:
    return Award.objects.select_for_update().filter(user=user, tier=tier, revoked_at__isnull=True,
                                                    superseded_at__isnull=True).first()


def award_tier(*, actor, user, tier: str, awarded_on: dt.date | None = None, override_reason: str = "") -> Award:
    """HR awards a tier. When the requirements are not met, an explicit override with a reason is needed (logged)."""
    _require_hr(actor)
    day = awarded_on or dates.today()
    if tier not in Tier.values:
        raise DomainError(_("Unknown tier."))
    if day > dates.today():
        raise DomainError(_("An award cannot be dated in the future."))
    override_reason = override_reason.strip()
    with transaction.atomic():
        current = _current_award(user, tier)
        if current is not None and current.is_current(dates.today()):
            raise DomainError(_("%(name)s already holds the %(tier)s tier.") % {
                "name": user.display_name(), "tier": tier_label(tier)})
        facts, _ever = facts_for([user.pk], day=dates.today())
        f = facts.get(user.pk)
        if f is None:
            raise DomainError(_("Only active staff can hold a tier."))
        met = rules.tier_met(load_rule_specs(), tier, f)
        if not met and not override_reason:
            raise DomainError(_("The requirements of the %(tier)s tier are not met. To award it anyway, give a "
                                "reason for the override.") % {"tier": tier_label(tier)}, code="requirements_not_met")
        if current is not None:  # an expired award gives way to the new one
            current.superseded_at = timezone.now()
            current.save(update_fields=["superseded_at"])
        months = tier_settings()[tier].validity_months
        award = Award.objects.create(
            user=user, tier=tier, awarded_on=day, valid_until=periods.valid_until(day, months), issuer=actor,
            issuer_label=actor.display_name(), basis=Award.Basis.MANUAL if met else Award.Basis.OVERRIDE,
            override_reason="" if met else override_reason,
        )
        log_event(actor=actor, action="training.award.override" if not met else "training.award.grant", obj=award,
                  subject=user, details={"tier": tier, "override_reason": award.override_reason,
                                         "requirements_met": met})
        notify(recipients=[user], kind="training.award", url=reverse("training:index"),
               title=_("You were awarded the %(tier)s DX tier") % {"tier": tier_label(tier)})
        # a new tier may open the next one
        evaluate_tiers(user_ids=[user.pk], actor=actor, on=dates.today())
    return award


def award_roster(*, actor, numbers_text: str, tier: str, awarded_on: dt.date | None = None,
                 override_reason: str = "") -> list[Award]:
    """Bulk award from a roster (one employee number per line). All or nothing; every bad line is named.
    People who do not meet the requirements need the override reason, which is logged for each of them."""
    _require_hr(actor)
    day = awarded_on or dates.today()
    if tier not in Tier.values:
        raise DomainError(_("Unknown tier."))
    if day > dates.today():
        raise DomainError(_("An award cannot be dated in the future."))
    override_reason = override_reason.strip()
    lines = [(i, line.strip().split(",")[0].strip()) for i, line in enumerate(numbers_text.splitlines(), start=1)]
    lines = [(i, n) for i, n in lines if n]
    if not lines:
        raise DomainError(_("The roster is empty."))
    if len(lines) > 5000:
        raise DomainError(_("A roster may have at most 5,000 lines."))
    with transaction.atomic():
        people = dict(StaffProfile.objects.filter(employee_number__in=[n for _i, n in lines], is_active=True)
                      .values_list("employee_number", "user_id"))
        facts, _ever = facts_for(list(people.values()), day=dates.today())
        current = set(Award.objects.select_for_update().filter(
            user_id__in=list(people.values()), tier=tier, revoked_at__isnull=True, superseded_at__isnull=True,
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=dates.today())).values_list("user_id", flat=True))
        specs = load_rule_specs()
        errors: list[tuple[int, str]] = []
        seen: dict[str, int] = {}
        plan: list[tuple[int, bool]] = []
        for line, number in lines:
            if number in seen:
                errors.append((line, _("duplicate of line %(other)s") % {"other": seen[number]}))
                continue
            seen[number] = line
            uid = people.get(number)
            if uid is None:
                errors.append((line, _("unknown or inactive employee number %(n)s") % {"n": number}))
                continue
            if uid in current:
                errors.append((line, _("%(n)s already holds this tier") % {"n": number}))
                continue
            met = rules.tier_met(specs, tier, facts[uid])
            if not met and not override_reason:
                errors.append((line, _("%(n)s does not meet the requirements; give an override reason") % {"n": number}))
                continue
            plan.append((uid, met))
        if errors:
            raise ImportRejected(_("The roster has errors; nobody was awarded."), errors=errors)
        # expired awards of the tier give way to the new ones
        Award.objects.filter(user_id__in=[u for u, _m in plan], tier=tier, revoked_at__isnull=True,
                             superseded_at__isnull=True).update(superseded_at=timezone.now())
        months = tier_settings()[tier].validity_months
        awards = Award.objects.bulk_create([
            Award(user_id=uid, tier=tier, awarded_on=day, valid_until=periods.valid_until(day, months), issuer=actor,
                  issuer_label=actor.display_name(), basis=Award.Basis.MANUAL if met else Award.Basis.OVERRIDE,
                  override_reason="" if met else override_reason)
            for uid, met in plan
        ])
        log_event(actor=actor, action="training.award.roster", object_type="training.award",
                  details={"tier": tier, "count": len(awards), "overrides": sum(1 for _u, m in plan if not m),
                           "override_reason": override_reason})
        for (uid, met) in plan:
            if not met:
                log_event(actor=actor, action="training.award.override", object_type="training.award",
                          subject=User(pk=uid), details={"tier": tier, "override_reason": override_reason,
                                                         "requirements_met": False, "roster": True})
        _notify_awards(awards)
        evaluate_tiers(user_ids=[uid for uid, _m in plan], actor=actor, on=dates.today())
    return awards


def revoke_award(*, actor, award_id: int, reason: str) -> Award:
    _require_hr(actor)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("A revocation needs a reason."))
    with transaction.atomic():
        award = Award.objects.select_for_update().select_related("user").filter(pk=award_id).first()
        if award is None:
            raise DomainError(_("This award does not exist."), code="not_found")
        if award.revoked_at is not None:
            raise DomainError(_("This award is already revoked."))
        award.revoked_at, award.revoked_by, award.revocation_reason = timezone.now(), actor, reason[:500]
        award.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        log_event(actor=actor, action="training.award.revoke", obj=award, subject=award.user,
                  details={"reason": reason, "tier": award.tier})
        notify(recipients=[award.user], kind="training.award", url=reverse("training:index"),
               title=_("Your %(tier)s DX tier was revoked") % {"tier": tier_label(award.tier)}, body=reason)
    return award


def renew_award(*, actor, award_id: int, renewed_on: dt.date | None = None) -> Award:
    """Re-certification: a new award follows the old one (no gap when renewed before expiry)."""
    _require_hr(actor)
    day = renewed_on or dates.today()
    with transaction.atomic():
        old = Award.objects.select_for_update().select_related("user").filter(pk=award_id).first()
        if old is None:
            raise DomainError(_("This award does not exist."), code="not_found")
        if old.revoked_at is not None or old.superseded_at is not None:
            raise DomainError(_("Only the current award of a tier can be renewed."))
        setting = tier_settings()[old.tier]
        if not setting.validity_months or old.valid_until is None:
            raise DomainError(_("The %(tier)s tier does not expire; there is nothing to renew.") % {
                "tier": tier_label(old.tier)})
        window_opens = old.valid_until - dt.timedelta(days=setting.remind_days_before)
        if day < window_opens:
            raise DomainError(_("Renewal opens on %(day)s (%(n)s days before expiry).") % {
                "day": window_opens.isoformat(), "n": setting.remind_days_before})
        old.superseded_at = timezone.now()
        old.save(update_fields=["superseded_at"])
        new = Award.objects.create(
            user=old.user, tier=old.tier, awarded_on=day,
            valid_until=periods.renewal_period(previous_until=old.valid_until, renewed_on=day,
                                               months=setting.validity_months),
            issuer=actor, issuer_label=actor.display_name(), basis=Award.Basis.RENEWAL, renewed_from=old,
        )
        log_event(actor=actor, action="training.award.renew", obj=new, subject=old.user,
                  details={"previous": old.pk, "valid_until": new.valid_until.isoformat()})
        notify(recipients=[old.user], kind="training.award", url=reverse("training:index"),
               title=_("Your %(tier)s DX tier was renewed until %(day)s") % {
                   "tier": tier_label(old.tier), "day": new.valid_until.isoformat()})
    return new


def send_expiry_reminders(*, today: dt.date | None = None) -> int:
    """Remind holders (and HR) of awards expiring within the tier's reminder window; once per award."""
    day = today or dates.today()
    settings_ = tier_settings()
    sent = 0
    with transaction.atomic():
        due = []
        for a in (Award.objects.select_for_update(of=("self",)).select_related("user")
                  .filter(revoked_at__isnull=True, superseded_at__isnull=True, valid_until__isnull=False,
                          valid_until__gte=day, reminder_sent_on__isnull=True)):
            if a.valid_until - dt.timedelta(days=settings_[a.tier].remind_days_before) <= day:
                due.append(a)
        url = reverse("training:index")
        for a in due:
            notify(recipients=[a.user], kind="training.expiry", url=url,
                   title=_("Your %(tier)s DX tier expires on %(day)s") % {"tier": tier_label(a.tier),
                                                                         "day": a.valid_until.isoformat()},
                   body=_("Ask HR about re-certification before the expiry date."))
            a.reminder_sent_on = day
            sent += 1
        Award.objects.bulk_update(due, ["reminder_sent_on"])
        if sent:
            log_event(actor=None, action="training.award.remind", object_type="training.award",
                      details={"awards": [a.pk for a in due]})
    return sent


# ---------------------------------------------------------------------------------------------- reports


def submit_report(*, actor, title: str, summary: str) -> DxProjectReport:
    if not title.strip() or not summary.strip():
        raise DomainError(_("A report needs a title and a summary."))
    with transaction.atomic():
        r = DxProjectReport.objects.create(user=actor, title=title.strip()[:200], summary=summary.strip())
        log_event(actor=actor, action="training.report.submit", obj=r, subject=actor)
    return r


def review_report(*, actor, report_id: int, approve: bool, note: str = "") -> DxProjectReport:
    _require_hr(actor)
    with transaction.atomic():
        r = DxProjectReport.objects.select_for_update().select_related("user").filter(pk=report_id).first()
        if r is None:
            raise DomainError(_("This report does not exist."), code="not_found")
        if r.user_id == actor.pk:
            raise DomainError(_("You cannot review your own report."))
        if r.status != DxProjectReport.Status.SUBMITTED:
            raise DomainError(_("This report was already reviewed."))
        r.status = DxProjectReport.Status.APPROVED if approve else DxProjectReport.Status.REJECTED
        r.reviewed_by, r.reviewed_at, r.review_note = actor, timezone.now(), note.strip()[:300]
        r.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        log_event(actor=actor, action=f"training.report.{r.status}", obj=r, subject=r.user)
        notify(recipients=[r.user], kind="training.report", url=reverse("training:index"),
               title=_("Your DX project report was reviewed: %(status)s") % {"status": r.get_status_display()},
               body=r.review_note)
        if approve:
            evaluate_tiers(user_ids=[r.user_id], actor=actor)
    return r


# ---------------------------------------------------------------------------------------------- leaders


def can_designate(actor, section: OrgUnit) -> bool:
    """The chief of the section (or a manager above it), or HR."""
    if has_role(actor, *HR_ROLES):
        return True
    from workstyle.selectors.org import profile_of

    profile = profile_of(actor)
    return bool(profile and profile.is_manager and section.path.startswith(profile.section.path))


def on_the_way_to_silver(user, *, day: dt.date) -> bool:
    """Holds silver or gold, or holds bronze and has completed or enrolled in a silver course."""
    tiers = set(Award.objects.filter(user=user, revoked_at__isnull=True, superseded_at__isnull=True)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day)).values_list("tier", flat=True))
    if tiers & {Tier.SILVER, Tier.GOLD}:
        return True
    if Tier.BRONZE not in tiers:
        return False
    return (Completion.objects.filter(user=user, course__tier=Tier.SILVER).exists()
            or Enrolment.objects.filter(user=user, session__course__tier=Tier.SILVER)
            .exclude(status=Enrolment.Status.CANCELLED).exists())


def designate_leader(*, actor, section: OrgUnit, user, term_start: dt.date | None = None) -> LeaderDesignation:
    if section.kind != OrgUnit.Kind.SECTION:
        raise DomainError(_("Leaders are named per section (課)."))
    if not can_designate(actor, section):
        raise PermissionDenied(_("Only the chief of this section or HR may name its DX transformation leader."))
    profile = StaffProfile.objects.filter(user=user, is_active=True).select_related("section").first()
    if profile is None or profile.section_id != section.pk:
        raise DomainError(_("The leader must be an active member of this section."))
    start = term_start or dates.today()
    if not on_the_way_to_silver(user, day=dates.today()):
        raise DomainError(_("%(name)s neither holds the silver tier nor is on the way to it (bronze and a silver "
                            "course done or booked).") % {"name": profile.name}, code="not_eligible")
    policy = leader_policy()
    with transaction.atomic():
        if LeaderDesignation.objects.filter(user=user, section=section, ended_on__isnull=True,
                                            term_end__gte=dates.today()).exists():
            raise DomainError(_("%(name)s is already a leader of this section.") % {"name": profile.name})
        # close a lapsed open row so the unique constraint allows the new term
        LeaderDesignation.objects.filter(user=user, section=section, ended_on__isnull=True).update(
            ended_on=F("term_end"), end_reason="term ended")
        d = LeaderDesignation.objects.create(
            user=user, section=section, term_start=start,
            term_end=periods.add_months(start, 12 * policy.term_years) - dt.timedelta(days=1), designated_by=actor,
        )
        log_event(actor=actor, action="training.leader.designate", obj=d, subject=user,
                  details={"section": section.code, "term_end": d.term_end.isoformat()})
        notify(recipients=[user], kind="training.leader", url=reverse("training:index"),
               title=_("You were named DX transformation leader of %(section)s") % {"section": section.name})
    return d


def end_designation(*, actor, designation_id: int, reason: str) -> LeaderDesignation:
    with transaction.atomic():
        d = LeaderDesignation.objects.select_for_update().select_related("section", "user").filter(
            pk=designation_id).first()
        if d is None:
            raise DomainError(_("This designation does not exist."), code="not_found")
        if not can_designate(actor, d.section):
            raise PermissionDenied(_("Only the chief of this section or HR may end this designation."))
        if d.ended_on is not None:
            raise DomainError(_("This designation has already ended."))
        if not reason.strip():
            raise DomainError(_("Give a reason for ending the designation."))
        d.ended_on, d.end_reason = dates.today(), reason.strip()[:300]
        d.save(update_fields=["ended_on", "end_reason"])
        log_event(actor=actor, action="training.leader.end", obj=d, subject=d.user, details={"reason": d.end_reason})
    return d


def update_leader_policy(*, actor, transfer_rule: str, term_years: int) -> LeaderPolicy:
    _require_hr(actor)
    if transfer_rule not in LeaderPolicy.TransferRule.values:
        raise DomainError(_("Unknown transfer rule."))
    if term_years < 1:
        raise DomainError(_("The term must be at least one year."))
    with transaction.atomic():
        p, _c = LeaderPolicy.objects.update_or_create(pk=1, defaults={"transfer_rule": transfer_rule,
                                                                      "term_years": term_years})
        log_event(actor=actor, action="training.leader.policy", obj=p,
                  details={"transfer_rule": transfer_rule, "term_years": term_years})
    return p


def apply_leader_rules(*, today: dt.date | None = None) -> int:
    """Close designations that the configured rule ends: a transfer (when the rule says so), a term that ended,
    a person who left. The person's tier is untouched. Returns how many were closed."""
    day = today or dates.today()
    policy = leader_policy()
    with transaction.atomic():
        open_ = list(LeaderDesignation.objects.select_for_update(of=("self",)).filter(ended_on__isnull=True)
                     .select_related("user__staff"))
        closed = []
        for d in open_:
            staff = getattr(d.user, "staff", None)
            reason = ""
            if d.term_end < day:
                d.ended_on, reason = d.term_end, "term ended"
            elif staff is None or not staff.is_active:
                d.ended_on, reason = day, "left the city"
            elif staff.section_id != d.section_id and policy.transfer_rule == LeaderPolicy.TransferRule.ENDS:
                d.ended_on, reason = day, "transferred"
            if reason:
                d.end_reason = reason
                closed.append(d)
        LeaderDesignation.objects.bulk_update(closed, ["ended_on", "end_reason"])
        if closed:
            log_event(actor=None, action="training.leader.auto_end", object_type="training.leaderdesignation",
                      details={"closed": [(d.pk, d.end_reason) for d in closed]})
    return len(closed)

