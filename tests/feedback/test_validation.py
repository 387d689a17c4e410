"""Write-time validation: every refusal reason, and what an accepted feedback copies from its message."""

import pytest

from chat.models import Category, Message
from feedback.collect import InvalidFeedback, MessageNotFound, do_record_feedback
from feedback.models import Feedback
from prompts.models import PromptVersion
from tests.factories import AnswerFactory, QuestionFactory, SessionFactory


def thumb(message_id, value="up"):
    return {"type": "feedback", "message_id": message_id, "kind": "thumb", "value": value}


def test_it_copies_category_and_prompt_version_from_the_rated_message_by_its_key(session):
    prompt = PromptVersion.objects.create(name="feedback-test", version=3, text="p", status=PromptVersion.Status.LIVE)
    rated = AnswerFactory(session=session, category=Category.SHIPPING, prompt_version=prompt)
    AnswerFactory(session=session, category=Category.REFUND)  # a later answer: must not be picked up by time
    feedback = do_record_feedback(session, thumb(rated.pk))
    assert (feedback.message, feedback.session, feedback.customer) == (rated, session, session.customer)
    assert feedback.topic_category == Category.SHIPPING
    assert feedback.prompt_version == prompt


@pytest.mark.parametrize("payload, needle", [
    ({"kind": "thumb", "value": "up"}, "message_id"),
    ({"message_id": "7", "kind": "thumb", "value": "up"}, "message_id"),
    ({"message_id": True, "kind": "thumb", "value": "up"}, "message_id"),
    ({"message_id": 1, "kind": "love"}, "kind"),
    ({"message_id": 1, "kind": "thumb", "value": "sideways"}, "value"),
    ({"message_id": 1, "kind": "correction", "text": "   "}, "text"),
    ({"message_id": 1, "kind": "correction", "text": 42}, "text"),
    ({"message_id": 1, "kind": "correction", "text": "x" * 2001}, "longer"),
    ({"message_id": 1, "kind": "preference", "chosen": "a"}, "chosen"),
    ({"message_id": 1, "kind": "preference", "chosen": "a", "rejected": "a"}, "differ"),
])
def test_it_refuses_malformed_payloads(session, payload, needle):
    with pytest.raises(InvalidFeedback, match=needle):
        do_record_feedback(session, payload)
    assert not Feedback.objects.exists()


def test_it_refuses_a_message_that_does_not_exist(session):
    with pytest.raises(MessageNotFound, match="not found in this chat session"):
        do_record_feedback(session, thumb(999999))


def test_it_refuses_a_message_of_another_session(session):
    theirs = AnswerFactory(session=SessionFactory())
    with pytest.raises(MessageNotFound) as theirs_error:
        do_record_feedback(session, thumb(theirs.pk))
    with pytest.raises(MessageNotFound) as missing_error:
        do_record_feedback(session, thumb(theirs.pk + 1000))
    # the same words as for a missing id: no oracle for whether another session's message exists
    assert str(theirs_error.value).replace(str(theirs.pk), "N") == str(missing_error.value).replace(
        str(theirs.pk + 1000), "N")


def test_it_refuses_a_customer_message(session):
    question = QuestionFactory(session=session)
    with pytest.raises(InvalidFeedback, match="Only assistant answers"):
        do_record_feedback(session, thumb(question.pk))


@pytest.mark.parametrize("kind", [Message.Kind.REVIEW_PENDING, Message.Kind.HEARTBEAT, Message.Kind.NOTICE])
def test_it_refuses_assistant_messages_that_are_not_answers(session, kind):
    message = AnswerFactory(session=session, kind=kind)
    with pytest.raises(InvalidFeedback, match="Only assistant answers"):
        do_record_feedback(session, thumb(message.pk))


@pytest.mark.parametrize("category", ["", "horoscope"])
def test_it_refuses_an_answer_without_a_known_category(session, category):
    message = AnswerFactory(session=session, category=category)
    with pytest.raises(InvalidFeedback, match="no known topic category"):
        do_record_feedback(session, thumb(message.pk))


def test_it_changes_a_repeated_thumb_instead_of_stacking_votes(session, answer):
    first = do_record_feedback(session, thumb(answer.pk, "up"))
    second = do_record_feedback(session, thumb(answer.pk, "down"))
    assert first.pk == second.pk
    assert Feedback.objects.get().value == "down"


def test_it_records_preferences_and_corrections(session, answer):
    preference = do_record_feedback(session, {"message_id": answer.pk, "kind": "preference",
                                              "chosen": "Berserk", "rejected": "Vinland Saga"})
    correction = do_record_feedback(session, {"message_id": answer.pk, "kind": "correction",
                                              "text": "It should recommend Kingdom, which is closer in tone."})
    assert (preference.chosen, preference.rejected) == ("Berserk", "Vinland Saga")
    assert correction.text.startswith("It should recommend Kingdom") and correction.flags == []
