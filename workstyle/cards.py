"""The core app's home card: today, the fiscal year, whether it is a working day, unread notifications."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from workstyle import dates, registry
from workstyle.registry import HomeCard
from workstyle.services.notifications import unread_count


def today_card(request):
    day = dates.today()
    return HomeCard(
        title=_("Today"),
        template="workstyle/cards/today.html",
        context={
            "day": day,
            "fy_label": dates.fiscal_year_label(dates.fiscal_year(day)),
            "non_working": dates.non_working_reason(day),
            "next_working": dates.add_working_days(day, 1),
            "unread": unread_count(request.user),
        },
        order=0,
    )


registry.register_home_card("workstyle.today", today_card, order=0)
