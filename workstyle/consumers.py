"""WebSocket consumers of the core app.

Every consumer checks authorization in connect(). Each authenticated socket also joins the
per-user group ``user.<id>`` so the server can push to a person:

  server → client  {"type": "count", "unread": <int>}        live unread-notification count
  server → client  socket closed with code 4001               the account was deactivated or logged out
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from workstyle.services.notifications import unread_count, user_group


class UserGroupMixin:
    """Join ``user.<id>`` and close on ``session.close``."""

    async def join_user_group(self):
        self.user_group_name = user_group(self.scope["user"].pk)
        await self.channel_layer.group_add(self.user_group_name, self.channel_name)

    async def leave_user_group(self):
        name = getattr(self, "user_group_name", None)
        if name:
            await self.channel_layer.group_discard(name, self.channel_name)

    async def session_close(self, event):
        await self.close(code=4001)

    async def notify_count(self, event):
        await self.send_json({"type": "count", "unread": event["count"]})


class NotificationConsumer(UserGroupMixin, AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4003)
            return
        await self.join_user_group()
        await self.accept()
        count = await database_sync_to_async(unread_count)(user)
        await self.send_json({"type": "count", "unread": count})

    async def disconnect(self, code):
        await self.leave_user_group()

    async def receive_json(self, content, **kwargs):
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})
