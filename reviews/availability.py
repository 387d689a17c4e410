"""Reviewer check-in/out and last activity; the active-reviewer count the alerts and the dashboard use."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from reviews.models import ReviewerAvailability


def do_check_in(user, now=None) -> ReviewerAvailability:
    now = now or timezone.now()
    row, _ = ReviewerAvailability.objects.update_or_create(
        user=user, defaults={"checked_in": True, "checked_in_at": now, "last_activity_at": now})
    return row


def do_check_out(user, now=None) -> ReviewerAvailability:
    now = now or timezone.now()
    row, _ = ReviewerAvailability.objects.update_or_create(
        user=user, defaults={"checked_in": False, "checked_out_at": now})
    return row


def touch(user, now=None) -> None:
    """Record activity (a claim, a decision); a reviewer who acts is checked in."""
    now = now or timezone.now()
    if not ReviewerAvailability.objects.filter(user=user).update(last_activity_at=now, checked_in=True):
        ReviewerAvailability.objects.get_or_create(
            user=user, defaults={"checked_in": True, "checked_in_at": now, "last_activity_at": now})


def active_reviewers(now=None):
    """Checked in and active within REVIEWER_ACTIVE_SECONDS (a forgotten check-out stops counting)."""
    since = (now or timezone.now()) - timedelta(seconds=settings.REVIEWER_ACTIVE_SECONDS)
    return ReviewerAvailability.objects.filter(checked_in=True, last_activity_at__gte=since, user__is_active=True)


def active_reviewer_count(now=None) -> int:
    return active_reviewers(now).count()
