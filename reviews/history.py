"""Realistic answer history for the simulation's benchmark, demo and tests (the seeds' incident, replayed).

Confidence comes from a mixture fitted to the incident: with the default thresholds (0.85, high risk 0.95) about 12 %
of answers go to a human; raising auto_respond_min to 0.95 everywhere sends about 45 % (the flood of the seeds).
"""

import random
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from chat.models import ChatSession, Message

# Share of traffic by category (percent; sums to 100).
CATEGORY_WEIGHTS = {"general": 20, "recommendation": 15, "availability": 15, "product_info": 12, "shipping": 10,
                    "order_status": 9, "rare_manga": 5, "account": 4, "refund": 3, "complaint": 3, "payment": 3,
                    "legal": 1}
# Confidence bands (low, high, share): ≥ 0.95 | 0.85–0.95 | review 0.50–0.85 | clarify 0.30–0.50 | handoff < 0.30.
BANDS = ((0.95, 1.0, 0.53), (0.85, 0.95, 0.3626), (0.50, 0.85, 0.07), (0.30, 0.50, 0.02), (0.0, 0.30, 0.0174))


def confidence(u: float, v: float) -> float:
    """Map two uniform numbers to a confidence (u picks the band, v the place in it)."""
    acc = 0.0
    for low, high, share in BANDS:
        acc += share
        if u < acc:
            return round(low + (high - low) * v * 0.9999, 4)
    return round(v * 0.2999, 4)


def _categories() -> list[str]:
    return [c for c, weight in CATEGORY_WEIGHTS.items() for _ in range(weight)]


def insert_answers(count: int, hours: float = 168, sessions: int = 1000, seed: int = 12, progress=None) -> int:
    """Insert `count` assistant answers spread over the last `hours` (PostgreSQL: one INSERT … SELECT over
    generate_series; elsewhere bulk_create in batches). Call inside a transaction you roll back for a benchmark."""
    session_ids = [s.pk for s in ChatSession.objects.bulk_create([ChatSession(locale="ja") for _ in range(sessions)])]
    if not session_ids or session_ids[0] is None:  # backends without RETURNING on bulk_create
        session_ids = list(ChatSession.objects.order_by("-id").values_list("id", flat=True)[:sessions])
    now = timezone.now()
    if connection.vendor == "postgresql":
        return _insert_postgres(count, hours, session_ids, now)
    rng = random.Random(seed)
    categories = _categories()
    done = 0
    while done < count:
        batch = min(5000, count - done)
        Message.objects.bulk_create([
            Message(session_id=rng.choice(session_ids), role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER,
                    text="…", status=Message.Status.AUTO, category=rng.choice(categories),
                    confidence=confidence(rng.random(), rng.random()),
                    created_at=now - timedelta(seconds=rng.random() * hours * 3600))
            for _ in range(batch)])
        done += batch
        if progress:
            progress(done)
    return done


def _insert_postgres(count: int, hours: float, session_ids: list[int], now) -> int:
    table = Message._meta.db_table
    given = {"session_id", "category", "confidence", "created_at"}
    columns, values, params = [], [], []
    for field in Message._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        columns.append(connection.ops.quote_name(field.column))
        default = {"role": "assistant", "kind": "answer", "text": "…", "status": "auto"}.get(
            field.name, field.get_default())
        values.append("%s")
        params.append(field.get_db_prep_save(default, connection))
    acc, cases = 0.0, []
    for low, high, share in BANDS:
        acc += share
        cases.append(f"WHEN u < {acc:.6f} THEN {low} + ({high} - {low}) * v * 0.9999")
    confidence_sql = f"round((CASE {' '.join(cases)} ELSE v * 0.2999 END)::numeric, 4)::float8"
    categories = _categories()
    sql = f"""
        INSERT INTO {table} (session_id, category, confidence, created_at, {", ".join(columns)})
        SELECT (%s::bigint[])[1 + floor(random() * %s)::int],
               (%s::text[])[1 + floor(random() * %s)::int],
               {confidence_sql},
               %s::timestamptz - random() * %s * interval '1 hour',
               {", ".join(values)}
        FROM (SELECT random() AS u, random() AS v FROM generate_series(1, %s)) AS r
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_ids, len(session_ids), categories, len(categories), now, hours, *params, count])
        cursor.execute(f"ANALYZE {table}")
    return count
