"""A turn that fails never holds up the session: the failing message gets the safe fallback (and a person), the
failure is counted and alerted, and the session's later messages are answered at once, not after the watchdog."""

import time

import pytest
from asgiref.sync import sync_to_async

from chat.models import ChatSession, Message
from common import metrics
from reviews.models import Alert, ReviewTask
from tests.support.faulty_turns import FAIL_MARK
from tests.support.processes import celery_worker

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _answers(s, count, timeout=30):
    received, answers = {}, []
    deadline = time.monotonic() + timeout
    while len(answers) < count:
        frame = await s.recv(timeout=max(0.1, deadline - time.monotonic()))
        if frame["type"] == "received":
            received[frame["client_id"]] = frame["message_id"]
        elif frame["type"] == "answer":
            answers.append(frame)
    return received, answers


@pytest.mark.slow
async def test_it_answers_the_messages_after_a_failing_turn_at_once_on_a_real_worker(socket, auto_answers, catalog_data):  # noqa: F811
    before = await sync_to_async(metrics.counter_value)("chat_turn_failures_total", error="RuntimeError")
    with celery_worker(concurrency=2, DJANGO_SETTINGS_MODULE="tests.support.faulty_settings"):
        s = await socket()
        await s.hello()
        started = time.monotonic()
        await s.send({"type": "message", "client_id": "bad", "text": f"ワンピースの1巻 {FAIL_MARK}"})
        await s.send({"type": "message", "client_id": "next", "text": "ワンピースの1巻はありますか"})
        received, answers = await _answers(s, 2)
        by_question = {a["reply_to"]: a for a in answers}
        assert by_question[received["bad"]]["status"] == "fallback"
        assert "担当者" in by_question[received["bad"]]["text"]
        assert by_question[received["next"]]["status"] == "auto"
        assert "ONE PIECE」1巻は在庫あり" in by_question[received["next"]]["text"]
        assert time.monotonic() - started < 30  # not the watchdog's five minutes

        await s.send({"type": "message", "client_id": "later", "text": "Is One Piece volume 2 in stock?"})
        received_later, later = await _answers(s, 1)
        assert later[0]["reply_to"] == received_later["later"] and later[0]["status"] == "auto"
        await s.close()

    assert await sync_to_async(metrics.counter_value)("chat_turn_failures_total", error="RuntimeError") == before + 1
    alert = await sync_to_async(Alert.objects.filter(kind=Alert.Kind.FAILED_TURNS, resolved_at__isnull=True).first)()
    assert alert is not None and str(received["bad"]) in alert.message
    # the fallback promises that a person gets back to the customer: the task for that person exists
    assert await sync_to_async(ReviewTask.objects.filter(message_id=received["bad"]).exists)()


def test_it_keeps_the_alert_open_while_a_crashed_turn_is_in_the_window(transactional_db, monkeypatch):
    from chat import pipeline
    from mangaassist import turn
    from reviews import alerts

    alerts.check_signal_alerts()  # the beat has been sampling the counters before the crash
    session = ChatSession.objects.create(locale="en")
    message = Message.objects.create(session=session, role="user", text="Is One Piece volume 1 in stock?")
    monkeypatch.setattr(pipeline, "produce_draft", lambda *a: (_ for _ in ()).throw(KeyError("summary")))
    turn.answer_message(message.pk)

    fallback = Message.objects.get(reply_to=message, role="assistant")
    assert fallback.status == "fallback" and fallback.text == pipeline.SAFE_FALLBACK["en"]
    assert Alert.objects.filter(kind=Alert.Kind.FAILED_TURNS, resolved_at__isnull=True).exists()
    alerts.check_signal_alerts()  # one crash is below ALERT_FAILED_TURNS fallbacks, but a crash is a bug
    assert Alert.objects.filter(kind=Alert.Kind.FAILED_TURNS, resolved_at__isnull=True).exists()
