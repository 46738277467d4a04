"""telework → desks: approving whole-day telework releases the desk; booking on approved telework is refused."""

import datetime as dt
import zoneinfo

import pytest

from telework import desks_api, services
from tests.telework.conftest import submit
from workstyle.errors import DomainError
from workstyle.models import Notification

pytest.importorskip("desks.services")
if not desks_api.available():  # pragma: no cover - the desks app without its interface
    pytest.skip("the desks interface is not there", allow_module_level=True)

TZ = zoneinfo.ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 6, 1, 7, 0, tzinfo=TZ)


@pytest.fixture
def desk(db):
    from tests.desks.conftest import make_floor

    return make_floor(2).desks.order_by("code").first()


def test_approving_whole_day_releases_the_booking_with_a_notification(personas, city_rules, desk):
    from desks.services import book_desk

    booking = book_desk(user=personas.sato, desk=desk, day=dt.date(2026, 6, 3), slot="day", now=NOW)
    assert desks_api.has_booking(personas.sato, dt.date(2026, 6, 3))
    req = submit(personas.sato, dt.date(2026, 6, 3))
    services.decide_request(actor=personas.suzuki, request_id=req.pk, approve=True)
    booking.refresh_from_db()
    assert booking.status == "released"
    assert not desks_api.has_booking(personas.sato, dt.date(2026, 6, 3))
    assert Notification.objects.filter(recipient=personas.sato, kind="desks.released").count() == 1


def test_half_day_approval_keeps_the_booking(personas, city_rules, desk):
    from desks.services import book_desk

    book_desk(user=personas.sato, desk=desk, day=dt.date(2026, 6, 3), slot="pm", now=NOW)
    req = submit(personas.sato, dt.date(2026, 6, 3), part="am")
    services.decide_request(actor=personas.suzuki, request_id=req.pk, approve=True)
    assert desks_api.has_booking(personas.sato, dt.date(2026, 6, 3))


def test_booking_on_approved_telework_is_refused_naming_it(personas, city_rules, desk):
    from desks.services import book_desk

    req = submit(personas.sato, dt.date(2026, 6, 4), part="am")
    with_pending = book_desk(user=personas.sato, desk=desk, day=dt.date(2026, 6, 4), slot="pm", now=NOW)
    assert with_pending  # pending telework does not block, and the other half is free
    services.decide_request(actor=personas.suzuki, request_id=req.pk, approve=True)
    with pytest.raises(DomainError) as exc:
        book_desk(user=personas.sato, desk=desk, day=dt.date(2026, 6, 4), slot="day", now=NOW)
    assert f"#{req.pk}" in str(exc.value) and "2026-06-04" in str(exc.value)


def test_presence_shows_the_booked_desk(personas, city_rules, desk, client_for):
    from desks.services import book_desk

    book_desk(user=personas.kato, desk=desk, day=dt.date(2026, 6, 2), slot="day", now=NOW)
    page = client_for(personas.suzuki).get(
        f"/telework/presence/{personas.org.s1.code}/?week=2026-06-01").content.decode()
    assert desk.code in page
