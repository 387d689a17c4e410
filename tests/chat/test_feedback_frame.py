"""The consumer hands `feedback` frames to the handler the feedback app registered (chat.frames) and sends back what
it returns."""

import pytest
from asgiref.sync import sync_to_async

from chat import delivery
from chat.models import ChatSession, Message

pytestmark = pytest.mark.django_db(transaction=True)


def _answer(session_id):
    session = ChatSession.objects.get(public_id=session_id)
    question = Message.objects.create(session=session, role="user", text="在庫は？", client_id="q1")
    return delivery.send_to_customer(session, kind=Message.Kind.ANSWER, text="あります", reply_to=question,
                                     status="auto", category="availability").pk


async def test_it_acknowledges_a_thumb_on_an_answer(socket):
    s = await socket()
    welcome = await s.hello()
    answer_id = await sync_to_async(_answer)(welcome["session_id"])
    await s.recv_until("answer")
    await s.send({"type": "feedback", "message_id": answer_id, "kind": "thumb", "value": "up"})
    ack = await s.recv()
    assert ack["type"] == "feedback_ack" and ack["feedback_id"]
    await s.send({"type": "feedback", "message_id": 999999, "kind": "thumb", "value": "up"})
    assert (await s.recv())["type"] == "error"
    await s.close()


async def test_it_answers_invalid_for_a_frame_type_nobody_registered(socket, monkeypatch):
    from chat import frames

    monkeypatch.setattr(frames, "_handlers", {})  # as if the feedback app were not installed
    s = await socket()
    await s.hello()
    await s.send({"type": "feedback", "message_id": 1, "kind": "thumb", "value": "up"})
    error = await s.recv()
    assert error["type"] == "error" and error["code"] == "invalid" and "feedback" in error["detail"]
    await s.send({"type": "ping", "ts": 1})
    assert (await s.recv())["type"] == "pong"
    await s.close()
