"""Graceful degradation, driven by the turns' measured queue wait and latency (never by a timer)."""

import pytest

from chat import degradation
from common import metrics
from reviews.models import Alert

FULL, HAIKU, OFFLINE = degradation.TIERS


@pytest.fixture
def tiers(settings, db):
    settings.DEGRADE_WINDOW = 8
    settings.DEGRADE_QUEUE_WAIT_SECONDS = 1.0
    settings.DEGRADE_TURN_SECONDS = 2.5
    settings.DEGRADE_RECOVER_RATIO = 0.5
    settings.DEGRADE_DAILY_SPEND_USD = 1000
    degradation.reset()
    yield
    degradation.reset()


def _turns(tier, count, wait, latency):
    for _ in range(count):
        degradation.started(tier, wait)
        degradation.finished(tier, latency)


def test_it_steps_down_on_slow_turns_and_back_up_on_calm_probes_with_an_alert(tiers):
    steps_down = metrics.counter_value("degradation_steps_total", direction="down", tier="haiku")
    _turns(FULL, 7, wait=0.1, latency=4.0)
    assert degradation.current() == FULL  # not before a whole window of evidence
    _turns(FULL, 1, wait=0.1, latency=4.0)
    assert degradation.current() == HAIKU
    assert metrics.counter_value("degradation_steps_total", direction="down", tier="haiku") == steps_down + 1
    alert = Alert.objects.get(kind=Alert.Kind.ANSWER_TIER, resolved_at__isnull=True)
    assert "haiku" in alert.message and "p90 turn 4.0 s" in alert.message

    _turns(HAIKU, 8, wait=0.2, latency=3.0)
    assert degradation.current() == OFFLINE
    assert Alert.objects.filter(kind=Alert.Kind.ANSWER_TIER).count() == 1  # one alert, updated
    assert "offline" in Alert.objects.get(kind=Alert.Kind.ANSWER_TIER).message

    _turns(HAIKU, 3, wait=0.1, latency=2.0)  # probes one tier up: faster than the limit, not yet calm
    assert degradation.current() == OFFLINE  # hysteresis: below the limit is not enough, below half of it is
    _turns(HAIKU, 7, wait=0.1, latency=0.8)  # calm probes push the slow ones out of the window
    assert degradation.current() == HAIKU
    _turns(FULL, 3, wait=0.1, latency=1.0)
    assert degradation.current() == FULL
    assert not Alert.objects.filter(kind=Alert.Kind.ANSWER_TIER, resolved_at__isnull=True).exists()


def test_a_long_queue_wait_steps_down_even_when_turns_are_fast(tiers):
    _turns(FULL, 8, wait=3.0, latency=0.4)
    assert degradation.current() == HAIKU
    assert "p90 queue wait 3.0 s" in degradation.state()["reason"]


def test_turns_whose_model_was_given_up_on_step_down_though_they_answered_in_time(tiers):
    # each answered offline after 2.4 s, under the 2.5 s limit: the model itself was slower than the turn could wait
    for _ in range(8):
        degradation.started(FULL, 0.1)
        degradation.finished(FULL, 2.4, cut_short=True)
    assert degradation.current() == HAIKU
    assert "p90 turn 5.0 s" in degradation.state()["reason"]


def test_a_backlog_steps_down_as_its_turns_start_not_after_they_finish(tiers):
    for _ in range(8):  # eight turns started after waiting 3 s in the queue; none of them has finished yet
        degradation.started(FULL, 3.0)
    assert degradation.current() == HAIKU
    assert "p90 queue wait 3.0 s" in degradation.state()["reason"]


def test_the_days_spend_goes_straight_to_offline_and_stops_probes(tiers, settings):
    settings.DEGRADE_DAILY_SPEND_USD = 0.05
    degradation.finished(FULL, 0.5, cost_usd=0.06)
    assert degradation.current() == OFFLINE
    settings.DEGRADE_PROBE_SHARE = 1.0
    assert degradation.choose() == OFFLINE


def test_every_turn_is_counted_under_the_tier_that_answered_it(ask, settings):
    settings.LLM_BACKEND = "local"
    before = metrics.counter_value("chat_turns_total", tier="offline")
    drafts = [ask("ワンピースの最新刊はありますか？"), ask("How much is shipping?", locale="en")]
    assert metrics.counter_value("chat_turns_total", tier="offline") == before + 2
    # and the draft a reviewer opens says so too (it said "full": the offline backend runs with full's limits)
    assert [d.meta["tier"] for d in drafts] == ["offline", "offline"]
