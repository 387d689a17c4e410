"""The response cache: exact, then semantic (cosine ≥ 0.95, same category and locale), five minutes.

Each entry remembers the SKUs and series it mentions; a product change deletes those entries at once (see
chat/apps.py), so a stock change never leaves a stale 在庫あり answer behind. Personal answers are never cached.
"""

import hashlib
import json
import re
import unicodedata

import numpy as np
from django_redis import get_redis_connection

from catalog import embeddings
from catalog.text import normalize

TTL_SECONDS = 300
SEMANTIC_MIN = 0.95
SEMANTIC_MAX_ENTRIES = 200
PERSONAL = {"order_status", "account", "refund", "payment", "complaint", "legal"}


def _client():
    return get_redis_connection()


def _key(category: str, locale: str, text: str, prompt_version: int | None) -> str:
    """Keyed on the prompt version too: a canary's wording never reaches a live-version session, nor after a rollback."""
    digest = hashlib.sha256(f"{category}|{locale}|{prompt_version}|{normalize(text)}".encode()).hexdigest()[:32]
    return f"respcache:entry:{digest}"


def _semantic_index(category: str, locale: str, text: str, prompt_version: int | None) -> str:
    """Semantic matches only among questions with the same numbers: "11巻" and "10巻" embed at cosine 0.96."""
    numbers = ",".join(str(int(n)) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", text)))
    return f"respcache:semantic:{category}:{locale}:{prompt_version}:{hashlib.sha256(numbers.encode()).hexdigest()[:12]}"


def cacheable(category: str) -> bool:
    return category not in PERSONAL


def get(category: str, locale: str, text: str, vector: np.ndarray, prompt_version: int | None) -> dict | None:
    if not cacheable(category):
        return None
    client = _client()
    raw = client.get(_key(category, locale, text, prompt_version))
    if raw:
        return json.loads(raw) | {"cache": "exact"}
    index_key = _semantic_index(category, locale, text, prompt_version)
    for entry_key, stored in client.hgetall(index_key).items():
        if float(np.dot(embeddings.from_bytes(stored), vector)) >= SEMANTIC_MIN:
            raw = client.get(entry_key)
            if raw:
                return json.loads(raw) | {"cache": "semantic"}
            client.hdel(index_key, entry_key)
    return None


def put(category: str, locale: str, text: str, vector: np.ndarray, prompt_version: int | None, answer: dict,
        skus: list[str]) -> None:
    if not cacheable(category):
        return
    client = _client()
    key = _key(category, locale, text, prompt_version)
    index_key = _semantic_index(category, locale, text, prompt_version)
    pipe = client.pipeline()
    pipe.set(key, json.dumps(answer, ensure_ascii=False), ex=TTL_SECONDS)
    if client.hlen(index_key) < SEMANTIC_MAX_ENTRIES:
        pipe.hset(index_key, key, embeddings.to_bytes(vector))
        pipe.expire(index_key, TTL_SECONDS)
    for sku in skus:
        pipe.sadd(f"respcache:sku:{sku}", key)
        pipe.expire(f"respcache:sku:{sku}", TTL_SECONDS)
    # and by series: a volume added later ("we don't carry volume 30") must not stay cached either
    for manga_id in {s["id"] for s in answer.get("sources", []) if s.get("type") == "manga"}:
        pipe.sadd(f"respcache:manga:{manga_id}", key)
        pipe.expire(f"respcache:manga:{manga_id}", TTL_SECONDS)
    pipe.execute()


def invalidate_product(sku: str, manga_id: int | None) -> int:
    """Drop every cached answer that mentions this product or its series."""
    dropped = invalidate_sku(sku)
    if manga_id is not None:
        client = _client()
        keys = list(client.smembers(f"respcache:manga:{manga_id}"))
        if keys:
            client.delete(*keys)
        client.delete(f"respcache:manga:{manga_id}")
        dropped += len(keys)
    return dropped


def invalidate_products(products) -> int:
    """Drop every cached answer that mentions any of these (sku, series_id) pairs: what a bulk QuerySet.update()
    of products calls (through catalog.signals.products_updated). Two round trips whatever the number of rows."""
    products = list(products)
    index_keys = [f"respcache:sku:{sku}" for sku, _ in products]
    index_keys += [f"respcache:manga:{manga_id}" for manga_id in {m for _, m in products if m is not None}]
    if not index_keys:
        return 0
    client = _client()
    pipe = client.pipeline()
    for key in index_keys:
        pipe.smembers(key)
    entries = set().union(*pipe.execute())
    doomed = list(entries) + index_keys
    for start in range(0, len(doomed), 1000):
        client.delete(*doomed[start:start + 1000])
    return len(entries)


def invalidate_sku(sku: str) -> int:
    client = _client()
    keys = list(client.smembers(f"respcache:sku:{sku}"))
    if keys:
        client.delete(*keys)
    client.delete(f"respcache:sku:{sku}")
    return len(keys)


def clear() -> None:
    """Drop every cached answer (evaluation runs start cold)."""
    client = _client()
    for key in client.scan_iter(match="respcache:*", count=1000):
        client.delete(key)
