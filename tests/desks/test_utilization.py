"""Utilization aggregates, desks needed (percentile + buffer), exports, access, the KPI tile."""

import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desks import utilization
from desks.models import Booking, DeskOccupancy
from tests.desks.conftest import TZ
from workstyle import dates

pytestmark = pytest.mark.django_db


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=80),
       st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=50))
def test_percentile_bounds_and_needed(values, p, buffer_pct):
    v = utilization.percentile(values, p)
    assert min(values) <= v <= max(values)
    needed = utilization.desks_needed(values, p, buffer_pct)
    assert needed >= v * (1 + buffer_pct / 100) - 1e-6
    assert needed < v * (1 + buffer_pct / 100) + 1
    assert utilization.percentile(values, 100) == max(values)
    assert utilization.percentile(values, 0) == min(values)


def test_percentile_known_values():
    assert utilization.percentile([1, 2, 3, 4], 50) == 2.5
    assert utilization.desks_needed([10] * 20, 95, 10) == 11


def _history(personas, desks, days):
    """On each day: desk 0 checked in all day, desk 1 booked in the morning but a no-show."""
    people = [personas.sato, personas.kato]
    for day in days:
        b = Booking.objects.create(user=people[0], desk=desks[0], day=day, slot="day",
                                   checked_in_at=dt.datetime.combine(day, dt.time(8, 40), tzinfo=TZ))
        n = Booking.objects.create(user=people[1], desk=desks[1], day=day, slot="am", status="no_show")
        DeskOccupancy.objects.bulk_create([
            DeskOccupancy(booking=b, desk=desks[0], user=people[0], day=day, half="am"),
            DeskOccupancy(booking=b, desk=desks[0], user=people[0], day=day, half="pm"),
            DeskOccupancy(booking=n, desk=desks[1], user=people[1], day=day, half="am", active=False),
        ])


def test_compute(personas, desks):
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 13)  # two weeks, 3 Nov is a holiday
    days = dates.working_days(start, end)
    assert len(days) == 9
    _history(personas, desks, days)
    u = utilization.compute(building=desks[0].floor.building, start=start, end=end, weeks=2, buffer_pct=0)
    assert u.desks == 6
    assert u.booked_rate == pytest.approx(3 * 9 / (6 * 2 * 9))
    assert u.occupied_rate == pytest.approx(2 * 9 / (6 * 2 * 9))
    assert u.no_show_rate == pytest.approx(1 / 3)
    assert u.average_occupied == 1 and u.peak_occupied == 1
    assert u.desks_needed == 1
    assert u.freed_share == pytest.approx(5 / 6)
    assert u.heatmap[(1, "am")] == pytest.approx(1 / 6)
    assert len(u.weekly) == 2


def test_page_exports_and_access(personas, desks, client_for):
    days = dates.working_days(dt.date.today() - dt.timedelta(days=20), dt.date.today() - dt.timedelta(days=1))
    _history(personas, desks, days)
    assert client_for(personas.sato).get("/desks/utilization/").status_code == 403
    c = client_for(personas.ito)
    r = c.get("/desks/utilization/")
    html = r.content.decode()
    assert r.status_code == 200 and html.count("<svg") >= 2 and "÷" in html
    assert "佐藤" not in html  # aggregates only
    r = c.get("/desks/utilization/export.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert str(days[-1]) in r.content.decode("utf-8-sig")
    r = c.get("/desks/utilization/export.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(r.content))
    assert {"summary", "daily", "weekly"} <= set(wb.sheetnames)
    assert wb["daily"].max_row >= len(days) + 1
    assert client_for(personas.watanabe).get("/desks/utilization/").status_code == 200


def test_kpi_tile(personas, desks, client_for):
    days = dates.working_days(dt.date.today() - dt.timedelta(days=30), dt.date.today() - dt.timedelta(days=1))
    _history(personas, desks, days)
    from desks.kpis import office_space_tiles

    tile = office_space_tiles(personas.nakamura)[0]
    assert tile.key == "office_space" and tile.target == 20
    assert tile.current == pytest.approx(round((1 - 2 / 6) * 100, 1))  # ceil(1 × 1.1) = 2 desks needed
    assert tile.status == "on_track"
    html = client_for(personas.nakamura).get("/dashboard/").content.decode()
    assert "66.7" in html
