import pytest
from asgiref.sync import sync_to_async

from chat import delivery
from chat.models import ChatSession, Message

pytestmark = pytest.mark.django_db(transaction=True)


def _send_answer(session_id, text):
    session = ChatSession.objects.get(public_id=session_id)
    return delivery.send_to_customer(session, kind=Message.Kind.NOTICE, text=text).pk


async def test_it_resends_what_was_missed_exactly_once(socket):
    s = await socket()
    welcome = await s.hello()
    first = await sync_to_async(_send_answer)(welcome["session_id"], "one")
    assert (await s.recv())["message_id"] == first
    await s.send({"type": "seen", "message_id": first})
    await s.close()

    missed = [await sync_to_async(_send_answer)(welcome["session_id"], t) for t in ("two", "three")]
    again = await socket()
    assert (await again.hello(session=welcome["session"], last_seen=first))["type"] == "welcome"
    assert [(await again.recv())["message_id"] for _ in missed] == missed
    await again.send({"type": "seen", "message_id": missed[-1]})
    await again.send({"type": "ping", "ts": 2})
    assert (await again.recv())["type"] == "pong"
    await again.close()

    third = await socket()
    await third.hello(session=welcome["session"], last_seen=missed[-1])
    await third.nothing_more()
    await third.close()


async def test_every_tab_of_a_session_receives_each_message(socket):
    a, b = await socket(), await socket()
    welcome = await a.hello()
    await b.hello(session=welcome["session"])
    pk = await sync_to_async(_send_answer)(welcome["session_id"], "for both tabs")
    assert (await a.recv())["message_id"] == pk
    assert (await b.recv())["message_id"] == pk
    await a.close()
    await b.close()


async def test_a_resent_client_id_is_stored_once_and_gets_the_same_id(socket):
    s = await socket()
    await s.hello()
    await s.send({"type": "message", "client_id": "same", "text": "在庫ありますか"})
    first = await s.recv_until("received")
    await s.send({"type": "message", "client_id": "same", "text": "在庫ありますか"})
    second = await s.recv_until("received")
    assert first["message_id"] == second["message_id"]
    assert await sync_to_async(Message.objects.filter(role="user").count)() == 1
    await s.close()


async def test_a_message_both_in_the_backlog_and_pushed_live_is_sent_once(socket):
    """A worker's push lands after a reconnecting tab joined the group, for a row the tab's backlog already read."""
    first = await socket()
    welcome = await first.hello()
    await first.close()

    def stored_not_yet_pushed():
        session = ChatSession.objects.get(public_id=welcome["session_id"])
        return Message.objects.create(session=session, role="assistant", kind="notice", text="late push")

    message = await sync_to_async(stored_not_yet_pushed)()
    again = await socket()
    await again.hello(session=welcome["session"], last_seen=0)
    assert (await again.recv())["message_id"] == message.pk
    await sync_to_async(delivery.push_frame)(message.session.group_name, message.to_frame())
    await again.nothing_more()
    await again.close()
