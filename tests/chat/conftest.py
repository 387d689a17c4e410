import json

import pytest
from channels.testing import WebsocketCommunicator

from mangaassist.asgi import application


class Socket:
    """A customer's socket: a WebsocketCommunicator speaking JSON frames."""

    def __init__(self):
        self.comm = WebsocketCommunicator(application, "/ws/chat/")

    async def open(self):
        connected, _ = await self.comm.connect()
        assert connected
        return self

    async def send(self, frame):
        await self.comm.send_to(text_data=json.dumps(frame) if not isinstance(frame, str) else frame)

    async def recv(self, timeout=5):
        return json.loads(await self.comm.receive_from(timeout=timeout))

    async def recv_until(self, kind, timeout=10):
        while True:
            frame = await self.recv(timeout)
            if frame["type"] == kind:
                return frame

    async def hello(self, session=None, last_seen=0, locale="ja"):
        await self.send({"type": "hello", "session": session, "last_seen": last_seen, "locale": locale})
        return await self.recv()

    async def nothing_more(self):
        assert await self.comm.receive_nothing(timeout=0.3)

    async def close(self):
        await self.comm.disconnect()


@pytest.fixture
def socket():
    async def make():
        return await Socket().open()

    return make


@pytest.fixture
def auto_answers(transactional_db):
    from reviews.thresholds import reset_cache

    from tests.factories import all_drafts_auto

    all_drafts_auto()
    yield
    reset_cache()
