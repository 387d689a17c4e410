"""Queue-depth backpressure: when reviewers cannot keep up, relax auto_respond_min of normal-risk categories.

depth > 50 → auto_respond_min − 0.10 (not below 0.70); depth > 100 → − 0.15 (not below 0.60). High-risk categories
are never relaxed. A level is applied as ThresholdOverride rows (reason, 2 h expiry, recorded as ThresholdChange)
and lifted once depth falls below half the trigger of the active level (hysteresis, so it does not flap).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.metrics import incr
from reviews.models import EscalationThreshold, RiskClass, ThresholdChange, ThresholdOverride
from reviews.queue import queue_depth
from reviews.thresholds import bump_version

log = logging.getLogger(__name__)
LOCK_KEY = "reviews:backpressure:lock"


@dataclass(frozen=True)
class Level:
    trigger: int  # depth strictly above this applies the level
    delta: float
    floor: float


LEVELS = (Level(50, 0.10, 0.70), Level(100, 0.15, 0.60))


def target_level(depth: int, current: int) -> int:
    level = current
    while level > 0 and depth < LEVELS[level - 1].trigger / 2:
        level -= 1
    for number, lv in enumerate(LEVELS, 1):
        if depth > lv.trigger:
            level = max(level, number)
    return level


def active_overrides(now=None):
    return ThresholdOverride.objects.filter(lifted_at__isnull=True, expires_at__gt=now or timezone.now())


def current_level(now=None) -> int:
    return max((o.level for o in active_overrides(now)), default=0)


def _lift(overrides, now, reason: str, changed_by=None, source=ThresholdChange.Source.BACKPRESSURE) -> int:
    lifted = 0
    for override in overrides:
        if ThresholdOverride.objects.filter(pk=override.pk, lifted_at__isnull=True).update(
                lifted_at=now, lifted_reason=reason[:200]):
            lifted += 1
            ThresholdChange.objects.create(
                category=override.category, source=source, changed_at=now, changed_by=changed_by,
                threshold=EscalationThreshold.objects.filter(category=override.category).first(),
                before={"auto_respond_min": override.auto_respond_min},
                after={"auto_respond_min": None}, reason=f"override lifted: {reason}"[:200])
    return lifted


def do_lift_overrides(overrides, user, now=None) -> int:
    """Lift the given overrides now, by hand (the admin's action); returns how many were still active.

    Each lift is recorded as a ThresholdChange by `user` (source admin), like every other threshold change, and every
    process reloads its thresholds after the commit. Lifting one that was already lifted does nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        lifted = _lift(list(overrides), now, f"lifted by {user}", changed_by=user, source=ThresholdChange.Source.ADMIN)
        if lifted:
            transaction.on_commit(bump_version)
    return lifted


def apply_backpressure(now=None, depth: int | None = None) -> int:
    """Bring the overrides in line with the queue depth; returns the level now in force. Idempotent.

    Only one process adjusts at a time (a short Redis lock); the one-active-override-per-category constraint backs it.
    """
    now = now or timezone.now()
    if not cache.add(LOCK_KEY, 1, timeout=30):
        return current_level(now)
    try:
        depth = queue_depth() if depth is None else depth
        # Expired overrides are lifted (recorded); if the queue is still deep the level is re-applied below.
        expired = list(ThresholdOverride.objects.filter(lifted_at__isnull=True, expires_at__lte=now))
        if expired:
            with transaction.atomic():
                _lift(expired, now, "expired")
                transaction.on_commit(bump_version)
        active = list(active_overrides(now))
        level = max((o.level for o in active), default=0)
        target = target_level(depth, level)
        if target == level:
            return level
        with transaction.atomic():
            if target == 0:
                _lift(active, now, f"queue depth {depth} below {LEVELS[level - 1].trigger // 2}")
            else:
                _lift(active, now, f"replaced by level {target}")
                lv = LEVELS[target - 1]
                expires = now + timedelta(hours=settings.REVIEW_OVERRIDE_HOURS)
                reason = f"queue depth {depth} > {lv.trigger}: auto_respond_min −{lv.delta:.2f} (floor {lv.floor:.2f})"
                for threshold in EscalationThreshold.objects.filter(risk_class=RiskClass.NORMAL):
                    value = round(max(lv.floor, threshold.auto_respond_min - lv.delta), 4)
                    value = max(value, threshold.review_min)  # never below review_min: review stays reachable
                    if value >= threshold.auto_respond_min:
                        continue
                    try:
                        with transaction.atomic():
                            ThresholdOverride.objects.create(category=threshold.category, auto_respond_min=value,
                                                             level=target, reason=reason, created_at=now,
                                                             expires_at=expires)
                    except IntegrityError:
                        continue
                    ThresholdChange.objects.create(
                        threshold=threshold, category=threshold.category, changed_at=now, reason=reason,
                        source=ThresholdChange.Source.BACKPRESSURE,
                        before={"auto_respond_min": threshold.auto_respond_min}, after={"auto_respond_min": value})
            transaction.on_commit(bump_version)
        log.warning("backpressure level %s → %s at queue depth %s", level, target, depth)
        incr("review_backpressure_changes_total", level=str(target))
        return target
    finally:
        cache.delete(LOCK_KEY)
