"""Every signal has an alert: it opens once (one e-mail), stays one row while the condition holds, and closes when the
condition clears."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django_redis import get_redis_connection
from django.utils import timezone

from chat.models import ChatSession, Message
from common.metrics import incr
from reviews.alerts import SAMPLES_KEY, check_signal_alerts as check_alerts
from reviews.escalation import route_draft
from reviews.models import Alert, ReviewTask

from tests.factories import customer_message, draft


@pytest.fixture(autouse=True)
def _clean_samples(settings):
    get_redis_connection().delete(SAMPLES_KEY)
    settings.ALERT_EMAILS = ["ops@example.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _escalation(now, settings):
    for confidence in [0.6] * 3 + [0.9] * 7:  # 3 of 10 turns to a reviewer: 30 % > 25 %
        route_draft(customer_message(), draft(confidence, "general"))
    return lambda: Message.objects.update(created_at=now - timedelta(hours=2))


def _reviewer_load(now, settings):
    route_draft(customer_message(), draft(0.6, "general"))  # a task arrives and nobody is checked in
    return lambda: ReviewTask.objects.update(created_at=now - timedelta(hours=2))


def _queue_growth(now, settings):
    settings.ALERT_QUEUE_GROWTH = 5
    for _ in range(6):
        route_draft(customer_message(), draft(0.6, "general"))
    return None  # clears once the growth is older than ALERT_QUEUE_GROWTH_SECONDS


def _review_timeouts(now, settings):
    route_draft(customer_message(), draft(0.6, "general"))
    ReviewTask.objects.update(status="timed_out", decision="timeout", decided_at=now)
    return lambda: ReviewTask.objects.update(decided_at=now - timedelta(hours=2))


def _undelivered(now, settings):
    message = customer_message()
    Message.objects.filter(pk=message.pk).update(answer_deadline=now - timedelta(minutes=1))
    return lambda: Message.objects.filter(pk=message.pk).update(answered_at=now)


def _counter(name, setting=None, amount=1, **labels):
    def setup(now, settings):
        if setting:
            setattr(settings, setting, amount - 1)
        for _ in range(amount):
            incr(name, **labels)
        return None  # clears once the increments are older than the window
    return setup


def _guards(now, settings):
    settings.ALERT_GUARD_VIOLATIONS = 3
    incr("pipeline_limit_violations_total", 2, limit="session_cost")
    incr("pipeline_injection_total", 2)
    return None


def _failed_turns(now, settings):
    settings.ALERT_FAILED_TURNS = 2
    session = ChatSession.objects.create()
    for _ in range(2):
        Message.objects.create(session=session, role="assistant", kind="answer", status="fallback", text="…")
    return lambda: Message.objects.update(created_at=now - timedelta(hours=2))


def _spend(now, settings):
    settings.BEDROCK_DAILY_BUDGET_USD = 1.0
    session = ChatSession.objects.create()
    Message.objects.create(session=session, role="assistant", kind="answer", text="…", cost_usd=Decimal("1.5"))
    return lambda: Message.objects.update(created_at=now - timedelta(days=2))


CASES = {
    "escalation_rate": _escalation,
    "reviewer_load": _reviewer_load,
    "queue_growth": _queue_growth,
    "review_timeout_rate": _review_timeouts,
    "undelivered_promises": _undelivered,
    "watchdog_fallbacks": _counter("chat_promise_fallback_total"),
    "ws_disconnects": _counter("chat_ws_disconnects_total", "ALERT_WS_DISCONNECTS", amount=4),
    "guard_violations": _guards,
    "failed_turns": _failed_turns,
    "bedrock_spend": _spend,
}


def test_it_covers_every_signal_kind():
    # The queue alerts predate these signals; the answer tier and follow-ups open theirs where they happen (tested in
    # tests/pipeline/test_degradation.py and tests/reviews/test_console_followups.py).
    assert set(CASES) | {"threshold_breaker"} >= {k for k in Alert.Kind.values if k not in (
        "queue_depth", "oldest_pending", "p1_breach_rate", "p2_breach_rate", "reviewers_low", "dead_letter",
        "answer_tier", "followup_waiting", "followup_overdue")}


@pytest.mark.parametrize("kind", sorted(CASES))
def test_it_opens_each_alert_once_and_closes_it_when_clear(kind, settings, thresholds,
                                                           django_capture_on_commit_callbacks):
    start = timezone.now()
    assert kind not in check_alerts(start)  # the baseline sample
    clear = CASES[kind](start, settings)
    later = start + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert kind in check_alerts(later)
    with django_capture_on_commit_callbacks(execute=True):
        assert kind not in check_alerts(later + timedelta(seconds=1))
    alert = Alert.objects.get(kind=kind)
    assert alert.is_open and alert.message
    assert sum(alert.message in m.body for m in mail.outbox) == 1
    if clear is not None:
        clear()
        cleared_at = later + timedelta(seconds=2)
    else:
        cleared_at = later + timedelta(seconds=max(settings.ALERT_WINDOW_SECONDS,
                                                   settings.ALERT_QUEUE_GROWTH_SECONDS) + 10)
    check_alerts(cleared_at)
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert Alert.objects.filter(kind=kind).count() == 1
