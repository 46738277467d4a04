"""Booking rules, conflicts (database constraints), cancellation, check-in edges, no-show release."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from desks import selectors, services
from desks.models import Booking, DeskOccupancy
from tests.desks.conftest import NOW, THU, TUE, TZ, WED
from workstyle.errors import DomainError
from workstyle.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db


def book(user, desk, day=WED, slot="day", now=NOW):
    return services.book_desk(user=user, desk=desk, day=day, slot=slot, now=now)


def test_book_writes_booking_occupancy_and_audit(personas, desks):
    b = book(personas.sato, desks[0])
    assert b.status == "active"
    assert DeskOccupancy.objects.filter(booking=b, active=True).count() == 2
    assert AuditEvent.objects.filter(action="desks.booking.create", object_id=str(b.pk)).exists()
    assert selectors.has_booking(personas.sato, WED)
    assert not selectors.has_booking(personas.sato, THU)


def test_taken_desk_is_refused_naming_the_desk(personas, desks):
    book(personas.sato, desks[0], slot="am")
    with pytest.raises(DomainError) as exc:
        book(personas.kato, desks[0], slot="day")
    assert desks[0].code in str(exc.value) and "another person" in str(exc.value)
    # the afternoon is still free
    assert book(personas.kato, desks[0], slot="pm").slot == "pm"
    assert Booking.objects.filter(desk=desks[0], status="active").count() == 2


def test_opted_in_holder_is_named(personas, desks):
    personas.sato.locate_opt_in = True
    personas.sato.save()
    book(personas.sato, desks[0])
    with pytest.raises(DomainError, match="佐藤"):
        book(personas.kato, desks[0])


def test_one_person_one_desk_per_slot(personas, desks):
    book(personas.sato, desks[0], slot="pm")
    with pytest.raises(DomainError) as exc:
        book(personas.sato, desks[1], slot="day")
    assert desks[0].code in str(exc.value)
    assert book(personas.sato, desks[1], slot="am").slot == "am"


def test_database_refuses_double_occupancy_without_the_service(personas, desks):
    b = book(personas.sato, desks[0], slot="am")
    other = Booking.objects.create(user=personas.kato, desk=desks[0], day=WED, slot="am")
    with pytest.raises(IntegrityError), transaction.atomic():
        DeskOccupancy.objects.create(booking=other, desk=desks[0], user=personas.kato, day=WED, half="am")
    with pytest.raises(IntegrityError), transaction.atomic():
        DeskOccupancy.objects.create(booking=b, desk=desks[1], user=personas.sato, day=WED, half="am")
    # an inactive row does not count
    DeskOccupancy.objects.create(booking=other, desk=desks[0], user=personas.kato, day=WED, half="am", active=False)


def test_integrity_error_becomes_a_named_conflict(personas, desks, monkeypatch):
    """Simulate losing the race: the friendly pre-check sees nothing, the database refuses."""
    book(personas.sato, desks[0], slot="am")
    calls = {"n": 0}
    real = services._conflict_message

    def first_blind(**kw):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(**kw)

    monkeypatch.setattr(services, "_conflict_message", first_blind)
    with pytest.raises(DomainError) as exc:
        book(personas.kato, desks[0], slot="am")
    assert desks[0].code in str(exc.value)
    assert Booking.objects.filter(desk=desks[0]).count() == 1


@pytest.mark.parametrize("day,needle", [
    (dt.date(2026, 12, 29), "year-end"),
    (dt.date(2026, 12, 5), "weekend"),
    (dt.date(2027, 1, 11), "public holiday"),
])
def test_non_working_days_are_refused(personas, desks, day, needle):
    b = desks[0].floor.building
    b.max_days_ahead = 60
    b.save()
    from django.utils import translation

    with translation.override("en"), pytest.raises(DomainError, match=needle):
        book(personas.sato, desks[0], day=day)


def test_past_slot_window_and_started_slot(personas, desks):
    with pytest.raises(DomainError, match="already started"):
        book(personas.sato, desks[0], day=TUE, slot="am", now=NOW.replace(hour=8, minute=30))
    assert book(personas.sato, desks[0], day=TUE, slot="pm", now=NOW.replace(hour=8, minute=30))
    with pytest.raises(DomainError, match="14 days ahead"):
        book(personas.sato, desks[1], day=TUE + dt.timedelta(days=15))


def test_time_zone_is_tokyo(personas, desks):
    """00:30 UTC is 09:30 in Tokyo: the morning has started."""
    utc_now = dt.datetime(2026, 12, 1, 0, 30, tzinfo=dt.UTC)
    with pytest.raises(DomainError):
        book(personas.sato, desks[0], day=TUE, slot="am", now=utc_now)


def test_restricted_zone(personas, org):
    from tests.desks.conftest import make_floor

    floor = make_floor(2, name="5F", zone_names=("Z",))
    zone = floor.zones.get()
    zone.reserved_for.add(org.s2)
    desk = floor.desks.first()
    with pytest.raises(DomainError, match="reserved"):
        book(personas.sato, desk)
    assert book(personas.takahashi, desk)
    zone.reserved_for.set([org.department])  # a parent unit covers its sections
    assert book(personas.sato, floor.desks.last())


def test_weekly_limit(personas, desks):
    b = desks[0].floor.building
    b.max_bookings_per_week = 2
    b.save()
    book(personas.sato, desks[0], day=WED, slot="am")
    book(personas.sato, desks[0], day=WED, slot="pm")
    with pytest.raises(DomainError, match="limit"):
        book(personas.sato, desks[0], day=THU)


def test_guard_refuses(personas, desks):
    def guard(*, user, day, slot):
        return "テレワーク承認済みの日です" if user == personas.sato and day == WED else None

    services.register_booking_guard(guard)
    try:
        with pytest.raises(DomainError, match="テレワーク"):
            book(personas.sato, desks[0])
        assert book(personas.sato, desks[0], day=THU)
        series = services.book_recurring(user=personas.sato, desk=desks[1], weekday=2, slot="am",
                                         until=dt.date(2026, 12, 10), now=NOW)
        assert series.report[0]["booked"] is False and "テレワーク" in series.report[0]["reason"]
    finally:
        services._guards.remove(guard)


def test_cancel_until_start(personas, desks):
    b = book(personas.sato, desks[0], day=TUE, slot="pm")
    with pytest.raises(DomainError):
        services.cancel_booking(booking=b, actor=personas.kato, now=NOW)
    with pytest.raises(DomainError, match="until the slot starts"):
        services.cancel_booking(booking=b, actor=personas.sato, now=NOW.replace(hour=12, minute=45))
    services.cancel_booking(booking=b, actor=personas.sato, now=NOW.replace(hour=12, minute=44))
    b.refresh_from_db()
    assert b.status == "cancelled"
    assert book(personas.kato, desks[0], day=TUE, slot="pm")


def test_check_in_window_edges(personas, desks):
    b = book(personas.sato, desks[0], day=TUE, slot="am")
    opens = NOW.replace(hour=8, minute=0)
    closes = NOW.replace(hour=9, minute=30)
    with pytest.raises(DomainError, match="opens"):
        services.check_in(booking=b, actor=personas.sato, now=opens - dt.timedelta(seconds=1))
    with pytest.raises(DomainError):
        services.check_in(booking=b, actor=personas.kato, now=opens)
    services.check_in(booking=b, actor=personas.sato, now=opens)
    b2 = book(personas.kato, desks[1], day=TUE, slot="am")
    with pytest.raises(DomainError, match="closed"):
        services.check_in(booking=b2, actor=personas.kato, now=closes + dt.timedelta(seconds=1))
    services.check_in(booking=b2, actor=personas.kato, now=closes)
    b3 = book(personas.suzuki, desks[2], day=TUE, slot="pm")
    with pytest.raises(DomainError):
        services.check_in(booking=b3, actor=personas.suzuki, now=NOW.replace(hour=12, minute=14, second=59))
    services.check_in(booking=b3, actor=personas.suzuki, now=NOW.replace(hour=12, minute=15))


def test_no_shows_released_at_grace_deadline(personas, desks):
    kept = book(personas.sato, desks[0], day=TUE, slot="am")
    gone = book(personas.kato, desks[1], day=TUE, slot="day")
    later = book(personas.suzuki, desks[2], day=TUE, slot="pm")
    services.check_in(booking=kept, actor=personas.sato, now=NOW.replace(hour=8, minute=40))
    deadline = NOW.replace(hour=9, minute=30)
    assert services.release_no_shows(now=deadline) == 0
    assert services.release_no_shows(now=deadline + dt.timedelta(seconds=1)) == 1
    gone.refresh_from_db()
    later.refresh_from_db()
    kept.refresh_from_db()
    assert gone.status == "no_show" and later.status == "active" and kept.status == "active"
    assert not DeskOccupancy.objects.filter(booking=gone, active=True).exists()
    # the released desk can be walked up to
    walk = services.walk_up(user=personas.yamada, desk=desks[1], now=deadline + dt.timedelta(minutes=5))
    assert walk.checked_in_at and walk.slot == "day"
    assert services.release_no_shows(now=NOW.replace(hour=13, minute=46)) == 1  # the afternoon no-show


def test_periodic_task_is_registered(personas, desks):
    from workstyle import registry

    assert "desks.release_no_shows" in registry.periodic_tasks()


def test_release_bookings_for_day(personas, desks):
    am = book(personas.sato, desks[0], day=WED, slot="am")
    pm = book(personas.sato, desks[1], day=WED, slot="pm")
    other = book(personas.sato, desks[0], day=THU, slot="day")
    n = services.release_bookings_for_day(user=personas.sato, day=WED, actor=personas.suzuki, reason="テレワーク承認",
                                          slots=["pm"])
    assert n == 1
    pm.refresh_from_db()
    am.refresh_from_db()
    assert pm.status == "released" and am.status == "active"
    assert services.release_bookings_for_day(user=personas.sato, day=WED, actor=personas.suzuki, reason="x") == 1
    day = services.release_bookings_for_day(user=personas.sato, day=THU, actor=personas.suzuki, reason="x",
                                            slots=["am"])
    assert day == 1  # a whole-day booking counts for both halves
    other.refresh_from_db()
    assert other.status == "released"
    assert Notification.objects.filter(recipient=personas.sato, kind="desks.released").count() == 3
    assert AuditEvent.objects.filter(action="desks.booking.release").count() == 3
    assert services.release_bookings_for_day(user=personas.sato, day=WED, actor=personas.suzuki, reason="x") == 0


def test_bookings_for_users_is_one_query(personas, desks, django_assert_num_queries):
    book(personas.sato, desks[0], day=WED, slot="am")
    b = book(personas.kato, desks[1], day=THU, slot="day")
    services.check_in(booking=b, actor=personas.kato, now=dt.datetime(2026, 12, 3, 8, 10, tzinfo=TZ))
    with django_assert_num_queries(1):
        out = selectors.bookings_for_users([personas.sato.pk, personas.kato.pk, personas.suzuki.pk], TUE, THU)
    assert out[(personas.sato.pk, WED)] == [{"slot": "am", "desk_code": desks[0].code, "floor": "3F",
                                              "checked_in": False}]
    assert out[(personas.kato.pk, THU)][0]["checked_in"] is True
    assert (personas.suzuki.pk, WED) not in out


def test_recurring_reports_per_date(personas, desks):
    book(personas.kato, desks[0], day=dt.date(2026, 12, 9), slot="am")
    series = services.book_recurring(user=personas.sato, desk=desks[0], weekday=2, slot="day",
                                     until=dt.date(2026, 12, 30), now=NOW)
    days = {r["day"]: r for r in series.report}
    assert days["2026-12-02"]["booked"] is True
    assert days["2026-12-09"]["booked"] is False and desks[0].code in days["2026-12-09"]["reason"]
    assert days["2026-12-16"]["booked"] is False and "days ahead" in days["2026-12-16"]["reason"]
    assert Booking.objects.filter(series=series, status="active").count() == 1


def test_usual_desk(personas, desks):
    with pytest.raises(DomainError, match="usual"):
        services.book_usual_desk(user=personas.sato, day=WED, slot="am", now=NOW)
    services.set_usual_desk(user=personas.sato, desk=desks[2])
    services.set_usual_desk(user=personas.sato, desk=desks[3])
    assert selectors.usual_desk(personas.sato) == desks[3]
    assert services.book_usual_desk(user=personas.sato, day=WED, slot="am", now=NOW).desk == desks[3]


def test_not_bookable_desk(personas, desks):
    services.save_desk(actor=personas.ito, desk=desks[0], bookable=False)
    with pytest.raises(DomainError, match="not bookable"):
        book(personas.sato, desks[0])
    with pytest.raises(DomainError):
        services.save_desk(actor=personas.sato, desk=desks[0], bookable=True)
