"""Live presenter mode over WebSockets: ``/ws/meetings/<meeting id>/live/``.

The server holds the truth (``Meeting.live_version``, ``live_page``, ``live_seq`` in the database);
every socket of a meeting joins the group ``meeting.<id>`` of the channel layer ``meetings`` (Redis
pub/sub when REDIS_URL is set, see ``meetings.live``), so the presenter and the followers may be
connected to different server processes.

Authorization in connect(): no session → closed with 4401; a user who may not see the meeting → 4404;
a user who may no longer open its materials (confidential meeting past its access end date, or a
cancelled meeting) → 4403. Other origins are refused by ``AllowedHostsOriginValidator``. The client
does not reconnect after a 44xx close; after any other close it reconnects with back-off and on
``visibilitychange`` (a tablet waking up), and receives the whole state at once.

Message schema (JSON text frames)

client → server
  {"type": "goto", "version": <version id or null>, "page": <n>}   presenter: show this page (null: same material)
  {"type": "stop"}                                                   presenter: stop presenting
  {"type": "follow", "following": true|false}                       follower: following the presenter or browsing
  {"type": "ping"}                                                   keep-alive (every ~25 s); refreshes presence

server → client
  {"type": "state", "seq": n, "presenting": bool, "presenter": name, "presenter_id": id|null,
   "material": id|null, "version": id|null, "page": n, "pages": n}
        the whole current state: sent at once on connect (late joiners, tablets waking up) and on
        every change; clients ignore a state whose seq is lower than the last one seen
  {"type": "presence", "count": n, "following": n, "people": [{"user_id", "name", "following"}]}
        who is connected and who follows; sent on every join, leave and follow change, only to those
        who may present (organisers, admins, item presenters); followers only see the presenter's state
  {"type": "error", "code": "not_presenter|not_live|no_material|bad_request", "message": text}
        a refused command (refused presenter commands are also written to the audit log)
  {"type": "pong"}
"""

from __future__ import annotations

import datetime

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import Http404
from django.utils import timezone

from meetings.live import LAYER_ALIAS, ensure_layer, group_name
from workstyle.errors import DomainError

STALE_AFTER = datetime.timedelta(seconds=90)


def _connect(user, meeting_id: int, channel_name: str):
    from meetings import selectors, services
    from meetings.models import LivePresence

    try:
        meeting = selectors.meeting_for_user(user, meeting_id)
    except Http404:
        return None, 4404
    if selectors.materials_access_reason(user, meeting):
        return None, 4403
    can_present = selectors.can_present(user, meeting)
    LivePresence.objects.update_or_create(channel_name=channel_name,
                                          defaults={"meeting": meeting, "user": user, "following": True})
    services.record_presence(meeting_id=meeting_id, user=user)
    meeting = type(meeting).objects.select_related("live_version", "presenter__staff").get(pk=meeting.pk)
    return {"state": selectors.live_state(meeting), "can_present": can_present}, None


def _presence(meeting_id: int, full: bool) -> dict:
    from meetings.models import LivePresence

    rows = (LivePresence.objects.filter(meeting_id=meeting_id, seen_at__gte=timezone.now() - STALE_AFTER)
            .select_related("user__staff").order_by("connected_at"))
    people: dict[int, dict] = {}
    for row in rows:
        p = people.setdefault(row.user_id, {"user_id": row.user_id, "name": row.user.display_name(), "following": False})
        p["following"] = p["following"] or row.following
    out = {"type": "presence", "count": len(people), "following": sum(p["following"] for p in people.values())}
    if full:
        out["people"] = list(people.values())
    return out


def _update_presence(channel_name: str, **fields) -> None:
    from meetings.models import LivePresence

    LivePresence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now(), **fields)


def _disconnect(channel_name: str) -> None:
    from meetings.models import LivePresence

    LivePresence.objects.filter(channel_name=channel_name).delete()


def _command(user, meeting_id: int, content: dict) -> dict:
    from meetings import services

    if content.get("type") == "stop":
        return services.stop_presenting(actor=user, meeting_id=meeting_id)
    version = content.get("version")
    page = content.get("page", 1)
    if version is not None and not isinstance(version, int) or not isinstance(page, int):
        raise DomainError("bad request", code="bad_request")
    return services.set_live_page(actor=user, meeting_id=meeting_id, version_id=version, page=page)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    channel_layer_alias = LAYER_ALIAS

    async def __call__(self, scope, receive, send):
        ensure_layer()  # the alias survives tests that replace CHANNEL_LAYERS
        return await super().__call__(scope, receive, send)

    async def connect(self):
        user = self.scope.get("user")
        self.group_name = None
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.meeting_id = int(self.scope["url_route"]["kwargs"]["meeting_id"])
        result, code = await database_sync_to_async(_connect)(user, self.meeting_id, self.channel_name)
        if result is None:
            await self.close(code=code)
            return
        self.can_present = result["can_present"]
        self.group_name = group_name(self.meeting_id)
        self.last_seq = result["state"]["seq"]
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json(result["state"])
        await self.channel_layer.group_send(self.group_name, {"type": "presence.changed"})

    async def disconnect(self, code):
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)
            await database_sync_to_async(_disconnect)(self.channel_name)
            await self.channel_layer.group_send(self.group_name, {"type": "presence.changed"})

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        user = self.scope["user"]
        if kind == "ping":
            await database_sync_to_async(_update_presence)(self.channel_name)
            await self.send_json({"type": "pong"})
        elif kind == "follow":
            await database_sync_to_async(_update_presence)(self.channel_name, following=bool(content.get("following")))
            await self.channel_layer.group_send(self.group_name, {"type": "presence.changed"})
        elif kind in ("goto", "stop"):
            try:
                state = await database_sync_to_async(_command)(user, self.meeting_id, content)
            except DomainError as exc:
                await self.send_json({"type": "error", "code": exc.code, "message": str(exc)})
                return
            await self.channel_layer.group_send(self.group_name, {"type": "live.state", "state": state})
        else:
            await self.send_json({"type": "error", "code": "bad_request", "message": "unknown message type"})

    async def live_state(self, event):
        state = event["state"]
        if state["seq"] < self.last_seq:
            return
        self.last_seq = state["seq"]
        await self.send_json(state)

    async def presence_changed(self, event):
        if not self.can_present:
            return
        await self.send_json(await database_sync_to_async(_presence)(self.meeting_id, True))
