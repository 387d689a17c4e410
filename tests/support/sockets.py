"""A customer's WebSocket in tests: Channels' communicator against the real ASGI application, speaking JSON frames."""

import json

from channels.testing import WebsocketCommunicator

from mangaassist.asgi import application


class Socket:
    """A customer's socket: a WebsocketCommunicator speaking JSON frames."""

    def __init__(self):
        self.comm = WebsocketCommunicator(application, "/ws/chat/")

    async def open(self):
        # Channels' default of 1 s is shorter than a busy CI host takes to accept under the tests' own load.
        connected, _ = await self.comm.connect(timeout=5)
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
