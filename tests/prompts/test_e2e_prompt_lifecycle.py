"""End to end with a real Celery worker and beat at shortened timings: propose → validate → evaluate → self-approval
refused → approval by another ML lead → a sticky ~5 % canary the worker agrees on → worse trusted feedback rolls the
canary back on its own → a later version promoted by the sweep → a rollback reaches the worker in under 2 s."""

import time
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from chat.models import ChatSession, Message
from mangaassist.turn import answer_message
from prompts import lifecycle, serving
from prompts.models import PromptVersion
from prompts.tasks import serving_version
from reviews.models import ReviewTask
from tests.factories import api_as, make_ml_lead
from tests.support.prompt_versions import evaluated, feed
from tests.support.processes import celery_beat, celery_worker, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# A sweep runs every half second; on a loaded two-core machine one full CI run waited over 20 s for it, so the
# waits are generous (they end as soon as the sweep has acted) and a timeout prints the worker's and beat's logs.
SWEEP_WAIT = 60
FAST = {"PROMPT_CANARY_SWEEP_SECONDS": 0.5, "PROMPT_CANARY_SECONDS": 60, "PROMPT_CANARY_MIN_FEEDBACK": 20,
        "PROMPT_CANARY_MIN_ANSWERS": 20, "PROMPT_CHECK_SECONDS": 1.0}


def _served(question: Message) -> int | None:
    """The version the worker answered with (the sent answer, or the draft a reviewer holds)."""
    answer = Message.objects.filter(reply_to=question, kind=Message.Kind.ANSWER).first()
    if answer is not None:
        return answer.prompt_version_id
    task = ReviewTask.objects.filter(message=question).first()
    return task.draft.get("prompt_version_id") if task else None


def _canary_state(version: PromptVersion) -> str:
    """What a failed wait on the sweep needs to say: the canary's status and last verdict, its deadline, a freeze."""
    version.refresh_from_db()
    result = version.canary_result or {}
    history = list(version.transitions.order_by("id").values_list("to_status", "actor_label", "reason"))
    return (f"{version.label} is {version.status}, extended={version.canary_extended}, deadline "
            f"{(version.canary_until - timezone.now()).total_seconds():+.1f}s from now, last verdict "
            f"{result.get('verdict')!r} ({result.get('verdict_reason')!r}), arms {result.get('arms')}, "
            f"freeze {lifecycle.frozen()}, history {history}")


def _ask_worker(public_id: uuid.UUID) -> int:
    session = ChatSession.objects.create(public_id=public_id, locale="ja")
    question = Message.objects.create(session=session, role="user", text="こんにちは")
    answer_message.delay(question.pk)
    return wait_until(lambda: _served(question), timeout=60, message="the worker to answer")


