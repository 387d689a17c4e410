"""The prompt canary sweep (Celery beat, PROMPT_CANARY_SWEEP_SECONDS): count both arms, decide, act.

It lives in feedback because it reads Messages and trusted Feedback; the verdict (prompts/canary.py) and the
status changes (prompts/lifecycle.py) stay in prompts. Only trusted feedback counts, so thumbs the audits quarantined
(a poisoning campaign) can neither promote a canary nor save it.
"""

import logging

from django.conf import settings
from django.utils import timezone

from chat.models import Message
from feedback.models import Feedback
from prompts import canary, lifecycle
from prompts.models import PromptVersion

log = logging.getLogger(__name__)
ACTOR = "canary sweep"
ESCALATED = (Message.Status.REVIEWED, Message.Status.EDITED, Message.Status.HUMAN)


def count(version: PromptVersion, since) -> dict:
    thumbs = Feedback.objects.trusted().thumbs().filter(prompt_version=version, created_at__gte=since)
    answers = Message.objects.filter(prompt_version=version, role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER,
                                     created_at__gte=since)
    grounded = answers.filter(meta__grounding__grounded=True).count()
    ungrounded = answers.filter(meta__grounding__grounded=False).count()
    return {"thumbs": thumbs.count(), "positive": thumbs.filter(value=Feedback.Value.UP).count(),
            "answers": answers.count(), "escalated": answers.filter(status__in=ESCALATED).count(),
            "grounding_checked": grounded + ungrounded, "grounded": grounded}


def measure(version: PromptVersion) -> dict:
    """The verdict numbers of a running canary against the live version over the canary's window."""
    live = PromptVersion.active(version.name)
    since = version.canary_started_at
    arms = {"canary": count(version, since), "live": count(live, since) if live else count(version, timezone.now())}
    numbers = canary.verdict(arms, settings.PROMPT_CANARY_MIN_FEEDBACK, settings.PROMPT_CANARY_MIN_ANSWERS)
    numbers.update(live_version=live.pk if live else None, measured_at=timezone.now().isoformat())
    return numbers


def decide(version: PromptVersion, now=None) -> str:
    """One canary: roll back as soon as it is worse; at its deadline promote when not worse, else extend once, then
    ask a person. Returns what happened."""
    now = now or timezone.now()
    numbers = measure(version)
    try:
        if numbers["verdict"] == "worse":
            lifecycle.do_end_canary(version, ACTOR, numbers, numbers["verdict_reason"])
            return "rolled_back"
        PromptVersion.objects.filter(pk=version.pk, status=PromptVersion.Status.CANARY).update(canary_result=numbers)
        if now < version.canary_until:
            return "waiting"
        if numbers["verdict"] == "not_worse":
            if lifecycle.frozen():
                return "frozen"
            lifecycle.do_promote(version, ACTOR, numbers)
            return "promoted"
        if not version.canary_extended:
            lifecycle.do_extend_canary(version, ACTOR, numbers)
            return "extended"
        lifecycle.do_ask_human(version, ACTOR, numbers)
        return "asked"
    except lifecycle.PromptError as exc:  # someone else acted in between (a rollback, a freeze)
        log.info("canary %s: %s", version, exc.detail)
        return exc.code


def sweep(now=None) -> dict[str, str]:
    """Decide every running canary, then start the canary of an approved version that waits (oldest first)."""
    outcomes = {}
    for version in PromptVersion.objects.filter(status=PromptVersion.Status.CANARY):
        outcomes[version.label] = decide(version, now)
    if not lifecycle.frozen():
        for version in PromptVersion.objects.filter(status=PromptVersion.Status.APPROVED).order_by("approved_at"):
            try:
                lifecycle.do_start_canary(version, ACTOR)
                outcomes[version.label] = "canary_started"
            except lifecycle.PromptError:
                continue
    return outcomes
