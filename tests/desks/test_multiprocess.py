"""Live floor events cross processes through Redis: a socket on a uvicorn worker process hears a booking
made in another process (this one)."""

import json

import pytest
from django.conf import settings

from desks import services
from tests.desks.conftest import UvicornProcess, make_floor, make_users
from workstyle import dates

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_booking_in_one_process_reaches_a_socket_in_another():
    from websockets.sync.client import connect

    floor = make_floor(5, name="11F")
    desk = floor.desks.order_by("code").first()
    day = dates.add_working_days(dates.today(), 2)
    users, sessions = make_users(2, prefix="mp")
    server = UvicornProcess(workers=1).wait(timeout=60)
    try:
        ws_url = server.url.replace("http://", "ws://") + f"/ws/desks/floor/{floor.pk}/{day.isoformat()}/"
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={sessions[1]}"}
        with connect(ws_url, additional_headers=headers, origin=server.url, open_timeout=20) as ws:
            ws.send(json.dumps({"type": "ping"}))
            assert json.loads(ws.recv(timeout=10)) == {"type": "pong"}
            services.book_desk(user=users[0], desk=desk, day=day, slot="day")
            msg = json.loads(ws.recv(timeout=10))
            assert msg == {"type": "changed", "desk": desk.pk, "day": day.isoformat()}
    finally:
        server.stop()
