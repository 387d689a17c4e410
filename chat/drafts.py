"""What a turn of the answer pipeline produces and the review engine decides about."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models


class StatusHint(models.TextChoices):
    """What the pipeline asks of the review engine; NONE lets the thresholds decide."""

    NONE = "", "let the thresholds decide"
    CLARIFY = "clarify", "send the clarifying question"
    FALLBACK = "fallback", "send the safe fallback as it is"
    HANDOFF = "handoff", "hand to a person"


@dataclass
class Draft:
    text: str
    category: str  # one of chat.models.Category
    confidence: float  # in [0, 1]
    locale: str = "ja"
    intent: str = ""
    sources: list[dict] = field(default_factory=list)  # [{"type": "manga"|"product"|"faq"|"order", "id": …, "label": …}]
    # What the pipeline wants to say when it cannot answer: a clarifying question, a refusal, a safe fallback.
    clarify_text: str = ""
    status_hint: str = StatusHint.NONE
    prompt_version_id: int | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: Decimal = Decimal("0")
    meta: dict = field(default_factory=dict)  # classifier, retrieval, grounding and guard details for reviewers
