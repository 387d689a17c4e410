"""Operations alerts: recorded (Alert, shown in the admin), e-mailed to ALERT_EMAILS, one open alert per kind.

check_alerts runs in every sweep: it opens an alert when its condition starts to hold (the partial unique
constraint makes a second sweep's attempt a no-op, so nobody is mailed twice) and resolves it when it stops.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from mangaassist.metrics import incr
from reviews.availability import active_reviewer_count
from reviews.models import Alert, Priority, ReviewTask
from reviews.queue import oldest_pending_seconds, queue_depth
from reviews.thresholds import is_peak

log = logging.getLogger(__name__)

QUEUE_DEPTH_LIMIT = 50
OLDEST_PENDING_LIMIT_S = 300
BREACH_RATE_LIMITS = {Priority.P1: 0.05, Priority.P2: 0.10}
BREACH_WINDOW = timedelta(hours=1)


def breach_rate(priority: int, now) -> tuple[float, int]:
    """Share of the last hour's tasks of this priority whose SLA passed without a decision in time."""
    counts = ReviewTask.objects.filter(priority=priority, created_at__gte=now - BREACH_WINDOW).filter(
        Q(sla_deadline__lt=now) | Q(decided_at__isnull=False)).aggregate(
        total=Count("pk"), breached=Count("pk", filter=Q(sla_breached=True)))
    total = counts["total"] or 0
    return ((counts["breached"] or 0) / total if total else 0.0), total


def min_reviewers(now) -> int:
    return settings.REVIEW_MIN_REVIEWERS_PEAK if is_peak(now) else settings.REVIEW_MIN_REVIEWERS_OFFPEAK


def conditions(now) -> dict[str, tuple[bool, str, float]]:
    """kind → (firing, message, value)."""
    depth = queue_depth()
    oldest = oldest_pending_seconds(now)
    p1, _ = breach_rate(Priority.P1, now)
    p2, _ = breach_rate(Priority.P2, now)
    active, needed = active_reviewer_count(now), min_reviewers(now)
    dead = ReviewTask.objects.filter(status=ReviewTask.Status.DEAD_LETTERED).count()
    return {
        Alert.Kind.QUEUE_DEPTH: (depth > QUEUE_DEPTH_LIMIT, f"Review queue depth {depth} > {QUEUE_DEPTH_LIMIT}", depth),
        Alert.Kind.OLDEST_PENDING: (oldest > OLDEST_PENDING_LIMIT_S,
                                    f"Oldest pending review waits {oldest:.0f} s > {OLDEST_PENDING_LIMIT_S} s", oldest),
        Alert.Kind.P1_BREACH_RATE: (p1 > BREACH_RATE_LIMITS[Priority.P1], f"P1 SLA breach rate {p1:.0%} > 5%", p1),
        Alert.Kind.P2_BREACH_RATE: (p2 > BREACH_RATE_LIMITS[Priority.P2], f"P2 SLA breach rate {p2:.0%} > 10%", p2),
        Alert.Kind.REVIEWERS_LOW: (active < needed, f"{active} active reviewers, minimum {needed}", active),
        Alert.Kind.DEAD_LETTER: (dead > 0, f"{dead} dead-lettered review tasks in the senior pool", dead),
    }


def _email(alert_id: int) -> None:
    alert = Alert.objects.get(pk=alert_id)
    try:
        send_mail(f"[MangaAssist] {alert.get_kind_display()}", f"{alert.message}\n\nOpened {alert.opened_at:%Y-%m-%d %H:%M:%S %Z}"
                  f"\n{settings.SITE_URL}/admin/reviews/alert/{alert.pk}/change/",
                  settings.DEFAULT_FROM_EMAIL, settings.ALERT_EMAILS)
    except Exception:
        log.exception("could not e-mail alert %s", alert.pk)
        return
    Alert.objects.filter(pk=alert_id).update(emailed_at=timezone.now())


def open_alert(kind: str, message: str, value: float | None = None, now=None) -> Alert | None:
    """Open an alert of this kind unless one is open already; e-mail it after commit. Returns the new alert."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            alert = Alert.objects.create(kind=kind, message=message[:300], value=value, opened_at=now)
            if settings.ALERT_EMAILS:
                transaction.on_commit(lambda: _email(alert.pk))
    except IntegrityError:
        return None
    log.warning("alert opened: %s", message)
    incr("review_alerts_total", kind=kind)
    return alert


def check_alerts(now=None) -> list[str]:
    """Open what fires, resolve what stopped; returns the kinds opened now."""
    now = now or timezone.now()
    opened = []
    for kind, (firing, message, value) in conditions(now).items():
        if firing:
            if open_alert(kind, message, value, now):
                opened.append(kind)
        else:
            Alert.objects.filter(kind=kind, resolved_at__isnull=True).update(resolved_at=now)
    return opened
