"""Test data made directly with the ORM. Answers are assistant `answer` messages with a category, as in production."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from chat.models import Category, ChatSession, Message
from feedback.models import Feedback


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
