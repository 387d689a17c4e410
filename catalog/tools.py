"""The catalog tools the answer pipeline calls: plain functions with typed results and a time budget each.

A tool that times out or fails returns `performed=False` with the reason. It never returns an empty result in that
case: "I could not check" and "there is none" are different answers to a customer.
"""

import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import numpy as np
from django.db import close_old_connections
from django.db.models import Count, Max

from catalog import embeddings, search
from catalog.models import Customer, FaqEntry, Manga, Order, Product

log = logging.getLogger(__name__)
T = TypeVar("T")
# As many tool threads as a worker runs turns at once (CELERY_CONCURRENCY with the threads pool): a tool's time
# budget counts its wait in this queue, so a smaller pool turned load into "could not check" answers.
_pool = ThreadPoolExecutor(max_workers=max(4, int(os.environ.get("CATALOG_TOOL_THREADS", "32"))),
                           thread_name_prefix="catalog-tool")


@dataclass(frozen=True)
class ToolResult(Generic[T]):
    tool: str
    performed: bool
    data: T | None
    error: str | None = None


@dataclass(frozen=True)
class ProductInfo:
    sku: str
    volume: int | None
    edition: str
    price_jpy: int
    stock: int
    in_stock: bool


@dataclass(frozen=True)
class SeriesHit:
    manga_id: int
    slug: str
    title_ja: str
    title_en: str
    author: str
    author_en: str
    demographic: str
    genres: tuple[str, ...]
    total_volumes: int
    status: str
    rare: bool
    score: float
    products: tuple[ProductInfo, ...]
    synopsis_ja: str
    synopsis_en: str


@dataclass(frozen=True)
class OrderInfo:
    order_number: str
    status: str
    carrier: str | None
    tracking_number: str | None
    placed_at: datetime
    shipped_at: datetime | None
    delivered_at: datetime | None
    lines: tuple[tuple[str, int], ...]  # (title and volume, quantity)


@dataclass(frozen=True)
class FaqHit:
    key: str
    topic: str
    question: str
    answer: str
    score: float


SearchFilters = search.Filters


def _run(tool: str, timeout: float, work) -> ToolResult:
    def in_thread():
        # A pool thread is a request of its own as far as Django is concerned: its connection follows CONN_MAX_AGE
        # (closed after the call by default), so no idle connection outlives the call, a broken one is dropped,
        # and a test database can be dropped at the end of a run.
        close_old_connections()
        try:
            return work()
        finally:
            close_old_connections()

    future = _pool.submit(in_thread)
    try:
        return ToolResult(tool, True, future.result(timeout=timeout))
    except FutureTimeout:
        future.cancel()  # still queued behind slow calls: never start it, nobody is waiting for it any more
        log.warning("tool %s timed out after %.2fs", tool, timeout)
        return ToolResult(tool, False, None, f"timeout after {timeout:.1f}s")
    except Exception as exc:  # reported to the generator as "not performed", never as "no results"
        log.exception("tool %s failed", tool)
        return ToolResult(tool, False, None, f"error: {type(exc).__name__}")


def series_hits(scored: list[search.Hit]) -> tuple[SeriesHit, ...]:
    ids = [hit.series_id for hit in scored]
    manga = {m.pk: m for m in Manga.objects.filter(pk__in=ids).prefetch_related("products")}
    return tuple(series_hit(manga[hit.series_id], hit.score) for hit in scored if hit.series_id in manga)


def series_hit(manga: Manga, score: float = 1.0) -> SeriesHit:
    products = tuple(
        ProductInfo(p.sku, p.volume, p.edition, p.price_jpy, p.stock, p.stock > 0)
        for p in sorted(manga.products.all(), key=lambda p: (p.edition != "standard", p.volume or 0, p.sku))
    )
    return SeriesHit(
        manga.pk, manga.slug, manga.title_ja, manga.title_en, manga.author, manga.author_en, manga.demographic,
        tuple(manga.genres), manga.total_volumes, manga.status, manga.rare, round(score, 4), products,
        manga.synopsis_ja, manga.synopsis_en,
    )


def search_manga_catalog(query: str, filters: SearchFilters | None = None, limit: int = 5,
                         timeout: float = 2.0, vector=None) -> ToolResult[tuple[SeriesHit, ...]]:
    """`vector` (here and below): the query's embedding when the turn already has it, so it is not computed again."""
    return _run("search_manga_catalog", timeout, lambda: series_hits(search.search(query, filters, limit, vector)))


def get_manga_details(manga_id: int, timeout: float = 2.0) -> ToolResult[SeriesHit]:
    def work():
        manga = Manga.objects.prefetch_related("products").filter(pk=manga_id).first()
        return series_hit(manga) if manga else None

    return _run("get_manga_details", timeout, work)


