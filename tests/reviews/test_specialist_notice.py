"""A high-risk question that nobody reviewed in time: the customer gets the store's notice that a specialist will
follow up (its own status, not an unverified answer), over a real Channels connection, and cannot rate it."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from chat.models import ChatSession, Message
from mangaassist.asgi import application
from reviews.escalation import route_draft
from reviews.models import ReviewTask
from reviews.sweeps import sweep

from tests.factories import draft

pytestmark = pytest.mark.django_db(transaction=True)


async def recv_until(comm, kind, timeout=10):
    while True:
        frame = json.loads(await comm.receive_from(timeout=timeout))
        if frame["type"] == kind:
            return frame


@sync_to_async
def ask_and_time_out(public_id, text, category, draft_text):
    session = ChatSession.objects.get(public_id=public_id)
    message = Message.objects.create(session=session, role=Message.Role.USER, text=text)
    route_draft(message, draft(0.6, category, text=draft_text))
    sweep(timezone.now() + timedelta(seconds=10))
    return message


@pytest.mark.parametrize("locale, expected", [
    ("ja", "専門の担当者が確認のうえ、こちらで改めてご連絡いたします。"),
    ("en", "a specialist will follow up with you here shortly."),
])
async def test_it_tells_the_customer_a_specialist_will_follow_up(fast, thresholds, locale, expected):
    comm = WebsocketCommunicator(application, "/ws/chat/")
    assert (await comm.connect())[0]
    try:
        await comm.send_to(text_data=json.dumps({"type": "hello", "session": None, "last_seen": 0, "locale": locale}))
        welcome = await recv_until(comm, "welcome")
        message = await ask_and_time_out(welcome["session_id"], "返金はいつですか", "refund", "¥5000 を返金します")

        notice = await recv_until(comm, "answer")
        assert notice["reply_to"] == message.pk
        assert notice["status"] == "specialist"
        assert expected in notice["text"] and "¥5000" not in notice["text"]

        # The store's notice is not an answer to rate: a thumb on it is refused with a clear error.
        await comm.send_to(text_data=json.dumps({"type": "feedback", "message_id": notice["message_id"],
                                                 "kind": "thumb", "value": "down"}))
        error = await recv_until(comm, "error")
        assert error["code"] == "invalid" and "specialist" in error["detail"]
    finally:
        await comm.disconnect()
    task = await sync_to_async(ReviewTask.objects.get)(message_id=message.pk, followup=True)
    assert (task.pool, task.status) == ("senior", "pending")
