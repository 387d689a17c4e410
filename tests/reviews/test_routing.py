from django.db import IntegrityError, transaction

import pytest

from chat.models import Message
from reviews.escalation import route_draft
from reviews.models import ReviewTask

from tests.factories import assistant_messages, customer_message, draft


def test_it_sends_a_confident_draft_at_once(thresholds):
    message = customer_message()
    sent = route_draft(message, draft(0.95))
    assert sent.kind == Message.Kind.ANSWER and sent.status == Message.Status.AUTO
    assert not ReviewTask.objects.exists()


def test_it_opens_a_review_task_and_acknowledges_it(thresholds):
    message = customer_message(locale="en")
    ack = route_draft(message, draft(0.6, "shipping"))
    task = ReviewTask.objects.get()
    assert (task.kind, task.status, task.priority, task.pool) == ("review", "pending", 3, "regular")
    assert ack.kind == Message.Kind.REVIEW_PENDING and "checking" in ack.text
    message.refresh_from_db()
    assert message.answered_at is None and message.answer_deadline > task.timeout_at


def test_it_never_opens_two_tasks_for_one_message(thresholds):
    message = customer_message()
    route_draft(message, draft(0.6))
    assert route_draft(message, draft(0.6)) is None  # a retried turn
    assert ReviewTask.objects.count() == 1
    assert len([m for m in assistant_messages(message) if m.kind == "review_pending"]) == 1
    task = ReviewTask.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewTask.objects.create(message=message, session=message.session, category="general",
                                  sla_deadline=task.sla_deadline)


def test_it_sends_the_clarifying_question_as_a_final_answer(thresholds):
    message = customer_message()
    sent = route_draft(message, draft(0.4, clarify_text="どの巻ですか？"))
    assert (sent.text, sent.status) == ("どの巻ですか？", "clarify")


def test_it_hands_a_very_low_confidence_draft_to_a_human(thresholds):
    message = customer_message()
    ack = route_draft(message, draft(0.1))
    assert ReviewTask.objects.get().kind == "handoff" and ack.kind == "review_pending"


def test_it_sends_a_fallback_as_is(thresholds):
    message = customer_message()
    sent = route_draft(message, draft(0.1, text="申し訳ありません", status_hint="fallback"))
    assert (sent.text, sent.status) == ("申し訳ありません", "fallback")
