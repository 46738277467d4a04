"""Telework reads with access control built in."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404

from telework.models import (
    ACTIVE_STATUSES,
    Absence,
    Deputy,
    PersonExclusion,
    Status,
    Suitability,
    TaskItem,
    TeleworkDay,
    TeleworkRequest,
    WorkLog,
)
from workstyle import dates
from workstyle.models import OrgUnit, Role, StaffProfile
from workstyle.roles import has_role
from workstyle.selectors import org as org_selectors
from workstyle.services.audit import log_personal_read

QUEUE_STATUSES = (Status.PENDING, Status.CANCEL_REQUESTED)


def principals_of(user, day: dt.date | None = None) -> list[int]:
    """User ids of the chiefs this user stands in for on ``day`` (today by default)."""
    if not getattr(user, "is_authenticated", False):
        return []
    day = day or dates.today()
    return list(
        Deputy.objects.filter(deputy=user, start_date__lte=day, end_date__gte=day, revoked_at__isnull=True)
        .values_list("principal_id", flat=True)
    )


def is_active_deputy(user, principal_id: int, day: dt.date | None = None) -> bool:
    return principal_id in principals_of(user, day)


def can_decide(user, req: TeleworkRequest) -> bool:
    if not getattr(user, "is_authenticated", False) or user.pk == req.user_id:
        return False
    return user.pk == req.approver_id or is_active_deputy(user, req.approver_id)


def can_view(user, req: TeleworkRequest) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.pk in (req.user_id, req.approver_id):
        return True
    if has_role(user, Role.HR, Role.ADMIN):
        return True
    return is_active_deputy(user, req.approver_id)


def request_for_user(user, request_id: int) -> TeleworkRequest:
    req = (
        TeleworkRequest.objects.select_related("user__staff", "approver__staff", "section", "decided_by__staff")
        .filter(pk=request_id).first()
    )
    if req is None or not can_view(user, req):
        raise Http404
    if user.pk != req.user_id:
        log_personal_read(actor=user, subject=req.user, what="telework request", obj=req)
    return req


def my_requests(user, *, since: dt.date | None = None):
    qs = TeleworkRequest.objects.filter(user=user).select_related("approver__staff").order_by("-start_date", "-id")
    if since:
        qs = qs.filter(end_date__gte=since)
    return qs


def approval_queue(user):
    """Requests waiting for this user's decision: as the approver, or as an active deputy."""
    ids = [user.pk, *principals_of(user)]
    return (
        TeleworkRequest.objects.filter(approver_id__in=ids, status__in=QUEUE_STATUSES)
        .exclude(user=user)
        .select_related("user__staff__section")
        .annotate(n_slots=Count("days", filter=Q(days__active=True)))
        .order_by("start_date", "id")
    )


def queue_count(user) -> int:
    ids = [user.pk, *principals_of(user)]
    return TeleworkRequest.objects.filter(approver_id__in=ids, status__in=QUEUE_STATUSES).exclude(user=user).count()


def approved_slots(user, day: dt.date) -> list[TeleworkDay]:
    return list(
        TeleworkDay.objects.filter(user=user, date=day, active=True, request__status=Status.APPROVED)
        .select_related("request")
    )


def day_status(user, day: dt.date) -> dict:
    """The user's telework on a day: {"status": approved/pending/None, "slots": [...], "request": ...}."""
    rows = list(
        TeleworkDay.objects.filter(user=user, date=day, active=True).select_related("request").order_by("slot")
    )
    if not rows:
        return {"status": None, "slots": [], "request": None}
    approved = [r for r in rows if r.request.status == Status.APPROVED]
    chosen = approved or rows
    return {"status": chosen[0].request.status, "slots": [r.slot for r in chosen], "request": chosen[0].request}


def work_log(user, day: dt.date) -> WorkLog | None:
    return WorkLog.objects.filter(user=user, date=day).first()


def is_excluded(user) -> PersonExclusion | None:
    return PersonExclusion.objects.filter(user=user).first()


