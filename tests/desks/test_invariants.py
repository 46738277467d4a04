"""Property test: any sequence of bookings and cancellations keeps the invariants the database enforces,
and the services never leave a booking and its occupancy rows out of step."""

from collections import Counter

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desks import services
from desks.models import HALVES, Booking, DeskOccupancy
from tests.desks.conftest import NOW, THU, WED
from workstyle.errors import DomainError

pytestmark = pytest.mark.django_db

ops = st.lists(
    st.tuples(st.sampled_from(["book", "cancel"]), st.integers(0, 3), st.integers(0, 3),
              st.sampled_from(["am", "pm", "day"]), st.sampled_from([WED, THU])),
    min_size=1, max_size=25,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_random_bookings_keep_invariants(personas, desks, ops):
    people = [personas.sato, personas.kato, personas.suzuki, personas.takahashi]
    with transaction.atomic():
        for op, who, desk_i, slot, day in ops:
            user, desk = people[who], desks[desk_i]
            if op == "book":
                held_desk = DeskOccupancy.objects.filter(desk=desk, day=day, half__in=HALVES[slot], active=True).exists()
                held_user = DeskOccupancy.objects.filter(user=user, day=day, half__in=HALVES[slot], active=True).exists()
                try:
                    services.book_desk(user=user, desk=desk, day=day, slot=slot, now=NOW)
                    assert not (held_desk or held_user)
                except DomainError:
                    assert held_desk or held_user
            else:
                b = Booking.objects.filter(user=user, status="active").order_by("id").first()
                if b is not None:
                    services.cancel_booking(booking=b, actor=user, now=NOW)
        active = list(DeskOccupancy.objects.filter(active=True).values_list("desk_id", "user_id", "day", "half",
                                                                             "booking__status"))
        assert all(status == "active" for *_rest, status in active)
        assert max(Counter((d, day, h) for d, _u, day, h, _s in active).values(), default=0) <= 1
        assert max(Counter((u, day, h) for _d, u, day, h, _s in active).values(), default=0) <= 1
        for b in Booking.objects.filter(status="active"):
            assert sorted(b.occupancies.filter(active=True).values_list("half", flat=True)) == sorted(HALVES[b.slot])
        transaction.set_rollback(True)


def test_booking_request_query_count_is_fixed(personas, desks, client_for, freeze):
    freeze(NOW)
    c = client_for(personas.sato)
    c.get("/desks/")
    with CaptureQueriesContext(connection) as ctx:
        r = c.post("/desks/book/", {"desk": desks[0].pk, "day": WED.isoformat(), "slot": "day"},
                   HTTP_ACCEPT="application/json")
    assert r.status_code == 201
    # 12 for the request itself, plus the per-person row lock and the savepoint around the insert
    assert len(ctx) <= 14, [q["sql"][:80] for q in ctx.captured_queries]
