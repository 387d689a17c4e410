"""A customer message keeps the correlation id of the socket event that brought it, into the task answering it."""

import logging

import pytest
from asgiref.sync import sync_to_async

from mangaassist import turn
from chat.drafts import Draft
from chat.models import Message

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_stores_the_socket_events_id_on_the_message_and_logs_the_turn_under_it(socket, auto_answers, caplog,
                                                                                      monkeypatch):
    monkeypatch.setattr(turn.pipeline, "produce_draft",
                        lambda message, memory: Draft(text="はい", category="general", confidence=0.9))
    caplog.set_level(logging.INFO, logger="mangaassist.events")
    s = await socket()
    await s.hello()
    await s.send({"type": "message", "client_id": "c1", "text": "こんにちは"})
    received = await s.recv_until("received")
    message = await sync_to_async(Message.objects.get)(pk=received["message_id"])
    ws_lines = [r for r in caplog.records if getattr(r, "kind", None) == "ws" and r.getMessage() == "message"]
    assert message.correlation_id and message.correlation_id == ws_lines[-1].correlation_id

    await sync_to_async(turn.answer_message)(message.pk)  # what the worker runs (no worker in this test)
    (turn_line,) = [r for r in caplog.records if getattr(r, "kind", None) == "task" and r.getMessage() == "turn"]
    assert turn_line.correlation_id == message.correlation_id and turn_line.message_id == message.pk
    await s.close()
