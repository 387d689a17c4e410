"""Which prompt version serves a session: the live one, or the canary for a sticky share of sessions.

Every process keeps the live/canary snapshot in memory and reloads it when the Redis version key changes (the
pattern reviews/thresholds.py uses): lifecycle.py bumps the key after commit of any status change, and a process
checks the key at most once per PROMPT_CHECK_SECONDS, so a rollback reaches every web and worker process in about a
second without a query per turn.

`for_session()` also remembers the version for the rest of the turn (a context variable), so the offline generator
reads the same version's wording through `templates()` without a second lookup.
"""

import hashlib
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

from common.snapshots import SharedSnapshot
from prompts.models import PromptVersion

log = logging.getLogger(__name__)
VERSION_KEY = "prompts:serving:version"
_turn: ContextVar[PromptVersion | None] = ContextVar("prompt_version_of_turn", default=None)
_forced: ContextVar[PromptVersion | None] = ContextVar("prompt_version_forced", default=None)


class NoServingPrompt(LookupError):
    """No live version (or a template key missing from the serving one): answers must not go out unworded."""


@dataclass(frozen=True)
class Serving:
    live: PromptVersion | None
    canary: PromptVersion | None


def _load() -> dict[str, Serving]:
    rows = PromptVersion.objects.filter(status__in=[PromptVersion.Status.LIVE, PromptVersion.Status.CANARY])
    live, canary = {}, {}
    for row in rows:
        (live if row.status == PromptVersion.Status.LIVE else canary)[row.name] = row
    return {name: Serving(live.get(name), canary.get(name)) for name in set(live) | set(canary)}


_snapshot = SharedSnapshot(VERSION_KEY, _load, lambda: settings.PROMPT_CHECK_SECONDS)


def snapshot() -> dict[str, Serving]:
    return _snapshot.get()


def bump_version() -> None:
    """Tell every process to reload (lifecycle.py calls this after commit of any status change)."""
    _snapshot.bump()


def reset_cache() -> None:
    _snapshot.reset()


def in_canary(session_key: str, canary: PromptVersion) -> bool:
    """Sticky: the same session always lands on the same side of this canary (hash of session and version)."""
    digest = hashlib.sha256(f"{session_key}:{canary.pk}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % 10_000 < round(canary.canary_percent * 100)


def choose(session_key: str, name: str = "answer") -> PromptVersion | None:
    forced = _forced.get()
    if forced is not None:
        return forced
    serving = snapshot().get(name)
    if serving is None:
        return None
    if serving.canary is not None and in_canary(session_key, serving.canary):
        return serving.canary
    return serving.live


def for_session(session_key, name: str = "answer") -> PromptVersion | None:
    """The version serving this session's turn (remembered for templates() until the next call in this context)."""
    version = choose(str(session_key), name)
    _turn.set(version)
    return version


def live(name: str = "answer") -> PromptVersion | None:
    serving = snapshot().get(name)
    return serving.live if serving else None


def templates() -> dict:
    """The answer wording of this turn's version (the live one outside a turn). Raises NoServingPrompt, never
    answers with an empty wording."""
    version = _forced.get() or _turn.get() or live()
    if version is None or not version.templates:
        raise NoServingPrompt("no prompt version with answer templates is serving")
    return version.templates


@contextmanager
def forced(version: PromptVersion):
    """Serve `version` to every session in this context (the offline evaluation of a candidate)."""
    token = _forced.set(version)
    try:
        yield version
    finally:
        _forced.reset(token)


def wording(key: str, locale: str, **params) -> str:
    """One template of this turn's version, filled. A key or a language the version lacks raises NoServingPrompt
    (validation refuses such versions, so this only fires on a hand-edited row)."""
    entry = templates().get(key) or {}
    template = entry.get(locale)
    if not template:
        raise NoServingPrompt(f"the serving prompt version has no {locale} template for {key!r}")
    return template.format(**params)
