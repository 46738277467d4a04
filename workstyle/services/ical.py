"""Building iCalendar (RFC 5545) feeds from the sources apps register."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Timezone

from workstyle import registry

log = logging.getLogger(__name__)

PRODID = "-//Workstyle City Hall//Workstyle//JA"


def new_calendar(name: str = "", method: str | None = None) -> Calendar:
    """An RFC 5545 calendar: VERSION, PRODID, the Asia/Tokyo VTIMEZONE (so TZID=Asia/Tokyo resolves everywhere,
    and the calendar is never without a component)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    cal.add_component(Timezone.from_tzid(settings.TIME_ZONE))
    return cal


def complete_event(event, *, source: str) -> None:
    """Add what RFC 5545 requires of a VEVENT and a source forgot: DTSTAMP, and a stable UID."""
    if "dtstamp" not in event:
        event.add("dtstamp", timezone.now())
    if "uid" not in event:
        basis = f"{source}|{event.get('dtstart').to_ical() if event.get('dtstart') else b''}|{event.get('summary', '')}"
        event.add("uid", f"{hashlib.sha256(basis.encode()).hexdigest()[:32]}@{source}.workstyle")


def finish_calendar(cal: Calendar) -> bytes:
    """VTIMEZONEs for any other TZID used by the events, then serialise."""
    cal.add_missing_timezones()
    return cal.to_ical()


def build_feed(*, user, scope: str, section, name: str = "") -> bytes:
    cal = new_calendar(name)
    for key, fn in registry.feed_sources().items():
        try:
            for event in fn(user=user, scope=scope, section=section):
                complete_event(event, source=key)
                cal.add_component(event)
        except Exception:
            log.exception("feed source %s failed", key)
            raise
    return finish_calendar(cal)
