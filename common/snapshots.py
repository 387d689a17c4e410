"""A process-local copy of database state that every process reloads when any process says it changed.

The state is read once and kept in memory; a version key in Redis names the current state. A process looks at the key
at most every `check_seconds()` and reloads when it differs; `bump()` (after the commit that changed the rows) gives
the key a new value, so every process reloads within one interval and this one at its next read. With Redis down the
copy is still served and reloaded at each interval. Used for the live escalation thresholds and the serving prompts.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.core.cache import cache

log = logging.getLogger(__name__)


class SharedSnapshot:
    def __init__(self, version_key: str, load: Callable[[], object], check_seconds: Callable[[], float]):
        self.version_key, self.load, self.check_seconds = version_key, load, check_seconds
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.value, self.version, self.checked_at = None, None, 0.0

    def get(self):
        now = time.monotonic()
        with self.lock:
            if self.value is not None and now - self.checked_at < self.check_seconds():
                return self.value
            version = self._shared_version()
            if self.value is None or version is None or version != self.version:
                self.value, self.version = self.load(), version
            self.checked_at = now
            return self.value

    def bump(self) -> None:
        """Tell every process to reload (call after the commit that changed the state)."""
        try:
            cache.set(self.version_key, uuid.uuid4().hex, timeout=None)
        except Exception:  # Redis down: processes fall back to their check interval
            log.exception("could not bump %s", self.version_key)
        self.checked_at = 0.0

    def _shared_version(self) -> str | None:
        try:
            version = cache.get(self.version_key)
            if version is None:  # first process up (or Redis flushed): publish a version everyone shares
                cache.add(self.version_key, uuid.uuid4().hex, timeout=None)
                version = cache.get(self.version_key)
            return version
        except Exception:
            return None  # reload at each interval until Redis is back