def test_it_runs_a_prompt_version_through_its_whole_lifecycle(catalog_data, trained_classifier, thresholds,  # noqa: F811
                                                              settings, content):
    for key, value in FAST.items():
        setattr(settings, key, value)
    alice, bob = make_ml_lead("alice"), make_ml_lead("bob")
    live = PromptVersion.active()
    text, templates = content

    # propose: refused with the problem named, then accepted
    bad = dict(templates, **{"general.greeting": {"ja": "{name}様、こんにちは", "en": "Hi {name}"}})
    refused = api_as(alice).post("/api/v1/prompts/", {"text": text, "templates": bad, "reason": "personal"},
                                 format="json")
    assert refused.status_code == 400 and "unknown placeholder {name}" in refused.json()["detail"]
    templates["general.greeting"] = {"ja": "いらっしゃいませ！マンガアシストです。", "en": "Welcome to MangaAssist!"}
    proposed = api_as(alice).post("/api/v1/prompts/", {"text": text, "templates": templates,
                                                       "reason": "warmer greeting"}, format="json")
    assert proposed.status_code == 201 and proposed.json()["status"] == "pending"
    candidate = PromptVersion.objects.get(pk=proposed.json()["id"])

    # evaluate offline, against the live version in the same run
    call_command("eval_prompt", str(candidate.pk), "--samples", "4", "--limit", "24")
    candidate.refresh_from_db()
    assert candidate.evaluation["live_version"] == live.pk
    assert set(candidate.evaluation["difference"]) == {"category_accuracy", "grounded_rate", "answers_right"}
    assert candidate.evaluation["candidate"]["grounded_rate"] == 1.0
    assert candidate.evaluation["candidate"]["held_out"] == 24

    # four eyes
    own = api_as(alice).post(f"/api/v1/prompts/{candidate.pk}/approve/", {}, format="json")
    assert own.status_code == 403 and own.json()["code"] == "self_approval"
    approved = api_as(bob).post(f"/api/v1/prompts/{candidate.pk}/approve/", {"reason": "reads well"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "canary"

    with celery_worker(concurrency=2, **{k: str(v) for k, v in FAST.items()}), \
            celery_beat(**{k: str(v) for k, v in FAST.items()}):
        # about 5 % of new sessions, always the same ones, in this process and in the worker alike
        # 20,000 sessions: the share's standard error is 0.15 points, so 4–6 % cannot fail by chance (with 3,000 it
        # could: 0.4 points, and one full run saw 6.4 %)
        ids = [uuid.uuid4() for _ in range(20_000)]
        in_canary = [i for i in ids if serving.choose(str(i)) == candidate]
        assert 0.04 <= len(in_canary) / len(ids) <= 0.06
        assert [i for i in ids if serving.choose(str(i)) == candidate] == in_canary
        chosen = set(in_canary)
        outside = [i for i in ids if i not in chosen]
        for public_id in in_canary[:3]:
            assert _ask_worker(public_id) == candidate.pk
        for public_id in outside[:3]:
            assert _ask_worker(public_id) == live.pk
        assert [serving_version.delay(str(i)).get(timeout=10) for i in in_canary[:20]] == [candidate.pk] * 20

        # worse trusted feedback: the beat's canary sweep rolls the canary back on its own
        with transaction.atomic():  # the sweep runs every 0.5 s: it sees both arms whole or not at all
            feed(candidate, ups=6, downs=24)
            feed(live, ups=25, downs=5)
        wait_until(lambda: PromptVersion.objects.get(pk=candidate.pk).status == "rolled_back", timeout=SWEEP_WAIT,
                   message="the canary sweep to roll the worse canary back", state=lambda: _canary_state(candidate))
        candidate.refresh_from_db()
        assert candidate.canary_result["verdict"] == "worse"
        assert candidate.canary_result["metrics"]["positive_rate"]["z"] > 1.645
        assert candidate.transitions.get(to_status="rolled_back").actor_label == "canary sweep"
        wait_until(lambda: serving_version.delay(str(in_canary[0])).get(timeout=10) == live.pk, timeout=5,
                   message="the worker to stop serving the rolled-back canary")

        # a better version goes live through its canary (deadline moved up), then is rolled back by command
        templates["general.greeting"]["en"] = "Hello from MangaAssist!"
        better = PromptVersion.objects.get(pk=api_as(alice).post(
            "/api/v1/prompts/", {"text": text, "templates": templates, "reason": "English greeting"},
            format="json").json()["id"])
        assert api_as(bob).post(f"/api/v1/prompts/{evaluated(better).pk}/approve/", {}, format="json").json()[
            "status"] == "canary"
        # One transaction: a sweep that ran between the arms (or between one arm's thumbs up and its thumbs down)
        # once saw the live arm at 23 of 23 positive against the canary's 24 of 30 and rolled the canary back.
        with transaction.atomic():
            feed(better, ups=24, downs=6)
            feed(live, ups=24, downs=6)
        PromptVersion.objects.filter(pk=better.pk).update(canary_until=timezone.now() - timedelta(seconds=1))
        wait_until(lambda: PromptVersion.objects.get(pk=better.pk).status == "live", timeout=SWEEP_WAIT,
                   message="the canary sweep to promote the not-worse canary", state=lambda: _canary_state(better))
        better.refresh_from_db()
        assert not better.canary_extended, better.canary_result  # promoted on the data, not after an extension
        probe = str(outside[0])
        wait_until(lambda: serving_version.delay(probe).get(timeout=10) == better.pk, timeout=5,
                   message="the worker to serve the promoted version")

        started = time.monotonic()
        call_command("rollback_prompt", "answer", "--reason", "end-to-end rollback")
        wait_until(lambda: serving_version.delay(probe).get(timeout=10) == live.pk, timeout=5, interval=0.05,
                   message="the worker to serve the rolled-back-to version")
        reached = time.monotonic() - started
        print(f"rollback reached the worker after {reached:.3f}s (command start → first task answer with the old "
              f"version, polling every 50 ms)")
        assert reached < 2.0, f"rollback reached the worker after {reached:.2f}s"
    assert PromptVersion.active() == live
    assert list(better.transitions.order_by("id").values_list("to_status", flat=True)) == [
        "draft", "pending", "approved", "canary", "live", "rolled_back"]
