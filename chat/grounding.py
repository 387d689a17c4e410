"""The grounding check: every title, price and stock figure in an answer must come from a tool result.

Claims are found the way generation writes them (titles in 「」 or double quotes, prices as N円 or ¥N, stock as
N冊 or "N left") and checked against the facts the tools returned in this turn. One unverified claim makes the
whole answer ungrounded: the pipeline then sends a safe fallback with confidence 0.
"""

import re
from dataclasses import dataclass, field

from catalog.tools import FaqHit, OrderInfo, SeriesHit, ToolResult

TITLE = re.compile(r"「([^」]{1,80})」|\"([^\"]{1,80})\"")
PRICE = re.compile(r"(\d[\d,]*)\s*円|¥\s*(\d[\d,]*)")
STOCK = re.compile(r"(\d+)\s*冊|\((\d+) left\)")


@dataclass
class Facts:
    titles: set[str] = field(default_factory=set)
    prices: set[int] = field(default_factory=set)
    stocks: set[int] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)  # policy texts (FAQ answers): figures inside them are grounded


@dataclass
class Grounding:
    grounded: bool
    unverified: list[str] = field(default_factory=list)


def collect_facts(results: list[ToolResult]) -> Facts:
    facts = Facts()
    for result in results:
        if not result.performed or result.data is None:
            continue
        items = result.data if isinstance(result.data, tuple) else (result.data,)
        for item in items:
            if isinstance(item, SeriesHit):
                facts.titles |= {item.title_ja, item.title_en}
                facts.prices |= {p.price_jpy for p in item.products}
                facts.stocks |= {p.stock for p in item.products}
                facts.texts += [item.synopsis_ja, item.synopsis_en]
            elif isinstance(item, FaqHit):
                facts.texts.append(item.answer)
            elif isinstance(item, OrderInfo):
                facts.texts.append(" ".join(label for label, _ in item.lines))
    return facts


def _number(raw: str) -> int:
    return int(raw.replace(",", ""))


def check(text: str, results: list[ToolResult], allowed_titles: set[str] = frozenset()) -> Grounding:
    facts = collect_facts(results)
    policy = " ".join(facts.texts)
    unverified = []
    for match in TITLE.finditer(text):
        claim = match.group(1) or match.group(2)
        if claim not in facts.titles and claim not in allowed_titles and claim not in policy:
            unverified.append(f"title {claim}")
    for match in PRICE.finditer(text):
        raw = match.group(1) or match.group(2)
        if _number(raw) not in facts.prices and raw not in policy:
            unverified.append(f"price {raw}")
    for match in STOCK.finditer(text):
        raw = match.group(1) or match.group(2)
        if _number(raw) not in facts.stocks and raw not in policy:
            unverified.append(f"stock {raw}")
    return Grounding(not unverified, unverified)
