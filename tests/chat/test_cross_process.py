"""Across real processes: a uvicorn server holds the sockets, a Celery worker answers, the test is a third process.

The `websockets` sync client speaks to uvicorn like a browser would: resume after a dropped connection delivers
what was missed exactly once, two tabs both get every answer, a resent client_id is answered once.
"""

import json
import uuid
from contextlib import ExitStack

import pytest
from websockets.sync.client import connect

from chat.models import Message
from tests.support.processes import celery_worker, uvicorn_server, wait_until

pytestmark = [pytest.mark.slow]


class Tab:
    def __init__(self, base):
        self._stack = ExitStack()
        self.ws = self._stack.enter_context(connect(base.replace("http://", "ws://") + "/ws/chat/", open_timeout=10))

    def send(self, frame):
        self.ws.send(json.dumps(frame))

    def recv(self, timeout=30):
        return json.loads(self.ws.recv(timeout=timeout))

    def until(self, kind, timeout=30):
        while True:
            frame = self.recv(timeout)
            if frame["type"] == kind:
                return frame

    def hello(self, session=None, last_seen=0):
        self.send({"type": "hello", "session": session, "last_seen": last_seen, "locale": "ja"})
        return self.until("welcome")

    def ask(self, text, client_id=None):
        client_id = client_id or uuid.uuid4().hex
        self.send({"type": "message", "client_id": client_id, "text": text})
        return self.until("received")

    def nothing_more(self, timeout=0.5):
        try:
            frame = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame {frame}")

    def close(self):
        self._stack.close()


@pytest.fixture
def server(auto_answers):
    with celery_worker(concurrency=2), uvicorn_server() as base:
        yield base


def test_it_resumes_a_dropped_connection_with_what_was_missed_exactly_once(server):
    tab = Tab(server)
    welcome = tab.hello()
    first = tab.ask("ワンピースの1巻はありますか")
    answer = tab.until("answer")
    assert answer["reply_to"] == first["message_id"]
    tab.send({"type": "seen", "message_id": answer["message_id"]})
    second = tab.ask("2巻は？")
    tab.close()  # dropped before the second answer arrived (or before it was seen)

    missed = Message.objects.filter(reply_to_id=second["message_id"], kind="answer")
    wait_until(missed.exists, timeout=30, message="the second answer")
    again = Tab(server)
    assert again.hello(session=welcome["session"], last_seen=answer["message_id"])["session_id"] == welcome["session_id"]
    resent = again.until("answer")
    assert resent["reply_to"] == second["message_id"]
    again.send({"type": "seen", "message_id": resent["message_id"]})
    again.nothing_more()
    again.close()

    third = Tab(server)
    third.hello(session=welcome["session"], last_seen=resent["message_id"])
    third.nothing_more()
    third.close()


def test_two_tabs_both_get_each_answer_and_a_resent_message_is_answered_once(server):
    a, b = Tab(server), Tab(server)
    welcome = a.hello()
    b.hello(session=welcome["session"])
    sent = a.ask("在庫ありますか", client_id="same-id")
    again = a.ask("在庫ありますか", client_id="same-id")
    assert sent["message_id"] == again["message_id"]
    answer_a, answer_b = a.until("answer"), b.until("answer")
    assert answer_a == answer_b and answer_a["reply_to"] == sent["message_id"]
    a.nothing_more(1.0)
    assert Message.objects.filter(role="user").count() == 1
    assert Message.objects.filter(kind="answer").count() == 1
    a.close()
    b.close()
