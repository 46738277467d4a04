"""Live floor maps: a socket per floor and date joins the group ``desks.floor.<floor>.<date>``.

  server -> client  {"type": "changed", "desk": <id>}   a desk of this floor changed on this date;
                                                        the page refetches the floor's states.
"""

from __future__ import annotations

import datetime as dt

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from workstyle.consumers import UserGroupMixin

from .models import Floor
from .services import floor_group


class FloorConsumer(UserGroupMixin, AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4003)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            day = dt.date.fromisoformat(kwargs["day"])
        except ValueError:
            await self.close(code=4004)
            return
        exists = await database_sync_to_async(Floor.objects.filter(pk=kwargs["floor_id"]).exists)()
        if not exists:
            await self.close(code=4004)
            return
        self.group_name = floor_group(kwargs["floor_id"], day)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.join_user_group()
        await self.accept()

    async def disconnect(self, code):
        name = getattr(self, "group_name", None)
        if name:
            await self.channel_layer.group_discard(name, self.channel_name)
        await self.leave_user_group()

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def desk_changed(self, event):
        await self.send_json({"type": "changed", "desk": event["desk"], "day": event["day"]})
