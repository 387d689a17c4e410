import pytest

from chat.models import ChatSession, Message

pytestmark = pytest.mark.django_db(transaction=True)


async def test_it_welcomes_a_new_session(socket):
    s = await socket()
    welcome = await s.hello()
    assert welcome["type"] == "welcome" and welcome["session"] and welcome["session_id"]
    await s.close()


@pytest.mark.parametrize(
    "frame, code",
    [
        ("{not json", "invalid"),
        ('"a string"', "invalid"),
        ({"no": "type"}, "invalid"),
        ({"type": "dance"}, "invalid"),
        ({"type": "message", "client_id": "c1"}, "invalid"),
        ({"type": "message", "client_id": "c1", "text": "   "}, "empty"),
        ({"type": "message", "client_id": "c1", "text": "あ" * 2001}, "too_long"),
        ({"type": "message", "client_id": 7, "text": "hi"}, "invalid"),
        ({"type": "seen", "message_id": "x"}, "invalid"),
    ],
)
async def test_it_answers_bad_frames_with_an_error_code_and_stays_open(socket, frame, code):
    s = await socket()
    await s.hello()
    await s.send(frame)
    error = await s.recv()
    assert error["type"] == "error" and error["code"] == code and error["detail"]
    await s.send({"type": "ping", "ts": 1})
    assert (await s.recv())["type"] == "pong"
    await s.close()


async def test_it_refuses_messages_before_hello(socket):
    s = await socket()
    await s.send({"type": "message", "client_id": "c1", "text": "hi"})
    assert (await s.recv())["code"] == "invalid"
    await s.close()


async def test_it_reports_an_unknown_session_token(socket):
    s = await socket()
    error = await s.hello(session="forged-token")
    assert error == {"type": "error", "code": "not_found", "detail": error["detail"], "client_id": None}
    await s.close()


async def test_it_refuses_a_blocked_session(socket):
    from asgiref.sync import sync_to_async
    from django.utils import timezone

    s = await socket()
    welcome = await s.hello()
    await sync_to_async(ChatSession.objects.filter(public_id=welcome["session_id"]).update)(
        blocked_until=timezone.now() + timezone.timedelta(hours=24))
    await s.send({"type": "message", "client_id": "c1", "text": "hello"})
    error = await s.recv()
    assert error["code"] == "blocked" and error["client_id"] == "c1"
    await s.close()


async def test_it_rate_limits_over_twenty_messages_a_minute(socket):
    from asgiref.sync import sync_to_async

    s = await socket()
    await s.hello()
    for i in range(20):
        await s.send({"type": "message", "client_id": f"c{i}", "text": f"question {i}"})
        assert (await s.recv_until("received"))["client_id"] == f"c{i}"
    await s.send({"type": "message", "client_id": "c20", "text": "one too many"})
    error = await s.recv_until("error")
    assert error["code"] == "rate_limited"
    assert await sync_to_async(Message.objects.filter(role="user").count)() == 20
    await s.close()
