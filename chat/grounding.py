"""The grounding check: every title, price and stock figure in an answer must come from a tool result.

Claims are found the way generation writes them (titles in 「」 or double quotes, prices as N円 or ¥N, stock as
N冊 or "N left") and checked against the facts the tools returned in this turn. One unverified claim makes the
whole answer ungrounded: the pipeline then sends a safe fallback with confidence 0.

A model (Bedrock) does not always write titles the way our templates do, so title-like spans are caught however
they are written: in any quotes (「」『』""“”‘’《》【】), in **bold** or __bold__, and bare: a run of kana, kanji
or Latin letters right before a volume, stock or price word in Japanese (「ドラゴン戦記の1巻」), a run of two or more
Capitalised Words in English ("Dragon Quest Saga volume 1"). Such a span is a title claim unless it is (part of) a
title the tools returned or the store sells, appears in a policy text, or is made only of ordinary words
(ORDINARY_*); a title the store does not sell is never any of these.
"""

import re
import threading
from dataclasses import dataclass, field

from catalog import search
from catalog.tools import FaqHit, OrderInfo, SeriesHit, ToolResult

TITLE = re.compile(r"「([^」]{1,80})」|\"([^\"]{1,80})\"")
OTHER_QUOTES = re.compile(r"『([^』]{1,80})』|“([^”]{1,80})”|‘([^’]{1,80})’|《([^》]{1,80})》|【([^】]{1,80})】")
BOLD = re.compile(r"\*\*([^*\n]{1,80})\*\*|__([^_\n]{1,80})__")
# Japanese: a title-like run (katakana, kanji, Latin, digits inside) right before の? + N巻 / 在庫 / 価格 / シリーズ.
JA_RUN = re.compile(r"([\u30A0-\u30FF\u4E00-\u9FFF\uFF21-\uFF3A\uFF41-\uFF5AA-Za-zー・＆&！!？?]{2,40})\s*の?\s*"
                    r"(?:第?\s*\d{1,3}\s*巻|在庫|価格|シリーズ|全\s*\d{1,3}\s*巻)")
# English: two or more Capitalised (or ALL CAPS) words, small words allowed between them.
EN_RUN = re.compile(r"(?<![\w'’])([A-Z][\w'’!?:&-]*(?:\s+(?:(?:of|the|no|to|and|a|an|in|on|de|wa|ga)\s+)*"
                    r"[A-Z][\w'’!?:&-]*)+)")
ORDINARY_JA = ("最新刊", "最新", "最終", "既刊", "新刊", "続刊", "続き", "次", "同", "各", "全", "単行本", "漫画", "マンガ",
               "まんが", "コミックス", "コミック", "作品", "商品", "当店", "人気", "通常版", "限定版", "特装版", "初版", "新装版",
               "完全版", "文庫版", "愛蔵版", "上記", "こちら", "在庫", "価格", "シリーズ", "第", "巻", "冊", "税込", "円",
               "送料", "配送", "注文", "ご注文", "本", "今", "現在", "以下", "以上", "一部", "他", "別", "前", "後")
ORDINARY_EN = {"i", "we", "you", "the", "a", "an", "of", "and", "to", "in", "on", "no", "de", "wa", "ga", "yes", "sorry",
               "thanks", "thank", "hello", "hi", "please", "volume", "volumes", "vol", "vol.", "edition", "editions",
               "box", "set", "first", "print", "limited", "special", "deluxe", "standard", "japan", "japanese",
               "english", "tokyo", "osaka", "kyoto", "hokkaido", "okinawa", "yamato", "sagawa", "post", "transport",
               "express", "mangaassist", "manga", "store", "shop", "our", "team", "customer", "support", "faq",
               "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
               "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
               "yen", "jpy", "tax", "included", "shipping", "free", "cash", "delivery", "cod", "credit", "card",
               "paypay", "konbini", "convenience", "returns", "return", "refund", "order", "orders", "in", "stock",
               "out", "sold", "available", "ai", "assistant", "bot", "new", "latest", "series", "completed",
               "ongoing", "finished", "shonen", "shounen", "shojo", "shoujo", "seinen", "josei", "isekai", "is",
               "it", "this", "that", "these", "those", "also", "here", "there", "what", "which", "if", "let", "me",
               "it's", "i'm", "we're", "you're", "ok", "okay", "note", "unfortunately", "however", "currently"}
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


