"""Graceful degradation: under load or spend, new turns step down a tier and step back up when the pressure is gone.

Tiers (LLM_BACKEND=bedrock): FULL (Haiku classifies, Sonnet answers, up to 5 steps) → HAIKU (Haiku answers, one
tool round trip: 3 steps) → OFFLINE (the offline classifier and templates, no Bedrock call at all). With the
offline backend every tier answers offline; the tier is still measured and shown.

Pressure is measured on the turns themselves, never on a timer: a turn reports its queue wait (message stored →
turn started) as it starts, so a backlog counts before its turns finish, and its latency and cost as it ends. Over
the last DEGRADE_WINDOW turns of the current tier, a p90 wait above DEGRADE_QUEUE_WAIT_SECONDS or a p90 latency
above DEGRADE_TURN_SECONDS steps down one tier; the day's
Bedrock spend above DEGRADE_DAILY_SPEND_USD goes straight to OFFLINE. Stepping up needs evidence that the tier above
is healthy again: a share (DEGRADE_PROBE_SHARE) of turns runs one tier higher as probes, and when a window of
probes and the current tier's queue wait are both below DEGRADE_RECOVER_RATIO × the limits (hysteresis), the tier
steps up. Each change clears the windows, so a decision always rests on turns measured after the previous one.

State is in Redis (one tier for every process); each change is a metric (`degradation_steps_total`), a log line
and the `tier_changed` signal, on which reviews opens and resolves an operations alert.
"""

import json
import logging
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_redis import get_redis_connection

from chat.corrupt import dropped
from common import metrics

log = logging.getLogger(__name__)
TIER_KEY = "degrade:tier"  # JSON {"tier": int, "since": iso, "reason": str}
WAITS_KEY = "degrade:waits:{}"  # per tier: the last turns' queue waits, reported as they start
LATENCIES_KEY = "degrade:latencies:{}"  # per tier: the last turns' latencies, reported as they end
SPEND_KEY = "degrade:spend:{}"  # per JST day: Bedrock USD
READ_EVERY_SECONDS = 0.5
# Sent after the tier changed: old, new (Tier), reason (str). reviews opens/resolves an Alert on it.
tier_changed = Signal()


@dataclass(frozen=True)
class Tier:
    level: int
    name: str
    label: str
    answer_model: str | None  # "answer" (Sonnet), "classify" (Haiku) or None: offline
    max_steps: int

    @property
    def calls_bedrock(self) -> bool:
        """Whether a turn at this tier asks a model: on the Bedrock backend, at any tier but the offline one."""
        return settings.LLM_BACKEND == "bedrock" and self.answer_model is not None


TIERS = (
    Tier(0, "full", _("Full (Sonnet)"), "answer", 5),
    Tier(1, "haiku", _("Reduced (Haiku, shallow retrieval)"), "classify", 3),
    Tier(2, "offline", _("Offline answers only"), None, 5),
)
LOWEST = len(TIERS) - 1
_cached: tuple[float, dict] = (0.0, {})


def _redis():
    return get_redis_connection()


def state() -> dict:
    """{"tier": int, "since": iso or None, "reason": str}; read from Redis at most every READ_EVERY_SECONDS."""
    global _cached
    now = time.monotonic()
    if now - _cached[0] < READ_EVERY_SECONDS and _cached[1]:
        return _cached[1]
    try:
        raw = _redis().get(TIER_KEY)
        value = json.loads(raw) if raw else {"tier": 0, "since": None, "reason": ""}
        if not isinstance(value, dict) or isinstance(value.get("tier"), bool) or not isinstance(value.get("tier"), int):
            raise ValueError("not a tier state")
    except (ValueError, TypeError) as exc:  # a garbled state: full tier until the next decision writes a good one
        dropped("degradation", TIER_KEY, exc)
        value = {"tier": 0, "since": None, "reason": "unknown"}
    except Exception:  # without Redis nothing else works either; answer at full tier
        value = {"tier": 0, "since": None, "reason": "unknown"}
    _cached = (now, value)
    return value


def current() -> Tier:
    return TIERS[min(max(int(state()["tier"]), 0), LOWEST)]


def choose() -> Tier:
    """The tier a new turn runs at: the current one, or (a probe) the one above it for DEGRADE_PROBE_SHARE of turns.
    No probes while the day's spend is over its limit: that pressure does not go away within the day."""
    tier = current()
    if tier.level and random.random() < settings.DEGRADE_PROBE_SHARE and not _over_spend():
        return TIERS[tier.level - 1]
    return tier


def _spend_key() -> str:
    return SPEND_KEY.format(timezone.localdate().isoformat())


def _over_spend() -> bool:
    try:
        return float(_redis().get(_spend_key()) or 0) > settings.DEGRADE_DAILY_SPEND_USD
    except Exception:
        return False


def _p90(values: list[float]) -> float:
    values = sorted(values)
    return values[int(0.9 * (len(values) - 1))] if values else 0.0


def started(tier: Tier, wait_s: float) -> Tier | None:
    """Record a turn's queue wait as it starts, and decide. Returns the new tier when this report changed it."""
    _push(WAITS_KEY.format(tier.level), wait_s)
    return decide()


