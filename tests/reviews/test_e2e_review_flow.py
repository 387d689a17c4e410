"""A real worker and beat (shortened timings): acknowledgement → heartbeat → a reviewer decides over the API."""

import time

import pytest

from chat.models import Message
from reviews.escalation import route_draft
from reviews.models import ReviewTask
from tests.support.processes import celery_beat, celery_worker, wait_until

from tests.factories import api_client, assistant_messages, customer_message, draft
from tests.support.processes import fast_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _kinds(message):
    return [(m.kind, m.status) for m in assistant_messages(message)]


def test_it_carries_reviews_from_acknowledgement_to_the_customers_answer(fast, thresholds, reviewer):
    fast.REVIEW_TIMEOUT_SECONDS = fast.REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS = 20  # about decisions, not timeouts
    env = fast_env(REVIEW_TIMEOUT_SECONDS=20, REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS=20)
    with celery_worker(**env), celery_beat(**env):
        approve, edit, reject = (customer_message(locale=loc) for loc in ("ja", "en", "ja"))
        for message in (approve, edit, reject):
            route_draft(message, draft(0.6, "shipping"))
        assert _kinds(approve) == [("review_pending", "")]
        heartbeat = wait_until(
            lambda: Message.objects.filter(reply_to=approve, kind="heartbeat").first(), timeout=10,
            message="a heartbeat from the beat-driven sweep")
        assert heartbeat.text == "まだ確認中です…（1分経過）" and heartbeat.meta["elapsed_s"] >= 1
        assert Message.objects.filter(reply_to=edit, kind="heartbeat").first().text == "Still checking… (1 min)"

        client = api_client(reviewer)
        task = ReviewTask.objects.get(message=approve)
        assert client.post(f"/api/v1/reviews/{task.pk}/claim/").status_code == 200
        assert client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "approve"},
                           format="json").status_code == 200
        task = ReviewTask.objects.get(message=edit)
        assert client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "edit", "text": "Ships tomorrow."},
                           format="json").status_code == 200
        task = ReviewTask.objects.get(message=reject)
        assert client.post(f"/api/v1/reviews/{task.pk}/decision/", {"decision": "reject", "reason": "wrong"},
                           format="json").status_code == 200
        handoff = ReviewTask.objects.get(message=reject, status="pending")
        assert client.post(f"/api/v1/reviews/{handoff.pk}/decision/", {"decision": "edit", "text": "担当者です"},
                           format="json").status_code == 200

        finals = lambda m: [(x.status, x.text) for x in assistant_messages(m) if x.kind == "answer"]  # noqa: E731
        assert finals(approve) == [("reviewed", "draft answer about shipping")]
        assert finals(edit) == [("edited", "Ships tomorrow.")]
        assert finals(reject) == [("human", "担当者です")]
        beats = Message.objects.filter(reply_to=approve, kind="heartbeat").count()
        time.sleep(2)  # the sweep keeps running: no heartbeat after the answer, no second final answer
        assert Message.objects.filter(reply_to=approve, kind="heartbeat").count() == beats
        assert finals(approve) == [("reviewed", "draft answer about shipping")]
