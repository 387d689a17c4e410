"""Item 3: limits that a new session does not reset, an exact per-session message limit, 429 with Retry-After."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from chat import actions
from chat.models import ChatSession, Message


@pytest.mark.django_db
def test_it_limits_new_sessions_per_ip_with_retry_after(settings):
    settings.RATELIMIT_SESSIONS_PER_IP = "5/minute"
    office, elsewhere = APIClient(REMOTE_ADDR="203.0.113.7"), APIClient(REMOTE_ADDR="198.51.100.9")
    codes = [office.post("/api/v1/sessions", {}, format="json").status_code for _ in range(5)]
    refused = office.post("/api/v1/sessions", {}, format="json")
    assert codes == [201] * 5 and refused.status_code == 429
    assert refused.json()["code"] == "rate_limited" and 1 <= int(refused["Retry-After"]) <= 60
    assert elsewhere.post("/api/v1/sessions", {}, format="json").status_code == 201
    assert ChatSession.objects.count() == 6


def test_its_defaults_let_a_busy_office_through():
    """A few hundred people behind one NAT address: 60 new chats a minute and 300 messages a minute from one IP."""
    from django.conf import settings
    from limits import parse_many

    per_minute = {str(limit.GRANULARITY.name): limit.amount for limit in parse_many(settings.RATELIMIT_SESSIONS_PER_IP)}
    assert per_minute["minute"] >= 60 and per_minute["hour"] >= 600
    assert parse_many(settings.RATELIMIT_MESSAGES_PER_IP)[0].amount >= 300


@pytest.mark.django_db(transaction=True)
async def test_it_limits_new_sessions_on_one_socket(socket, settings):
    settings.RATELIMIT_SESSIONS_PER_CONNECTION = "3/minute"
    sock = await socket()
    sessions = set()
    for _ in range(3):
        sessions.add((await sock.hello())["session_id"])
    refused = await sock.hello()
    assert refused["type"] == "error" and refused["code"] == "rate_limited" and refused["retry_after"] >= 1
    assert len(sessions) == 3 and await ChatSession.objects.acount() == 3
    await sock.send({"type": "ping", "ts": 1})
    assert (await sock.recv())["type"] == "pong"  # still open
    await sock.close()


@pytest.mark.django_db
def test_it_limits_messages_per_ip_across_sessions(settings):
    settings.RATELIMIT_MESSAGES_PER_IP = "4/minute"
    client = APIClient(REMOTE_ADDR="203.0.113.8")
    outcomes = []
    for n in range(3):  # three sessions, two messages each: the sixth message from this address is refused
        started = client.post("/api/v1/sessions", {}, format="json").json()
        for m in range(2):
            outcomes.append(client.post(f"/api/v1/sessions/{started['session_id']}/messages",
                                        {"client_id": f"{n}-{m}", "text": "hello"}, format="json",
                                        HTTP_X_SESSION_TOKEN=started["session"]))
    assert [r.status_code for r in outcomes] == [202] * 4 + [429, 429]
    assert outcomes[-1]["Retry-After"] and outcomes[-1].json()["code"] == "rate_limited"
    assert Message.objects.filter(role="user").count() == 4


def test_it_enforces_the_message_limit_exactly_under_a_race(transactional_db):
    """40 concurrent posts on one session: exactly the 20-a-minute allowance is stored, the rest are rate_limited."""
    session = ChatSession.objects.create()

    def post(n):
        try:
            actions.do_receive_message(session, f"race-{n}", f"message {n}")
            return "ok"
        except actions.ChatError as exc:
            return exc.code
        finally:
            connection.close()  # each thread has its own connection, like separate web processes

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(post, range(40)))
    assert outcomes.count("ok") == 20 and outcomes.count("rate_limited") == 20
    assert session.messages.filter(role="user").count() == 20


@pytest.mark.django_db
def test_it_tells_when_the_session_allowance_comes_back():
    session = ChatSession.objects.create()
    start = timezone.now() - timedelta(seconds=45)
    for n in range(20):
        Message.objects.create(session=session, role="user", text="x", client_id=f"old-{n}", created_at=start)
    with pytest.raises(actions.ChatError) as error:
        actions.do_receive_message(session, "one-more", "hello")
    assert error.value.code == "rate_limited" and 10 <= error.value.retry_after <= 16


@pytest.mark.django_db
def test_a_session_blocked_for_injection_is_not_escaped_by_a_new_one():
    attacker, neighbour = APIClient(REMOTE_ADDR="203.0.113.66"), APIClient(REMOTE_ADDR="198.51.100.1")
    blocked = attacker.post("/api/v1/sessions", {}, format="json").json()
    ChatSession.objects.filter(public_id=blocked["session_id"]).update(
        blocked_until=timezone.now() + timedelta(hours=24))
    again = attacker.post("/api/v1/sessions", {}, format="json")
    assert again.status_code == 403 and again.json()["code"] == "blocked"
    assert neighbour.post("/api/v1/sessions", {}, format="json").status_code == 201


@pytest.mark.django_db
def test_a_session_following_a_blocked_one_after_idle_stays_blocked():
    old = ChatSession.objects.create(blocked_until=timezone.now() + timedelta(hours=24),
                                     last_activity_at=timezone.now() - timedelta(hours=1))
    new, is_new = actions.do_resume_session(old.token, "ja")
    assert is_new and new.pk != old.pk and new.is_blocked()


@pytest.mark.django_db(transaction=True)
async def test_a_blocked_address_cannot_hello_a_new_session_on_the_socket(settings):
    from channels.testing import WebsocketCommunicator

    from mangaassist.asgi import application

    await ChatSession.objects.acreate(client_ip="203.0.113.66", blocked_until=timezone.now() + timedelta(hours=1))
    comm = WebsocketCommunicator(application, "/ws/chat/")
    comm.scope["client"] = ("203.0.113.66", 50000)
    assert (await comm.connect())[0]
    await comm.send_json_to({"type": "hello", "session": None, "last_seen": 0})
    refused = await comm.receive_json_from()
    assert refused["type"] == "error" and refused["code"] == "blocked"
    await comm.disconnect()


@pytest.mark.django_db
def test_it_throttles_admin_logins_with_429_and_retry_after(client, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 5
    django_user_model.objects.create_user("ops", password="right-password-1", is_staff=True, is_superuser=True)
    wrong = [client.post("/admin/login/", {"username": "ops", "password": f"wrong{n}"}).status_code
             for n in range(5)]
    assert wrong[:4] == [200] * 4  # the login form again, with an error
    locked = client.post("/admin/login/", {"username": "ops", "password": "right-password-1"})
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    assert "ログインの失敗が多すぎます" in locked.content.decode()  # the store's default language
    english = client.post("/admin/login/", {"username": "ops", "password": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429 and "Too many failed logins" in english.content.decode()
    # another account from the same office address is not locked out by one person's mistakes
    django_user_model.objects.create_user("ops2", password="right-password-2", is_staff=True)
    assert client.post("/admin/login/", {"username": "ops2", "password": "right-password-2"}).status_code == 302


@pytest.mark.django_db
def test_logins_without_a_request_still_work(client, django_user_model):
    """Scripts and the test client authenticate without a request: nothing to throttle, and no crash."""
    django_user_model.objects.create_user("script", password="right-password-1", is_staff=True)
    assert client.login(username="script", password="right-password-1")
