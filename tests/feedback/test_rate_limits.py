"""Per-session limits, counted in the database: 10 thumbs an hour, 3 corrections a day, 5 preferences a day."""

from datetime import timedelta

import pytest
from django.utils import timezone

from feedback.collect import RateLimited, do_record_feedback
from tests.factories import AnswerFactory, SessionFactory

CORRECTION = "It should recommend Kingdom or Claymore, which are closer in tone."


def payload(kind, message_id, i):
    if kind == "thumb":
        return {"message_id": message_id, "kind": "thumb", "value": "down"}
    if kind == "correction":
        return {"message_id": message_id, "kind": "correction", "text": CORRECTION}
    return {"message_id": message_id, "kind": "preference", "chosen": f"Berserk {i}", "rejected": "Vinland Saga"}


@pytest.mark.parametrize("kind, allowed, window, name", [
    ("thumb", 10, timedelta(hours=1), "10 thumbs per hour"),
    ("correction", 3, timedelta(days=1), "3 corrections per day"),
    ("preference", 5, timedelta(days=1), "5 preferences per day"),
])
def test_it_limits_each_kind_per_session_and_says_when_it_resets(session, kind, allowed, window, name):
    answers = AnswerFactory.create_batch(allowed + 1, session=session)
    start = timezone.now() - timedelta(minutes=30)
    for i in range(allowed):
        do_record_feedback(session, payload(kind, answers[i].pk, i), now=start + timedelta(seconds=i))
    with pytest.raises(RateLimited) as caught:
        do_record_feedback(session, payload(kind, answers[-1].pk, allowed), now=start + timedelta(minutes=1))
    error = caught.value
    assert error.code == "rate_limited"
    assert name in error.detail
    assert error.resets_at == start + window  # the oldest counted signal leaves the rolling window
    assert error.resets_at.isoformat() in error.detail
    # Once the window has rolled past the oldest one, the allowance is back.
    do_record_feedback(session, payload(kind, answers[-1].pk, allowed), now=start + window + timedelta(seconds=0.5))


def test_it_counts_limits_per_session(session):
    answers = AnswerFactory.create_batch(10, session=session)
    for a in answers:
        do_record_feedback(session, payload("thumb", a.pk, 0))
    other = SessionFactory(customer=session.customer)
    do_record_feedback(other, payload("thumb", AnswerFactory(session=other).pk, 0))


def test_it_answers_429_with_retry_after_over_rest(client, session):
    answers = AnswerFactory.create_batch(11, session=session)
    for a in answers[:10]:
        do_record_feedback(session, payload("thumb", a.pk, 0))
    response = client.post("/api/v1/feedback", payload("thumb", answers[10].pk, 0), content_type="application/json",
                           headers={"X-Session-Token": session.token})
    assert response.status_code == 429
    assert "10 thumbs per hour" in response.json()["detail"] and response.json()["resets_at"]
    assert 3500 <= int(response["Retry-After"]) <= 3600


def test_it_answers_a_rate_limited_frame(session):
    from feedback.collect import handle_feedback_frame

    answers = AnswerFactory.create_batch(4, session=session)
    for a in answers[:3]:
        handle_feedback_frame(session, payload("correction", a.pk, 0))
    with pytest.raises(RateLimited) as limited:
        handle_feedback_frame(session, payload("correction", answers[3].pk, 0))
    reply = limited.value.as_frame()  # what the consumer sends
    assert reply["type"] == "error" and reply["code"] == "rate_limited" and "resets at" in reply["detail"]
    assert 0 < reply["retry_after"] <= 24 * 3600 and reply["resets_at"]
