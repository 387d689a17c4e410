"""Offline evaluation of the answer pipeline: `evaluate` on the intent held-out messages (category accuracy,
grounding, availability price/stock; never used for training) and `evaluate_answer_set` on the labelled answer set
(chat/answer_data: is the answer right — route and facts — not only its category)."""

import random
import re
import statistics
import time
from dataclasses import dataclass, field

from catalog.models import FaqEntry, Manga, Product
from chat import classifier, response_cache
from chat.answer_data import facts
from chat.drafts import StatusHint
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
                                           draft.status_hint == StatusHint.CLARIFY, millis))
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


# --- the labelled answer set (chat/answer_data): right answers, not only right categories -------------------------

HIGH_RISK_FALLBACK = {"refund", "payment", "complaint", "legal"}  # DESIGN.md; the command passes the live ones
_QUOTED = re.compile(r"「([^」]{1,80})」|\"([^\"]{1,80})\"|\*\*([^*]{1,80})\*\*|『([^』]{1,80})』")
_STOCK_FIGURE = re.compile(r"(?:在庫|残り)[^。、\d]{0,6}(\d+)\s*冊|\((\d+) left\)|\b(\d+)\s+(?:copies\s+)?left\b",
                           re.IGNORECASE)


@dataclass
class AnswerOutcome:
    record: dict
    category: str
    route: str  # auto | review | clarify | handoff | fallback
    text: str  # what the customer would read without a human in between ("" when a person sees it first)
    confidence: float
    replaced: bool  # the pipeline's own grounding check replaced the draft by the safe fallback
    invented: list[str]  # titles, prices, stock figures in the sent text that the store's data does not back
    missing: list[dict]
    millis: float
    tool_failed: bool = False  # a catalog tool timed out or failed (on a loaded machine: the 2 s budget)

    @property
    def route_right(self) -> bool:
        return facts.route_matches(self.record["route"], self.route)

    @property
    def right(self) -> bool:
        """The route matches and, when the customer gets the text at once, every expected fact is in it."""
        return self.route_right and not self.missing and not self.invented


@dataclass
class AnswerReport:
    outcomes: list[AnswerOutcome]
    high_risk_categories: set[str]

    @staticmethod
    def _share(members: list[AnswerOutcome]) -> dict:
        right = sum(o.right for o in members)
        return {"right": right, "total": len(members), "share": round(right / len(members), 3) if members else None}

    def by(self, key) -> dict[str, dict]:
        groups: dict[str, list[AnswerOutcome]] = {}
        for o in self.outcomes:
            groups.setdefault(key(o), []).append(o)
        return {name: self._share(members) for name, members in sorted(groups.items())}

    def summary(self) -> dict:
        outcomes = self.outcomes
        auto = [o for o in outcomes if o.route == "auto"]
        normal = [o for o in outcomes if o.record["category"] not in self.high_risk_categories]
        high = [o for o in outcomes if o.record["class"] in facts.HIGH_RISK_CLASSES
                or o.record["category"] in {"complaint", "legal"}]
        routes: dict[str, int] = {}
        for o in outcomes:
            routes[o.route] = routes.get(o.route, 0) + 1
        return {
            "questions": len(outcomes),
            "answers_right": self._share(outcomes),
            "answers_right_among_auto": self._share(auto),
            "route_right": round(sum(o.route_right for o in outcomes) / len(outcomes), 3),
            "category_accuracy": round(sum(o.category == o.record["category"] for o in outcomes) / len(outcomes), 3),
            "normal_risk_sent_to_review": {"count": sum(o.route == "review" for o in normal), "total": len(normal),
                                           "share": round(sum(o.route == "review" for o in normal) / len(normal), 3)
                                           if normal else None},
            "high_risk_answered_with_clarify": {"count": sum(o.route == "clarify" for o in high), "total": len(high)},
            "answers_with_invented_facts": sum(bool(o.invented) for o in outcomes),
            "drafts_replaced_by_fallback": sum(o.replaced for o in outcomes),
            "questions_with_a_failed_tool": sum(o.tool_failed for o in outcomes),
            "routes": dict(sorted(routes.items())),
            "by_category": self.by(lambda o: o.record["category"]),
            "by_class": self.by(lambda o: o.record["class"]),
            "by_language": self.by(lambda o: o.record["lang"]),
        }

    def wrong(self) -> list[dict]:
        return [{"id": o.record["id"], "text": o.record["text"], "expected_route": o.record["route"],
                 "route": o.route, "expected_category": o.record["category"], "category": o.category,
                 "confidence": round(o.confidence, 3), "missing": [f["source"] for f in o.missing],
                 "invented": o.invented, "tool_failed": o.tool_failed, "answer": o.text[:160]}
                for o in self.outcomes if not o.right]


