"""Item 5: customer session tokens expire and can be revoked; resume works within the expiry."""

import time
from unittest import mock

import pytest
from rest_framework.test import APIClient

from chat.models import ChatSession


def _token_issued_ago(session, seconds):
    with mock.patch("time.time", return_value=time.time() - seconds):
        return session.token


@pytest.mark.django_db(transaction=True)
async def test_it_resumes_within_the_expiry_and_not_after(socket, settings):
    settings.CHAT_TOKEN_MAX_AGE_SECONDS = 3600
    sock = await socket()
    welcome = await sock.hello()
    session = await ChatSession.objects.aget(public_id=welcome["session_id"])
    fresh = _token_issued_ago(session, 60)
    resumed = await sock.hello(session=fresh)
    assert resumed["type"] == "welcome" and resumed["session_id"] == welcome["session_id"]
    assert resumed["session"] != fresh  # every welcome hands out a fresh token, so an active customer never expires
    expired = await sock.hello(session=_token_issued_ago(session, 3601))
    assert expired["type"] == "error" and expired["code"] == "not_found"
    await sock.close()


@pytest.mark.django_db
def test_a_revoked_token_stops_working_everywhere(settings):
    client = APIClient()
    started = client.post("/api/v1/sessions", {}, format="json").json()
    url = f"/api/v1/sessions/{started['session_id']}/messages"
    assert client.get(url, HTTP_X_SESSION_TOKEN=started["session"]).status_code == 200
    session = ChatSession.objects.get(public_id=started["session_id"])
    session.revoke_tokens()
    refused = client.get(url, HTTP_X_SESSION_TOKEN=started["session"])
    assert refused.status_code == 401 and refused.json()["code"] == "invalid_token"
    feedback = client.post("/api/v1/feedback", {"message_id": 1, "kind": "thumb", "value": "up"}, format="json",
                           HTTP_X_SESSION_TOKEN=started["session"])
    assert feedback.status_code == 401
    assert client.get(url, HTTP_X_SESSION_TOKEN=session.token).status_code == 200  # a token issued after revoking


@pytest.mark.django_db
def test_a_token_cannot_be_forged_or_replayed_for_another_session():
    one, two = ChatSession.objects.create(), ChatSession.objects.create()
    assert ChatSession.from_token(one.token) == one
    assert ChatSession.from_token(one.token[:-2] + "xx") is None
    assert ChatSession.from_token(str(two.public_id)) is None
    assert ChatSession.from_token("") is None
