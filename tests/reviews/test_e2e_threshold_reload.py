"""A threshold saved in one process is used by a worker process within seconds."""

import time

import pytest

from reviews.models import EscalationThreshold
from reviews.tasks import decide_task
from tests.support.processes import celery_worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_reloads_a_threshold_change_in_another_process(thresholds):
    with celery_worker(concurrency=1):
        assert decide_task.delay("general", 0.8).get(timeout=20)["route"] == "review"  # warm the worker's cache
        threshold = EscalationThreshold.objects.get(category="general")
        threshold.auto_respond_min = 0.75
        threshold.save()
        started = time.monotonic()
        wait_until(lambda: decide_task.delay("general", 0.8).get(timeout=10)["route"] == "auto", timeout=5,
                   message="the worker to see the new threshold")
        assert time.monotonic() - started < 3
