"""Two followers on two different server processes receive the presenter's page through Redis."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings

from meetings.models import MaterialVersion
from tests.conftest import session_cookie_for
from tests.meetings.servers import start_uvicorn, stop

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def _db_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def two_servers(transactional_db):
    env = {"DATABASE_URL": _db_url(), "REDIS_URL": settings.REDIS_URL}
    a, port_a = start_uvicorn(env)
    try:
        b, port_b = start_uvicorn(env)
    except Exception:
        stop(a)
        raise
    yield port_a, port_b
    stop(a)
    stop(b)


async def _open(port, user, meeting_id):
    import websockets

    cookie = await sync_to_async(session_cookie_for)(user)
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/meetings/{meeting_id}/live/",
        additional_headers={"Cookie": f"{cookie['name']}={cookie['value']}", "Origin": f"http://127.0.0.1:{port}"},
    )
    return ws


async def _next_state(ws, timeout=10):
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if msg["type"] == "state":
            return msg


async def test_followers_on_two_processes_follow_the_presenter(meeting, personas, two_servers):
    port_a, port_b = two_servers
    version = await sync_to_async(lambda: MaterialVersion.objects.get(material=meeting.material))()
    presenter = await _open(port_a, personas.suzuki, meeting.pk)
    f1 = await _open(port_a, personas.sato, meeting.pk)
    f2 = await _open(port_b, personas.takahashi, meeting.pk)
    for ws in (presenter, f1, f2):
        assert (await _next_state(ws))["presenting"] is False
    await presenter.send(json.dumps({"type": "goto", "version": version.pk, "page": 2}))
    s1, s2 = await _next_state(f1), await _next_state(f2)
    assert (s1["page"], s1["version"]) == (2, version.pk) == (s2["page"], s2["version"])
    await presenter.send(json.dumps({"type": "goto", "version": version.pk, "page": 3}))
    assert (await _next_state(f2))["page"] == 3 and (await _next_state(f1))["page"] == 3
    # a tablet reconnecting to the other process gets the state at once
    await f2.close()
    again = await _open(port_b, personas.takahashi, meeting.pk)
    assert (await _next_state(again))["page"] == 3
    for ws in (presenter, f1, again):
        await ws.close()
