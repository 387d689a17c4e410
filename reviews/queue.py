"""The review queue as reviewers see it: open work ordered by priority, then SLA deadline."""

from django.db.models import Min
from django.utils import timezone

from reviews.models import ReviewTask
from reviews.roles import allowed_pools


def pending_queue(user=None, *, pool: str | None = None, include_claimed: bool = False):
    """Claimable tasks (pending; dead-lettered for seniors), P1 first, earliest deadline first.

    With a user, only the pools they may work (seniors see both). Related rows are joined so a console can
    render a page of the queue in a constant number of queries.
    """
    statuses = list(ReviewTask.CLAIMABLE_STATUSES)
    if include_claimed:
        statuses.append(ReviewTask.Status.CLAIMED)
    qs = ReviewTask.objects.filter(status__in=statuses)
    if user is not None:
        qs = qs.filter(pool__in=allowed_pools(user))
    if pool:
        qs = qs.filter(pool=pool)
    return qs.select_related("message", "session", "claimed_by").order_by("priority", "sla_deadline", "id")


def queue_depth() -> int:
    """Tasks waiting for a reviewer (pending or dead-lettered; claimed ones are being worked)."""
    return ReviewTask.objects.claimable().count()


def oldest_pending_seconds(now=None) -> float:
    oldest = ReviewTask.objects.claimable().aggregate(m=Min("created_at"))["m"]
    return ((now or timezone.now()) - oldest).total_seconds() if oldest else 0.0
