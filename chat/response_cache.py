"""The response cache: exact, then semantic (cosine ≥ 0.95, same category, locale, numbers and subject), five minutes.

Each entry remembers the SKUs and series it mentions; a product change deletes those entries at once (see
chat/apps.py), so a stock change never leaves a stale 在庫あり answer behind. Personal answers are never cached.
"""

import hashlib
import json
import re
import unicodedata

import logging

import numpy as np
from django_redis import get_redis_connection

from catalog import embeddings, search
from catalog.text import normalize
from chat.corrupt import dropped

log = logging.getLogger(__name__)

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
    """Semantic matches only among questions with the same numbers and the same subject: "11巻" and "10巻" embed at
    cosine 0.96, and so do "Tokyo Ghoul" and "Tokyo Ghoul:re", or ブラック・ジャック and ブラックジャックによろしく,
    which are other series. The subject is what is left of the question once its own words are taken out (the
    stretches the title search reads), so only the wording of the question may differ, never what it is about."""
    numbers = ",".join(str(int(n)) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", text)))
    subject = ",".join(sorted({normalize(part) for part in search.title_parts(text)} - {""}))
    partition = hashlib.sha256(f"{numbers}|{subject}".encode()).hexdigest()[:12]
    return f"respcache:semantic:{category}:{locale}:{prompt_version}:{partition}"


def cacheable(category: str) -> bool:
    return category not in PERSONAL


def _decode(client, key, raw) -> dict | None:
    """The cached answer stored under `key`, or None (and the entry dropped) when it is not one."""
    try:
        entry = json.loads(raw)
        if not (isinstance(entry, dict) and isinstance(entry.get("text"), str) and entry["text"]
                and isinstance(entry.get("confidence"), (int, float)) and 0 <= entry["confidence"] <= 1
                and isinstance(entry.get("sources"), list) and all(isinstance(s, dict) for s in entry["sources"])):
            raise ValueError("not a cached answer")
    except (ValueError, TypeError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        client.delete(key)
        dropped("response_cache", key, exc)
        return None
    return entry


def get(category: str, locale: str, text: str, vector: np.ndarray, prompt_version: int | None) -> dict | None:
    """The cached answer to this question, or None. Never raises: a corrupt entry is dropped and counted, an
    unreachable Redis is a miss."""
    if not cacheable(category):
        return None
    try:
        return _get(_client(), category, locale, text, vector, prompt_version)
    except Exception as exc:  # Redis down or answering garbage: answer without the cache
        log.warning("response cache unavailable: %s", exc)
        return None


def _get(client, category, locale, text, vector, prompt_version) -> dict | None:
    key = _key(category, locale, text, prompt_version)
    raw = client.get(key)
    if raw and (entry := _decode(client, key, raw)):
        return entry | {"cache": "exact"}
    index_key = _semantic_index(category, locale, text, prompt_version)
    for entry_key, stored in client.hgetall(index_key).items():
        try:
            stored_vector = embeddings.from_bytes(stored)
            similarity = float(np.dot(stored_vector, vector))
            if stored_vector.shape != vector.shape or not np.isfinite(similarity):
                raise ValueError(f"a vector of shape {stored_vector.shape}")
        except (ValueError, TypeError) as exc:
            client.hdel(index_key, entry_key)
            dropped("response_cache", f"{index_key} {entry_key!r}", exc)
            continue
        if similarity >= SEMANTIC_MIN:
            raw = client.get(entry_key)
            if raw and (entry := _decode(client, entry_key, raw)):
                return entry | {"cache": "semantic"}
            client.hdel(index_key, entry_key)
    return None


def put(category: str, locale: str, text: str, vector: np.ndarray, prompt_version: int | None, answer: dict,
        skus: list[str]) -> None:
    if not cacheable(category):
        return
    try:
        _put(_client(), category, locale, text, vector, prompt_version, answer, skus)
    except Exception as exc:  # an answer not cached is only a slower next answer
        log.warning("response cache unavailable: %s", exc)


def _put(client, category, locale, text, vector, prompt_version, answer, skus) -> None:
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
    index_keys = [f"respcache:sku:{sku}" for sku, _ in products if sku is not None]
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


def invalidate_series(manga_ids) -> int:
    """Drop every cached answer about any of these series (a series saved or bulk-updated: completion, volumes…)."""
    return invalidate_products((None, manga_id) for manga_id in manga_ids)


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
