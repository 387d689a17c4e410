"""Anonymous feedback can be trusted when the session behaves like a person; signed-in customers score higher;
a scripted campaign over anonymous sessions that fakes a little chat is still kept out of the trusted data."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Customer
from chat.models import Category, ChatSession, Message
from feedback.collect import do_record_feedback
from feedback.models import Feedback
from feedback.provenance import is_organic_session, score_feedback

NOW = timezone.now()


def chat(session, turns, *, start=None):
    """The customer's messages at the given offsets (seconds from `start`), each answered 3 s later."""
    start = start or session.created_at
    answers = []
    for offset, text in turns:
        at = start + timedelta(seconds=offset)
        question = Message.objects.create(session=session, role=Message.Role.USER, text=text, created_at=at)
        answers.append(Message.objects.create(
            session=session, role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER, reply_to=question, text="…",
            status=Message.Status.AUTO, category=Category.AVAILABILITY, created_at=at + timedelta(seconds=3)))
    return answers


HUMAN = [(5, "ワンピースの1巻はありますか？"), (48, "2巻は？"), (131, "送料はいくらですか")]


def anonymous(age_s=600):
    return ChatSession.objects.create(created_at=NOW - timedelta(seconds=age_s))


def test_it_trusts_an_anonymous_session_that_talks_like_a_person(db):
    session = anonymous()
    chat(session, HUMAN)
    result = score_feedback(session, None, NOW)
    assert result.signals["organic_session"] == 0.8 and result.score == pytest.approx(0.4)
    feedback = do_record_feedback(session, {"message_id": session.messages.filter(kind="answer").first().pk,
                                            "kind": "thumb", "value": "up"}, now=NOW)
    assert Feedback.objects.trusted().filter(pk=feedback.pk).exists()


def test_it_scores_a_signed_in_customer_higher_for_the_same_behaviour(db):
    customer = Customer.objects.create(external_id="C-NEW", purchase_count=0, created_at=NOW - timedelta(days=2))
    signed_in = ChatSession.objects.create(customer=customer, created_at=NOW - timedelta(seconds=600))
    chat(signed_in, HUMAN)
    session = anonymous()
    chat(session, HUMAN)
    assert score_feedback(signed_in, customer, NOW).score > score_feedback(session, None, NOW).score
    assert score_feedback(signed_in, customer, NOW).signals["signed_in"] == 0.1


@pytest.mark.parametrize("why, age_s, turns", [
    ("too young", 30, [(1, "hi"), (10, "stock?")]),
    ("one message only", 600, [(5, "ワンピースの1巻はありますか？")]),
    ("typed faster than a person", 600, [(5, "a"), (5.5, "b"), (40, "c")]),
    ("machine-regular", 600, [(5, "a"), (35, "b"), (65, "c"), (95, "d"), (125, "e")]),
    ("a link", 600, [(5, "see https://mangamart.example/deal"), (50, "cheaper there")]),
    ("a bare domain", 600, [(5, "mangamart.example is cheaper"), (50, "really")]),
])
def test_it_does_not_call_a_session_organic_when(db, why, age_s, turns):
    session = anonymous(age_s)
    chat(session, turns)
    assert not is_organic_session(session, NOW), why


def test_it_allows_an_email_address_in_an_organic_chat(db):
    session = anonymous()
    chat(session, [*HUMAN, (200, "連絡先は taro@example.jp です")])
    assert is_organic_session(session, NOW)


def test_it_keeps_an_anonymous_campaign_that_fakes_a_little_chat_untrusted(db):
    """15 bots × 3 throw-away sessions: each opens a session, types two plausible questions, waits for the answers,
    then thumbs down all ten answers 30–45 s apart (under the per-session limit). The chat looks organic, but only
    one rating per typed question counts as organic, and from the sixth rating on the feedback timing is
    machine-regular (uniform_timing, -0.4): at most 2 of each session's 10 downvotes are trusted, the same bound a
    person's session has (one rating per question asked)."""
    rng = random.Random(7)
    ids = []
    for bot in range(15):
        for round_ in range(3):
            start = NOW - timedelta(hours=bot + round_ * 20, minutes=30)
            session = ChatSession.objects.create(created_at=start)
            answers = chat(session, [(5 + rng.uniform(0, 20), "おすすめは？"), (60 + rng.uniform(0, 60), "他には？")],
                           start=start)
            answers += [Message.objects.create(
                session=session, role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER, reply_to=answers[-1].reply_to,
                text="Vinland Saga", status=Message.Status.AUTO, category=Category.RECOMMENDATION,
                created_at=start + timedelta(seconds=200 + i)) for i in range(8)]
            t = start + timedelta(seconds=300)
            for answer in answers:
                ids.append(do_record_feedback(session, {"message_id": answer.pk, "kind": "thumb", "value": "down"},
                                              now=t).pk)
                t += timedelta(seconds=rng.uniform(30, 45))
    campaign = Feedback.objects.filter(pk__in=ids)
    assert campaign.count() == 15 * 3 * 10
    # The first few of each session have too little timing history to judge; from the 6th on, uniform timing.
    judged = campaign.filter(provenance_signals__has_key="uniform_timing")
    assert judged.count() >= 15 * 3 * 5
    assert not judged.trusted().exists()
    share_trusted = campaign.trusted().count() / campaign.count()
    print(f"anonymous campaign: {campaign.trusted().count()} of {campaign.count()} trusted ({share_trusted:.0%})")
    assert campaign.trusted().count() <= 15 * 3 * 2 and share_trusted <= 0.2