def check_inventory(sku_or_title: str, timeout: float = 2.0, vector=None) -> ToolResult[tuple[SeriesHit, ...]]:
    """An exact SKU first (that series, current stock), else the best title matches."""

    def work():
        product = Product.objects.select_related("series").filter(sku=sku_or_title.strip().lower()).first()
        if product:
            return (series_hit(Manga.objects.prefetch_related("products").get(pk=product.series_id)),)
        return series_hits(search.search(sku_or_title, None, 3, vector))

    return _run("check_inventory", timeout, work)


def similar_manga(manga_id: int, limit: int = 5, timeout: float = 2.0) -> ToolResult[tuple[SeriesHit, ...]]:
    return _run("similar_manga", timeout, lambda: series_hits(search.similar_to(manga_id, limit)))


def staff_picks(limit: int = 3, timeout: float = 2.0) -> ToolResult[tuple[SeriesHit, ...]]:
    """The store's staff picks that have a volume in stock, by English title: what "any recommendations?" lists."""

    def work():
        picks = (Manga.objects.filter(staff_pick=True, products__stock__gt=0).distinct().order_by("title_en")
                 .prefetch_related("products")[:limit])
        return tuple(series_hit(manga) for manga in picks)

    return _run("staff_picks", timeout, work)


def lookup_order(order_number: str, customer: Customer | None, timeout: float = 2.0) -> ToolResult[OrderInfo | None]:
    """The customer's own order, or None: an order of somebody else is reported exactly like a missing one."""

    def work():
        if customer is None:
            return None
        order = (Order.objects.filter(order_number=order_number.strip().upper(), customer=customer)
                 .prefetch_related("lines__product__series").first())
        if order is None:
            return None
        lines = tuple((f"{line.product.series.title_ja} {line.product.volume or ''}".strip(), line.quantity)
                      for line in order.lines.all())
        return OrderInfo(order.order_number, order.status, order.carrier or None, order.tracking_number or None,
                         order.placed_at, order.shipped_at, order.delivered_at, lines)

    return _run("lookup_order", timeout, work)


_faq = {"key": None, "at": 0.0, "entries": [], "matrix": None}
_faq_lock = threading.Lock()
FAQ_MAX_AGE_SECONDS = 10.0  # an embedding written by QuerySet.update() after the save is picked up this late


def _faq_index():
    """The FAQ entries and their embedding matrix, kept per process: a turn pays one small aggregate query, not a
    load of every entry and its embedding. Rebuilt when an entry is added, removed, saved or embedded."""
    key = tuple(FaqEntry.objects.aggregate(n=Count("id"), embedded=Count("embedding"), at=Max("updated_at")).values())
    now = time.monotonic()
    with _faq_lock:
        if _faq["key"] != key or now - _faq["at"] > FAQ_MAX_AGE_SECONDS:
            entries = [e for e in FaqEntry.objects.all() if e.embedding]
            matrix = np.stack([embeddings.from_bytes(e.embedding) for e in entries]) if entries else None
            _faq.update(key=key, at=now, entries=entries, matrix=matrix)
        return _faq["entries"], _faq["matrix"]


def search_faq(query: str, locale: str, limit: int = 3, timeout: float = 2.0,
               vector=None) -> ToolResult[tuple[FaqHit, ...]]:
    def work():
        entries, matrix = _faq_index()
        if not entries:
            return ()
        scores = matrix @ (embeddings.embed_one(query) if vector is None else vector)
        best = np.argsort(-scores)[:limit]
        ja = locale == "ja"
        return tuple(FaqHit(entries[i].key, entries[i].topic, entries[i].question_ja if ja else entries[i].question_en,
                            entries[i].answer_ja if ja else entries[i].answer_en, float(scores[i])) for i in best)

    return _run("search_faq", timeout, work)


def browse_catalog(filters: SearchFilters, limit: int = 5, timeout: float = 2.0) -> ToolResult[tuple[SeriesHit, ...]]:
    """Series that pass `filters` (a genre, a demographic, in stock), without a query: "any isekai in stock?"."""
    return _run("browse_catalog", timeout, lambda: series_hits(search.search("", filters, limit)))


def faq_entries(keys: tuple[str, ...], locale: str, timeout: float = 2.0) -> ToolResult[tuple[FaqHit, ...]]:
    """The FAQ entries with these keys, in the order asked (an unknown key is left out), in the customer's language."""

    def work():
        entries = {e.key: e for e in FaqEntry.objects.filter(key__in=keys)}
        ja = locale == "ja"
        return tuple(FaqHit(e.key, e.topic, e.question_ja if ja else e.question_en, e.answer_ja if ja else e.answer_en,
                            1.0) for e in (entries.get(k) for k in keys) if e is not None)

    return _run("faq_entries", timeout, work)
