import pytest

from chat.models import Message

pytestmark = pytest.mark.django_db


def start(client):
    response = client.post("/api/v1/sessions", {"locale": "en"}, content_type="application/json")
    assert response.status_code == 201 and "no-store" in response["Cache-Control"]
    return response.json()


def test_it_accepts_a_message_once_per_client_id(client):
    session = start(client)
    url = f"/api/v1/sessions/{session['session_id']}/messages"
    headers = {"HTTP_X_SESSION_TOKEN": session["session"]}
    first = client.post(url, {"client_id": "a1", "text": "Is Naruto in stock?"}, content_type="application/json",
                        **headers)
    again = client.post(url, {"client_id": "a1", "text": "Is Naruto in stock?"}, content_type="application/json",
                        **headers)
    assert first.status_code == again.status_code == 202
    assert first.json()["message_id"] == again.json()["message_id"]
    listed = client.get(url, {"after": 0}, **headers)
    assert [m["text"] for m in listed.json()] == ["Is Naruto in stock?"]
    assert "no-store" in listed["Cache-Control"]


def test_it_applies_the_same_validation_as_the_socket(client):
    session = start(client)
    url = f"/api/v1/sessions/{session['session_id']}/messages"
    headers = {"HTTP_X_SESSION_TOKEN": session["session"]}
    empty = client.post(url, {"client_id": "a", "text": ""}, content_type="application/json", **headers)
    long = client.post(url, {"client_id": "b", "text": "x" * 2001}, content_type="application/json", **headers)
    assert (empty.status_code, empty.json()["code"]) == (400, "empty")
    assert (long.status_code, long.json()["code"]) == (400, "too_long")
    for i in range(20):
        client.post(url, {"client_id": f"r{i}", "text": "hi"}, content_type="application/json", **headers)
    limited = client.post(url, {"client_id": "r20", "text": "hi"}, content_type="application/json", **headers)
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"


def test_it_refuses_a_missing_or_foreign_token(client):
    mine, theirs = start(client), start(client)
    url = f"/api/v1/sessions/{mine['session_id']}/messages"
    assert client.get(url).status_code == 401
    garbage = client.get(url, HTTP_X_SESSION_TOKEN="garbage")
    assert (garbage.status_code, garbage.json()["code"]) == (401, "invalid_token")
    assert client.get(url, HTTP_X_SESSION_TOKEN=theirs["session"]).status_code == 404
    assert Message.objects.count() == 0
