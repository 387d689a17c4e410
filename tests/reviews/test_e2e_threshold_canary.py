"""Real worker and beat at shortened timings: a canary is promoted or reverted on its observed escalation rate, and
the circuit breaker restores the last known-good thresholds on its own, alerts, and leaves the revert in the history."""

import pytest
from django_redis import get_redis_connection
from django.utils import timezone

from chat.models import Message
from common.metrics import COUNTERS_KEY
from reviews import roles
from reviews.escalation import route_draft
from reviews.history import insert_answers
from reviews.models import (Alert, EscalationThreshold, KnownGoodState, ThresholdChange, ThresholdProposal,
                            ThresholdProposalEvent)
from reviews.tasks import decide_task
from reviews.threshold_changes import canary_band, canary_observed, do_approve, do_propose, promote
from reviews.thresholds import reset_cache
from tests.support.processes import celery_beat, celery_worker, wait_until

from tests.factories import customer_message, draft, make_user
from tests.support.processes import fast_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def leads(django_user_model, thresholds):
    get_redis_connection().delete(COUNTERS_KEY)  # canary counters are keyed by proposal id
    return make_user(django_user_model, "mika", roles.ML_LEAD), make_user(django_user_model, "kenji", roles.ML_LEAD)


def _env(**extra):
    # Sweeps every 2 s are enough here: the worker's time goes to the watch task this test is about.
    return fast_env(REVIEW_SWEEP_SECONDS=2, THRESHOLD_WATCH_SECONDS=0.5, THRESHOLD_CANARY_MIN_TURNS=20, THRESHOLD_BREAKER_MIN_TURNS=10,
                    THRESHOLD_BREAKER_SECONDS=1, THRESHOLD_BREAKER_WINDOW_SECONDS=120, REVIEW_TIMEOUT_SECONDS=120,
                    REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS=120, **extra)


def _canary(leads, auto_respond_min):
    lead, lead2 = leads
    insert_answers(3000, hours=100)  # the history the simulation replays
    proposal = do_propose(lead, {"general": {"auto_respond_min": auto_respond_min}}, "relax general",
                          canary_percent=100, canary_hours=1)
    do_approve(proposal.pk, lead2)
    proposal.refresh_from_db()
    assert proposal.status == "canary"
    reset_cache()
    return proposal


def _end_canary_now(proposal):
    ThresholdProposal.objects.filter(pk=proposal.pk).update(canary_ends_at=timezone.now())


def _status(proposal):
    return ThresholdProposal.objects.get(pk=proposal.pk).status


def test_it_promotes_a_canary_whose_escalation_rate_stays_in_the_simulated_band(leads):
    proposal = _canary(leads, 0.75)
    low, high = canary_band(proposal.simulation)
    assert low <= 3 / 40 <= high  # what the canary will show is what the simulation expected
    env = _env(THRESHOLD_BREAKER_RATE=0.95)
    with celery_worker(concurrency=2, **env), celery_beat(**env):
        for confidence in [0.8] * 37 + [0.6] * 3:  # 0.8 goes out at once under the canary's 0.75
            route_draft(customer_message(), draft(confidence, "general"))
        assert canary_observed(proposal)["turns"] == 40 and canary_observed(proposal)["escalated"] == 3
        assert EscalationThreshold.objects.get(category="general").auto_respond_min == 0.85  # not live yet
        _end_canary_now(proposal)
        wait_until(lambda: _status(proposal) == "live", timeout=20, message="the canary to be promoted")
        assert EscalationThreshold.objects.get(category="general").auto_respond_min == 0.75
        event = ThresholdProposalEvent.objects.filter(proposal=proposal, to_status="live").get()
        assert event.actor is None and event.numbers["turns"] == 40 and event.numbers["rate"] == 0.075
        assert ThresholdChange.objects.filter(category="general", source="proposal").exists()
        assert KnownGoodState.objects.filter(proposal=proposal).exists()
        wait_until(lambda: decide_task.delay("general", 0.8).get(timeout=10)["route"] == "auto", timeout=10,
                   message="the worker to use the promoted value")


def test_it_reverts_a_canary_whose_escalation_rate_leaves_the_band(leads):
    proposal = _canary(leads, 0.75)
    env = _env(THRESHOLD_BREAKER_RATE=0.95)
    with celery_worker(concurrency=2, **env), celery_beat(**env):
        for confidence in [0.8] * 20 + [0.6] * 20:  # half of them need a human: far above the simulated ~7 %
            route_draft(customer_message(), draft(confidence, "general"))
        _end_canary_now(proposal)
        wait_until(lambda: _status(proposal) == "reverted", timeout=20, message="the canary to be reverted")
    event = ThresholdProposalEvent.objects.get(proposal=proposal, to_status="reverted")
    assert "outside the simulated band" in event.reason and event.numbers["rate"] == 0.5
    assert EscalationThreshold.objects.get(category="general").auto_respond_min == 0.85
    assert not ThresholdChange.objects.filter(source="proposal").exists()


def test_it_trips_the_breaker_restores_the_last_known_good_values_and_alerts(leads):
    lead, lead2 = leads
    proposal = do_propose(lead, {"general": {"auto_respond_min": 0.95}}, "raise the bar")
    do_approve(proposal.pk, lead2)
    proposal.refresh_from_db()
    promote(proposal, {"note": "its canary looked fine"})  # the bad change is live
    assert EscalationThreshold.objects.get(category="general").auto_respond_min == 0.95
    reset_cache()
    env = _env(ALERT_EMAILS="ops@example.com", ALERT_CHECK_SECONDS=0.5)
    with celery_worker(concurrency=2, **env), celery_beat(**env):
        for _ in range(12):  # every one now waits for a reviewer: escalation 100 % > 30 %
            route_draft(customer_message(), draft(0.9, "general"))
        wait_until(lambda: EscalationThreshold.objects.get(category="general").auto_respond_min == 0.85, timeout=30,
                   message="the breaker to restore the known-good value")
        alert = wait_until(lambda: Alert.objects.filter(kind="threshold_breaker", resolved_at=None).first(),
                           timeout=10, message="the breaker alert")
        assert "circuit breaker" in alert.message and "restored known-good state" in alert.message
        revert = ThresholdChange.objects.filter(category="general").first()
        assert revert.source == "revert" and revert.after == {"auto_respond_min": 0.85}
        assert ThresholdProposalEvent.objects.filter(proposal=None, to_status="reverted", actor=None).exists()
        assert KnownGoodState.objects.get(proposal=proposal).revoked_at is not None
        wait_until(lambda: decide_task.delay("general", 0.9).get(timeout=10)["route"] == "auto", timeout=10,
                   message="the worker to use the restored value")
        wait_until(lambda: Alert.objects.get(pk=alert.pk).emailed_at, timeout=10, message="the alert e-mail")
        signal = wait_until(lambda: Alert.objects.filter(kind="escalation_rate", resolved_at=None).first(),
                            timeout=10, message="the escalation-rate alert from the beat's signal check")
        # The turns leave the window: the alert closes, and the breaker never goes back to the revoked values.
        Message.objects.update(created_at=timezone.now() - timezone.timedelta(days=1))
        wait_until(lambda: Alert.objects.get(pk=alert.pk).resolved_at, timeout=10, message="the alert to close")
        wait_until(lambda: Alert.objects.get(pk=signal.pk).resolved_at, timeout=10,
                   message="the escalation-rate alert to close")
    assert Alert.objects.filter(kind="escalation_rate").count() == 1
    assert EscalationThreshold.objects.get(category="general").auto_respond_min == 0.85
    assert Alert.objects.filter(kind="threshold_breaker").count() == 1
