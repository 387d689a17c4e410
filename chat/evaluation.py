"""Offline evaluation of the answer pipeline on the held-out messages (never used for training)."""

import random
import statistics
import time
from dataclasses import dataclass, field

from catalog.models import Manga, Product
from chat import classifier, response_cache
from chat.memory import Memory
from chat.models import ChatSession, Message
from chat.pipeline import produce_draft

EVALUATION_MARK = "evaluation run"  # the sessions an evaluation creates, deleted when it ends
BINS = [(0.0, 0.3), (0.3, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.01)]


@dataclass
class Outcome:
    category: str
    expected: str
    confidence: float
    grounded: bool
    replaced: bool
    clarify: bool
    millis: float

    @property
    def right(self) -> bool:
        return self.category == self.expected and self.grounded and not self.replaced


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    availability_checked: int = 0
    availability_correct: int = 0

    def accuracy(self) -> float:
        return sum(o.category == o.expected for o in self.outcomes) / len(self.outcomes)

    def grounded_rate(self) -> float:
        return sum(o.grounded or o.replaced for o in self.outcomes) / len(self.outcomes)

    def reliability(self) -> list[tuple[str, int, float]]:
        rows = []
        for low, high in BINS:
            members = [o for o in self.outcomes if low <= o.confidence < high]
            rows.append((f"{low:.2f}–{min(high, 1.0):.2f}", len(members),
                         sum(o.right for o in members) / len(members) if members else float("nan")))
        return rows

    def latency(self) -> tuple[float, float]:
        times = sorted(o.millis for o in self.outcomes)
        return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def _ask(text: str, locale: str):
    session = ChatSession.objects.create(locale=locale, summary=EVALUATION_MARK)
    message = Message.objects.create(session=session, role="user", text=text)
    started = time.perf_counter()
    draft = produce_draft(message, Memory())
    return draft, (time.perf_counter() - started) * 1000


def evaluate(examples: list[dict], availability_samples: int = 60) -> Report:
    """Runs every held-out message through the whole pipeline, as a turn would (no surrounding transaction, so the
    tools' own connections behave as in production); the sessions it creates are deleted at the end."""
    classifier.get_model()
    response_cache.clear()
    report = Report()
    try:
        for example in examples:
            draft, millis = _ask(example["text"], example["lang"])
            grounding = draft.meta.get("grounding", {"grounded": True, "unverified": []})
            report.outcomes.append(Outcome(draft.category, example["category"], draft.confidence,
                                           grounding["grounded"], not grounding["grounded"],
                                           draft.status_hint == "clarify", millis))
        _check_availability(report, availability_samples)
    finally:
        ChatSession.objects.filter(summary=EVALUATION_MARK).delete()
    return report


def _check_availability(report: Report, samples: int) -> None:
    """Ask for random volumes and compare the stated price and stock with the database."""
    products = list(Product.objects.filter(edition="standard").select_related("series").order_by("id"))
    for product in random.Random(5).sample(products, min(samples, len(products))):
        manga: Manga = product.series
        ja = random.Random(product.pk).random() < 0.5
        text = (f"{manga.title_ja}の{product.volume}巻は在庫ありますか？" if ja
                else f"Is {manga.title_en} volume {product.volume} in stock?")
        draft, _ = _ask(text, "ja" if ja else "en")
        report.availability_checked += 1
        expected_price = f"{product.price_jpy:,}円" if ja else f"¥{product.price_jpy:,}"
        expected_stock = ("在庫切れ" if ja else "out of stock") if product.stock == 0 else \
            (f"{product.stock}冊" if ja else f"({product.stock} left)")
        if expected_price in draft.text and expected_stock in draft.text:
            report.availability_correct += 1
