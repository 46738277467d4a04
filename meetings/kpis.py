"""KPI tile ``paperless_meetings``: meetings held paperless this fiscal year and the sheets they saved."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meetings.models import Meeting
from meetings.selectors import paper_saved_by_section_month
from workstyle import dates
from workstyle.registry import KpiTile


def tiles(user):
    fy = dates.fiscal_year(dates.today())
    start, end = dates.fiscal_year_range(fy)
    rows = paper_saved_by_section_month(start=start, end=end)
    sheets = sum(r[2] for r in rows)
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    qs = Meeting.objects.filter(starts_at__gte=lo, starts_at__lt=hi).exclude(
        status__in=[Meeting.Status.DRAFT, Meeting.Status.CANCELLED])
    held = qs.count()
    with_materials = qs.filter(items__materials__current_version__isnull=False).distinct().count()
    status = "no_data" if held == 0 else ("on_track" if with_materials >= held * 0.8 else "at_risk")
    return [KpiTile(
        key="paperless_meetings", title=str(gettext_lazy("Paperless meetings")), unit=_("meetings"),
        baseline=None, target=None, current=float(held), status=status,
        note=_("%(fy)s: %(held)s meetings on tablets, %(sheets)s A4 sheets not printed.") % {
            "fy": dates.fiscal_year_label(fy), "held": f"{held:,}", "sheets": f"{sheets:,}"},
        url=reverse("meetings:index"), baseline_label=str(gettext_lazy("Council and some meetings since 2021")),
        target_label=str(gettext_lazy("All meetings")), order=20,
    )]
