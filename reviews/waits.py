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
    return (ReviewTask.objects.filter(status__in=ReviewTask.CLAIMABLE_STATUSES, pool=task.pool)
            .filter(earlier).exclude(pk=task.pk).count())


def estimated_wait_seconds(task: ReviewTask, now=None) -> int:
    now = now or timezone.now()
    median = median_review_seconds(now)
    if median is None:
        estimate = max(0.0, (task.sla_deadline - now).total_seconds())
    else:
        estimate = (tasks_ahead(task) + 1) * median / max(1, active_reviewer_count(now))
    if task.timeout_at is not None:
        estimate = min(estimate, max(0.0, (task.timeout_at - now).total_seconds()))
    return int(-(-max(estimate, ROUND_TO_S) // ROUND_TO_S) * ROUND_TO_S)  # whole half-minutes, at least one