def deputies_of(user):
    return Deputy.objects.filter(principal=user, revoked_at__isnull=True).select_related("deputy__staff")


def deputy_roles_of(user):
    return Deputy.objects.filter(deputy=user, revoked_at__isnull=True, end_date__gte=dates.today()).select_related(
        "principal__staff")


# --- sections: presence, tasks, missing reports -------------------------------------------------------


def can_manage_section(user, unit: OrgUnit) -> bool:
    if has_role(user, Role.ADMIN):
        return True
    profile = org_selectors.profile_of(user)
    return bool(profile and profile.is_manager and unit.path.startswith(profile.section.path))


def can_see_presence(user, unit: OrgUnit) -> bool:
    """Section members and their chiefs (and the administrator)."""
    if has_role(user, Role.ADMIN):
        return True
    profile = org_selectors.profile_of(user)
    if profile is None:
        return False
    return profile.section_id == unit.pk or (profile.is_manager and unit.path.startswith(profile.section.path))


def section_for_presence(user, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.SECTION).first()
    if unit is None or not can_see_presence(user, unit):
        raise Http404
    return unit


def section_for_tasks(user, code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code, kind=OrgUnit.Kind.SECTION).first()
    if unit is None or not (org_selectors.can_see_unit(user, unit) or can_see_presence(user, unit)):
        raise Http404
    return unit


def week_days(week: dt.date) -> list[dt.date]:
    start = dates.week_start(week)
    return [start + dt.timedelta(days=i) for i in range(5)]


def presence_week(unit: OrgUnit, week: dt.date) -> dict:
    """Each member of the section by working day of the week: office (desk), telework, absent, holiday.

    A constant number of queries: members, telework slots, absences, work logs and one desks call.
    """
    from telework import desks_api

    days = week_days(week)
    members = list(
        StaffProfile.objects.filter(section=unit, is_active=True).select_related("user")
        .order_by("-is_manager", "name_kana", "employee_number")
    )
    ids = [m.user_id for m in members]
    slots: dict[tuple[int, dt.date], list] = defaultdict(list)
    for uid, day, slot, status in TeleworkDay.objects.filter(
        user_id__in=ids, date__range=(days[0], days[-1]), active=True
    ).values_list("user_id", "date", "slot", "request__status"):
        slots[(uid, day)].append((slot, status))
    absent = set(Absence.objects.filter(user_id__in=ids, date__range=(days[0], days[-1]))
                 .values_list("user_id", "date"))
    bookings = desks_api.bookings_for_users(ids, days[0], days[-1])
    holidays = {d: dates.non_working_reason(d) for d in days}
    rows = []
    for m in members:
        cells = []
        for d in days:
            cell = {"date": d, "state": "office", "parts": [], "approved": False, "desks": []}
            if holidays[d]:
                cell.update(state="holiday", label=holidays[d])
            elif (m.user_id, d) in absent:
                cell["state"] = "absent"
            else:
                tw = slots.get((m.user_id, d))
                if tw:
                    cell["state"] = "telework"
                    parts = sorted({s for s, _st in tw})
                    cell["parts"] = ["day"] if parts == ["am", "pm"] else parts
                    cell["approved"] = all(st == Status.APPROVED for _s, st in tw)
                for b in bookings.get((m.user_id, d), []):
                    cell["desks"].append(b)
                if cell["state"] == "office" and not cell["desks"]:
                    cell["state"] = "office"
            cells.append(cell)
        rows.append({"profile": m, "cells": cells})
    return {"unit": unit, "days": days, "holidays": holidays, "rows": rows}


