"""The two ways in: the WebSocket frame handler the consumer calls, and POST /api/v1/feedback."""

from feedback.collect import handle_feedback_frame
from feedback.models import Feedback
from tests.factories import AnswerFactory, SessionFactory


def test_it_acknowledges_a_frame_with_the_feedback_id(session, answer):
    reply = handle_feedback_frame(session, {"type": "feedback", "message_id": answer.pk, "kind": "thumb",
                                            "value": "down"})
    assert reply == {"type": "feedback_ack", "feedback_id": Feedback.objects.get().pk}


def test_it_answers_a_bad_frame_with_an_error_frame(session):
    reply = handle_feedback_frame(session, {"type": "feedback", "message_id": 424242, "kind": "thumb",
                                            "value": "up"})
    assert reply["type"] == "error" and reply["code"] == "not_found" and reply["client_id"] is None
    assert "424242" in reply["detail"]
    assert handle_feedback_frame(session, {"type": "feedback"})["code"] == "invalid"


def test_it_answers_rest_with_201_and_the_id(client, session, answer):
    response = client.post("/api/v1/feedback", {"message_id": answer.pk, "kind": "thumb", "value": "up"},
                           content_type="application/json", headers={"X-Session-Token": session.token})
    assert response.status_code == 201
    assert response.json() == {"feedback_id": Feedback.objects.get().pk}
    assert response["Cache-Control"] == "no-store"


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


async def test_it_offers_an_async_entry_point_for_the_consumer(transactional_db):
    from asgiref.sync import sync_to_async

    from feedback.collect import ahandle_feedback_frame

    answer = await sync_to_async(AnswerFactory)()
    session = await sync_to_async(lambda: answer.session)()
    reply = await ahandle_feedback_frame(session, {"type": "feedback", "message_id": answer.pk, "kind": "thumb",
                                                   "value": "up"})
    assert reply["type"] == "feedback_ack"
