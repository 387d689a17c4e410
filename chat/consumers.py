"""The customer's WebSocket at /ws/chat/, speaking DESIGN.md's protocol.

Every frame gets an answer frame or an `error` frame with a code; no frame closes the socket. The consumer only
parses and shapes: validation and storage are in chat.actions, delivery in chat.delivery.
"""

import asyncio
import json
import logging

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from chat import actions, delivery, frames
from chat.actions import ChatError
from common import inputs, metrics
from common.errors import ActionError
from common.observability import bind_correlation_id, log_event
from common.security import client_ip_from_scope

log = logging.getLogger(__name__)
MAX_FRAME_BYTES = 65_536  # 2,000 escaped CJK characters are ~12 KB: room for too_long to be the answer
CATCH_UP_MAX_SECONDS = 20  # the longest a socket owed an answer waits between looks (settings.CHAT_CATCH_UP_SECONDS)


def _backlog(session, last_seen):
    return [m.to_frame() for m in delivery.unseen_messages(session, last_seen)], delivery.unanswered_ids(session)


class ChatConsumer(AsyncWebsocketConsumer):
    session = None
    catching_up: asyncio.Task | None = None

    async def connect(self):
        self.sent_ids: set[int] = set()  # messages this socket sent: one that comes again (backlog, catch-up) is not
        self.owed: set[int] = set()  # customer messages of the session with no final answer sent on this socket
        await self.accept()
        log_event("ws", "connect", path=self.scope.get("path"))

    async def disconnect(self, code):
        if self.catching_up is not None:
            self.catching_up.cancel()
        if self.session is not None:
            await self.channel_layer.group_discard(self.session.group_name, self.channel_name)
        log_event("ws", "disconnect", code=code, session=str(self.session.public_id) if self.session else None)
        if code not in (1000, 1001):  # not a clean close or page hide: a spike of these raises an alert
            metrics.incr("chat_ws_disconnects_total")

    async def error(self, exc: ActionError, client_id=None):
        """The one way a refusal reaches the customer: an `error` frame; the socket stays open."""
        await self.send_frame({**exc.as_frame(), "client_id": client_id})

    async def send_frame(self, frame: dict):
        await self.send(text_data=json.dumps(frame, ensure_ascii=False))

    async def send_message(self, frame: dict) -> bool:
        """A stored message's frame, at most once per socket, however many ways it arrives. True when sent now."""
        if frame.get("message_id") in self.sent_ids:
            return False
        self.sent_ids.add(frame["message_id"])
        if frame["type"] == "answer":
            self.owed.discard(frame.get("reply_to"))
        await self.send_frame(frame)
        return True

    def owe(self, message_ids):
        self.owed |= set(message_ids)
        if self.owed and (self.catching_up is None or self.catching_up.done()):
            self.catching_up = asyncio.ensure_future(self.catch_up())

    async def catch_up(self):
        """While an answer is owed, look in the database now and then for messages whose push never came.

        The channel layer is at-most-once: a Redis restart, or a publish while it was down, loses a push, and the
        customer would otherwise wait for it until they reconnect."""
        wait = settings.CHAT_CATCH_UP_SECONDS
        while self.owed:
            await asyncio.sleep(wait)
            if not self.owed:  # the answers came meanwhile
                break
            wait = min(wait * 2, CATCH_UP_MAX_SECONDS)
            try:
                frames, unanswered = await database_sync_to_async(delivery.missed_by_socket)(
                    self.session, min(self.owed), self.sent_ids)
            except Exception:  # the database is down too: look again later
                log.exception("catching up session %s failed", self.session.public_id)
                continue
            for frame in frames:
                if await self.send_message(frame):  # not pushed meanwhile
                    metrics.incr("chat_pushes_caught_up_total")
                    log_event("ws", "caught_up", session=str(self.session.public_id), message_id=frame["message_id"])
            self.owed &= unanswered

    async def receive(self, text_data=None, bytes_data=None):
        bind_correlation_id()
        if text_data is None or len(text_data) > MAX_FRAME_BYTES:
            return await self.error(ChatError("frames are JSON text of at most 64 KB"))
        try:
            content = inputs.loads(text_data)  # bounded depth, no NUL, no lone surrogates
        except inputs.BadInput as exc:
            return await self.error(ChatError(str(exc)))
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            return await self.error(ChatError("a frame is a JSON object with a type"))
        kind = content["type"]
        client_id = content.get("client_id") if isinstance(content.get("client_id"), str) else None
        log_event("ws", kind, session=str(self.session.public_id) if self.session else None)
        handler = getattr(self, f"on_{kind}", None) or self.registered_handler(kind)
        if handler is None:
            return await self.error(ChatError(f"unknown frame type {kind!r}"), client_id)
        if kind not in ("hello", "ping") and self.session is None:
            return await self.error(ChatError("say hello first"), client_id)
        try:
            await handler(content)
        except ActionError as exc:  # any app's refusal (chat's, or a registered frame handler's)
            await self.error(exc, client_id)
        except Exception:  # a bug must not cost the customer the connection
            log.exception("frame %s failed", kind)
            await self.error(ChatError("the frame could not be processed"), client_id)

    async def on_hello(self, content):
        last_seen = content.get("last_seen") or 0
        if isinstance(last_seen, bool) or not isinstance(last_seen, int) or not 0 <= last_seen <= inputs.MAX_ID:
            raise ChatError("last_seen must be a number from 0 to 2^63-1")
        locale = content.get("locale") if content.get("locale") in ("ja", "en") else None
        # A signed customer identity from the store's page: a bad or expired one is answered with an error frame
        # after the welcome, and the conversation goes on anonymously.
        customer, identity_error = None, None
        if content.get("customer") not in (None, ""):
            try:
                customer = await database_sync_to_async(actions.check_customer_identity)(content["customer"])
            except ChatError as exc:
                identity_error = exc
        session, is_new = await database_sync_to_async(actions.do_resume_session)(
            content.get("session"), locale, client_ip=client_ip_from_scope(self.scope), connection=self.channel_name,
            customer=customer)
        if self.session is not None and self.session.pk != session.pk:
            await self.channel_layer.group_discard(self.session.group_name, self.channel_name)
            self.sent_ids, self.owed = set(), set()
        self.session = session
        # Join first, then read the backlog: a message stored in between is in one or the other, never lost. One
        # that is in both (stored before the read, pushed after the join) is sent once: see send_message.
        await self.channel_layer.group_add(session.group_name, self.channel_name)
        backlog, unanswered = ([], set()) if is_new else await database_sync_to_async(_backlog)(session, last_seen)
        await self.send_frame({"type": "welcome", "session": session.token, "session_id": str(session.public_id),
                               "locale": session.locale, "signed_in": session.customer_id is not None})
        for frame in backlog:
            await self.send_message(frame)
        self.owe(unanswered)
        if identity_error is not None:
            await self.error(identity_error)

    async def on_message(self, content):
        if "client_id" not in content or "text" not in content:
            raise ChatError("a message needs client_id and text")
        received = await database_sync_to_async(actions.do_receive_message)(
            self.session, content["client_id"], content["text"], client_ip=client_ip_from_scope(self.scope))
        await self.send_frame({"type": "received", "client_id": received.message.client_id,
                               "message_id": received.message.pk})
        if received.message.answered_at is None:
            self.owe([received.message.pk])

    async def on_seen(self, content):
        await database_sync_to_async(actions.do_mark_seen)(self.session, content.get("message_id"))

    async def on_ping(self, content):
        await self.send_frame({"type": "pong", "ts": content.get("ts")})

    def registered_handler(self, kind: str):
        """A frame type another app handles (chat.frames), run in the database thread; None when nobody does."""
        handle = frames.handler_for(kind)
        if handle is None:
            return None

        async def run(content):
            await self.send_frame(await database_sync_to_async(handle)(self.session, content))

        return run

    async def chat_frame(self, event):
        """A message stored by any process for this session (channel-layer group event)."""
        await self.send_message(event["frame"])
