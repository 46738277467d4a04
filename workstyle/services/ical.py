"""Building iCalendar feeds from the sources apps register."""

from __future__ import annotations

import logging

from django.conf import settings
from icalendar import Calendar

from workstyle import registry

log = logging.getLogger(__name__)


def new_calendar(name: str = "", method: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Workstyle City Hall//Workstyle//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    return cal


def build_feed(*, user, scope: str, section, name: str = "") -> bytes:
    cal = new_calendar(name)
    for key, fn in registry.feed_sources().items():
        try:
            for event in fn(user=user, scope=scope, section=section):
                cal.add_component(event)
        except Exception:
            log.exception("feed source %s failed", key)
            raise
    return cal.to_ical()
