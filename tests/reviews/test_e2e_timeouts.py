"""A real worker and beat: nobody reviews within the (shortened) timeout."""

import pytest

from chat.models import Message
from reviews.escalation import route_draft
from reviews.models import ReviewTask
from tests.support.processes import celery_beat, celery_worker, wait_until

from tests.factories import assistant_messages, customer_message, draft
from tests.support.processes import fast_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_keeps_every_promise_at_the_timeout(fast, thresholds):
    with celery_worker(**fast_env()), celery_beat(**fast_env()):
        normal, risky = customer_message(locale="ja"), customer_message(locale="en")
        route_draft(normal, draft(0.6, "order_status", text="ご注文は発送済みです"))
        route_draft(risky, draft(0.6, "refund", text="A refund of ¥5000 is on its way"))
        final = lambda m: Message.objects.filter(reply_to=m, kind="answer").first()  # noqa: E731
        got = wait_until(lambda: final(normal) and final(risky), timeout=15, message="both timeouts")
        assert got
        normal_answer, risky_answer = final(normal), final(risky)
        assert normal_answer.status == "timeout"
        assert normal_answer.text == ("こちらが見つかった情報です。自動生成された回答のため、完全に検証されていない場合があります。"
                                      "\n\nご注文は発送済みです")
        assert risky_answer.status == "specialist" and "specialist" in risky_answer.text and "¥5000" not in risky_answer.text
        assert ReviewTask.objects.get(message=normal).status == "timed_out"
        followup = ReviewTask.objects.get(message=risky, status="pending")
        assert (followup.pool, followup.kind, followup.followup) == ("senior", "handoff", True)
        assert [m.kind for m in assistant_messages(normal)].count("answer") == 1
