"""The per-session turn lock: taken by the turn task (chat.turn), looked at by the watchdog (chat.watchdog).

A Redis lock with a short time to live that the turn keeps renewing while it works, so a worker killed mid-turn
frees the session within LOCK_TTL seconds and the watchdog can tell a running turn from a lost one.
"""

import logging
import threading
from contextlib import contextmanager

from django_redis import get_redis_connection

log = logging.getLogger(__name__)
LOCK_TTL = 15  # seconds a dead worker can keep a session locked
LOCK_WAIT = 55  # how long a turn waits for the session's previous turn


def _client():
    return get_redis_connection()


def lock_key(session_id: int) -> str:
    return f"chat:turn:{session_id}"


def turn_lock(session_id: int):
    # thread_local=False: the keeper thread renews the lock the task thread took.
    return _client().lock(lock_key(session_id), timeout=LOCK_TTL, blocking_timeout=LOCK_WAIT, thread_local=False)


def running_sessions(session_ids) -> set[int]:
    """The sessions whose turn lock is held right now (one round trip)."""
    session_ids = list(session_ids)
    if not session_ids:
        return set()
    pipe = _client().pipeline(transaction=False)
    for session_id in session_ids:
        pipe.exists(lock_key(session_id))
    return {session_id for session_id, held in zip(session_ids, pipe.execute()) if held}


@contextmanager
def kept(lock):
    """Renew `lock` every third of its time to live until the block ends."""
    stop = threading.Event()

    def keep():
        while not stop.wait(LOCK_TTL / 3):
            try:
                if not lock.reacquire():
                    log.warning("turn lock %s was lost while the turn ran", lock.name)
                    return
            except Exception:
                log.warning("turn lock %s could not be renewed", lock.name, exc_info=True)
                return

    keeper = threading.Thread(target=keep, daemon=True, name="turn-lock-keeper")
    keeper.start()
    try:
        yield lock
    finally:
        stop.set()
        keeper.join(2)
