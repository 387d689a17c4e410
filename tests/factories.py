"""Test data in one place: model factories (customers, sessions, messages, feedback), staff users by role, API
clients, review drafts and the demo catalog's location. Made directly with the ORM, shaped as production makes them:
answers are assistant `answer` messages with a category; staff users belong to the role groups of reviews.roles.
"""

from datetime import timedelta
from pathlib import Path

import factory
from django.contrib.auth.models import Group, User
from django.utils import timezone
from factory.django import DjangoModelFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from chat.drafts import Draft
from chat.models import Category, ChatSession, Message
from feedback.models import Feedback
from prompts.lifecycle import ML_LEAD_GROUP
from reviews.models import EscalationThreshold, ReviewTask
from reviews.thresholds import reset_cache

def first_draft(text: str, locale: str) -> Draft:
    """The pipeline's draft for `text` as the first message of a new session in `locale`."""
    from chat.memory import load_memory
    from chat.pipeline import produce_draft

    session = ChatSession.objects.create(locale=locale)
    return produce_draft(Message.objects.create(session=session, role="user", text=text), load_memory(session))


# A dozen real series with products, FAQ, customers and orders (the `catalog_data` fixture loads it).
CATALOG_DIR = Path(__file__).parent / "catalog" / "data"


class CustomerFactory(DjangoModelFactory):
    """An established customer who has bought something (their feedback scores as trusted)."""

    class Meta:
        model = "catalog.Customer"

    external_id = factory.Sequence(lambda n: f"cust-{n:06d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    is_vip = False
    purchase_count = 3
    created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=120))


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = ChatSession

    customer = factory.SubFactory(CustomerFactory)


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Message

    session = factory.SubFactory(SessionFactory)
    role = Message.Role.USER
    kind = Message.Kind.TEXT
    text = "Can you recommend a manga like Attack on Titan?"


class AnswerFactory(DjangoModelFactory):
    class Meta:
        model = Message

    session = factory.SubFactory(SessionFactory)
    role = Message.Role.ASSISTANT
    kind = Message.Kind.ANSWER
    status = Message.Status.AUTO
    category = Category.RECOMMENDATION
    text = "You might enjoy Vinland Saga (volume 1, 990 yen): a dark, action-packed historical epic."
    reply_to = factory.SubFactory(QuestionFactory, session=factory.SelfAttribute("..session"))


class FeedbackFactory(DjangoModelFactory):
    """A trusted thumb copied from its message the way collect.do_record_feedback copies it."""

    class Meta:
        model = Feedback

    kind = Feedback.Kind.THUMB
    value = Feedback.Value.UP
    message = factory.SubFactory(AnswerFactory)
    session = factory.SelfAttribute("message.session")
    customer = factory.SelfAttribute("session.customer")
    topic_category = factory.SelfAttribute("message.category")
    prompt_version = factory.SelfAttribute("message.prompt_version")
    provenance_score = 0.6


# --- staff users and their API clients ----------------------------------------------------------------------------

def make_user(django_user_model, username: str, role: str) -> User:
    """A staff user in one role group (reviews.roles: reviewer, senior, ml_lead, ops)."""
    user = django_user_model.objects.create_user(username=username, password="pw-for-tests", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_ml_lead(username: str) -> User:
    return make_user(User, username, ML_LEAD_GROUP)


def api_client(user) -> APIClient:
    """A REST client authenticated the way scripts are: with the user's API token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def api_as(user, language: str = "en") -> APIClient:
    """A REST client acting as `user` in `language` (session-less: force-authenticated)."""
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


# --- customer messages and review drafts --------------------------------------------------------------------------

def customer_message(locale="ja", text="質問です", customer=None) -> Message:
    session = ChatSession.objects.create(locale=locale, customer=customer)
    return Message.objects.create(session=session, role=Message.Role.USER, text=text)


def draft(confidence, category="general", **kw) -> Draft:
    return Draft(text=kw.pop("text", f"draft answer about {category}"), category=category, confidence=confidence, **kw)


def assistant_messages(message: Message) -> list[Message]:
    return list(Message.objects.filter(reply_to=message, role=Message.Role.ASSISTANT).order_by("id"))


def all_drafts_auto() -> None:
    """Every draft goes straight out (AUTO): for tests about transport and order, not about review.

    Transactional tests start with empty tables; worker subprocesses read the thresholds from the database at their
    first turn (the root conftest dropped Redis' version key), so they see these rows too."""
    for category in Category.values:
        EscalationThreshold.objects.update_or_create(
            category=category, defaults={"auto_respond_min": 0.0, "review_min": 0.0, "handoff_below": 0.0,
                                         # the seeded evening peak profile would apply 19–23 JST otherwise
                                         "peak_auto_respond_min": None, "peak_review_min": None,
                                         "peak_handoff_below": None})
    reset_cache()


def make_review_tasks(n, *, now=None, priority=None, **fields):
    """n pending tasks without going through routing (fast enough for hundreds); P1..P4 round robin by default."""
    now = now or timezone.now()
    session = ChatSession.objects.create()
    messages = Message.objects.bulk_create(
        [Message(session=session, role=Message.Role.USER, text=f"question {i}") for i in range(n)])
    return ReviewTask.objects.bulk_create([
        ReviewTask(message=m, session=session, category=fields.get("category", "shipping"),
                   priority=priority or 1 + i % 4, confidence=0.6, draft_text=f"draft {i}", created_at=now,
                   sla_deadline=now + timedelta(seconds=60 + (n - i)), timeout_at=now + timedelta(minutes=5))
        for i, m in enumerate(messages)])
