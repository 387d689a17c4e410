"""Helpers for the fault drills: customers on real sockets, a report of what was sent, answered and duplicated."""

import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field

from websockets.asyncio.client import connect


class Customer:
    """One customer on a real WebSocket to a real uvicorn (asyncio)."""

    def __init__(self, base: str):
        self.url = base.replace("http://", "ws://") + "/ws/chat/"
        self.ws = None
        self.session = None

    async def open(self):
        self.ws = await connect(self.url, open_timeout=20)
        await self.ws.send(json.dumps({"type": "hello", "session": self.session, "last_seen": 0, "locale": "ja"}))
        welcome = await self.until("welcome")
        self.session = welcome["session"]
        return self

    async def until(self, kind: str, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - time.monotonic())))
            if frame["type"] == kind:
                return frame

    async def ask(self, text: str, timeout: float = 60) -> float:
        """Seconds from sending the message to its answer."""
        started = time.monotonic()
        await self.ws.send(json.dumps({"type": "message", "client_id": uuid.uuid4().hex, "text": text}))
        received = await self.until("received", timeout)
        while True:
            answer = await self.until("answer", timeout)
            if answer["reply_to"] == received["message_id"]:
                return time.monotonic() - started

    async def close(self):
        if self.ws is not None:
            await self.ws.close()


async def http_get(base: str, path: str, timeout: float = 30) -> tuple[int, float]:
    """(status, seconds) of one GET on a fresh connection; status 0 when no answer came within the timeout."""
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, int(port)), timeout)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)
        writer.close()
        return int(status_line.split()[1]), time.monotonic() - started
    except (OSError, asyncio.TimeoutError, IndexError, ValueError):
        return 0, time.monotonic() - started


def summary(seconds: list[float]) -> str:
    if not seconds:
        return "n=0"
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"n={len(ordered)} p50={statistics.median(ordered) * 1000:.0f}ms p95={p95 * 1000:.0f}ms "
            f"max={ordered[-1] * 1000:.0f}ms")


def load_average() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


@dataclass
class Outcome:
    """What a drill reports: every customer message answered once, nothing duplicated."""

    name: str
    sent: int = 0
    answered: int = 0
    duplicated: int = 0
    unanswered: list = field(default_factory=list)
    recover_seconds: float | None = None

    @classmethod
    def from_database(cls, name: str, recover_seconds: float | None = None) -> "Outcome":
        from django.db.models import Count, Q

        from chat.models import Message

        users = Message.objects.filter(role=Message.Role.USER).annotate(
            finals=Count("replies", filter=Q(replies__kind=Message.Kind.ANSWER)))
        outcome = cls(name, recover_seconds=recover_seconds)
        for message in users:
            outcome.sent += 1
            if message.finals:
                outcome.answered += 1
            else:
                outcome.unanswered.append(message.pk)
            outcome.duplicated += max(0, message.finals - 1)
        return outcome

    def report(self) -> str:
        recover = f"{self.recover_seconds:.1f}s" if self.recover_seconds is not None else "-"
        line = (f"[drill] {self.name}: sent={self.sent} answered={self.answered} duplicated={self.duplicated} "
                f"recovered_in={recover} load={load_average()}")
        print(line, flush=True)
        return line
