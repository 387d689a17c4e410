"""CPU slots: at most WORKER_CPU_SLOTS threads of a process do a turn's Python work at once.

A threads-pool worker runs many turns at once (CELERY_CONCURRENCY) so that turns waiting on Bedrock do not hold a
process each. But an offline turn, and the Python around a Bedrock call, is CPU work under one GIL: with 32 threads
runnable at once a worker spent about a third more CPU per turn switching between them, and every turn of a burst
finished late, all together, instead of the first ones first (measured with bench_chat: 28 msg/s with 32 runnable
threads, 39 msg/s with 4). So a turn holds a slot while it computes and hands it back while it waits on the network
(`waiting()` around a model call); the waiting turns stay as many as the pool's threads.

Preconditions for `waiting()`: no database transaction is open (a thread holding SQLite's write lock must not queue
behind threads that wait for that lock).
"""

import threading
from contextlib import contextmanager

from django.conf import settings

_slots: threading.Semaphore | None = None
_slots_lock = threading.Lock()
_held = threading.local()


def _semaphore() -> threading.Semaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.Semaphore(max(1, settings.WORKER_CPU_SLOTS))
        return _slots


@contextmanager
def busy():
    """Hold a CPU slot for the block (re-entrant: a nested block reuses the slot its thread holds)."""
    if getattr(_held, "slot", False):
        yield
        return
    slots = _semaphore()
    slots.acquire()
    _held.slot = True
    try:
        yield
    finally:
        _held.slot = False
        slots.release()


@contextmanager
def waiting():
    """Give this thread's slot back while the block waits (a network call); take one again after it."""
    if not getattr(_held, "slot", False):
        yield
        return
    slots = _semaphore()
    _held.slot = False
    slots.release()
    try:
        yield
    finally:
        slots.acquire()
        _held.slot = True
