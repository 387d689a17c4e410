"""Operations alerts: recorded (Alert, shown in the admin), e-mailed to ALERT_EMAILS, one open alert per kind.

check_alerts runs in every sweep: it opens an alert when its condition starts to hold (the partial unique
constraint makes a second sweep's attempt a no-op, so nobody is mailed twice) and resolves it when it stops.

Rates come from the rows (messages, tasks) of the last ALERT_WINDOW_SECONDS; signals that exist only as counters
(common.metrics: watchdog fallbacks, WebSocket disconnects, guard/limit violations) are turned into "how many in
the window" by keeping a short list of counter samples in Redis, as is the queue depth for "growing by > 100 in 5 min".
The circuit breaker's alert (threshold_breaker) is opened and resolved by threshold_changes.check_breaker.
"""

import json
import logging
from datetime import datetime, time as dtime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django_redis import get_redis_connection
from django.db.models import Count, Q, Sum
from django.utils import timezone

from chat.models import Message
from common.mail import mail_operations
from common.metrics import counter_total, incr
from reviews.availability import active_reviewer_count
from reviews.models import Alert, Priority, ReviewTask
from reviews.queue import oldest_pending_seconds, queue_depth
from reviews.thresholds import JST, is_peak

log = logging.getLogger(__name__)

QUEUE_DEPTH_LIMIT = 50
OLDEST_PENDING_LIMIT_S = 300
BREACH_RATE_LIMITS = {Priority.P1: 0.05, Priority.P2: 0.10}
BREACH_WINDOW = timedelta(hours=1)


def breach_rate(priority: int, now) -> tuple[float, int]:
    """Share of the last hour's tasks of this priority whose SLA passed without a decision in time."""
    counts = ReviewTask.objects.filter(priority=priority, created_at__gte=now - BREACH_WINDOW).sla_decided_or_due(
        now).aggregate(
        total=Count("pk"), breached=Count("pk", filter=Q(sla_breached=True)))
    total = counts["total"] or 0
    return ((counts["breached"] or 0) / total if total else 0.0), total


def min_reviewers(now) -> int:
    return settings.REVIEW_MIN_REVIEWERS_PEAK if is_peak(now) else settings.REVIEW_MIN_REVIEWERS_OFFPEAK


SAMPLES_KEY = "reviews:alerts:samples"
SAMPLED_COUNTERS = {"watchdog": ("chat_promise_fallback_total",), "disconnects": ("chat_ws_disconnects_total",),
                    "guards": ("pipeline_limit_violations_total", "pipeline_injection_total"),
                    "crashed": ("chat_turn_failures_total",)}


def escalation_rate(since, until) -> tuple[float, int]:
    """Of the customer turns answered or acknowledged in [since, until), the share sent to a human; and how many.

    A turn escalated (review or handoff) when it got a `review_pending` acknowledgement (as on the dashboard).
    """
    counts = (Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gte=since, created_at__lt=until,
                                     reply_to__isnull=False,
                                     kind__in=(Message.Kind.ANSWER, Message.Kind.REVIEW_PENDING))
              .aggregate(turns=Count("reply_to", distinct=True),
                         escalated=Count("reply_to", distinct=True, filter=Q(kind=Message.Kind.REVIEW_PENDING))))
    turns = counts["turns"] or 0
    return ((counts["escalated"] or 0) / turns if turns else 0.0), turns


def reviewer_load(since, now) -> tuple[float, int, int]:
    """Human tasks arriving per hour against what the active reviewers can take per hour (1.0 = full)."""
    from reviews.simulation import capacity_per_day

    created = ReviewTask.objects.filter(created_at__gte=since, parent__isnull=True).count()
    per_hour = created * 3600 / max(1.0, (now - since).total_seconds())
    active = active_reviewer_count(now)
    capacity = capacity_per_day(active) / 24
    if not capacity:
        return (float(created > 0) * 99.0), created, active
    return per_hour / capacity, created, active


def _samples_delta(now, current: dict, windows: dict) -> dict:
    """Record `current` (name → number) and return how much each grew since about windows[name] seconds ago.

    One short Redis list (newest first, capped) holds the samples of every signal; the first sweep has no history
    and reports no growth.
    """
    client = get_redis_connection()
    try:
        samples = [json.loads(raw) for raw in client.lrange(SAMPLES_KEY, 0, 720)]
        client.lpush(SAMPLES_KEY, json.dumps({"t": now.timestamp(), "v": current}))
        client.ltrim(SAMPLES_KEY, 0, 720)
    except Exception:
        log.exception("could not keep the alert samples")
        samples = []
    grown = {}
    for name, value in current.items():
        cutoff = now.timestamp() - windows[name]
        # The newest sample at least a window old; with less history, the oldest there is.
        base = next((s for s in samples if s["t"] <= cutoff), samples[-1] if samples else None)
        grown[name] = value - (base or {}).get("v", {}).get(name, value)
    return grown


