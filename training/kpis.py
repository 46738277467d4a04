"""The dx_talent tile of the DX plan dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from training import selectors
from workstyle.registry import KpiTile


def dx_talent_tiles(user) -> list[KpiTile]:
    cov = selectors.coverage(level="bureau")
    staff = cov.total.staff
    if not staff:
        return [KpiTile(key="dx_talent", title=_("DX promotion leaders (silver or gold)"), unit=_("people"),
                        baseline=690, target=None, current=None, status="no_data", order=50)]
    target = round(staff / 3)
    without = len(selectors.sections_without_leader())
    share = cov.total.sg_share
    status = "on_track" if share >= selectors.TARGET_SHARE else ("at_risk" if share >= 0.6 * selectors.TARGET_SHARE
                                                                 else "off_track")
    return [KpiTile(
        key="dx_talent", title=_("DX promotion leaders (silver or gold)"), unit=_("people"),
        baseline=690, target=target, current=cov.total.silver_gold, status=status,
        note=_("%(share).1f%% of %(staff)s staff are silver or gold (target: one third); %(without)s sections have no "
               "DX transformation leader.") % {"share": share * 100, "staff": staff, "without": without},
        url=reverse("training:coverage"), baseline_label=_("About 690 leaders in FY2024"),
        target_label=_("One third of all staff"), order=50,
    )]
