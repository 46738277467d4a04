"""On PostgreSQL, through the real HTTP endpoint served by uvicorn worker processes:
200 concurrent requests for one desk and slot give exactly one booking, 199 clear refusals, no 5xx;
one person booking several desks at once gets exactly one."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings

from desks.models import Booking, DeskOccupancy
from tests.desks.conftest import UvicornProcess, make_floor, make_users
from workstyle import dates

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CSRF = "a" * 32


def _fire(url, jobs):
    """jobs: list of (session_key, form). All requests start together; returns the responses."""
    barrier = threading.Barrier(len(jobs))

    def one(job):
        session, form = job
        cookies = {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: CSRF}
        with httpx.Client(base_url=url, cookies=cookies, timeout=60) as c:
            barrier.wait()
            r = c.post("/desks/book/", data=form, headers={"X-CSRFToken": CSRF, "Accept": "application/json"})
            return r.status_code, r.json() if r.headers.get("content-type", "").startswith("application/json") else r.text

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(one, jobs))


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    s = UvicornProcess(workers=2).wait(timeout=60)
    yield s
    s.stop()


def test_200_concurrent_requests_one_desk(server):
    floor = make_floor(30, name="9F")
    desk = floor.desks.order_by("code").first()
    day = dates.add_working_days(dates.today(), 2)
    users, sessions = make_users(200)
    results = _fire(server.url, [(s, {"desk": desk.pk, "day": day.isoformat(), "slot": "am"}) for s in sessions])
    codes = [c for c, _ in results]
    assert codes.count(201) == 1, codes
    assert codes.count(409) == 199
    assert all(c < 500 for c in codes)
    refusals = [body["error"] for c, body in results if c == 409]
    assert all(desk.code in e for e in refusals), refusals[:3]
    assert Booking.objects.filter(desk=desk, day=day, status="active").count() == 1
    assert DeskOccupancy.objects.filter(desk=desk, day=day, active=True).count() == 1


def test_one_person_many_desks_at_once(server):
    floor = make_floor(30, name="8F")
    desks = list(floor.desks.order_by("code")[:20])
    day = dates.add_working_days(dates.today(), 3)
    users, sessions = make_users(1, prefix="greedy")
    results = _fire(server.url, [(sessions[0], {"desk": d.pk, "day": day.isoformat(), "slot": "day"}) for d in desks])
    codes = [c for c, _ in results]
    assert codes.count(201) == 1 and codes.count(409) == 19, codes
    assert Booking.objects.filter(user=users[0], day=day, status="active").count() == 1


def test_weekly_limit_holds_under_simultaneous_requests(server):
    """One person fires bookings for five different days of one week at once; the building allows two a week."""
    floor = make_floor(10, name="7F")
    building = floor.building
    building.max_bookings_per_week = 2
    building.max_days_ahead = 60
    building.save()
    desk = floor.desks.order_by("code").first()
    monday = dates.week_start(dates.today()) + dt.timedelta(days=14)
    days = dates.working_days(monday, monday + dt.timedelta(days=4))
    while len(days) < 3:  # skip Golden Week and the year-end closure
        monday += dt.timedelta(days=7)
        days = dates.working_days(monday, monday + dt.timedelta(days=4))
    users, sessions = make_users(1, prefix="weekly")
    results = _fire(server.url, [(sessions[0], {"desk": desk.pk, "day": d.isoformat(), "slot": "am"}) for d in days])
    codes = [c for c, _ in results]
    assert codes.count(201) == 2, codes
    assert all(c < 500 for c in codes)
    assert Booking.objects.filter(user=users[0], status="active").count() == 2
