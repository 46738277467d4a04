"""Meetings in attendees' and organisers' personal calendar feeds."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Event

from meetings.models import Meeting
from meetings.selectors import visible_meetings


def personal_events(*, user, scope, section):
    if scope != "personal":
        return
    since = timezone.now() - datetime.timedelta(days=90)
    qs = (visible_meetings(user).filter(starts_at__gte=since).exclude(status=Meeting.Status.DRAFT)
          .order_by("starts_at")[:500])
    for m in qs:
        ev = Event()
        ev.add("uid", f"meeting-{m.pk}@workstyle")
        ev.add("dtstamp", m.updated_at)
        ev.add("dtstart", m.starts_at)
        ev.add("dtend", m.ends_at)
        ev.add("summary", m.title)
        ev.add("sequence", m.sequence)
        ev.add("status", "CANCELLED" if m.status == Meeting.Status.CANCELLED else "CONFIRMED")
        if m.place or m.online_url:
            ev.add("location", m.place or m.online_url)
        ev.add("url", f"{settings.SITE_URL}{reverse('meetings:detail', args=[m.pk])}")
        yield ev
