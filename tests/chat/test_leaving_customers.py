"""One customer's answers all arrive while other customers of the same web process open and close their sockets.

Regression: with channels-redis' list-based layer, the consumers of one process take turns popping the process's
shared queue, and a consumer that closed mid-pop took the message it had popped with it, whoever it was for. Under
`bench_chat` at 55 msg/s two answers were stored and pushed (delivered_at set) and never reached their sockets, both
as other customers finished and left. Groups on Redis pub/sub have no shared pop to lose."""

import asyncio
import random

import pytest
from asgiref.sync import sync_to_async

from chat import delivery
from chat.models import ChatSession, Message

pytestmark = pytest.mark.django_db(transaction=True)
PUSHES = 150


def _notices(session_id, count):
    session = ChatSession.objects.get(public_id=session_id)
    return [delivery.send_to_customer(session, kind=Message.Kind.NOTICE, text=f"notice {n}").pk for n in range(count)]


async def test_it_delivers_every_answer_while_other_customers_leave(socket):
    customer = await socket()
    welcome = await customer.hello()
    pushing = True

    async def come_and_go(seed):
        pause = random.Random(seed)
        while pushing:
            other = await socket()
            await other.hello(locale="en")
            await asyncio.sleep(pause.uniform(0, 0.02))
            await other.close()

    visitors = [asyncio.ensure_future(come_and_go(seed)) for seed in range(8)]
    try:
        sent = await sync_to_async(_notices)(welcome["session_id"], PUSHES)
    finally:
        pushing = False
        await asyncio.gather(*visitors)
    received = []
    while len(received) < len(sent):
        try:
            received.append((await customer.recv(timeout=3))["message_id"])
        except asyncio.TimeoutError:
            break
    assert received == sent
    await customer.close()
