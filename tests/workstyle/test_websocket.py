"""The notification socket: authorization in connect(), origin check, live count, closing on deactivation."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from tests.conftest import session_cookie_for
from workstyle.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def headers(cookie=None, origin="http://testserver"):
    h = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if cookie:
        h.append((b"cookie", f"{cookie['name']}={cookie['value']}".encode()))
    return h


async def test_socket_without_session_is_refused(personas):
    comm = WebsocketCommunicator(application, "/ws/notifications/", headers=headers())
    connected, code = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_socket_from_another_origin_is_refused(personas):
    cookie = await sync_to_async(session_cookie_for)(personas.sato)
    comm = WebsocketCommunicator(application, "/ws/notifications/", headers=headers(cookie, "http://evil.example"))
    connected, _ = await comm.connect()
    assert not connected
    await comm.disconnect()


async def test_live_unread_count_and_close_on_deactivation(personas):
    from workstyle.services.notifications import notify
    from workstyle.services.org import deactivate_staff

    cookie = await sync_to_async(session_cookie_for)(personas.sato)
    comm = WebsocketCommunicator(application, "/ws/notifications/", headers=headers(cookie))
    connected, _ = await comm.connect()
    assert connected
    assert await comm.receive_json_from(timeout=5) == {"type": "count", "unread": 0}
    await sync_to_async(notify)(recipients=[personas.sato], title="承認されました")
    assert await comm.receive_json_from(timeout=5) == {"type": "count", "unread": 1}
    await sync_to_async(deactivate_staff)(profile=personas.sato.staff, actor=personas.yamamoto, reason="退職")
    out = await comm.receive_output(timeout=5)
    assert out["type"] == "websocket.close" and out["code"] == 4001
    assert settings.SESSION_COOKIE_NAME