def bureau_counts(week: dt.date) -> dict:
    """Per bureau or ward and working day: staff, people teleworking (approved, pending), absent."""
    days = week_days(week)
    tops = list(org_selectors.top_units())
    staff = dict(
        StaffProfile.objects.filter(is_active=True).values_list("section__top_id").annotate(n=Count("id"))
    )
    tw: dict[tuple[int, dt.date, str], int] = defaultdict(int)
    for top_id, day, status, n in (
        TeleworkDay.objects.filter(date__range=(days[0], days[-1]), active=True, user__staff__is_active=True)
        .values_list("user__staff__section__top_id", "date", "request__status")
        .annotate(n=Count("user_id", distinct=True))
    ):
        tw[(top_id, day, "approved" if status == Status.APPROVED else "pending")] += n
    ab = defaultdict(int)
    for top_id, day, n in (
        Absence.objects.filter(date__range=(days[0], days[-1]))
        .values_list("user__staff__section__top_id", "date").annotate(n=Count("id"))
    ):
        ab[(top_id, day)] += n
    rows = []
    for t in tops:
        cells = []
        for d in days:
            cells.append({"date": d, "holiday": dates.non_working_reason(d), "approved": tw[(t.pk, d, "approved")],
                          "pending": tw[(t.pk, d, "pending")], "absent": ab[(t.pk, d)]})
        rows.append({"unit": t, "staff": staff.get(t.pk, 0), "cells": cells})
    return {"days": days, "rows": rows}


def tasks_of(unit: OrgUnit, *, active_only: bool = False):
    qs = TaskItem.objects.filter(section=unit)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("suitability", "title")


def task_shares_by_bureau() -> list[dict]:
    counts = defaultdict(lambda: defaultdict(int))
    for top_id, suit, n in (
        TaskItem.objects.filter(is_active=True).values_list("section__top_id", "suitability").annotate(n=Count("id"))
    ):
        counts[top_id][suit] += n
    sections_with = dict(
        TaskItem.objects.filter(is_active=True).values_list("section__top_id")
        .annotate(n=Count("section_id", distinct=True))
    )
    sections_all = dict(OrgUnit.objects.filter(kind="section", is_active=True).values_list("top_id")
                        .annotate(n=Count("id")))
    out = []
    for t in org_selectors.top_units():
        c = counts.get(t.pk, {})
        total = sum(c.values())
        row = {"unit": t, "total": total, "sections_with_list": sections_with.get(t.pk, 0),
               "sections": sections_all.get(t.pk, 0)}
        for s in Suitability:
            row[s.value] = c.get(s.value, 0)
            row[f"{s.value}_pct"] = round(100 * c.get(s.value, 0) / total, 1) if total else None
        out.append(row)
    return out


def missing_reports(user, *, days_back: int = 14) -> list[dict]:
    """Approved telework days of staff this chief (or active deputy) approves, up to today, without a report."""
    today = dates.today()
    ids = [user.pk, *principals_of(user)]
    reported = WorkLog.objects.filter(user_id=OuterRef("user_id"), date=OuterRef("date"), reported_at__isnull=False)
    rows = (
        TeleworkDay.objects.filter(
            request__approver_id__in=ids, request__status=Status.APPROVED, active=True,
            date__range=(today - dt.timedelta(days=days_back), today),
        )
        .annotate(reported=Exists(reported))
        .filter(reported=False)
        .values("user_id", "user__staff__name", "date", "request_id")
        .distinct()
        .order_by("date", "user__staff__name")
    )
    seen, out = set(), []
    for r in rows:
        key = (r["user_id"], r["date"])
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def active_slots_for(user_id: int, start: dt.date, end: dt.date, exclude_request: int | None = None):
    qs = TeleworkDay.objects.filter(user_id=user_id, date__range=(start, end), active=True)
    if exclude_request:
        qs = qs.exclude(request_id=exclude_request)
    return set(qs.values_list("date", "slot"))


def requests_in_statuses(user, statuses=ACTIVE_STATUSES):
    return TeleworkRequest.objects.filter(user=user, status__in=statuses)


def request_events(req: TeleworkRequest):
    """The request's decision log (who submitted, changed, approved, when)."""
    from workstyle.models import AuditEvent

    return AuditEvent.objects.filter(object_type="telework.teleworkrequest", object_id=str(req.pk)).select_related(
        "actor__staff").order_by("created_at", "id")
