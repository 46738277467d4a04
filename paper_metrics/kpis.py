"""The DX plan tile `paper`: the city's use this fiscal year against FY2023 and the −50% target."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from paper_metrics.metrics import evaluate, target_pct_for
from paper_metrics.models import TARGET_FY
from paper_metrics.selectors import report, sees_city
from workstyle.registry import KpiTile


def paper_tiles(user) -> list[KpiTile]:
    from workstyle.selectors.org import profile_of

    if sees_city(user):
        rep = report(user, None)
    else:
        profile = profile_of(user)
        if profile is None:
            return []
        rep = report(user, profile.section.top if profile.is_manager else profile.section)
    y = rep.year
    final_pct = target_pct_for(TARGET_FY, rep.conf.target_steps) or 50.0
    final = evaluate(fy=TARGET_FY, elapsed=0, actual=[0.0] * 12, baseline=y.baseline, target_pct=final_pct)
    note = ""
    if y.change_pct is not None:
        note = _("This fiscal year to date: %(change).1f%% against the same months of FY2023; forecast %(forecast)s "
                 "against this year's target %(target)s (−%(pct)s%%).") % {
            "change": y.change_pct, "forecast": f"{y.forecast:,.0f}", "target": f"{y.target_total:,.0f}",
            "pct": f"{y.target_pct:.0f}"}
    return [KpiTile(
        key="paper", title=_("Paper use −50% against FY2023"), unit=_("sheets"),
        baseline=round(y.baseline_total) if y.baseline_total else None,
        target=round(final.target_total) if final.target_total else None,
        current=round(y.forecast) if y.forecast is not None else None,
        status=y.status, note=note, url=reverse("paper_metrics:index"),
        baseline_label=_("FY2023 (R5) A4-equivalent sheets"), target_label=_("by FY2027 (current: this year's forecast)"),
        order=10,
    )]
