from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from reviews.realtime import GROUP
from reviews.roles import is_reviewer


class ReviewerConsumer(AsyncJsonWebsocketConsumer):
    """`ws/reviews/`: staff reviewers (session cookie) receive queue events; everything else is refused."""

    async def connect(self):
        user = self.scope.get("user")
        if not await database_sync_to_async(lambda: bool(user) and (is_reviewer(user) or user.is_staff))():
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "ts": content.get("ts")})

    async def review_event(self, message):
        await self.send_json({"type": "review_event", **message["event"]})