def signal_conditions(now) -> dict[str, tuple[bool, str, float]]:
    """The operations signals (checked every ALERT_CHECK_SECONDS by the reviews.signal_alerts beat task, not in
    every 5-second sweep: a dozen queries that need not run that often)."""
    window_s = settings.ALERT_WINDOW_SECONDS
    since = now - timedelta(seconds=window_s)
    minutes = f"{window_s / 60:g} min"
    rate, turns = escalation_rate(since, now)
    load, created, active = reviewer_load(since, now)
    decided = ReviewTask.objects.filter(decided_at__gte=since, decided_at__lte=now).aggregate(
        total=Count("pk"), timeouts=Count("pk", filter=Q(decision=ReviewTask.Decision.TIMEOUT)))
    timeout_rate = (decided["timeouts"] or 0) / decided["total"] if decided["total"] else 0.0
    promises = Message.objects.filter(role=Message.Role.USER, answer_deadline__gte=since,
                                      answer_deadline__lt=now).aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(answered_at__isnull=True)))
    undelivered = (promises["open"] or 0) / promises["total"] if promises["total"] else 0.0
    failed = Message.objects.filter(role=Message.Role.ASSISTANT, status=Message.Status.FALLBACK,
                                    created_at__gte=since, created_at__lte=now).count()
    midnight = datetime.combine(now.astimezone(JST).date(), dtime.min, tzinfo=JST)
    spend = float(Message.objects.filter(created_at__gte=midnight, created_at__lte=now)
                  .aggregate(total=Sum("cost_usd"))["total"] or 0)
    current = {name: sum(counter_total(c) for c in counters) for name, counters in SAMPLED_COUNTERS.items()}
    current["queue"] = queue_depth()
    windows = dict.fromkeys(current, window_s)
    windows["queue"] = settings.ALERT_QUEUE_GROWTH_SECONDS
    grown = _samples_delta(now, current, windows)
    queue_grown = grown["queue"]
    budget = settings.BEDROCK_DAILY_BUDGET_USD
    return {
        Alert.Kind.ESCALATION_RATE: (turns > 0 and rate > settings.ALERT_ESCALATION_RATE,
                                     f"Escalation rate {rate:.0%} of {turns} turns in {minutes} > "
                                     f"{settings.ALERT_ESCALATION_RATE:.0%}", rate),
        Alert.Kind.REVIEWER_LOAD: (load > settings.ALERT_REVIEWER_LOAD,
                                   f"Reviewer load {load:.0%} of capacity ({created} tasks in {minutes}, "
                                   f"{active} active reviewers) > {settings.ALERT_REVIEWER_LOAD:.0%}", load),
        Alert.Kind.QUEUE_GROWTH: (queue_grown > settings.ALERT_QUEUE_GROWTH,
                                  f"Review queue grew by {queue_grown:.0f} in "
                                  f"{settings.ALERT_QUEUE_GROWTH_SECONDS / 60:g} min > {settings.ALERT_QUEUE_GROWTH}",
                                  queue_grown),
        Alert.Kind.REVIEW_TIMEOUT_RATE: (timeout_rate > settings.ALERT_REVIEW_TIMEOUT_RATE,
                                         f"Review timeout rate {timeout_rate:.0%} of {decided['total']} closed tasks in "
                                         f"{minutes} > {settings.ALERT_REVIEW_TIMEOUT_RATE:.0%}", timeout_rate),
        Alert.Kind.UNDELIVERED: (undelivered > settings.ALERT_UNDELIVERED_RATE,
                                 f"Undelivered promises {undelivered:.1%} of {promises['total']} due in {minutes} > "
                                 f"{settings.ALERT_UNDELIVERED_RATE:.0%}", undelivered),
        Alert.Kind.WATCHDOG_FALLBACKS: (grown["watchdog"] >= settings.ALERT_WATCHDOG_FALLBACKS,
                                        f"{grown['watchdog']:.0f} watchdog fallbacks in {minutes}", grown["watchdog"]),
        Alert.Kind.WS_DISCONNECTS: (grown["disconnects"] > settings.ALERT_WS_DISCONNECTS,
                                    f"{grown['disconnects']:.0f} abnormal WebSocket disconnects in {minutes} > "
                                    f"{settings.ALERT_WS_DISCONNECTS}", grown["disconnects"]),
        Alert.Kind.GUARD_VIOLATIONS: (grown["guards"] > settings.ALERT_GUARD_VIOLATIONS,
                                      f"{grown['guards']:.0f} guard/limit violations in {minutes} > "
                                      f"{settings.ALERT_GUARD_VIOLATIONS}", grown["guards"]),
        # A turn that raised is a bug, not an unsure answer: one in the window keeps the alert (mangaassist.turn opens it).
        Alert.Kind.FAILED_TURNS: (failed >= settings.ALERT_FAILED_TURNS or grown["crashed"] > 0,
                                  f"{failed} failed turns (fallback answers), {grown['crashed']:.0f} of them crashed, "
                                  f"in {minutes}", failed),
        Alert.Kind.BEDROCK_SPEND: (spend > budget, f"Bedrock spend today ${spend:.2f} > budget ${budget:.2f}", spend),
    }


def conditions(now) -> dict[str, tuple[bool, str, float]]:
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
    # the label in the store's language, the code for mail filters
    if mail_operations(f"{alert.get_kind_display()} ({alert.kind})", alert.message,
                       f"/admin/reviews/alert/{alert.pk}/change/", raised_at=alert.opened_at):
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


def resolve(kind: str, now=None) -> int:
    return Alert.objects.filter(kind=kind, resolved_at__isnull=True).update(resolved_at=now or timezone.now())


def check_alerts(now=None, conditions=conditions) -> list[str]:
    """Open what fires, resolve what stopped; returns the kinds opened now."""
    now = now or timezone.now()
    opened = []
    for kind, (firing, message, value) in conditions(now).items():
        if firing:
            if open_alert(kind, message, value, now):
                opened.append(kind)
        else:
            resolve(kind, now)
    return opened


def check_signal_alerts(now=None) -> list[str]:
    return check_alerts(now, signal_conditions)
