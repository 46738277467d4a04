"""KPI tile `telework`: adoption per month (share of staff who teleworked at least once; days per person),
per bureau, against the first month of the fiscal year."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from telework.models import Status, TeleworkDay
from workstyle import dates
from workstyle.models import StaffProfile
from workstyle.registry import KpiTile
from workstyle.selectors import org as org_selectors


def fiscal_months(fy: int, until: dt.date) -> list[dt.date]:
    start, end = dates.fiscal_year_range(fy)
    out, d = [], start
    while d <= min(end, until):
        out.append(d)
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def adoption(fy: int | None = None, today: dt.date | None = None) -> dict:
    """{"months": [...], "rows": [{"unit", "staff", "cells": [{"month", "people", "share", "days_per_person"}]}],
    "city": {...same cells...}} — a constant number of queries."""
    today = today or dates.today()
    fy = fy or dates.fiscal_year(today)
    months = fiscal_months(fy, today)
    start, end = dates.fiscal_year_range(fy)
    staff = dict(StaffProfile.objects.filter(is_active=True).values_list("section__top_id").annotate(n=Count("id")))
    base = TeleworkDay.objects.filter(date__range=(start, end), active=True, request__status=Status.APPROVED,
                                      user__staff__is_active=True).annotate(m=TruncMonth("date"))
    people = defaultdict(int)
    slots = defaultdict(int)
    for top, m, n_people, n_slots in (
        base.values_list("user__staff__section__top_id", "m")
        .annotate(p=Count("user_id", distinct=True), s=Count("id"))
    ):
        m = m.date() if isinstance(m, dt.datetime) else m
        people[(top, m)] += n_people
        slots[(top, m)] += n_slots
    city_people = {}
    for m, n in base.values_list("m").annotate(p=Count("user_id", distinct=True)):
        city_people[m.date() if isinstance(m, dt.datetime) else m] = n

    def cell(n_staff, n_people, n_slots, m):
        return {"month": m, "people": n_people,
                "share": round(100 * n_people / n_staff, 1) if n_staff else None,
                "days_per_person": round(n_slots / 2 / n_people, 1) if n_people else 0}

    rows = []
    for t in org_selectors.top_units():
        n = staff.get(t.pk, 0)
        rows.append({"unit": t, "staff": n,
                     "cells": [cell(n, people[(t.pk, m)], slots[(t.pk, m)], m) for m in months]})
    total = sum(staff.values())
    city = [cell(total, city_people.get(m, 0), sum(slots[(t, mm)] for (t, mm) in list(slots) if mm == m), m)
            for m in months]
    return {"fy": fy, "fy_label": dates.fiscal_year_label(fy), "months": months, "rows": rows, "city": city,
            "staff": total}


def tiles(user) -> list[KpiTile]:
    data = adoption()
    city = data["city"]
    if not city or all(c["people"] == 0 for c in city):
        status, baseline, current = "no_data", None, None
    else:
        baseline, current = city[0]["share"], city[-1]["share"]
        if current and current >= (baseline or 0) and current > 0:
            status = "on_track"
        elif current:
            status = "at_risk"
        else:
            status = "off_track"
    note = ""
    if city:
        note = _("%(month)s: %(people)s people teleworked, %(days)s days per person.") % {
            "month": city[-1]["month"].strftime("%Y-%m"), "people": city[-1]["people"],
            "days": city[-1]["days_per_person"]}
    return [KpiTile(
        key="telework", title=_("Telework established"), unit="%", baseline=baseline, target=None,
        current=current, status=status, note=note, url=reverse("telework:adoption"),
        baseline_label=_("share of staff who teleworked in April (start of %(fy)s)") % {"fy": data["fy_label"]},
        target_label=_("A normal way of working: rising every month"), order=30,
    )]
