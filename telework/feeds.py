"""Telework days in calendar feeds: all-day events (VALUE=DATE, exclusive DTEND), stable UIDs, SEQUENCE raised
on every change, STATUS:CANCELLED once withdrawn, rejected or cancelled."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from telework.models import ACTIVE_STATUSES, Status, TeleworkDay
from workstyle import dates
from workstyle.selectors import org as org_selectors

PAST_DAYS = 120
FUTURE_DAYS = 400


def _part_label(slots: set[str]) -> str:
    if slots >= {"am", "pm"}:
        return ""
    return _(" (morning)") if "am" in slots else _(" (afternoon)")


def _event(*, uid: str, day: dt.date, summary: str, status: str, sequence: int, stamp: dt.datetime,
           description: str = "") -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", stamp.astimezone(dt.UTC))
    ev.add("dtstart", day)
    ev.add("dtend", day + dt.timedelta(days=1))
    ev.add("summary", summary)
    ev.add("sequence", sequence)
    ev.add("status", status)
    ev.add("transp", "TRANSPARENT")
    if description:
        ev.add("description", description)
    return ev


def _window():
    today = dates.today()
    return today - dt.timedelta(days=PAST_DAYS), today + dt.timedelta(days=FUTURE_DAYS)


def _collect(qs):
    """{(request, date): {"active": set(slots), "all": set(slots)}} with the request rows, one query."""
    grouped: dict[tuple[int, dt.date], dict] = defaultdict(lambda: {"active": set(), "all": set()})
    reqs = {}
    for row in qs.select_related("request", "user__staff").order_by("date", "slot"):
        g = grouped[(row.request_id, row.date)]
        g["all"].add(row.slot)
        if row.active:
            g["active"].add(row.slot)
        reqs[row.request_id] = row.request
        g["user"] = row.user
    return grouped, reqs


def _status_of(req, active_slots) -> tuple[str, str]:
    """(iCalendar STATUS, label)."""
    if not active_slots or req.status not in ACTIVE_STATUSES:
        return "CANCELLED", _("cancelled")
    if req.status == Status.PENDING:
        return "TENTATIVE", _("pending approval")
    return "CONFIRMED", ""


def personal_events(*, user, scope, section):
    if scope != "personal":
        return
    lo, hi = _window()
    grouped, reqs = _collect(TeleworkDay.objects.filter(user=user, date__range=(lo, hi)))
    domain = settings.SITE_URL.split("//")[-1].split("/")[0] or "workstyle"
    for (rid, day), g in grouped.items():
        req = reqs[rid]
        status, label = _status_of(req, g["active"])
        slots = g["active"] or g["all"]
        summary = _("Telework") + _part_label(slots) + (f" [{label}]" if label else "")
        yield _event(uid=f"telework-{req.uid}-{day:%Y%m%d}@{domain}", day=day, summary=summary, status=status,
                     sequence=req.sequence, stamp=req.updated_at or timezone.now(),
                     description=req.get_place_display())


def section_events(*, user, scope, section):
    """Section presence feed: each member's telework days (approved or pending), for chiefs holding a token."""
    if scope != "section" or section is None or not org_selectors.can_see_unit(user, section):
        return
    lo, hi = _window()
    grouped, reqs = _collect(
        TeleworkDay.objects.filter(user__staff__section=section, date__range=(lo, hi))
    )
    domain = settings.SITE_URL.split("//")[-1].split("/")[0] or "workstyle"
    for (rid, day), g in grouped.items():
        req = reqs[rid]
        status, label = _status_of(req, g["active"])
        slots = g["active"] or g["all"]
        name = g["user"].display_name()
        summary = f"{name}: " + _("Telework") + _part_label(slots) + (f" [{label}]" if label else "")
        yield _event(uid=f"telework-section-{section.code}-{req.uid}-{day:%Y%m%d}@{domain}", day=day,
                     summary=summary, status=status, sequence=req.sequence,
                     stamp=req.updated_at or timezone.now())


def feed_source(*, user, scope, section):
    if scope == "section":
        yield from section_events(user=user, scope=scope, section=section)
    else:
        yield from personal_events(user=user, scope=scope, section=section)
