"""The desks app asks this guard before booking: a desk is refused on approved telework."""

from __future__ import annotations

from django.utils.translation import gettext as _

from telework.models import Status, TeleworkDay


def booking_guard(*, user, day, slot) -> str | None:
    wanted = {"am", "pm"} if slot == "day" else {slot}
    rows = list(
        TeleworkDay.objects.filter(user=user, date=day, active=True, request__status=Status.APPROVED,
                                   slot__in=wanted).values_list("request_id", "slot")
    )
    if not rows:
        return None
    slots = {s for _r, s in rows}
    part = _("whole day") if slots >= {"am", "pm"} else (_("morning") if "am" in slots else _("afternoon"))
    return _("You have approved telework on %(day)s (%(part)s, request #%(id)s), so no desk can be booked for "
             "that time. Cancel the telework first if you will come in.") % {
        "day": day.isoformat(), "part": part, "id": rows[0][0]}