@dataclass(frozen=True)
class StoreWords:
    titles: frozenset[str]  # every series title the store knows (both languages): an unquoted mention is a claim
    names: frozenset[str]  # authors and publishers: a capitalised name that is not a title ("Eiichiro Oda")


_store_words: tuple[object, StoreWords] | None = None
_store_lock = threading.Lock()


def store_words() -> StoreWords:
    """Read from the process's search index and kept until the catalog's series change: this used to be two
    queries over the whole catalog on every turn."""
    global _store_words
    index = search.get_index()
    with _store_lock:
        if _store_words is None or _store_words[0] is not index:
            titles = {n for r in index.records for n in r.names[:2] if n and len(n) >= MIN_TITLE_CHARS}
            names = {n for r in index.records for n in (*r.authors, r.publisher) if n}
            _store_words = (index, StoreWords(frozenset(titles), frozenset(names)))
        return _store_words[1]


def _mentions(title: str, text: str) -> bool:
    if title.isascii():
        # The substring test first: most titles are not in the text, and their patterns would crowd re's cache.
        return (title.lower() in text.lower()
                and re.search(rf"(?<![\w]){re.escape(title)}(?![\w])", text, re.IGNORECASE) is not None)
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


def _known_span(span: str, titles: set[str], policy: str) -> bool:
    """A title-like span that is part of (or contains) a known title, or appears in a policy text."""
    folded = span.lower().strip(" 　・:!?！？-")
    if not folded or folded in policy.lower():
        return True
    return any(folded in title.lower() or (len(title) >= MIN_TITLE_CHARS and title.lower() in folded)
               for title in titles)


def _without_names(text: str, names) -> str:
    """The text with every author's and publisher's name blanked: a title inside a person's name is part of the
    name ("Akira Toriyama" does not name the series AKIRA, nor "Jin Kobayashi" JIN-仁-)."""
    for name in sorted((n for n in names if n in text), key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def _ordinary_ja(span: str) -> bool:
    for word in sorted(ORDINARY_JA, key=len, reverse=True):
        span = span.replace(word, "")
    return len(span.strip(" 　・ー")) < 2


def _ordinary_en(span: str) -> bool:
    """Only ordinary words, or codes with digits (an order number "MA-260001", a SKU): not a title."""
    return all(word.lower().strip("'’!?:&-") in ORDINARY_EN or any(c.isdigit() for c in word) for word in span.split())


def _figure_or_status(span: str) -> bool:
    """Bold used for emphasis of a figure or a status ("**在庫あり**", "**¥594**"): the figure checks cover it."""
    return bool(re.search(r"\d", span) or IN_STOCK.search(span) or SOLD_OUT.search(span))


def _title_like_spans(text: str) -> list[str]:
    spans = [next(g for g in m.groups() if g) for m in OTHER_QUOTES.finditer(text)]
    spans += [s for s in (next(g for g in m.groups() if g) for m in BOLD.finditer(text)) if not _figure_or_status(s)]
    plain = BOLD.sub(lambda m: m.group(1) or m.group(2), TITLE.sub(" ", OTHER_QUOTES.sub(" ", text)))
    spans += [m.group(1) for m in JA_RUN.finditer(plain) if not _ordinary_ja(m.group(1))]
    spans += [m.group(1) for m in EN_RUN.finditer(plain) if not _ordinary_en(m.group(1))]
    return spans


def check(text: str, results: list[ToolResult], allowed_titles: set[str] = frozenset(), own_words: str = "") -> Grounding:
    """`own_words`: the store's own wording the answer may repeat (the serving prompt's templates), like policy text."""
    facts = collect_facts(results)
    policy = " ".join([*facts.texts, own_words])
    unverified = []
    for match in TITLE.finditer(text):
        claim = match.group(1) or match.group(2)
        if claim not in facts.titles and claim not in allowed_titles and claim not in policy:
            unverified.append(f"title {claim}")
    store = store_words()
    spans = _title_like_spans(text)
    names = facts.titles | set(allowed_titles) | store.titles | (
        {n for h in facts.hits for n in (h.author, h.author_en) if n} | store.names if spans else set())
    for span in spans:
        if not _known_span(span, names, policy):
            unverified.append(f"title {span}")
    known = {t.lower() for t in facts.titles | set(allowed_titles)}
    unnamed = _without_names(text, store.names | {n for h in facts.hits for n in (h.author, h.author_en) if n})
    for title in store.titles:
        if title.lower() not in known and _mentions(title, unnamed) and not _mentions(title, policy):
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
