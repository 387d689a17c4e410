from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Placeholder until the chat issue lands: answers ping with pong."""

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "ts": content.get("ts")})
        else:
            await self.send_json({"type": "error", "code": "invalid", "detail": "unsupported frame", "client_id": None})
