"""Home card: the user's meetings today, with their materials."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from meetings import selectors
from workstyle.registry import HomeCard


def today_card(request):
    meetings = selectors.meetings_today(request.user)
    return HomeCard(title=_("My meetings today"), template="meetings/cards/today.html",
                    context={"meetings": meetings}, order=30)
