"""The home card: my tier and how far the next one is."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from training import selectors
from workstyle.registry import HomeCard


def my_tier_card(request):
    if not request.user.is_authenticated or not hasattr(request.user, "staff"):
        return None
    p = selectors.progress_of(request.user)
    missing = sum(i.missing for i in p.checklist) if p.checklist else 0
    return HomeCard(title=_("My DX tier"), template="training/cards/home.html",
                    context={"tier": p.tier, "next_tier": p.next_tier if p.has_rule else None, "missing": missing},
                    order=50)


