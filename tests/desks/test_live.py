"""Live floor maps over WebSockets: authorization in connect(), and an event when a desk changes."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from desks import services
from tests.conftest import session_cookie_for
from tests.desks.conftest import NOW, WED
from workstyle.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def headers(cookie=None):
    h = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if cookie:
        h.append((b"cookie", f"{cookie['name']}={cookie['value']}".encode()))
    return h


async def test_anonymous_socket_refused(floor):
    comm = WebsocketCommunicator(application, f"/ws/desks/floor/{floor.pk}/{WED}/", headers=headers())
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_unknown_floor_refused(personas, floor):
    cookie = await sync_to_async(session_cookie_for)(personas.sato)
    comm = WebsocketCommunicator(application, f"/ws/desks/floor/{floor.pk + 99}/{WED}/", headers=headers(cookie))
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_booking_and_cancel_are_pushed(personas, desks):
    floor_id = desks[0].floor_id
    cookie = await sync_to_async(session_cookie_for)(personas.kato)
    comm = WebsocketCommunicator(application, f"/ws/desks/floor/{floor_id}/{WED}/", headers=headers(cookie))
    connected, _ = await comm.connect()
    assert connected
    other_day = WebsocketCommunicator(application, f"/ws/desks/floor/{floor_id}/2026-12-03/", headers=headers(cookie))
    assert (await other_day.connect())[0]
    b = await sync_to_async(services.book_desk)(user=personas.sato, desk=desks[0], day=WED, slot="am", now=NOW)
    msg = await comm.receive_json_from(timeout=5)
    assert msg == {"type": "changed", "desk": desks[0].pk, "day": WED.isoformat()}
    assert await other_day.receive_nothing(timeout=0.2)
    await sync_to_async(services.cancel_booking)(booking=b, actor=personas.sato, now=NOW)
    assert (await comm.receive_json_from(timeout=5))["desk"] == desks[0].pk
    await comm.disconnect()
    await other_day.disconnect()
