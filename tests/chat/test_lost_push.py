"""A push the channel layer lost still reaches the customer: the socket looks in the database while it owes an answer.

Redis pub/sub is at-most-once. A Redis restart, or an answer published while Redis was down, loses the push; the row
is stored, and before this the customer saw it only after reconnecting."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from chat import delivery
from chat.models import Message
from common import realtime

pytestmark = pytest.mark.django_db(transaction=True)


def _answer(question_id, text):
    question = Message.objects.select_related("session").get(pk=question_id)
    return delivery.send_to_customer(question.session, kind=Message.Kind.ANSWER, text=text, reply_to=question,
                                     status=Message.Status.AUTO).pk


async def _ask(s, text):
    await s.send({"type": "message", "client_id": text, "text": text})
    return (await s.recv_until("received"))["message_id"]


@pytest.fixture
def quick_catch_up(settings):
    settings.CHAT_CATCH_UP_SECONDS = 0.3


async def test_it_sends_an_answer_whose_push_was_lost(socket, quick_catch_up, monkeypatch):
    s = await socket()
    await s.hello()
    question = await _ask(s, "ワンピースの最新刊ある？")
    monkeypatch.setattr(realtime, "group_send", lambda group, message: None)  # Redis was down when it was pushed
    answer = await sync_to_async(_answer)(question, "在庫あります")
    frame = await s.recv(timeout=3)
    assert (frame["type"], frame["message_id"], frame["reply_to"]) == ("answer", answer, question)
    await s.nothing_more()
    await s.close()


async def test_it_sends_a_pushed_answer_once(socket, quick_catch_up, caplog):
    s = await socket()
    await s.hello()
    question = await _ask(s, "Is Haikyu finished?")
    await asyncio.sleep(0.5)  # the socket has looked once and found nothing; it looks again at 0.9 s
    answer = await sync_to_async(_answer)(question, "Yes, 45 volumes.")
    assert (await s.recv())["message_id"] == answer
    assert await s.comm.receive_nothing(timeout=1.5)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]  # the socket stopped looking, without a fault
    await s.close()


async def test_a_reconnected_socket_catches_up_on_a_question_asked_before(socket, quick_catch_up, monkeypatch):
    first = await socket()
    welcome = await first.hello()
    question = await _ask(first, "3巻ある？ ハイキュー")
    await first.close()
    again = await socket()
    await again.hello(session=welcome["session"])
    monkeypatch.setattr(realtime, "group_send", lambda group, message: None)
    answer = await sync_to_async(_answer)(question, "在庫あります")
    assert (await again.recv(timeout=3))["message_id"] == answer
    await again.close()
