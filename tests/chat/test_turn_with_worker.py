"""The turn through a real Celery worker: ordered answers per session, each seeing the earlier turns."""

import time

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from tests.support.processes import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


async def test_it_answers_two_messages_10ms_apart_in_order_the_second_seeing_the_first(socket, auto_answers):
    with celery_worker(concurrency=2):
        s = await socket()
        await s.hello()
        await s.send({"type": "message", "client_id": "first", "text": "ワンピースの1巻はありますか"})
        time.sleep(0.01)
        await s.send({"type": "message", "client_id": "second", "text": "2巻は？"})
        received = {}
        answers = []
        while len(answers) < 2:
            frame = await s.recv(timeout=30)
            if frame["type"] == "received":
                received[frame["client_id"]] = frame["message_id"]
            elif frame["type"] == "answer":
                answers.append(frame)
        assert [a["reply_to"] for a in answers] == [received["first"], received["second"]]
        second_answer = await sync_to_async(Message.objects.get)(pk=answers[1]["message_id"])
        assert second_answer.meta["prior_turns"] >= 2  # the first question and its answer were in its context
        await s.close()
