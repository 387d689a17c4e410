"""Helpers for the fault drills: customers on real sockets, a report of what was sent, answered and duplicated."""

import asyncio
import json
import statistics
import time
import uuid
from dataclasses import dataclass, field

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed


class Customer:
    """One customer on a real WebSocket to a real uvicorn (asyncio), behaving like the chat page: it confirms what it
    saw, reconnects with its session and last_seen when the line drops, and resends an unconfirmed message with the
    same client_id (the server keeps it once)."""

    def __init__(self, base: str):
        self.url = base.replace("http://", "ws://") + "/ws/chat/"
        self.ws = None
        self.session = None
        self.last_seen = 0
        self.sent: dict[str, str] = {}  # client_id -> text
        self.received: dict[str, int] = {}  # client_id -> message id
        self.answers: dict[int, set[int]] = {}  # customer message id -> ids of the final answers seen
        self.reconnects = 0
        self._reader = None
        self._closing = False
        self._changed = asyncio.Event()

    async def _connect(self, timeout: float = 60):
        """Connect and say hello (resuming the session after the first time), retrying until the server answers."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ws = await connect(self.url, open_timeout=10)
                await self.ws.send(json.dumps({"type": "hello", "session": self.session, "last_seen": self.last_seen,
                                               "locale": "ja"}))
                while True:
                    frame = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
                    if frame["type"] == "welcome":
                        break
                self.session = frame["session"]
                break
            except (OSError, asyncio.TimeoutError, ConnectionClosed):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        for client_id, text in self.sent.items():  # what the server may not have stored: the same client_id again
            if client_id not in self.received:
                await self._send_message(client_id, text)

    async def open(self):
        await self._connect()
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def _read(self):
        while not self._closing:
            try:
                frame = json.loads(await self.ws.recv())
            except ConnectionClosed:
                if self._closing:
                    return
                self.reconnects += 1
                await asyncio.sleep(0.5)
                await self._connect()
                continue
            kind = frame.get("type")
            if kind == "received":
                self.received[frame["client_id"]] = frame["message_id"]
            elif kind == "answer":
                self.answers.setdefault(frame["reply_to"], set()).add(frame["message_id"])
            if "message_id" in frame and kind in ("answer", "review_pending", "heartbeat", "notice"):
                self.last_seen = max(self.last_seen, frame["message_id"])
                try:
                    await self.ws.send(json.dumps({"type": "seen", "message_id": frame["message_id"]}))
                except ConnectionClosed:
                    pass
            self._changed.set()

    async def _send_message(self, client_id: str, text: str):
        try:
            await self.ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
        except ConnectionClosed:
            pass  # the reader reconnects and sends it again

    async def _until(self, predicate, timeout: float):
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise asyncio.TimeoutError(f"customer {self.session}: condition not met in {timeout}s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.5))
            except asyncio.TimeoutError:
                pass

    async def send(self, text: str) -> str:
        client_id = uuid.uuid4().hex
        self.sent[client_id] = text
        await self._send_message(client_id, text)
        return client_id

    def answered(self, client_id: str) -> bool:
        message_id = self.received.get(client_id)
        return message_id is not None and bool(self.answers.get(message_id))

    async def ask(self, text: str, timeout: float = 60) -> float:
        """Seconds from sending the message to its answer."""
        started = time.monotonic()
        client_id = await self.send(text)
        await self._until(lambda: self.answered(client_id), timeout)
        return time.monotonic() - started

    async def all_answered(self, timeout: float = 120) -> None:
        await self._until(lambda: all(self.answered(c) for c in self.sent), timeout)

    def duplicated(self) -> int:
        return sum(len(ids) - 1 for ids in self.answers.values() if len(ids) > 1)

    async def close(self):
        self._closing = True
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()


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
    fallbacks: int = 0
    requeued: int = 0  # turns the watchdog enqueued again
    unanswered: list = field(default_factory=list)
    recover_seconds: float | None = None

    @classmethod
    def from_database(cls, name: str, recover_seconds: float | None = None) -> "Outcome":
        from django.db.models import Count, Q

        from chat.models import Message

        users = Message.objects.filter(role=Message.Role.USER).annotate(
            finals=Count("replies", filter=Q(replies__kind=Message.Kind.ANSWER)),
            fallbacks=Count("replies", filter=Q(replies__status=Message.Status.FALLBACK)))
        outcome = cls(name, recover_seconds=recover_seconds)
        for message in users:
            outcome.sent += 1
            if message.finals:
                outcome.answered += 1
            else:
                outcome.unanswered.append(message.pk)
            outcome.duplicated += max(0, message.finals - 1)
            outcome.fallbacks += message.fallbacks
            outcome.requeued += message.requeue_count
        return outcome

    def report(self) -> str:
        recover = f"{self.recover_seconds:.1f}s" if self.recover_seconds is not None else "-"
        line = (f"[drill] {self.name}: sent={self.sent} answered={self.answered} duplicated={self.duplicated} "
                f"fallbacks={self.fallbacks} requeued={self.requeued} "
                f"recovered_in={recover} load={load_average()}")
        print(line, flush=True)
        return line
