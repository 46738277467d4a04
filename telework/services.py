"""Every telework state change: one function each, one transaction, audited, refusals as DomainError."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from telework import desks_api, rules
from telework import selectors as sel
from telework.models import (
    Absence,
    BlackoutDate,
    Contact,
    Deputy,
    Part,
    PersonExclusion,
    Place,
    RequestVersion,
    Status,
    Suitability,
    TaskItem,
    TeleworkDay,
    TeleworkRequest,
    TeleworkRule,
    WorkLog,
)
from workstyle import dates
from workstyle.errors import DomainError, PermissionDenied
from workstyle.models import OrgUnit, Role, StaffProfile, User
from workstyle.roles import has_role
from workstyle.selectors import org as org_selectors
from workstyle.services.audit import log_event
from workstyle.services.notifications import notify

MAX_SPAN_DAYS = 184


class NotFound(DomainError):
    def __init__(self, message=None):
        super().__init__(message or _("Not found."), code="not_found")


def _profile(user) -> StaffProfile:
    profile = org_selectors.profile_of(user)
    if profile is None or not profile.is_active:
        raise DomainError(_("Only members of staff can request telework."))
    return profile


def _summary(req: TeleworkRequest):
    part = {"day": gettext_lazy("whole day"), "am": gettext_lazy("morning"), "pm": gettext_lazy("afternoon")}[req.part]
    if req.start_date == req.end_date:
        return format_lazy("{} ({})", req.start_date.isoformat(), part)
    return format_lazy("{} – {} ({})", req.start_date.isoformat(), req.end_date.isoformat(), part)


def _url(req: TeleworkRequest) -> str:
    return reverse("telework:detail", args=[req.pk])


def _deciders(req: TeleworkRequest) -> list[User]:
    today = dates.today()
    ids = [req.approver_id, *Deputy.objects.filter(
        principal_id=req.approver_id, start_date__lte=today, end_date__gte=today, revoked_at__isnull=True
    ).values_list("deputy_id", flat=True)]
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _plan(*, user, profile, kind, start, end, weekdays, part, exclude_request=None):
    """Validate dates and rules; return (days, slots, warnings). Raises DomainError on any refusal."""
    today = dates.today()
    if kind not in TeleworkRequest.Kind.values:
        raise DomainError(_("Unknown kind of request."))
    if part not in Part.values:
        raise DomainError(_("Choose whole day, morning or afternoon."))
    if start is None:
        raise DomainError(_("Give the first day."))
    if kind == TeleworkRequest.Kind.SINGLE or end is None:
        end = start
    if end < start:
        raise DomainError(_("The last day is before the first day."))
    if (end - start).days > MAX_SPAN_DAYS:
        raise DomainError(_("A request may cover at most %(n)s days; split it.") % {"n": MAX_SPAN_DAYS})
    if start < today:
        raise DomainError(_("%(day)s is in the past; telework is requested in advance.") % {"day": start.isoformat()})
    if kind == TeleworkRequest.Kind.SINGLE and not dates.is_working_day(start):
        raise DomainError(_("%(day)s is not a working day: %(reason)s.")
                          % {"day": start.isoformat(), "reason": dates.non_working_reason(start)})
    weekdays = sorted({int(w) for w in weekdays or () if 0 <= int(w) <= 4})
    if kind == TeleworkRequest.Kind.PATTERN and not weekdays:
        raise DomainError(_("Choose at least one weekday for a weekly pattern."))
    days = rules.expand_days(kind=kind, start=start, end=end, weekdays=weekdays)
    if not days:
        raise DomainError(_("There is no working day between %(start)s and %(end)s.")
                          % {"start": start.isoformat(), "end": end.isoformat()})
    new = rules.slots_for(days, part)
    # the person's other active slots, wide enough for weeks and months touched
    lo = min(dates.week_start(days[0]), days[0].replace(day=1))
    last = days[-1]
    month_end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    hi = max(dates.week_start(last) + dt.timedelta(days=6), month_end)
    existing = sel.active_slots_for(user.pk, lo, hi, exclude_request=exclude_request)
    overlap = sorted({d for d, s in new & existing})
    if overlap:
        raise DomainError(_("You already have a telework request on %(days)s.")
                          % {"days": ", ".join(d.isoformat() for d in overlap[:5])})
    eff = rules.effective_rules(profile.section)
    exclusion = sel.is_excluded(user)
    findings = rules.check(
        eff, new=new, existing=existing, today=today,
        employment_type=profile.employment_type, employment_type_label=profile.get_employment_type_display(),
        excluded_reason=exclusion.reason if exclusion else None, person_name=profile.name,
    )
    blocks = [f for f in findings if f.mode == "block"]
    if blocks:
        raise DomainError(" ".join(f.message for f in blocks), code="rule",
                          details={"findings": [f.as_json() for f in blocks]})
    return days, new, [f.as_json() for f in findings if f.mode == "warn"], weekdays, end


def _clean_fields(*, profile, place, contact_method, contact_detail, planned_tasks, task_ids):
    if place not in Place.values:
        raise DomainError(_("Choose where you will work."))
    if contact_method not in Contact.values:
        raise DomainError(_("Choose how you can be reached."))
    task_ids = [int(t) for t in task_ids or ()]
    tasks = list(TaskItem.objects.filter(pk__in=task_ids, section=profile.section, is_active=True))
    if len(tasks) != len(set(task_ids)):
        raise DomainError(_("Choose tasks from your section's list."))
    if not (planned_tasks or "").strip() and not tasks:
        raise DomainError(_("Describe the work you plan to do, or choose tasks from the list."))
    return tasks


def _insert_days(req: TeleworkRequest, slots: set) -> None:
    try:
        with transaction.atomic():
            TeleworkDay.objects.bulk_create(
                [TeleworkDay(request=req, user_id=req.user_id, date=d, slot=s) for d, s in sorted(slots)]
            )
    except IntegrityError as exc:
        raise DomainError(_("You already have a telework request on one of these days.")) from exc


def submit_request(
    *,
    user: User,
    kind: str,
    start: dt.date,
    end: dt.date | None = None,
    weekdays: Iterable[int] = (),
    part: str = Part.DAY,
    place: str = Place.HOME,
    planned_tasks: str = "",
    task_ids: Iterable[int] = (),
    contact_method: str = Contact.PHONE,
    contact_detail: str = "",
) -> TeleworkRequest:
    """Submit a telework request to the section chief (for a chief: the next manager up)."""
    profile = _profile(user)
    with transaction.atomic():
        StaffProfile.objects.select_for_update().filter(pk=profile.pk).first()  # one submission at a time
        approver = org_selectors.approver_for(profile)
        if approver is None:
            raise DomainError(_("No approver was found for your section; ask HR to name a chief."))
        tasks = _clean_fields(profile=profile, place=place, contact_method=contact_method,
                              contact_detail=contact_detail, planned_tasks=planned_tasks, task_ids=task_ids)
        days, slots, warnings, weekdays, end = _plan(user=user, profile=profile, kind=kind, start=start, end=end,
                                                     weekdays=weekdays, part=part)
        req = TeleworkRequest.objects.create(
            user=user, section=profile.section, approver=approver.user, kind=kind, part=part,
            start_date=days[0], end_date=days[-1], weekdays=weekdays, place=place,
            planned_tasks=planned_tasks.strip(), contact_method=contact_method,
            contact_detail=contact_detail.strip(), warnings=warnings,
        )
        req.tasks.set(tasks)
        _insert_days(req, slots)
        log_event(actor=user, action="telework.request.submit", obj=req, subject=user,
                  details={"days": len(days), "part": part, "warnings": [w["rule"] for w in warnings]})
        notify(recipients=_deciders(req),
               title=format_lazy(gettext_lazy("Telework request from {name}: {summary}"),
                                 name=profile.name, summary=_summary(req)),
               body=format_lazy(gettext_lazy("{n} working days. Please approve or reject it."), n=len(days)),
               url=_url(req), kind="telework.request")
    return req


def _snapshot(req: TeleworkRequest) -> dict:
    return {
        "status": req.status, "kind": req.kind, "part": req.part, "start_date": req.start_date.isoformat(),
        "end_date": req.end_date.isoformat(), "weekdays": req.weekdays, "place": req.place,
        "planned_tasks": req.planned_tasks, "tasks": list(req.tasks.values_list("title", flat=True)),
        "contact_method": req.contact_method, "contact_detail": req.contact_detail,
        "days": sorted({d.isoformat() for d in req.days.filter(active=True).values_list("date", flat=True)}),
        "decided_by": req.decided_by_id, "decision_comment": req.decision_comment,
    }


def change_request(
    *,
    actor: User,
    request_id: int,
    kind: str,
    start: dt.date,
    end: dt.date | None = None,
    weekdays: Iterable[int] = (),
    part: str = Part.DAY,
    place: str = Place.HOME,
    planned_tasks: str = "",
    task_ids: Iterable[int] = (),
    contact_method: str = Contact.PHONE,
    contact_detail: str = "",
) -> TeleworkRequest:
    """Change a pending or approved request: the old state is kept as a version; the new one needs approval."""
    profile = _profile(actor)
    with transaction.atomic():
        req = TeleworkRequest.objects.select_for_update().filter(pk=request_id, user=actor).first()
        if req is None:
            raise NotFound()
        if req.status not in (Status.PENDING, Status.APPROVED):
            raise DomainError(_("Only a pending or approved request can be changed (this one is %(status)s).")
                              % {"status": req.get_status_display()})
        if req.start_date < dates.today():
            raise DomainError(_("A request that has started cannot be changed; ask to cancel it instead."))
        tasks = _clean_fields(profile=profile, place=place, contact_method=contact_method,
                              contact_detail=contact_detail, planned_tasks=planned_tasks, task_ids=task_ids)
        RequestVersion.objects.create(request=req, version=req.version, snapshot=_snapshot(req), created_by=actor)
        TeleworkDay.objects.filter(request=req, active=True).update(active=False)
        days, slots, warnings, weekdays, end = _plan(user=actor, profile=profile, kind=kind, start=start, end=end,
                                                     weekdays=weekdays, part=part, exclude_request=req.pk)
        old_status = req.status
        approver = org_selectors.approver_for(profile)
        req.approver = approver.user if approver else req.approver
        req.kind, req.part, req.start_date, req.end_date, req.weekdays = kind, part, days[0], days[-1], weekdays
        req.place, req.planned_tasks = place, planned_tasks.strip()
        req.contact_method, req.contact_detail, req.warnings = contact_method, contact_detail.strip(), warnings
        req.status = Status.PENDING
        req.version += 1
        req.sequence += 1
        req.decided_by, req.decided_at, req.decision_comment = None, None, ""
        req.updated_at = timezone.now()
        req.save()
        req.tasks.set(tasks)
        _insert_days(req, slots)
        log_event(actor=actor, action="telework.request.change", obj=req, subject=actor,
                  details={"version": req.version, "was": old_status, "days": len(days)})
        notify(recipients=_deciders(req),
               title=format_lazy(gettext_lazy("Telework request changed by {name}: {summary}"),
                                 name=profile.name, summary=_summary(req)),
               body=gettext_lazy("The request was changed and needs your decision again."),
               url=_url(req), kind="telework.request")
    return req


def withdraw_request(*, actor: User, request_id: int) -> TeleworkRequest:
    """The employee withdraws a pending request."""
    with transaction.atomic():
        req = TeleworkRequest.objects.select_for_update().filter(pk=request_id, user=actor).first()
        if req is None:
            raise NotFound()
        n = TeleworkRequest.objects.filter(pk=req.pk, status=Status.PENDING).update(
            status=Status.WITHDRAWN, sequence=F("sequence") + 1, updated_at=timezone.now())
        if n != 1:
            raise DomainError(_("Only a pending request can be withdrawn (this one is %(status)s); ask to cancel "
                                "an approved one.") % {"status": req.get_status_display()})
        TeleworkDay.objects.filter(request=req).update(active=False)
        req.refresh_from_db()
        log_event(actor=actor, action="telework.request.withdraw", obj=req, subject=actor)
        notify(recipients=_deciders(req),
               title=format_lazy(gettext_lazy("Telework request withdrawn: {summary}"), summary=_summary(req)),
               url=_url(req), kind="telework.request", email=False)
    return req


def request_cancellation(*, actor: User, request_id: int, reason: str = "") -> TeleworkRequest:
    """The employee asks to cancel an approved request; the approver decides."""
    with transaction.atomic():
        req = TeleworkRequest.objects.select_for_update().filter(pk=request_id, user=actor).first()
        if req is None:
            raise NotFound()
        if req.end_date < dates.today():
            raise DomainError(_("This telework is over and can no longer be cancelled."))
        n = TeleworkRequest.objects.filter(pk=req.pk, status=Status.APPROVED).update(
            status=Status.CANCEL_REQUESTED, cancel_reason=reason.strip(), updated_at=timezone.now())
        if n != 1:
            raise DomainError(_("Only an approved request can be cancelled (this one is %(status)s).")
                              % {"status": req.get_status_display()})
        req.refresh_from_db()
        log_event(actor=actor, action="telework.request.cancel_request", obj=req, subject=actor,
                  details={"reason": reason[:200]})
        notify(recipients=_deciders(req),
               title=format_lazy(gettext_lazy("Cancellation asked for telework: {summary}"), summary=_summary(req)),
               body=reason, url=_url(req), kind="telework.request")
    return req


def decide_request(*, actor: User, request_id: int, approve: bool, comment: str = "") -> TeleworkRequest:
    """The approver (or an active deputy) decides a pending request or a cancellation.

    Two decisions arriving at once: the row lock and the conditional UPDATE on status let exactly one win;
    the other is refused, so there is one final state, one audit event and one notification.
    """
    req = TeleworkRequest.objects.select_related("user__staff").filter(pk=request_id).first()
    if req is None or not sel.can_view(actor, req):
        log_event(actor=actor, action="access.denied", object_type="telework.teleworkrequest",
                  object_id=str(request_id), details={"what": "decide"})
        raise NotFound()
    if not sel.can_decide(actor, req):
        log_event(actor=actor, action="access.denied", obj=req, subject=req.user, details={"what": "decide"})
        raise PermissionDenied(_("Only the approver of this request, or their deputy during the deputy period, "
                                 "can decide it."))
    with transaction.atomic():
        req = TeleworkRequest.objects.select_for_update().get(pk=request_id)
        old = req.status
        if old == Status.PENDING:
            new, action = (Status.APPROVED, "approve") if approve else (Status.REJECTED, "reject")
        elif old == Status.CANCEL_REQUESTED:
            new, action = (Status.CANCELLED, "cancel_approve") if approve else (Status.APPROVED, "cancel_reject")
        else:
            raise DomainError(_("This request has already been decided: it is %(status)s.")
                              % {"status": req.get_status_display()}, code="conflict")
        now = timezone.now()
        n = TeleworkRequest.objects.filter(pk=req.pk, status=old).update(
            status=new, decided_by=actor, decided_at=now, decision_comment=comment.strip(),
            sequence=F("sequence") + 1, updated_at=now)
        if n != 1:
            raise DomainError(_("This request has just been decided by someone else."), code="conflict")
        if new in (Status.REJECTED, Status.CANCELLED):
            TeleworkDay.objects.filter(request=req).update(active=False)
        req.refresh_from_db()
        acting_as = None if actor.pk == req.approver_id else req.approver_id
        log_event(actor=actor, action=f"telework.request.{action}", obj=req, subject=req.user,
                  details={"from": old, "to": new, "comment": comment[:500], "version": req.version,
                           "deputy_for": acting_as})
        titles = {
            "approve": gettext_lazy("Telework approved: {summary}"),
            "reject": gettext_lazy("Telework rejected: {summary}"),
            "cancel_approve": gettext_lazy("Telework cancelled: {summary}"),
            "cancel_reject": gettext_lazy("Cancellation refused, telework stays approved: {summary}"),
        }
        notify(recipients=[req.user], title=format_lazy(titles[action], summary=_summary(req)),
               body=comment, url=_url(req), kind="telework.decision")
        if new == Status.APPROVED and old == Status.PENDING and req.part == Part.DAY:
            today = dates.today()
            for day in sorted(set(req.days.filter(active=True, date__gte=today).values_list("date", flat=True))):
                desks_api.release_bookings_for_day(
                    user=req.user, day=day, actor=actor,
                    reason=str(format_lazy(gettext_lazy("Approved telework (request #{id})"), id=req.pk)),
                )
    return req


def decide_many(*, actor: User, request_ids: Iterable[int], approve: bool, comment: str = "") -> tuple[list, list]:
    """Bulk decision from the queue: each request on its own; returns (decided, [(id, message)])."""
    done, failed = [], []
    for rid in request_ids:
        try:
            done.append(decide_request(actor=actor, request_id=int(rid), approve=approve, comment=comment))
        except DomainError as exc:
            failed.append((rid, str(exc)))
    return done, failed


# --- deputies ----------------------------------------------------------------------------------------


def name_deputy(*, actor: User, deputy: User, start: dt.date, end: dt.date, principal: User | None = None) -> Deputy:
    """A chief names a deputy for a period (an administrator may do it for a chief)."""
    principal = principal or actor
    if principal != actor and not has_role(actor, Role.ADMIN):
        raise PermissionDenied(_("Only the chief or an administrator can name a deputy."))
    p = org_selectors.profile_of(principal)
    if p is None or not p.is_manager:
        raise DomainError(_("Only a chief can name a deputy."))
    if deputy.pk == principal.pk:
        raise DomainError(_("A chief cannot be their own deputy."))
    dp = org_selectors.profile_of(deputy)
    if dp is None or not dp.is_active or not deputy.is_active:
        raise DomainError(_("The deputy must be an active member of staff."))
    if end < start:
        raise DomainError(_("The deputy period ends before it starts."))
    if end < dates.today():
        raise DomainError(_("The deputy period is in the past."))
    with transaction.atomic():
        d = Deputy.objects.create(principal=principal, deputy=deputy, start_date=start, end_date=end, created_by=actor)
        log_event(actor=actor, action="telework.deputy.name", obj=d, subject=deputy,
                  details={"principal": principal.pk, "from": start.isoformat(), "until": end.isoformat()})
        notify(recipients=[deputy],
               title=format_lazy(gettext_lazy("You approve telework for {name} from {start} to {end}"),
                                 name=p.name, start=start.isoformat(), end=end.isoformat()),
               url=reverse("telework:queue"), kind="telework.deputy")
    return d


def revoke_deputy(*, actor: User, deputy_id: int) -> None:
    with transaction.atomic():
        d = Deputy.objects.select_for_update().filter(pk=deputy_id, revoked_at__isnull=True).first()
        if d is None or (d.principal_id != actor.pk and not has_role(actor, Role.ADMIN)):
            raise NotFound()
        d.revoked_at = timezone.now()
        d.save(update_fields=["revoked_at"])
        log_event(actor=actor, action="telework.deputy.revoke", obj=d, subject=d.deputy)


# --- rules, blackouts, exclusions ------------------------------------------------------------------------


def _require_rule_admin(actor) -> None:
    if not has_role(actor, Role.ADMIN, Role.HR):
        raise PermissionDenied(_("Only HR or an administrator can change telework rules."))


RULE_FIELDS = (
    "max_days_per_week", "max_days_per_week_mode", "max_days_per_month", "max_days_per_month_mode",
    "min_notice_days", "min_notice_days_mode", "excluded_employment_types", "excluded_employment_types_mode",
    "blackout_mode", "office_days_per_week", "office_days_per_week_mode",
)


def set_rule(*, actor: User, unit: OrgUnit | None, values: dict) -> TeleworkRule:
    """Set the rules of a unit (``unit=None``: the city default). Missing or None values inherit."""
    _require_rule_admin(actor)
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(_("Unknown rule fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    types = values.get("excluded_employment_types")
    if types is not None and not set(types) <= set(StaffProfile.EmploymentType.values):
        raise DomainError(_("Unknown staff type."))
    for k, v in values.items():
        if k.endswith("_mode") and v not in ("", "block", "warn"):
            raise DomainError(_("A rule is either a hard block or a warning."))
        if k in ("max_days_per_week", "max_days_per_month") and v is not None:
            values[k] = Decimal(str(v))
            if values[k] < 0 or (values[k] * 2) % 1:
                raise DomainError(_("Day limits are counted in half days (for example 2.5)."))
    with transaction.atomic():
        if unit is None:
            rule, _c = TeleworkRule.objects.get_or_create(is_default=True, unit=None)
        else:
            rule, _c = TeleworkRule.objects.get_or_create(unit=unit, defaults={"is_default": False})
        for k in RULE_FIELDS:
            if k in values:
                v = values[k]
                setattr(rule, k, "" if (k.endswith("_mode") and v is None) else v)
        rule.updated_by = actor
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError as exc:
            raise DomainError(_("A value is out of range (week 0–7 days, month 0–31 days).")) from exc
        log_event(actor=actor, action="telework.rule.set", obj=rule,
                  details={k: str(v) for k, v in values.items()})
    return rule


def add_blackout(*, actor: User, unit: OrgUnit | None, day: dt.date, reason: str) -> BlackoutDate:
    _require_rule_admin(actor)
    if not reason.strip():
        raise DomainError(_("Give a reason for the blackout date."))
    with transaction.atomic():
        if BlackoutDate.objects.filter(unit=unit, date=day).exists():
            raise DomainError(_("%(day)s is already a blackout date here.") % {"day": day.isoformat()})
        b = BlackoutDate.objects.create(unit=unit, date=day, reason=reason.strip())
        log_event(actor=actor, action="telework.blackout.add", obj=b, details={"unit": unit.code if unit else None})
    return b


def remove_blackout(*, actor: User, blackout_id: int) -> None:
    _require_rule_admin(actor)
    with transaction.atomic():
        b = BlackoutDate.objects.filter(pk=blackout_id).first()
        if b is None:
            raise NotFound()
        log_event(actor=actor, action="telework.blackout.remove", obj=b)
        b.delete()


def _can_exclude(actor, person: User) -> bool:
    if has_role(actor, Role.ADMIN, Role.HR):
        return True
    p = org_selectors.profile_of(person)
    return bool(p and sel.can_manage_section(actor, p.section) and actor.pk != person.pk)


def set_exclusion(*, actor: User, person: User, reason: str) -> PersonExclusion:
    """Exclude a person from telework (counter or shift work)."""
    if not _can_exclude(actor, person):
        raise PermissionDenied(_("Only HR, an administrator or the person's chief can exclude them."))
    if not reason.strip():
        raise DomainError(_("Give the reason (for example counter or shift work)."))
    with transaction.atomic():
        ex, _c = PersonExclusion.objects.update_or_create(
            user=person, defaults={"reason": reason.strip(), "created_by": actor})
        log_event(actor=actor, action="telework.exclusion.set", obj=ex, subject=person, details={"reason": reason})
    return ex


def remove_exclusion(*, actor: User, person: User) -> None:
    if not _can_exclude(actor, person):
        raise PermissionDenied(_("Only HR, an administrator or the person's chief can exclude them."))
    with transaction.atomic():
        n, _d = PersonExclusion.objects.filter(user=person).delete()
        if n:
            log_event(actor=actor, action="telework.exclusion.remove", object_type="telework.personexclusion",
                      subject=person)


# --- sorting of tasks ---------------------------------------------------------------------------------


def save_task(*, actor: User, section: OrgUnit, title: str, suitability: str, reason: str = "",
              is_active: bool = True, task_id: int | None = None) -> TaskItem:
    if not sel.can_manage_section(actor, section):
        raise PermissionDenied(_("Only the section's chief can change its task list."))
    title = title.strip()
    if not title:
        raise DomainError(_("Give the task a name."))
    if suitability not in Suitability.values:
        raise DomainError(_("Choose suitable, partly suitable or not suitable."))
    if suitability != Suitability.SUITABLE and not reason.strip():
        raise DomainError(_("Give the reason when a task is not fully suitable for telework."))
    with transaction.atomic():
        if task_id:
            task = TaskItem.objects.select_for_update().filter(pk=task_id, section=section).first()
            if task is None:
                raise NotFound()
        else:
            task = TaskItem(section=section)
        task.title, task.suitability, task.reason, task.is_active = title, suitability, reason.strip(), is_active
        try:
            with transaction.atomic():
                task.save()
        except IntegrityError as exc:
            raise DomainError(_("The section already has a task named %(t)s.") % {"t": title}) from exc
        log_event(actor=actor, action="telework.task.save", obj=task,
                  details={"section": section.code, "suitability": suitability})
    return task


# --- the day itself -----------------------------------------------------------------------------------


def _approved_request_on(user, day):
    rows = sel.approved_slots(user, day)
    if not rows:
        raise DomainError(_("You have no approved telework on %(day)s.") % {"day": day.isoformat()})
    return rows[0].request


def record_start(*, user: User, now: dt.datetime | None = None) -> WorkLog:
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    with transaction.atomic():
        req = _approved_request_on(user, day)
        log, _c = WorkLog.objects.select_for_update().get_or_create(user=user, date=day, defaults={"request": req})
        if log.started_at:
            raise DomainError(_("The start of work was already recorded at %(t)s.")
                              % {"t": timezone.localtime(log.started_at).strftime("%H:%M")})
        log.started_at = now
        log.save(update_fields=["started_at"])
        log_event(actor=user, action="telework.work.start", obj=log, subject=user)
    return log


def record_end(*, user: User, now: dt.datetime | None = None) -> WorkLog:
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    with transaction.atomic():
        _approved_request_on(user, day)
        log = WorkLog.objects.select_for_update().filter(user=user, date=day).first()
        if log is None or not log.started_at:
            raise DomainError(_("Record the start of work first."))
        if log.ended_at:
            raise DomainError(_("The end of work was already recorded at %(t)s.")
                              % {"t": timezone.localtime(log.ended_at).strftime("%H:%M")})
        log.ended_at = now
        log.save(update_fields=["ended_at"])
        log_event(actor=user, action="telework.work.end", obj=log, subject=user)
    return log


def submit_report(*, user: User, day: dt.date, report: str, progress: str) -> WorkLog:
    """The end-of-day work report, against the plan. Only for a day with approved telework, today or before."""
    if day > dates.today():
        raise DomainError(_("A work report cannot be written ahead of the day."))
    if not report.strip():
        raise DomainError(_("Write what you did."))
    if progress not in WorkLog.Progress.values:
        raise DomainError(_("Say how the work went against the plan."))
    with transaction.atomic():
        req = _approved_request_on(user, day)
        log, _c = WorkLog.objects.select_for_update().get_or_create(user=user, date=day, defaults={"request": req})
        log.report, log.progress, log.reported_at, log.request = report.strip(), progress, timezone.now(), req
        log.save()
        log_event(actor=user, action="telework.work.report", obj=log, subject=user, details={"progress": progress})
    return log


def record_absence(*, user: User, day: dt.date, note: str = "") -> Absence:
    if not dates.is_working_day(day):
        raise DomainError(_("%(day)s is not a working day.") % {"day": day.isoformat()})
    with transaction.atomic():
        a, _c = Absence.objects.update_or_create(user=user, date=day, defaults={"note": note.strip()[:100]})
        log_event(actor=user, action="telework.absence.record", obj=a, subject=user)
    return a


def flag_pending_at_start(*, today: dt.date | None = None) -> int:
    """Requests still pending when their first day starts are flagged once: the approver (and active deputies)
    are notified and the flag shows in the queue."""
    today = today or dates.today()
    flagged = 0
    qs = TeleworkRequest.objects.filter(status=Status.PENDING, start_date__lte=today, pending_flagged_at__isnull=True)
    for req in qs.select_related("user__staff")[:1000]:
        with transaction.atomic():
            n = TeleworkRequest.objects.filter(pk=req.pk, status=Status.PENDING,
                                               pending_flagged_at__isnull=True).update(pending_flagged_at=timezone.now())
            if n != 1:
                continue
            log_event(actor=None, action="telework.request.pending_at_start", obj=req, subject=req.user)
            notify(recipients=_deciders(req),
                   title=format_lazy(gettext_lazy("Telework has started but is still pending: {name}, {summary}"),
                                     name=req.user.display_name(), summary=_summary(req)),
                   url=_url(req), kind="telework.pending_at_start")
            flagged += 1
    return flagged
