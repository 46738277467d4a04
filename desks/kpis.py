"""The office-space tile of the DX plan dashboard: space that could be freed against the 20% target."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from workstyle.registry import KpiTile

from . import utilization


def office_space_tiles(user):
    building = utilization.main_building()
    title = _("Office space freed in the main building")
    if building is None:
        return [KpiTile(key="office_space", title=title, unit="%", baseline=0, target=20, current=None,
                        status="no_data", baseline_label=_("Before the reform"), target_label=_("20% of space"), order=503)]
    end = timezone.localdate() - dt.timedelta(days=1)
    u = utilization.compute(building=building, start=end - dt.timedelta(weeks=12) + dt.timedelta(days=1), end=end)
    if u.freed_share is None:
        current, status = None, "no_data"
    else:
        current = round(u.freed_share * 100, 1)
        status = "on_track" if current >= 20 else ("at_risk" if current >= 10 else "off_track")
    note = _("%(building)s: %(needed)s of %(desks)s desks needed (95th percentile of daily occupied desks over 12 weeks + 10%% buffer).") % {
        "building": building.name, "needed": u.desks_needed, "desks": u.desks}
    return [KpiTile(key="office_space", title=title, unit="%", baseline=0, target=20, current=current,
                    status=status, note=note, url=reverse("desks:utilization"),
                    baseline_label=_("Before the reform"), target_label=_("20% of space"), order=503)]
