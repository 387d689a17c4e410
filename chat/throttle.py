"""Rate limits that hold across processes and across new sessions (`limits` on Redis).

The per-session message limit is counted in the database (chat.actions); these are the limits a new session would
otherwise reset: sessions per client IP, sessions per WebSocket connection, messages per client IP. Each limit is a
setting like "60/minute;600/hour". When Redis is down the limits fail open: they must never take the chat down.
"""

import logging
import math
import time
from functools import lru_cache

from django.conf import settings
from limits import parse_many, storage, strategies

log = logging.getLogger(__name__)


class Limited(Exception):
    def __init__(self, what: str, retry_after: int):
        super().__init__(what)
        self.what = what
        self.retry_after = retry_after


def _storage_url() -> str:
    url = settings.RATELIMIT_STORAGE_URL or settings.REDIS_URL
    if url.startswith("unix://"):  # redis-py's spelling; `limits` spells a unix socket redis+unix://
        return "redis+unix://" + url.removeprefix("unix://")
    return url


@lru_cache(maxsize=1)
def _limiter() -> strategies.RateLimiter:
    # key_prefix "ratelimit": tests drop these keys between tests (tests/conftest.py)
    return strategies.MovingWindowRateLimiter(storage.storage_from_string(_storage_url(), key_prefix="ratelimit"))


@lru_cache(maxsize=32)
def _parse(spec: str):
    return parse_many(spec)


def hit(setting: str, key: str) -> None:
    """Counts one event for `key` against every limit in settings.<setting>; Limited when one is exhausted."""
    if not settings.RATELIMIT_ENABLED:
        return
    spec = getattr(settings, setting)
    limiter = _limiter()
    try:
        for limit in _parse(spec):
            if not limiter.hit(limit, setting, key):
                reset_at, _ = limiter.get_window_stats(limit, setting, key)
                raise Limited(str(limit), max(1, math.ceil(reset_at - time.time())))
    except Limited:
        raise
    except Exception:  # Redis unreachable: log and let the request through
        log.warning("rate limit %s unavailable", setting, exc_info=True)