def finished(tier: Tier, latency_s: float, cost_usd: Decimal | float = 0, cut_short: bool = False) -> Tier | None:
    """Record a finished turn's latency and cost, and decide. Returns the new tier when this report changed it.

    `cut_short`: the model was given up on (a timeout at the turn's time budget, throttling) and the turn answered
    offline in time. Its latency says nothing about the model's, which was longer than the turn could wait: it counts
    as twice the limit, so that a model too slow to answer in time steps down rather than being paid for in vain."""
    if cut_short:
        latency_s = max(latency_s, 2 * settings.DEGRADE_TURN_SECONDS)
    _push(LATENCIES_KEY.format(tier.level), latency_s, cost_usd)
    return decide()


def _push(key: str, seconds: float, cost_usd: Decimal | float = 0) -> None:
    pipe = _redis().pipeline()
    if cost_usd:
        pipe.incrbyfloat(_spend_key(), float(cost_usd))
        pipe.expire(_spend_key(), 2 * 86400)
    pipe.lpush(key, round(seconds, 3))
    pipe.ltrim(key, 0, settings.DEGRADE_WINDOW - 1)
    pipe.execute()


def _window(key: str) -> list[float]:
    samples = []
    for raw in _redis().lrange(key, 0, -1):
        try:
            samples.append(float(raw))
        except (ValueError, TypeError) as exc:  # a garbled sample is skipped; the window trims it away soon
            dropped("degradation", key, exc)
    return samples


def _pressure(level: int) -> tuple[list[float], list[float]]:
    return _window(WAITS_KEY.format(level)), _window(LATENCIES_KEY.format(level))


def decide() -> Tier | None:
    """Step down on pressure at the current tier, up on calm probes of the tier above (see the module's doc)."""
    global _cached
    _cached = (0.0, {})
    now = current()
    wait_limit, latency_limit = settings.DEGRADE_QUEUE_WAIT_SECONDS, settings.DEGRADE_TURN_SECONDS
    ratio, size = settings.DEGRADE_RECOVER_RATIO, settings.DEGRADE_WINDOW
    if _over_spend():
        if now.level < LOWEST:
            return _change(now, TIERS[LOWEST], f"Bedrock spend today over {settings.DEGRADE_DAILY_SPEND_USD} USD")
        return None
    waits, latencies = _pressure(now.level)
    if now.level < LOWEST:
        wait, latency = _p90(waits), _p90(latencies)
        if (len(waits) >= size and wait > wait_limit) or (len(latencies) >= size and latency > latency_limit):
            return _change(now, TIERS[now.level + 1],
                           f"p90 queue wait {wait:.1f} s (limit {wait_limit:g}), p90 turn {latency:.1f} s "
                           f"(limit {latency_limit:g}) over the last {max(len(waits), len(latencies))} turns")
    if now.level > 0:
        probe_waits, probe_latencies = _pressure(now.level - 1)
        if min(len(probe_waits), len(probe_latencies)) >= max(3, size // 4):
            wait, latency = _p90(probe_waits), _p90(probe_latencies)
            local_wait = _p90(waits)
            if wait < ratio * wait_limit and latency < ratio * latency_limit and local_wait < ratio * wait_limit:
                return _change(now, TIERS[now.level - 1],
                               f"probes at {TIERS[now.level - 1].name}: p90 wait {wait:.1f} s, p90 turn "
                               f"{latency:.1f} s, below {ratio:g} x the limits")
    return None


def _change(old: Tier, new: Tier, reason: str) -> Tier | None:
    """Set the tier if nobody changed it meanwhile (WATCH), clear every window, count, log, signal."""
    client = _redis()
    with client.pipeline() as pipe:
        try:
            pipe.watch(TIER_KEY)
            raw = pipe.get(TIER_KEY)
            if (json.loads(raw)["tier"] if raw else 0) != old.level:
                return None
            pipe.multi()
            pipe.set(TIER_KEY, json.dumps({"tier": new.level, "since": timezone.now().isoformat(), "reason": reason}))
            pipe.delete(*_window_keys())
            pipe.execute()
        except Exception as exc:  # WatchError: another process decided first
            log.info("tier change %s → %s not applied: %s", old.name, new.name, type(exc).__name__)
            return None
    global _cached
    _cached = (0.0, {})
    direction = "down" if new.level > old.level else "up"
    metrics.incr("degradation_steps_total", direction=direction, tier=new.name)
    log.warning("answer tier %s → %s: %s", old.name, new.name, reason)
    tier_changed.send(sender=Tier, old=old, new=new, reason=reason)
    return new


def _window_keys() -> list[str]:
    return [key.format(t.level) for t in TIERS for key in (WAITS_KEY, LATENCIES_KEY)]


def reset() -> None:
    """Back to FULL with empty windows (tests, or an operator after fixing the cause)."""
    global _cached
    _redis().delete(TIER_KEY, *_window_keys())
    _cached = (0.0, {})


metrics.register_gauge("answer_tier", "Current answer tier: 0 full, 1 reduced (Haiku), 2 offline",
                       lambda: current().level)
