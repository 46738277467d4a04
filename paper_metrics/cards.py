from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from paper_metrics.selectors import section_status
from workstyle.registry import HomeCard


def section_card(request):
    rep = section_status(request.user)
    if rep is None:
        return None
    return HomeCard(title=_("Paper use of my section"), template="paper_metrics/cards/section.html",
                    context={"rep": rep}, order=40)
