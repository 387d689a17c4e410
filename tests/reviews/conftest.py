import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chat.drafts import Draft
from chat.models import ChatSession, Message
from reviews import roles
from reviews.models import EscalationThreshold
from reviews.thresholds import ensure_default_thresholds, reset_cache

# Shortened timings, given to the test process (settings) and to worker/beat subprocesses (environment) alike.
FAST = {
    "REVIEW_SWEEP_SECONDS": 0.5,
    "REVIEW_HEARTBEAT_SECONDS": 1.0,
    "REVIEW_TIMEOUT_SECONDS": 4.0,
    "REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS": 4.0,
    "REVIEW_CLAIM_TTL_SECONDS": 1.0,
}


def fast_env(**extra) -> dict[str, str]:
    return {key: str(value) for key, value in {**FAST, **extra}.items()}


@pytest.fixture(autouse=True)
def _review_state(request):
    reset_cache()
    yield
    reset_cache()


@pytest.fixture
def thresholds(db):
    """Transactional tests flush the migration's rows: put the defaults (and the role groups) back.

    The seeded evening peak profile is cleared too, so that a test routes the same at any hour of the day (a test
    about the peak profile sets its own values and passes `now`)."""
    ensure_default_thresholds()
    EscalationThreshold.objects.update(peak_auto_respond_min=None, peak_review_min=None, peak_handoff_below=None)
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    reset_cache()


@pytest.fixture
def fast(settings):
    for key, value in FAST.items():
        setattr(settings, key, value)
    return settings


def make_user(django_user_model, username, role):
    user = django_user_model.objects.create_user(username=username, password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def reviewer(django_user_model, thresholds):
    return make_user(django_user_model, "rita", roles.REVIEWER)


@pytest.fixture
def reviewer2(django_user_model, thresholds):
    return make_user(django_user_model, "ren", roles.REVIEWER)


@pytest.fixture
def senior(django_user_model, thresholds):
    return make_user(django_user_model, "sato", roles.SENIOR)


def api_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def customer_message(locale="ja", text="質問です", customer=None) -> Message:
    session = ChatSession.objects.create(locale=locale, customer=customer)
    return Message.objects.create(session=session, role=Message.Role.USER, text=text)


def draft(confidence, category="general", **kw) -> Draft:
    return Draft(text=kw.pop("text", f"draft answer about {category}"), category=category, confidence=confidence, **kw)


def assistant_messages(message: Message):
    return list(Message.objects.filter(reply_to=message, role=Message.Role.ASSISTANT).order_by("id"))
