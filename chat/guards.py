"""Guards around a turn: prompt-injection screen, routing-loop guard, per-request limits, per-session cost cap."""

import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django_redis import get_redis_connection
from django.utils import timezone

from chat.models import ChatSession
from common import metrics

log = logging.getLogger(__name__)

_EN = [
    # overriding the instructions: "ignore previous instructions", "forget your rules and …"
    r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(instructions?|rules|prompts?|guidelines|directives)\b",
    # extracting the prompt
    r"\b(system|initial|hidden|original|developer)\s+(prompt|instructions|message)\b",
    r"\b(reveal|show|print|repeat|output|display|tell me|give me)\b[^.!?\n]{0,30}(\byour\s+"
    r"(prompt|instructions|rules|configuration)\b|\bthe\s+prompt\b)",
    r"\b(instructions|prompt)\s+(verbatim|word for word)\b",
    r"\brepeat\b[^.!?\n]{0,30}\b(above|before)\b|\beverything above (this|the)\b",
    # role-play jailbreaks
    r"\byou are now\s+(dan\b|an?\s+(ai|assistant|model|bot|different|new)\b|in\s+\w+\s+mode|free\b|no longer\b)"
    r"|\bdo anything now\b|\bdeveloper mode\b|\bjailbr(eak|oken)\s*(mode|prompt|:)|\bjailbroken\b",
    r"\b(you are|you're|act as|pretend (to be|you are)|role-?play as|imagine you are)\s+(an?\s+)?"
    r"(evil|unfiltered|unrestricted|uncensored|jailbroken|rogue)\b",
    r"\b(pretend|act|role-?play|imagine)\b[^.!?\n]{0,60}\b(no|without)\s+(rules|restrictions|limits|filters|guidelines)\b",
]
_JA = [
    r"(以前|前|上記|上|これまで|今まで|先ほど|最初)の(指示|命令|プロンプト|設定|ルール)[^。\n]{0,12}(無視|忘れ)",
    r"(指示|命令|ルール|制約)を(すべて|全て|全部)?(無視|忘れ|解除)",
    r"システムプロンプト|(初期|隠し|内部|元)の?(プロンプト|指示)",
    r"(あなた|君|きみ|お前|AI)の(設定|指示|ルール|プロンプト)[^。\n]{0,8}(教えて|表示|見せて|出力|書き出|公開)",
    r"プロンプトを[^。\n]{0,6}(教えて|表示|見せて|出力)",
    r"(上|前)の(文章|文|内容)を[^。\n]{0,6}(そのまま|全部|すべて)?[^。\n]{0,4}(出力|表示|繰り返)",
    r"制限(の|が)?ない\s*(AI|ＡＩ|アシスタント|ボット)|制限を解除|ルールのない|(悪い|邪悪な|悪の)\s*(AI|ＡＩ)",
    r"脱獄|ジェイルブレイク|開発者モード|デベロッパーモード",
    r"ロールプレイ[^。\n]{0,40}(ルール|制限|制約)(のない|なし|を無視|を忘れ)",
]
INJECTION = re.compile("|".join(f"(?:{p})" for p in _EN + _JA), re.IGNORECASE)
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
    # Tokens of one model call (input + output). Per call, not summed over the request: every Sonnet call re-sends
    # the conversation, so an ordinary grounded answer (a tool call, then the answer: ~5,600 tokens in all) would
    # be capped by a sum. Runaway loops are bounded by max_steps and max_cost_usd.
    max_call_tokens: int = 5000
    max_seconds: float = 20.0
    max_cost_usd: Decimal = Decimal("0.10")


@dataclass
class Budget:
    """One request's spend: model/tool steps, tokens, time, money. Violations are recorded, not raised."""

    limits: Limits = field(default_factory=Limits)
    steps: int = 0
    tokens: int = 0  # over all calls, for the record
    largest_call: int = 0
    cost_usd: Decimal = Decimal("0")
    started: float = field(default_factory=time.monotonic)
    violations: list[str] = field(default_factory=list)

    def spend(self, steps: int = 0, call_tokens: int = 0, cost_usd: Decimal = Decimal("0")) -> None:
        """`call_tokens`: the tokens of one model call."""
        self.steps += steps
        self.tokens += call_tokens
        self.largest_call = max(self.largest_call, call_tokens)
        self.cost_usd += cost_usd
        self._check()

    def exhausted(self) -> bool:
        self._check()
        return bool(self.violations)

    def seconds_left(self) -> float:
        return self.limits.max_seconds - (time.monotonic() - self.started)

    def _check(self) -> None:
        checks = [("steps", self.steps > self.limits.max_steps),
                  ("tokens", self.largest_call > self.limits.max_call_tokens),
                  ("time", self.seconds_left() < 0), ("cost", self.cost_usd > self.limits.max_cost_usd)]
        for name, broken in checks:
            if broken and name not in self.violations:
                self.violations.append(name)
                metrics.incr("pipeline_limit_violations_total", limit=name)
                log.warning("request limit exceeded: %s", name)


def is_injection(text: str) -> bool:
    """English and Japanese: overriding the instructions, extracting the prompt, role-play jailbreaks.

    NFKC first, so full-width letters (ｉｇｎｏｒｅ) and half-width kana match too."""
    return bool(INJECTION.search(unicodedata.normalize("NFKC", text)))


def record_injection(session: ChatSession) -> bool:
    """Count a hit; the fifth within a minute blocks the session for 24 hours. True when it was blocked now."""
    client = get_redis_connection()
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
