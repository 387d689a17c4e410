"""Prompt versions through their lifecycle, as the prompt tests (and the feedback canary's) need them."""

from feedback import quarantine
from prompts import lifecycle
from prompts.models import PromptVersion
from tests.factories import AnswerFactory, FeedbackFactory


def evaluated(version: PromptVersion, difference: float = 0.0) -> PromptVersion:
    """Store evaluation numbers as eval_prompt would (the real command runs in the end-to-end test)."""
    base = {"category_accuracy": 0.9, "grounded_rate": 1.0, "answers_right": 0.8}
    return lifecycle.do_record_evaluation(version, {k: v + difference for k, v in base.items()}, base,
                                          PromptVersion.active(version.name))


def propose(author, content, reason="clearer greeting", greeting="こんにちは！マンガアシストです。ご用件をどうぞ。"):
    text, templates = content
    templates["general.greeting"]["ja"] = greeting
    return lifecycle.do_propose("answer", text, templates, author, reason)


def canary_of(author, approver, content) -> PromptVersion:
    version = evaluated(propose(author, content))
    return lifecycle.do_approve(version, approver)


def feed(version: PromptVersion, ups: int, downs: int, *, quarantined: bool = False, provenance: float = 0.6,
         grounded: bool = True, status: str = "auto") -> None:
    """Answers of `version`, each rated once (thumb up or down); `quarantined` ones go through the audits' action."""
    ids = []
    for value, count in (("up", ups), ("down", downs)):
        for _ in range(count):
            answer = AnswerFactory(prompt_version=version, status=status,
                                   meta={"grounding": {"grounded": grounded, "unverified": []}})
            ids.append(FeedbackFactory(message=answer, value=value, provenance_score=provenance).pk)
    if quarantined:
        quarantine.do_quarantine(ids, "coordinated thumbs-up campaign", actor_label="adversarial audit")
