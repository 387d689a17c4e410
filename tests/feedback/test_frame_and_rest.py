"""The two ways in: the WebSocket frame handler the consumer calls, and POST /api/v1/feedback."""

import pytest

from feedback.collect import FeedbackError, handle_feedback_frame
from feedback.models import Feedback
from tests.factories import AnswerFactory, SessionFactory


def test_it_acknowledges_a_frame_with_the_feedback_id(session, answer):
    reply = handle_feedback_frame(session, {"type": "feedback", "message_id": answer.pk, "kind": "thumb",
                                            "value": "down"})
    assert reply == {"type": "feedback_ack", "feedback_id": Feedback.objects.get().pk}


def test_it_refuses_a_bad_frame_with_the_error_the_consumer_sends(session):
    with pytest.raises(FeedbackError) as missing:
        handle_feedback_frame(session, {"type": "feedback", "message_id": 424242, "kind": "thumb", "value": "up"})
    frame = missing.value.as_frame()
    assert frame["type"] == "error" and frame["code"] == "not_found" and "424242" in frame["detail"]
    with pytest.raises(FeedbackError) as shapeless:
        handle_feedback_frame(session, {"type": "feedback"})
    assert shapeless.value.code == "invalid"


def test_it_answers_rest_with_201_and_the_id(client, session, answer):
    response = client.post("/api/v1/feedback", {"message_id": answer.pk, "kind": "thumb", "value": "up"},
                           content_type="application/json", headers={"X-Session-Token": session.token})
    assert response.status_code == 201
    assert response.json() == {"feedback_id": Feedback.objects.get().pk}
    assert "no-store" in response["Cache-Control"]


def test_it_answers_rest_errors_with_a_detail(client, session, answer):
    post = lambda body, token=session.token: client.post(  # noqa: E731
        "/api/v1/feedback", body, content_type="application/json", headers={"X-Session-Token": token})
    assert post({"message_id": answer.pk, "kind": "thumb", "value": "up"}, token="forged").status_code == 401
    bad = post({"message_id": answer.pk, "kind": "thumb"})
    assert bad.status_code == 400 and "value" in bad.json()["detail"]
    other = AnswerFactory(session=SessionFactory())
    missing = post({"message_id": other.pk, "kind": "thumb", "value": "up"})
    assert missing.status_code == 404 and "not found in this chat session" in missing.json()["detail"]
    garbled = client.post("/api/v1/feedback", "{nope", content_type="application/json",
                          headers={"X-Session-Token": session.token})
    assert garbled.status_code == 400 and garbled.json()["detail"]
    assert not Feedback.objects.exists()
