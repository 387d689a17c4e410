"""Channel-layer sends from synchronous code (turn tasks, review decisions, views, commands).

`async_to_sync(layer.group_send)` starts a thread and an event loop for every call, and channels-redis opens a Redis
connection pool per event loop: each pushed frame paid for a thread, a loop and a new Redis connection (about 8% of a
worker's busy time under load). Here every synchronous caller of a process shares one event loop, run by one daemon
thread started on first use, so the layer's connection pool for that loop lives as long as the process.
"""

import asyncio
import os
import threading

from channels.layers import get_channel_layer

SEND_TIMEOUT_SECONDS = 5.0
_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_loop_pid: int | None = None


def _sender_loop() -> asyncio.AbstractEventLoop:
    global _loop, _loop_pid
    with _lock:
        if _loop is None or _loop_pid != os.getpid():  # a forked child does not inherit the parent's loop thread
            _loop = asyncio.new_event_loop()
            _loop_pid = os.getpid()
            threading.Thread(target=_loop.run_forever, name="channel-layer-sender", daemon=True).start()
        return _loop


def group_send(group: str, message: dict, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
    """Send `message` to a channel-layer group and wait until the layer took it. Raises what the layer raised, or
    TimeoutError; callers decide whether a lost push matters (both current callers have a repair path)."""
    future = asyncio.run_coroutine_threadsafe(get_channel_layer().group_send(group, message), _sender_loop())
    try:
        future.result(timeout)
    except TimeoutError:
        future.cancel()
        raise
