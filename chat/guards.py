"""Guards around a turn: prompt-injection screen, routing-loop guard, per-request limits, per-session cost cap."""

import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from chat.models import ChatSession
from mangaassist import metrics

log = logging.getLogger(__name__)

INJECTION = re.compile(
    r"ignore (all |any )?(the )?(previous|prior|above) (instructions|prompts?)|disregard (your|the) (rules|instructions)"
    r"|system prompt|your (instructions|prompt) (verbatim|word for word)|reveal (your|the) (prompt|instructions)"
    r"|you are now (dan|an? unrestricted)|pretend (you are|to be) (an? )?(ai|assistant|model) (with|without)"
    r"|jailbreak|developer mode|act as (an? )?(unfiltered|unrestricted)|roleplay as .* without (rules|restrictions)"
    r"|(以前|前|上記|これまで)の(指示|命令|プロンプト)を(無視|忘れ)|システムプロンプト|プロンプトを(教えて|表示|見せて)"
    r"|制限(を|なし|のない)(解除|AI)?|脱獄|開発者モード|(ルール|制約)を無視",
    re.IGNORECASE,
)
INJECTION_BLOCK_AFTER = 5
INJECTION_WINDOW_SECONDS = 60
BLOCK_HOURS = 24

REFUSAL = {
    "ja": "申し訳ありませんが、そのご依頼にはお応えできません。マンガの在庫やご注文についてのご質問でしたら喜んでお手伝いします。",
    "en": "Sorry, I can't help with that request. I'm happy to help with manga, stock, orders and shipping.",
}


@dataclass
class Limits:
    max_steps: int = 5
    max_tokens: int = 5000
    max_seconds: float = 20.0
    max_cost_usd: Decimal = Decimal("0.10")


@dataclass
class Budget:
    """One request's spend: model/tool steps, tokens, time, money. Violations are recorded, not raised."""

    limits: Limits = field(default_factory=Limits)
    steps: int = 0
    tokens: int = 0
    cost_usd: Decimal = Decimal("0")
    started: float = field(default_factory=time.monotonic)
    violations: list[str] = field(default_factory=list)

    def spend(self, steps: int = 0, tokens: int = 0, cost_usd: Decimal = Decimal("0")) -> None:
        self.steps += steps
        self.tokens += tokens
        self.cost_usd += cost_usd
        self._check()

    def exhausted(self) -> bool:
        self._check()
        return bool(self.violations)

    def seconds_left(self) -> float:
        return self.limits.max_seconds - (time.monotonic() - self.started)

    def _check(self) -> None:
        checks = [("steps", self.steps > self.limits.max_steps), ("tokens", self.tokens > self.limits.max_tokens),
                  ("time", self.seconds_left() < 0), ("cost", self.cost_usd > self.limits.max_cost_usd)]
        for name, broken in checks:
            if broken and name not in self.violations:
                self.violations.append(name)
                metrics.incr("pipeline_limit_violations_total", limit=name)
                log.warning("request limit exceeded: %s", name)


def is_injection(text: str) -> bool:
    return bool(INJECTION.search(text))


def record_injection(session: ChatSession) -> bool:
    """Count a hit; the fifth within a minute blocks the session for 24 hours. True when it was blocked now."""
    client = cache._cache.get_client(write=True)
    key = f"guard:injection:{session.pk}"
    hits = client.incr(key)
    if hits == 1:
        client.expire(key, INJECTION_WINDOW_SECONDS)
    metrics.incr("pipeline_injection_total")
    log.warning("prompt injection attempt in session %s (%s in the last minute)", session.pk, hits)
    if hits >= INJECTION_BLOCK_AFTER:
        ChatSession.objects.filter(pk=session.pk).update(blocked_until=timezone.now() + timedelta(hours=BLOCK_HOURS))
        return True
    return False


def oscillating(categories: list[str]) -> bool:
    """A-B-A-B over the last four routed categories: the conversation is bouncing between two topics."""
    last = categories[-4:]
    return len(last) == 4 and last[0] == last[2] and last[1] == last[3] and last[0] != last[1]


def over_cost_cap(session: ChatSession) -> bool:
    return session.cost_usd >= Decimal(str(settings.SESSION_COST_CAP_USD))
