"""What every reader of cached or serialised state calls when an entry cannot be used: drop it, count it, go on.

A turn must never fail because a cache entry, a summary or a state blob was garbled (a bug in an older release, a
partial write, a human with redis-cli): the reader treats it as absent, deletes it when it can, and counts
`chat_corrupt_state_total{store=…}` so the dashboard and /metrics show it.
"""

import logging

from common import metrics

log = logging.getLogger(__name__)


def dropped(store: str, key: str, why: object) -> None:
    metrics.incr("chat_corrupt_state_total", store=store)
    log.warning("corrupt %s entry %s dropped: %s", store, key, why)
