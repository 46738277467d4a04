"""Live presenter mode: authorization, origin, state to late joiners, commands, presence (in-process layer)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from meetings.models import MaterialVersion, Meeting
from tests.conftest import session_cookie_for
from workstyle.asgi import application
from workstyle.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


def headers(cookie=None, origin="http://testserver"):
    h = [(b"origin", origin.encode()), (b"host", b"testserver")]
    if cookie:
        h.append((b"cookie", f"{cookie['name']}={cookie['value']}".encode()))
    return h


async def connect(user, meeting, origin="http://testserver"):
    cookie = await sync_to_async(session_cookie_for)(user)
    comm = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/", headers=headers(cookie, origin))
    connected, code = await comm.connect()
    return comm, connected, code


async def receive_type(comm, kind, timeout=5):
    while True:
        msg = await comm.receive_json_from(timeout=timeout)
        if msg["type"] == kind:
            return msg


async def test_non_attendee_and_other_origin_are_refused(meeting, personas):
    comm, connected, code = await connect(personas.charlie, meeting)
    assert not connected and code == 4404
    await comm.disconnect()
    comm, connected, _ = await connect(personas.sato, meeting, origin="http://evil.example")
    assert not connected
    await comm.disconnect()
    anon = WebsocketCommunicator(application, f"/ws/meetings/{meeting.pk}/live/", headers=headers())
    connected, _ = await anon.connect()
    assert not connected
    await anon.disconnect()


async def test_presenter_turns_follower_follows_late_joiner_catches_up(meeting, personas):
    version = await sync_to_async(lambda: MaterialVersion.objects.get(material=meeting.material))()
    presenter, ok, _ = await connect(personas.suzuki, meeting)
    assert ok
    first = await receive_type(presenter, "state")
    assert first["presenting"] is False
    follower, ok, _ = await connect(personas.takahashi, meeting)
    assert ok
    assert (await receive_type(follower, "state"))["presenting"] is False
    presence = await receive_type(presenter, "presence")
    while len(presence["people"]) < 2:
        presence = await receive_type(presenter, "presence")
    assert {p["name"] for p in presence["people"]} == {"鈴木 健一", "高橋 直樹"}

    await presenter.send_json_to({"type": "goto", "version": version.pk, "page": 3})
    state = await receive_type(follower, "state")
    assert state["presenting"] and state["page"] == 3 and state["version"] == version.pk
    assert state["presenter"] == "鈴木 健一" and state["pages"] == 4
    await presenter.send_json_to({"type": "goto", "version": None, "page": 99})
    assert (await receive_type(follower, "state"))["page"] == 4  # clamped to the last page

    late, ok, _ = await connect(personas.sato, meeting)
    assert ok
    now = await receive_type(late, "state")
    assert now["page"] == 4 and now["version"] == version.pk  # at once, without waiting for a turn

    await follower.send_json_to({"type": "follow", "following": False})
    presence = await receive_type(presenter, "presence")
    while len(presence["people"]) < 3 or any(p["following"] for p in presence["people"] if p["name"] == "高橋 直樹"):
        presence = await receive_type(presenter, "presence")
    assert presence["following"] == 2

    await presenter.send_json_to({"type": "stop"})
    assert (await receive_type(late, "state"))["presenting"] is False
    for c in (presenter, follower, late):
        await c.disconnect()


async def test_command_from_non_presenter_is_ignored_and_logged(meeting, personas):
    version = await sync_to_async(lambda: MaterialVersion.objects.get(material=meeting.material))()
    follower, ok, _ = await connect(personas.sato, meeting)
    assert ok
    await receive_type(follower, "state")
    await follower.send_json_to({"type": "goto", "version": version.pk, "page": 2})
    err = await receive_type(follower, "error")
    assert err["code"] == "not_presenter"
    m = await sync_to_async(Meeting.objects.get)(pk=meeting.pk)
    assert m.live_version_id is None and m.live_seq == 0
    assert await sync_to_async(AuditEvent.objects.filter(action="meetings.live.refused", actor=personas.sato).exists)()
    await follower.send_json_to({"type": "stop"})
    assert (await receive_type(follower, "error"))["code"] == "not_presenter"
    await follower.disconnect()


async def test_item_presenter_may_present_when_invited(meeting, personas):
    from meetings import services

    version = await sync_to_async(lambda: MaterialVersion.objects.get(material=meeting.material))()
    await sync_to_async(services.add_attendee)(actor=personas.suzuki, meeting=meeting, user=personas.kato)
    kato, ok, _ = await connect(personas.kato, meeting)
    assert ok
    await receive_type(kato, "state")
    await kato.send_json_to({"type": "goto", "version": version.pk, "page": 2})
    state = await receive_type(kato, "state")
    assert state["presenter_id"] == personas.kato.pk and state["page"] == 2
    await kato.disconnect()


async def test_socket_refused_after_access_end(meeting, personas):
    import datetime

    from django.utils import timezone

    await sync_to_async(Meeting.objects.filter(pk=meeting.pk).update)(
        confidentiality="confidential", access_days_after=0,
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=2))
    comm, connected, code = await connect(personas.sato, meeting)
    assert not connected and code == 4403
    await comm.disconnect()


async def test_websocket_access_matrix(meeting, personas):
    from tests.meetings.test_access import EXPECTED

    for name, allowed in EXPECTED.items():
        comm, connected, code = await connect(getattr(personas, name), meeting)
        assert connected == allowed, (name, code)
        if allowed:
            assert (await receive_type(comm, "state"))["type"] == "state"
        else:
            assert code == 4404
        await comm.disconnect()


async def test_ending_the_meeting_stops_the_presentation_for_followers(meeting, personas):
    from meetings import services

    version = await sync_to_async(lambda: MaterialVersion.objects.get(material=meeting.material))()
    presenter, _, _ = await connect(personas.suzuki, meeting)
    follower, _, _ = await connect(personas.sato, meeting)
    await receive_type(follower, "state")
    await presenter.send_json_to({"type": "goto", "version": version.pk, "page": 2})
    assert (await receive_type(follower, "state"))["presenting"]
    m = await sync_to_async(Meeting.objects.get)(pk=meeting.pk)
    await sync_to_async(services.change_status)(actor=personas.suzuki, meeting=m, to="in_progress")
    await sync_to_async(services.change_status)(actor=personas.suzuki, meeting=m, to="ended")
    state = await receive_type(follower, "state")
    assert state["presenting"] is False
    await presenter.disconnect()
    await follower.disconnect()
