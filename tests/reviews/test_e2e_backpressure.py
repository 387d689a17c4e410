"""Real beat applies backpressure when the queue backs up and lifts it when it drains; a worker decides with it."""

import pytest

from reviews.escalation import route_draft
from reviews.models import ReviewTask, ThresholdOverride
from reviews.tasks import decide_task
from tests.support.processes import celery_beat, celery_worker, wait_until

from tests.factories import customer_message, draft
from tests.support.processes import fast_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_applies_and_lifts_backpressure(fast, thresholds):
    fast.REVIEW_TIMEOUT_SECONDS = fast.REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS = 120
    env = fast_env(REVIEW_TIMEOUT_SECONDS=120, REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS=120)
    for _ in range(51):
        route_draft(customer_message(), draft(0.6, "general"))
    with celery_worker(**env), celery_beat(**env):
        wait_until(lambda: ThresholdOverride.objects.filter(lifted_at__isnull=True).exists(), timeout=10,
                   message="backpressure override")
        active = ThresholdOverride.objects.filter(lifted_at__isnull=True)
        assert {o.category: o.auto_respond_min for o in active}["general"] == 0.75
        assert not active.filter(category__in=["refund", "payment", "complaint", "legal"]).exists()
        assert "queue depth 51 > 50" in active.first().reason
        wait_until(lambda: decide_task.delay("general", 0.8).get(timeout=10)["route"] == "auto", timeout=10,
                   message="the worker to decide with the override")
        ReviewTask.objects.filter(pk__in=ReviewTask.objects.values_list("pk", flat=True)[:30]).update(
            status="approved")
        wait_until(lambda: not ThresholdOverride.objects.filter(lifted_at__isnull=True).exists(), timeout=10,
                   message="the override to be lifted below half its trigger")
        wait_until(lambda: decide_task.delay("general", 0.8).get(timeout=10)["route"] == "review", timeout=10,
                   message="the worker to drop the override")
