"""Item 4: every bad input gets an `invalid` error frame or a 4xx JSON `{code, detail}`, and the socket stays open."""

import json

import pytest
from rest_framework.test import APIClient

from chat.models import ChatSession, Message

NESTED = "[" * 1000 + "]" * 1000  # 2 KB: RecursionError in the JSON decoder before the bound
BAD_STRINGS = ["\\ud800", "a\\u0000b", "\\udfff tail"]  # JSON escapes: lone surrogates, NUL


async def assert_still_open(sock):
    await sock.send({"type": "ping", "ts": 1})
    assert (await sock.recv())["type"] == "pong"


@pytest.mark.django_db(transaction=True)
async def test_it_answers_a_bracket_bomb_with_invalid_and_keeps_the_socket(socket):
    sock = await socket()
    for frame in (NESTED, '{"type":"hello","x":' + "{\"a\":" * 40 + "1" + "}" * 40 + "}"):
        await sock.send(frame)
        error = await sock.recv()
        assert error["type"] == "error" and error["code"] == "invalid" and "nested" in error["detail"]
    await assert_still_open(sock)
    await sock.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bad", BAD_STRINGS)
async def test_it_refuses_surrogates_and_nul_in_every_field_of_the_socket(socket, bad):
    sock = await socket()
    assert (await sock.hello())["type"] == "welcome"
    frames = [
        '{"type":"message","client_id":"%s","text":"hello"}' % bad,
        '{"type":"message","client_id":"c1","text":"hello %s"}' % bad,
        '{"type":"feedback","message_id":1,"kind":"correction","text":"%s"}' % bad,
        '{"type":"feedback","message_id":1,"kind":"preference","chosen":"a","rejected":"%s"}' % bad,
        '{"type":"hello","session":"%s","last_seen":0}' % bad,
    ]
    for frame in frames:
        await sock.send(frame)
        error = await sock.recv()
        assert (error["type"], error["code"]) == ("error", "invalid"), frame
    await assert_still_open(sock)
    await sock.close()
    assert not await Message.objects.filter(role="user").aexists()


@pytest.mark.django_db(transaction=True)
async def test_it_refuses_out_of_range_ids_on_the_socket(socket):
    sock = await socket()
    await sock.send({"type": "hello", "session": None, "last_seen": 2**63})
    assert (await sock.recv())["code"] == "invalid"
    assert (await sock.hello())["type"] == "welcome"
    for frame in ({"type": "seen", "message_id": 2**63}, {"type": "seen", "message_id": -1},
                  {"type": "feedback", "message_id": 2**63, "kind": "thumb", "value": "up"}):
        await sock.send(frame)
        assert (await sock.recv())["code"] == "invalid", frame
    await assert_still_open(sock)
    await sock.close()


def _session(client):
    response = client.post("/api/v1/sessions", {}, format="json")
    assert response.status_code == 201
    return response.json()


@pytest.mark.django_db
def test_it_answers_deep_json_on_rest_with_400_invalid():
    client = APIClient()
    started = _session(client)
    for path in ("/api/v1/sessions", f"/api/v1/sessions/{started['session_id']}/messages", "/api/v1/feedback"):
        response = client.post(path, NESTED, content_type="application/json",
                               HTTP_X_SESSION_TOKEN=started["session"])
        assert response.status_code == 400, path
        assert response.json()["code"] == "invalid" and "nested" in response.json()["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("bad", BAD_STRINGS)
def test_it_refuses_surrogates_and_nul_on_rest(bad):
    client = APIClient()
    started = _session(client)
    token = {"HTTP_X_SESSION_TOKEN": started["session"]}
    bodies = [
        (f"/api/v1/sessions/{started['session_id']}/messages", '{"client_id":"c1","text":"x %s"}' % bad),
        (f"/api/v1/sessions/{started['session_id']}/messages", '{"client_id":"%s","text":"x"}' % bad),
        ("/api/v1/feedback", '{"message_id":1,"kind":"correction","text":"%s"}' % bad),
        ("/api/v1/feedback", '{"message_id":1,"kind":"preference","chosen":"%s","rejected":"b"}' % bad),
    ]
    for path, body in bodies:
        response = client.post(path, body, content_type="application/json", **token)
        assert response.status_code == 400, (path, body)
        assert response.json()["code"] == "invalid"
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_it_checks_the_nul_rule_in_the_action_too():
    """The consumer and the parser refuse NUL first; the action refuses it for any other caller (a command, a task)."""
    from chat import actions

    session = ChatSession.objects.create()
    for client_id, text in (("c\x00", "hi"), ("c1", "hi\x00"), ("c\ud800", "hi"), ("c1", "\udc00")):
        with pytest.raises(actions.ChatError) as error:
            actions.do_receive_message(session, client_id, text)
        assert error.value.code == "invalid"


@pytest.mark.django_db
def test_it_answers_huge_ids_with_4xx_not_500(senior):
    from tests.factories import api_client

    client = api_client(senior)
    bulk = client.post("/api/v1/reviews/bulk-approve/", {"task_ids": [2**63]}, format="json")
    assert bulk.status_code == 400 and bulk.json()["code"] == "invalid" and "task_ids" in bulk.json()["errors"]
    assert client.get(f"/api/v1/reviews/{2**63}/").status_code == 404
    for path in (f"/api/v1/reviews/{2**63}/claim/", f"/api/v1/reviews/{2**70}/decision/"):
        response = client.post(path, {"decision": "approve"}, format="json")
        assert 400 <= response.status_code < 500 and "detail" in response.json(), path
    started = _session(APIClient())
    listing = APIClient().get(f"/api/v1/sessions/{started['session_id']}/messages?after={2**64}",
                              HTTP_X_SESSION_TOKEN=started["session"])
    assert listing.status_code == 400 and listing.json()["code"] == "invalid"


@pytest.mark.django_db
def test_it_validates_the_bulk_approve_category(senior):
    from tests.factories import api_client

    response = api_client(senior).post("/api/v1/reviews/bulk-approve/", {"category": "<script>"}, format="json")
    assert response.status_code == 400 and "category" in response.json()["errors"]
    assert api_client(senior).post("/api/v1/reviews/bulk-approve/", {"category": "shipping"},
                                   format="json").status_code == 200


@pytest.mark.django_db
def test_it_answers_api_errors_as_json_not_html(client):
    for path in ("/api/v1/nothing-here", "/api/v1/reviews/not-a-number/", f"/api/v1/sessions/{'x' * 5}/messages"):
        response = client.get(path)
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), path
        assert response.json()["code"] == "not_found"
    page = client.get("/no-such-page")  # outside /api/ the usual page
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_it_answers_a_server_error_under_api_as_json(rf):
    from common.api import server_error

    response = server_error(rf.get("/api/v1/reviews/"))
    assert response.status_code == 500 and json.loads(response.content)["code"] == "server_error"


@pytest.mark.django_db
def test_it_refuses_nul_in_a_catalog_search(client):
    response = client.get("/api/v1/catalog/search", {"q": "one\x00piece"})
    assert response.status_code == 400 and response.json()["code"] == "invalid" and "q" in response.json()["errors"]
