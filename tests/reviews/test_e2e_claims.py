"""Claims against a real database: two reviewers racing; three claim expiries swept by real beat → dead letter."""

import threading

import pytest
from django.db import connection

from reviews.decisions import ReviewConflict, do_claim
from reviews.escalation import route_draft
from reviews.models import ReviewTask
from tests.support.processes import celery_beat, celery_worker, wait_until

from tests.factories import api_client, customer_message, draft
from tests.support.processes import fast_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_it_lets_exactly_one_of_two_racing_reviewers_win(thresholds, reviewer, reviewer2):
    route_draft(customer_message(), draft(0.6))
    task = ReviewTask.objects.get()
    barrier, results = threading.Barrier(2), {}

    def claim(user):
        try:
            barrier.wait()
            do_claim(task.pk, user)
            results[user.username] = "won"
        except ReviewConflict as exc:
            results[user.username] = str(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (reviewer, reviewer2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(results.values()).count("won") == 1
    loser = next(v for v in results.values() if v != "won")
    assert loser.endswith("さんが担当中です。")  # names the winner, in the store's language


def test_it_dead_letters_a_task_after_three_expired_claims(fast, thresholds, reviewer):
    fast.REVIEW_TIMEOUT_SECONDS = fast.REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS = 30  # about claims, not timeouts
    env = fast_env(REVIEW_TIMEOUT_SECONDS=30, REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS=30)
    route_draft(customer_message(), draft(0.6))
    task = ReviewTask.objects.get()
    client = api_client(reviewer)
    with celery_worker(**env), celery_beat(**env):
        for expected in (1, 2, 3):
            assert client.post(f"/api/v1/reviews/{task.pk}/claim/").status_code == 200
            wait_until(lambda: ReviewTask.objects.get(pk=task.pk).release_count == expected, timeout=10,
                       message=f"claim expiry {expected}")
    task.refresh_from_db()
    assert (task.status, task.pool) == ("dead_lettered", "senior")
    assert client.post(f"/api/v1/reviews/{task.pk}/claim/").status_code == 409  # seniors only now
