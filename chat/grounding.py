"""The grounding check: every title, price and stock figure in an answer must come from a tool result.

Claims are found the way generation writes them (titles in 「」 or double quotes, prices as N円 or ¥N, stock as
N冊 or "N left") and checked against the facts the tools returned in this turn. One unverified claim makes the
whole answer ungrounded: the pipeline then sends a safe fallback with confidence 0.
"""

import re
from dataclasses import dataclass, field

from catalog.tools import FaqHit, OrderInfo, SeriesHit, ToolResult

TITLE = re.compile(r"「([^」]{1,80})」|\"([^\"]{1,80})\"")
PRICE = re.compile(r"(\d[\d,]*)\s*(?:円|yen\b|JPY\b)|[¥￥]\s*(\d[\d,]*)", re.IGNORECASE)
STOCK = re.compile(r"(\d+)\s*(?:冊|点在庫)|\((\d+) left\)|\b(\d+)\s+(?:copies|left|in stock)\b", re.IGNORECASE)
# What one sentence says about one volume: "「X」11巻は在庫あり（29冊）…" / "Volume 11 of "X" is in stock (29 left)…"
VOLUME = re.compile(r"(\d{1,3})\s*巻|\bvol(?:ume)?\.?\s*(\d{1,3})\b", re.IGNORECASE)
SOLD_OUT = re.compile(r"在庫切れ|品切れ|out of stock|sold out", re.IGNORECASE)
IN_STOCK = re.compile(r"在庫あり|在庫がございます|in stock", re.IGNORECASE)
SENTENCE = re.compile(r"(?<=[。！？\n])|(?<=[.!?])\s+")
MIN_TITLE_CHARS = 3  # shorter catalog titles ("ギョ") are too likely to be ordinary words


@dataclass
class Facts:
    titles: set[str] = field(default_factory=set)
    prices: set[int] = field(default_factory=set)
    stocks: set[int] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)  # policy texts (FAQ answers): figures inside them are grounded
    hits: list[SeriesHit] = field(default_factory=list)


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
                facts.hits.append(item)
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


def _store_titles() -> set[str]:
    """Every series title the store knows (both languages): an unquoted mention of one must be grounded too."""
    from catalog.models import Manga

    rows = Manga.objects.values_list("title_ja", "title_en")
    return {t for pair in rows for t in pair if t and len(t) >= MIN_TITLE_CHARS}


def _mentions(title: str, text: str) -> bool:
    if title.isascii():
        return re.search(rf"(?<![\w]){re.escape(title)}(?![\w])", text, re.IGNORECASE) is not None
    return title in text


def _hit_named(sentence: str, hits: list[SeriesHit], current: SeriesHit | None) -> SeriesHit | None:
    named = [h for h in hits if _mentions(h.title_ja, sentence) or (h.title_en and _mentions(h.title_en, sentence))]
    if named:
        return max(named, key=lambda h: len(h.title_ja))
    return current or (hits[0] if len(hits) == 1 else None)


def _volume_claims(text: str, facts: Facts) -> list[str]:
    """Stock and price stated for a given volume must be that volume's, not any figure the tools returned."""
    unverified, current = [], None
    for sentence in filter(None, (s.strip() for s in SENTENCE.split(text))):
        current = _hit_named(sentence, facts.hits, current)
        volume = VOLUME.search(sentence)
        if current is None or volume is None:
            continue
        number = int(volume.group(1) or volume.group(2))
        products = [p for p in current.products if p.volume == number]
        if not products:
            if STOCK.search(sentence) or PRICE.search(sentence) or IN_STOCK.search(sentence):
                unverified.append(f"volume {number} of {current.title_ja} (not in the tool results)")
            continue
        stocks, prices = {p.stock for p in products}, {p.price_jpy for p in products}
        for match in STOCK.finditer(sentence):
            if _number(next(g for g in match.groups() if g)) not in stocks:
                unverified.append(f"stock of volume {number} of {current.title_ja}")
        for match in PRICE.finditer(sentence):
            if _number(match.group(1) or match.group(2)) not in prices:
                unverified.append(f"price of volume {number} of {current.title_ja}")
        # a volume can come in several editions (standard, box, first print): the claim must fit one of them
        if SOLD_OUT.search(sentence) and min(stocks) > 0:
            unverified.append(f"sold out claim for volume {number} of {current.title_ja}")
        elif IN_STOCK.search(sentence) and not SOLD_OUT.search(sentence) and max(stocks) <= 0:
            unverified.append(f"in stock claim for volume {number} of {current.title_ja}")
    return unverified


def check(text: str, results: list[ToolResult], allowed_titles: set[str] = frozenset()) -> Grounding:
    facts = collect_facts(results)
    policy = " ".join(facts.texts)
    unverified = []
    for match in TITLE.finditer(text):
        claim = match.group(1) or match.group(2)
        if claim not in facts.titles and claim not in allowed_titles and claim not in policy:
            unverified.append(f"title {claim}")
    known = {t.lower() for t in facts.titles | set(allowed_titles)}
    for title in _store_titles():
        if title.lower() not in known and _mentions(title, text) and not _mentions(title, policy):
            unverified.append(f"title {title}")
    for match in PRICE.finditer(text):
        raw = match.group(1) or match.group(2)
        if _number(raw) not in facts.prices and raw not in policy:
            unverified.append(f"price {raw}")
    for match in STOCK.finditer(text):
        raw = next(g for g in match.groups() if g)
        if _number(raw) not in facts.stocks and raw not in policy:
            unverified.append(f"stock {raw}")
    unverified += _volume_claims(text, facts)
    return Grounding(not unverified, list(dict.fromkeys(unverified)))
