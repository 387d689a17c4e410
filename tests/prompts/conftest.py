import copy

import pytest
from django.contrib.auth.models import Group, User
from django.utils import translation
from rest_framework.test import APIClient

from feedback import quarantine
from prompts import lifecycle
from prompts.models import PromptVersion
from prompts.seed import seed_content
from tests.factories import AnswerFactory, FeedbackFactory


def make_ml_lead(username: str) -> User:
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=lifecycle.ML_LEAD_GROUP)[0])
    return user


@pytest.fixture
def alice(db):
    return make_ml_lead("alice")


@pytest.fixture
def bob(db):
    return make_ml_lead("bob")


@pytest.fixture
def live(db):
    return PromptVersion.active()


@pytest.fixture
def content():
    """The seeded content, deep-copied: a test edits it into a candidate."""
    text, templates = seed_content()
    return text, copy.deepcopy(templates)


@pytest.fixture(autouse=True)
def _english():
    """Assertions read the English messages; test_i18n checks the Japanese ones (the store's default)."""
    with translation.override("en"):
        yield


def api_as(user, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


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
