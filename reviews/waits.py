"""How long a customer waiting for a review should expect to wait, from the queue as it is now.

estimate = (tasks ahead of this one in the reviewers' order + 1) × median review time ÷ active reviewers,
where the median is over the latest decisions (claim → decision, the last 24 h) and falls back to the task's SLA
when nobody decided anything lately. It never exceeds the time left before the task times out: by then the
customer gets a final message either way (the checked answer, the disclaimer, or the specialist notice).
"""

import statistics
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from reviews.availability import active_reviewer_count
from reviews.models import ReviewTask

MEDIAN_SAMPLE = 200
MEDIAN_CACHE_S = 60
ROUND_TO_S = 30


def median_review_seconds(now=None) -> float | None:
    """Median claim → decision time of the latest decisions in the last 24 h (cached for a minute)."""
    cached = cache.get("reviews:median_review_s")
    if cached is not None:
        return cached or None
    since = (now or timezone.now()) - timedelta(hours=24)
    durations = list(ReviewTask.objects.filter(decided_at__gte=since, decided_by__isnull=False,
                                               review_duration_s__isnull=False)
                     .order_by("-decided_at").values_list("review_duration_s", flat=True)[:MEDIAN_SAMPLE])
    value = statistics.median(durations) if durations else 0.0
    cache.set("reviews:median_review_s", value, MEDIAN_CACHE_S)
    return value or None


def tasks_ahead(task: ReviewTask) -> int:
    """Open tasks a reviewer of this task's pool takes first (priority, then deadline — the console's order)."""
    earlier = Q(priority__lt=task.priority) | Q(priority=task.priority, sla_deadline__lt=task.sla_deadline)
    return (ReviewTask.objects.claimable().filter(pool=task.pool)
            .filter(earlier).exclude(pk=task.pk).count())


def estimated_wait_seconds(task: ReviewTask, now=None, *, ahead: int | None = None, active: int | None = None,
                           median: float | None = None) -> int:
    """The estimate for one task. A caller estimating many tasks at once (the heartbeat sweep) passes `ahead`,
    `active` and `median` it computed once for the batch (estimator()), so the sweep stays a few queries."""
    now = now or timezone.now()
    median = median if median is not None else median_review_seconds(now)
    if median is None:
        estimate = max(0.0, (task.sla_deadline - now).total_seconds())
    else:
        ahead = tasks_ahead(task) if ahead is None else ahead
        active = active_reviewer_count(now) if active is None else active
        estimate = (ahead + 1) * median / max(1, active)
    if task.timeout_at is not None:
        estimate = min(estimate, max(0.0, (task.timeout_at - now).total_seconds()))
    return int(-(-max(estimate, ROUND_TO_S) // ROUND_TO_S) * ROUND_TO_S)  # whole half-minutes, at least one


def estimator(now):
    """estimate(task) for a batch: three queries in all (median, active reviewers, the queue's order) however
    many tasks are estimated; the queue is read as (pool, priority, deadline) tuples, ranked in memory."""
    median = median_review_seconds(now)
    if median is None:
        return lambda task: estimated_wait_seconds(task, now, median=None)
    active = active_reviewer_count(now)
    queue = list(ReviewTask.objects.claimable()
                 .order_by("pool", "priority", "sla_deadline").values_list("pk", "pool", "priority", "sla_deadline"))
    rank, seen = {}, {}
    for pk, pool, priority, deadline in queue:
        rank[pk] = seen.get(pool, 0)
        seen[pool] = rank[pk] + 1

    def estimate(task):
        ahead = rank.get(task.pk)
        if ahead is None:  # claimed meanwhile, or not claimable: count what sorts before it
            ahead = sum(1 for _, pool, priority, deadline in queue
                        if pool == task.pool and (priority, deadline) < (task.priority, task.sla_deadline))
        return estimated_wait_seconds(task, now, ahead=ahead, active=active, median=median)

    return estimate
