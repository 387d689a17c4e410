"""The customer's WebSocket at /ws/chat/, speaking DESIGN.md's protocol.

Every frame gets an answer frame or an `error` frame with a code; no frame closes the socket. The consumer only
parses and shapes: validation and storage are in chat.actions, delivery in chat.delivery.
"""

import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from chat import actions, delivery
from chat.actions import ChatError
from common import inputs, metrics
from common.observability import bind_correlation_id, log_event
from common.security import client_ip_from_scope

log = logging.getLogger(__name__)
MAX_FRAME_BYTES = 65_536  # 2,000 escaped CJK characters are ~12 KB: room for too_long to be the answer


def _backlog(session, last_seen):
    return [m.to_frame() for m in delivery.unseen_messages(session, last_seen)]


def _feedback(session, content):
    try:
        from feedback.collect import handle_feedback_frame
    except ImportError:
        return {"type": "error", "code": "invalid", "detail": "feedback is not available", "client_id": None}
    return handle_feedback_frame(session, content)


class ChatConsumer(AsyncWebsocketConsumer):
    session = None
    backlog_ids: set = frozenset()

    async def connect(self):
        await self.accept()
        log_event("ws", "connect", path=self.scope.get("path"))

    async def disconnect(self, code):
        if self.session is not None:
            await self.channel_layer.group_discard(self.session.group_name, self.channel_name)
        log_event("ws", "disconnect", code=code, session=str(self.session.public_id) if self.session else None)
        if code not in (1000, 1001):  # not a clean close or page hide: a spike of these raises an alert
            metrics.incr("chat_ws_disconnects_total")

    async def error(self, code: str, detail: str, client_id=None, retry_after: int | None = None):
        frame = {"type": "error", "code": code, "detail": detail, "client_id": client_id}
        if retry_after is not None:
            frame["retry_after"] = retry_after
        await self.send_frame(frame)

    async def send_frame(self, frame: dict):
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def receive(self, text_data=None, bytes_data=None):
        bind_correlation_id()
        if text_data is None or len(text_data) > MAX_FRAME_BYTES:
            return await self.error("invalid", "frames are JSON text of at most 64 KB")
        try:
            content = inputs.loads(text_data)  # bounded depth, no NUL, no lone surrogates
        except inputs.BadInput as exc:
            return await self.error("invalid", str(exc))
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            return await self.error("invalid", "a frame is a JSON object with a type")
        kind = content["type"]
        client_id = content.get("client_id") if isinstance(content.get("client_id"), str) else None
        log_event("ws", kind, session=str(self.session.public_id) if self.session else None)
        handler = getattr(self, f"on_{kind}", None)
        if handler is None:
            return await self.error("invalid", f"unknown frame type {kind!r}", client_id)
        if kind not in ("hello", "ping") and self.session is None:
            return await self.error("invalid", "say hello first", client_id)
        try:
            await handler(content)
        except ChatError as exc:
            await self.error(exc.code, exc.detail, client_id, exc.retry_after)
        except Exception:  # a bug must not cost the customer the connection
            log.exception("frame %s failed", kind)
            await self.error("invalid", "the frame could not be processed", client_id)

    async def on_hello(self, content):
        last_seen = content.get("last_seen") or 0
        if isinstance(last_seen, bool) or not isinstance(last_seen, int) or not 0 <= last_seen <= inputs.MAX_ID:
            raise ChatError("invalid", "last_seen must be a number from 0 to 2^63-1")
        locale = content.get("locale") if content.get("locale") in ("ja", "en") else None
        session, is_new = await database_sync_to_async(actions.do_resume_session)(
            content.get("session"), locale, client_ip=client_ip_from_scope(self.scope), connection=self.channel_name)
        if self.session is not None and self.session.pk != session.pk:
            await self.channel_layer.group_discard(self.session.group_name, self.channel_name)
        self.session = session
        # Join first, then read the backlog: a message stored in between is in one or the other, never lost. One
        # that is in both (stored before the read, pushed after the join) is sent once: see chat_frame.
        await self.channel_layer.group_add(session.group_name, self.channel_name)
        backlog = [] if is_new else await database_sync_to_async(_backlog)(session, last_seen)
        self.backlog_ids = {frame["message_id"] for frame in backlog}
        await self.send_frame({"type": "welcome", "session": session.token, "session_id": str(session.public_id),
                               "locale": session.locale})
        for frame in backlog:
            await self.send_frame(frame)

    async def on_message(self, content):
        if "client_id" not in content or "text" not in content:
            raise ChatError("invalid", "a message needs client_id and text")
        received = await database_sync_to_async(actions.do_receive_message)(
            self.session, content["client_id"], content["text"], client_ip=client_ip_from_scope(self.scope))
        await self.send_frame({"type": "received", "client_id": received.message.client_id,
                               "message_id": received.message.pk})

    async def on_seen(self, content):
        await database_sync_to_async(actions.do_mark_seen)(self.session, content.get("message_id"))

    async def on_ping(self, content):
        await self.send_frame({"type": "pong", "ts": content.get("ts")})

    async def on_feedback(self, content):
        await self.send_frame(await database_sync_to_async(_feedback)(self.session, content))

    async def chat_frame(self, event):
        """A message stored by any process for this session (channel-layer group event)."""
        frame = event["frame"]
        if frame.get("message_id") in self.backlog_ids:  # already sent from the backlog at hello
            return
        await self.send_frame(frame)
