"""Desk bookings in the personal calendar feed."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Event

from .models import Booking


def personal_bookings(*, user, scope, section):
    if scope != "personal":
        return
    today = timezone.localdate()
    qs = (
        Booking.objects.filter(user=user, status=Booking.Status.ACTIVE, day__gte=today - dt.timedelta(days=30),
                               day__lte=today + dt.timedelta(days=120))
        .select_related("desk__floor__building", "desk__zone")
    )
    for b in qs:
        building = b.desk.floor.building
        start, end = building.slot_bounds(b.day, b.slot)
        ev = Event()
        ev.add("uid", f"desk-booking-{b.pk}@workstyle")
        ev.add("summary", _("Desk %(desk)s (%(floor)s)") % {"desk": b.desk.code, "floor": b.desk.floor.name})
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("dtstamp", b.created_at)
        ev.add("location", f"{building.name} {b.desk.floor.name} {b.desk.zone.name} {b.desk.code}")
        ev.add("transp", "TRANSPARENT")
        ev.add("url", f"{settings.SITE_URL}/desks/mine/")
        yield ev
