"""A socket left idle longer than channels-redis' blocking pop (5 s) still receives what is pushed to it.

Regression: redis-py 8 reads with a 5 s socket timeout by default, the same as the pop, so the consumer's receive
used to time out and the customer's socket silently stopped receiving (settings.CHANNEL_LAYERS raises it)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async

from chat import delivery
from chat.models import ChatSession, Message

pytestmark = pytest.mark.django_db(transaction=True)


def _notice(session_id):
    return delivery.send_to_customer(ChatSession.objects.get(public_id=session_id), kind=Message.Kind.NOTICE,
                                     text="still here").pk


async def test_it_keeps_an_idle_socket_receiving(socket):
    s = await socket()
    welcome = await s.hello()
    await asyncio.sleep(6.5)
    pk = await sync_to_async(_notice)(welcome["session_id"])
    assert (await s.recv())["message_id"] == pk
    await s.send({"type": "ping", "ts": 3})
    assert (await s.recv()) == {"type": "pong", "ts": 3}
    await s.close()