def route_of(draft, decide) -> str:
    """The route reviews.escalation.route_draft would take for this draft, without acting on it: the pipeline's own
    hint first (a safe fallback, a clarifying question, or a route it names), else the threshold decision.
    `decide(category, confidence)` is reviews.thresholds.decide, passed in (chat does not import reviews)."""
    if draft.status_hint:
        return str(draft.status_hint)
    return str(decide(draft.category, draft.confidence).route)


class CatalogAudit:
    """Independent of the pipeline's grounding check: every quoted or bold title, price and stock figure in a text
    sent without review must be one the store's data holds (titles of the catalog, or words quoted from an FAQ
    answer or a synopsis; prices of products or FAQ amounts; stock figures of the products the answer cites)."""

    def __init__(self):
        self.names = set()
        for row in Manga.objects.values_list("title_ja", "title_en", "romaji", "aliases"):
            self.names.update(facts.normalise(n) for n in (*row[:3], *(row[3] or [])) if n)
        self.faq_text = " ".join(facts.normalise(f"{a} {b}") for a, b in
                                 FaqEntry.objects.values_list("answer_ja", "answer_en"))
        self.quotable = self.faq_text + " " + " ".join(
            facts.normalise(f"{a} {b}") for a, b in Manga.objects.values_list("synopsis_ja", "synopsis_en"))
        self.prices = set(Product.objects.values_list("price_jpy", flat=True))
        self.prices |= {int(n) for n in re.findall(r"(\d+)円", self.faq_text)}
        self.stock = dict(Product.objects.values_list("sku", "stock"))

    def invented(self, text: str, sources: list[dict]) -> list[str]:
        found = []
        for match in _QUOTED.finditer(text):
            span = facts.normalise(next(g for g in match.groups() if g))
            if span not in self.names and span not in self.quotable:
                found.append(f"title:{span}")
        for amount in re.findall(r"(\d+)円", facts.normalise(text)):
            if int(amount) not in self.prices:
                found.append(f"price:{amount}")
        cited = {self.stock.get(s.get("sku")) for s in sources if s.get("type") == "product"}
        for match in _STOCK_FIGURE.finditer(text):
            figure = int(next(g for g in match.groups() if g))
            if figure not in cited:
                found.append(f"stock:{figure}")
        return found


def sent_text(draft, route: str, generic_clarify) -> str:
    """What the customer would read at once, as route_draft sends it ("" when a person sees the draft first)."""
    if route in ("auto", "fallback"):
        return draft.text
    if route == "clarify":
        if draft.status_hint == StatusHint.CLARIFY:
            return draft.clarify_text or draft.text
        return draft.clarify_text or generic_clarify(draft.locale)
    return ""


def evaluate_answer_set(records: list[dict], decide, high_risk_categories: set[str] | None = None,
                        progress=None, generic_clarify=lambda locale: "") -> AnswerReport:
    """Asks every question of the answer set in a fresh anonymous session, decides its route the way the turn would
    (without opening a task or sending anything) and checks the text against the expected facts. `decide` and
    `generic_clarify(locale)` (the escalation's own clarifying question) come from reviews, passed in by the command. The sessions it
    creates are deleted at the end; nothing else is written but the response cache the pipeline keeps."""
    classifier.get_model()
    response_cache.clear()
    audit = CatalogAudit()
    outcomes = []
    try:
        for n, record in enumerate(records, 1):
            draft, millis = _ask(record["text"], record["lang"])
            route = route_of(draft, decide)
            sent = sent_text(draft, route, generic_clarify)
            grounding = draft.meta.get("grounding", {"grounded": True})
            checks_facts = route in ("auto", "clarify") and record["route"] in ("auto", "no_task")
            outcomes.append(AnswerOutcome(
                record=record, category=draft.category, route=route, text=sent, confidence=draft.confidence,
                replaced=not grounding["grounded"], invented=audit.invented(sent, draft.sources) if sent else [],
                missing=facts.missing_facts(sent, record) if checks_facts else [], millis=millis,
                tool_failed=any(not t.get("performed", True) for t in draft.meta.get("tools", []))))
            if progress:
                progress(n, len(records))
    finally:
        ChatSession.objects.filter(summary=EVALUATION_MARK).delete()
    return AnswerReport(outcomes, set(high_risk_categories or HIGH_RISK_FALLBACK))
