"""Home card: my desk today."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from workstyle.registry import HomeCard

from . import selectors


def my_desk_today(request):
    if not request.user.is_authenticated:
        return None
    bookings = selectors.todays_bookings(request.user)
    return HomeCard(title=_("My desk today"), template="desks/cards/today.html",
                    context={"bookings": bookings, "usual": selectors.usual_desk(request.user)}, order=20)
