"""The canary: a sticky share of sessions; decided on trusted feedback only with a stated test and minimum sample;
rolled back when worse, promoted when not worse at its deadline, extended once, then a person is asked."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from feedback import prompt_canary
from prompts import canary, lifecycle, serving
from prompts.models import PromptVersion
from tests.support.prompt_versions import canary_of, feed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_samples(settings):
    settings.PROMPT_CANARY_MIN_FEEDBACK = 20
    settings.PROMPT_CANARY_MIN_ANSWERS = 20


def _past_deadline(version):
    PromptVersion.objects.filter(pk=version.pk).update(canary_until=timezone.now() - timedelta(seconds=1))
    version.refresh_from_db()
    return version


def test_it_serves_the_canary_to_about_five_percent_of_sessions_and_always_the_same_ones(alice, bob, content, live):
    version = canary_of(alice, bob, content)
    sessions = [str(uuid.UUID(int=n)) for n in range(4000)]
    first = {s for s in sessions if serving.choose(s) == version}
    assert 0.04 <= len(first) / len(sessions) <= 0.06
    serving.reset_cache()
    assert {s for s in sessions if serving.choose(s) == version} == first
    assert all(serving.choose(s) == live for s in sessions if s not in first)


def test_it_never_reads_an_empty_set_as_not_worse():
    empty = {"thumbs": 0, "positive": 0, "answers": 0, "escalated": 0, "grounding_checked": 0, "grounded": 0}
    assert canary.verdict({"canary": empty, "live": empty}, 20, 20)["verdict"] == "insufficient"


def test_it_calls_a_significantly_lower_positive_rate_worse_and_a_small_dip_not_worse():
    def arms(c_up, l_up, n=100):
        counts = lambda up: {"thumbs": n, "positive": up, "answers": n, "escalated": 5, "grounding_checked": n,
                             "grounded": n}
        return {"canary": counts(c_up), "live": counts(l_up)}

    worse = canary.verdict(arms(60, 80), 20, 20)
    assert worse["verdict"] == "worse" and worse["metrics"]["positive_rate"]["z"] > canary.Z_CRITICAL
    assert canary.verdict(arms(77, 80), 20, 20)["verdict"] == "not_worse"


def test_it_rolls_back_a_worse_canary_before_its_deadline_and_writes_the_numbers(alice, bob, content, live):
    version = canary_of(alice, bob, content)
    feed(version, ups=8, downs=22)
    feed(live, ups=25, downs=5)
    assert prompt_canary.sweep()[version.label] == "rolled_back"
    version.refresh_from_db()
    assert version.status == "rolled_back"
    positive = version.canary_result["metrics"]["positive_rate"]
    assert (positive["canary"], positive["live"], positive["n_canary"]) == (round(8 / 30, 4), round(25 / 30, 4), 30)
    row = version.transitions.get(to_status="rolled_back")
    assert row.actor_label == "canary sweep" and row.numbers["verdict"] == "worse"
    assert PromptVersion.active() == live


def test_it_promotes_a_canary_that_is_not_worse_at_its_deadline(alice, bob, content, live):
    version = canary_of(alice, bob, content)
    feed(version, ups=24, downs=6)
    feed(live, ups=24, downs=6)
    assert prompt_canary.sweep()[version.label] == "waiting"  # not before the deadline
    _past_deadline(version)
    assert prompt_canary.sweep()[version.label] == "promoted"
    assert PromptVersion.objects.get(pk=version.pk).status == "live"
    assert PromptVersion.objects.get(pk=live.pk).status == "retired"


def test_it_extends_once_then_asks_a_person_when_data_stays_short(alice, bob, content, live, settings):
    settings.ALERT_EMAILS = ["ml@example.com"]
    version = canary_of(alice, bob, content)
    feed(version, ups=3, downs=0)
    _past_deadline(version)
    assert prompt_canary.sweep()[version.label] == "extended"
    version.refresh_from_db()
    assert version.canary_extended and version.canary_until > timezone.now()

    with TestCase.captureOnCommitCallbacks(execute=True):
        _past_deadline(version)
        assert prompt_canary.sweep()[version.label] == "asked"
    version.refresh_from_db()
    assert version.status == "canary" and version.needs_decision
    assert "cannot decide on its own" in mail.outbox[0].subject


def test_it_ignores_quarantined_feedback_so_a_poisoned_canary_is_never_promoted(alice, bob, content, live):
    """The seeds' poisoning replay: a version tuned on a thumbs-up campaign the audits quarantined."""
    version = canary_of(alice, bob, content)
    feed(version, ups=200, downs=0, quarantined=True)  # the campaign
    feed(version, ups=0, downs=5, provenance=-0.4)  # anonymous thumbs, untrusted
    feed(live, ups=25, downs=5)
    _past_deadline(version)
    assert prompt_canary.sweep()[version.label] == "extended"
    version.refresh_from_db()
    assert version.canary_result["arms"]["canary"]["thumbs"] == 0
    feed(version, ups=6, downs=20)  # what trusted customers really think
    assert prompt_canary.sweep()[version.label] == "rolled_back"


def test_it_neither_promotes_nor_starts_a_canary_while_frozen(alice, bob, content, live):
    version = canary_of(alice, bob, content)
    feed(version, ups=24, downs=6)
    feed(live, ups=24, downs=6)
    lifecycle.do_freeze(bob, "incident")
    _past_deadline(version)
    assert prompt_canary.sweep()[version.label] == "frozen"
    assert PromptVersion.objects.get(pk=version.pk).status == "canary"
    lifecycle.do_lift_freeze(bob, "resolved")
    assert prompt_canary.sweep()[version.label] == "promoted"


def test_it_schedules_the_canary_sweep_on_a_registered_task():
    from mangaassist.celery import app
    from prompts.schedule import BEAT_SCHEDULE

    app.loader.import_default_modules()
    entry = BEAT_SCHEDULE["prompts-canary-sweep"]
    assert entry["task"] in app.tasks and "prompts-canary-sweep" in app.conf.beat_schedule
