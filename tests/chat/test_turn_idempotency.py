"""The answer task may run twice for one message (a redelivered task): the customer gets one answer."""

import pytest

from mangaassist import turn
from chat.drafts import Draft
from chat.models import ChatSession, Message
from reviews.models import ReviewTask


@pytest.fixture
def draft(monkeypatch):
    calls = []

    def produce(message, memory):
        calls.append(message.pk)
        return Draft(text="回答", category="general", confidence=float(produce.confidence))

    produce.confidence = 0.99
    monkeypatch.setattr(turn.pipeline, "produce_draft", produce)
    produce.calls = calls
    return produce


def _question(session, client_id="c1"):
    return Message.objects.create(session=session, role="user", text="質問", client_id=client_id)


def test_it_answers_a_message_once_however_often_the_task_runs(db, draft):
    from reviews.thresholds import ensure_default_thresholds

    ensure_default_thresholds()
    question = _question(ChatSession.objects.create())
    turn.answer_message(question.pk)
    turn.answer_message(question.pk)
    assert Message.objects.filter(reply_to=question, kind="answer").count() == 1
    assert draft.calls == [question.pk]


def test_it_leaves_a_message_under_review_alone(db, draft):
    from reviews.thresholds import ensure_default_thresholds

    ensure_default_thresholds()
    draft.confidence = 0.6  # between review_min and auto_respond_min: a human checks first
    question = _question(ChatSession.objects.create())
    turn.answer_message(question.pk)
    turn.answer_message(question.pk)
    assert ReviewTask.objects.filter(message=question).count() == 1
    assert list(Message.objects.filter(reply_to=question).values_list("kind", flat=True)) == ["review_pending"]
    assert draft.calls == [question.pk]


def test_a_later_task_answers_earlier_messages_first(db, draft):
    """Whichever task gets the session lock answers every earlier unanswered message before its own."""
    session = ChatSession.objects.create()
    first, second = _question(session, "a"), _question(session, "b")
    turn.answer_message(second.pk)
    assert draft.calls == [first.pk, second.pk]
    answers = Message.objects.filter(kind="answer").order_by("id")
    assert [a.reply_to_id for a in answers] == [first.pk, second.pk]
    assert answers[1].meta["prior_turns"] == 2  # the first question and its answer
