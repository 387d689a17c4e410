"""Loading the store's data from JSON Lines files: validate every record, upsert the good ones, report the bad ones.

Each file is one JSON object per line. A bad record is reported as `file:line: reason` and skipped; everything else
loads. Upserts are keyed (slug, sku, key, external_id, order_number) and write only what changed, so a second load
of the same files changes nothing; embeddings are computed only for series and FAQ entries whose text changed.
"""

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from django.db import transaction
from tqdm import tqdm

from catalog import embeddings
from catalog.models import GENRES, Customer, Demographic, FaqEntry, Manga, Order, OrderLine, Product

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILES = ("manga.jsonl", "products.jsonl", "faq.jsonl", "customers.jsonl", "orders.jsonl")


class BadRecord(ValueError):
    pass


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def read_records(path: Path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, record or None, parse error or None) for each non-blank line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not valid JSON ({exc.msg} at column {exc.colno})"
                continue
            if not isinstance(record, dict):
                yield number, None, "not a JSON object"
                continue
            yield number, record, None


def _text(record: dict, key: str, required: bool = True, max_length: int = 2000) -> str:
    value = record.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadRecord(f"{key} must be a string")
    value = value.strip()
    if required and not value:
        raise BadRecord(f"{key} is required")
    if len(value) > max_length:
        raise BadRecord(f"{key} is longer than {max_length} characters")
    return value


def _int(record: dict, key: str, minimum: int = 0, required: bool = True) -> int | None:
    value = record.get(key)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"{key} must be a whole number")
    if value < minimum:
        raise BadRecord(f"{key} must be at least {minimum}")
    return value


def _when(record: dict, key: str, required: bool = False) -> datetime | None:
    value = record.get(key)
    if value in (None, ""):
        if required:
            raise BadRecord(f"{key} is required")
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRecord(f"{key} is not an ISO date-time: {value!r}")
    if parsed.tzinfo is None:
        raise BadRecord(f"{key} needs a time zone: {value!r}")
    return parsed


def _choice(record: dict, key: str, choices, required: bool = True) -> str:
    value = record.get(key) or ""
    if not value and not required:
        return ""
    if value not in choices:
        raise BadRecord(f"{key} {value!r} is not one of {', '.join(sorted(choices))}")
    return value


def check_manga(record: dict) -> dict:
    slug = _text(record, "slug", max_length=120)
    if not SLUG.match(slug):
        raise BadRecord(f"slug {slug!r} must be lower-case letters, digits and hyphens")
    genres = record.get("genres") or []
    if not isinstance(genres, list) or not genres:
        raise BadRecord("genres must be a non-empty list")
    unknown = [g for g in genres if g not in GENRES]
    if unknown:
        raise BadRecord(f"unknown genre(s): {', '.join(map(str, unknown))}")
    aliases = record.get("aliases") or []
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise BadRecord("aliases must be a list of strings")
    for flag in ("rare", "staff_pick"):
        if not isinstance(record.get(flag, False), bool):
            raise BadRecord(f"{flag} must be true or false")
    return {
        "slug": slug, "title_ja": _text(record, "title_ja", max_length=200),
        "title_en": _text(record, "title_en", max_length=200), "romaji": _text(record, "romaji", False, 200),
        "aliases": aliases, "author": _text(record, "author", max_length=200),
        "author_en": _text(record, "author_en", False, 200), "publisher": _text(record, "publisher", False, 100),
        "demographic": _choice(record, "demographic", Demographic.values), "genres": genres,
        "synopsis_ja": _text(record, "synopsis_ja", False), "synopsis_en": _text(record, "synopsis_en", False),
        "total_volumes": _int(record, "total_volumes", minimum=1), "status": _choice(record, "status", Manga.Status.values),
        "rare": record.get("rare", False), "staff_pick": record.get("staff_pick", False),
        "start_year": _int(record, "start_year", minimum=1900, required=False),
    }


def check_product(record: dict, series_ids: dict[str, int]) -> dict:
    series = _text(record, "series")
    if series not in series_ids:
        raise BadRecord(f"series {series!r} is not in the catalog")
    release = record.get("release_date")
    try:
        release_date = date.fromisoformat(release) if release else None
    except (TypeError, ValueError):
        raise BadRecord(f"release_date is not an ISO date: {release!r}")
    return {
        "sku": _text(record, "sku", max_length=64), "series_id": series_ids[series],
        "volume": _int(record, "volume", minimum=1, required=False),
        "edition": _choice(record, "edition", Product.Edition.values), "price_jpy": _int(record, "price_jpy"),
        "stock": _int(record, "stock"), "release_date": release_date,
    }


def check_faq(record: dict) -> dict:
    key = _text(record, "key", max_length=80)
    if not SLUG.match(key):
        raise BadRecord(f"key {key!r} must be lower-case letters, digits and hyphens")
    return {"key": key, "topic": _choice(record, "topic", FaqEntry.Topic.values),
            **{f: _text(record, f) for f in ("question_ja", "question_en", "answer_ja", "answer_en")}}


def check_customer(record: dict) -> dict:
    email = _text(record, "email", False, 254)
    if email and "@" not in email:
        raise BadRecord(f"email {email!r} is not an address")
    is_vip = record.get("is_vip", False)
    if not isinstance(is_vip, bool):
        raise BadRecord("is_vip must be true or false")
    return {"external_id": _text(record, "external_id", max_length=64), "email": email,
            "name": _text(record, "name", False, 200), "is_vip": is_vip,
            "created_at": _when(record, "created_at", required=True), "purchase_count": _int(record, "purchase_count")}


def check_order(record: dict, customers: dict[str, int], products: dict[str, int]) -> tuple[dict, list[dict]]:
    customer = _text(record, "customer")
    if customer not in customers:
        raise BadRecord(f"customer {customer!r} is not known")
    status = _choice(record, "status", Order.Status.values)
    fields = {
        "order_number": _text(record, "order_number", max_length=32), "customer_id": customers[customer],
        "status": status, "carrier": _choice(record, "carrier", Order.Carrier.values, required=False),
        "tracking_number": _text(record, "tracking_number", False, 40),
        **{k: _when(record, k, required=(k == "placed_at")) for k in ("placed_at", "paid_at", "shipped_at", "delivered_at")},
    }
    if status in ("shipped", "delivered") and not (fields["carrier"] and fields["tracking_number"]):
        raise BadRecord(f"a {status} order needs a carrier and a tracking number")
    lines = record.get("lines")
    if not isinstance(lines, list) or not lines:
        raise BadRecord("lines must be a non-empty list")
    checked = []
    for position, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            raise BadRecord(f"line {position} is not an object")
        sku = _text(line, "sku")
        if sku not in products:
            raise BadRecord(f"line {position}: sku {sku!r} is not in the catalog")
        checked.append({"product_id": products[sku], "quantity": _int(line, "quantity", minimum=1),
                        "unit_price_jpy": _int(line, "unit_price_jpy")})
    return fields, checked


def _upsert(model, key: str, fields: dict, existing: dict) -> tuple[object, str]:
    """Create or update one row by its natural key; write nothing when nothing changed."""
    current = existing.get(fields[key])
    if current is None:
        return model.objects.create(**fields), "created"
    changed = {name: value for name, value in fields.items() if getattr(current, name) != value}
    if not changed:
        return current, "unchanged"
    for name, value in changed.items():
        setattr(current, name, value)
    current.save(update_fields=[*changed, *(["updated_at"] if hasattr(current, "updated_at") else [])])
    return current, "updated"


def _embedded_text(row: Manga | FaqEntry | None) -> str | None:
    return row.embedding_text() if row is not None else None


def fill_embeddings(rows: list[Manga] | list[FaqEntry]) -> None:
    """Compute and store the embedding of each row (one batch through the model)."""
    if not rows:
        return
    vectors = embeddings.embed([row.embedding_text() for row in rows])
    for row, vector in zip(rows, vectors):
        row.embedding = embeddings.to_bytes(vector)
        type(row).objects.filter(pk=row.pk).update(embedding=row.embedding)


def load_directory(directory: Path, progress: bool = True) -> Report:
    """Load every known file present in `directory` in dependency order."""
    report = Report()
    for name in FILES:
        path = directory / name
        if path.exists():
            _load_file(path, name, report, progress)
    return report


def _load_file(path: Path, name: str, report: Report, progress: bool) -> None:
    records = list(read_records(path))
    needs_embedding = []
    if name == "manga.jsonl":
        existing = {m.slug: m for m in Manga.objects.all()}
    elif name == "products.jsonl":
        existing = {p.sku: p for p in Product.objects.all()}
        series_ids = dict(Manga.objects.values_list("slug", "id"))
    elif name == "faq.jsonl":
        existing = {f.key: f for f in FaqEntry.objects.all()}
    elif name == "customers.jsonl":
        existing = {c.external_id: c for c in Customer.objects.all()}
    else:
        existing = {o.order_number: o for o in Order.objects.all()}
        customers = dict(Customer.objects.values_list("external_id", "id"))
        products = dict(Product.objects.values_list("sku", "id"))
    with transaction.atomic():
        for number, record, error in tqdm(records, desc=name, unit="rec", disable=not progress):
            try:
                if error:
                    raise BadRecord(error)
                if name == "manga.jsonl":
                    fields = check_manga(record)
                    before = _embedded_text(existing.get(fields["slug"]))
                    row, outcome = _upsert(Manga, "slug", fields, existing)
                    if not row.embedding or row.embedding_text() != before:
                        needs_embedding.append(row)
                elif name == "products.jsonl":
                    row, outcome = _upsert(Product, "sku", check_product(record, series_ids), existing)
                elif name == "faq.jsonl":
                    fields = check_faq(record)
                    before = _embedded_text(existing.get(fields["key"]))
                    row, outcome = _upsert(FaqEntry, "key", fields, existing)
                    if not row.embedding or row.embedding_text() != before:
                        needs_embedding.append(row)
                elif name == "customers.jsonl":
                    row, outcome = _upsert(Customer, "external_id", check_customer(record), existing)
                else:
                    fields, lines = check_order(record, customers, products)
                    row, outcome = _upsert(Order, "order_number", fields, existing)
                    outcome = _sync_lines(row, lines, outcome)
                existing[getattr(row, {"manga.jsonl": "slug", "products.jsonl": "sku", "faq.jsonl": "key",
                                       "customers.jsonl": "external_id"}.get(name, "order_number"))] = row
                report.count(outcome)
            except BadRecord as exc:
                report.rejected.append(f"{path}:{number}: {exc}")
        fill_embeddings(needs_embedding)


def _sync_lines(order: Order, lines: list[dict], outcome: str) -> str:
    current = sorted((l.product_id, l.quantity, l.unit_price_jpy) for l in order.lines.all())
    wanted = sorted((l["product_id"], l["quantity"], l["unit_price_jpy"]) for l in lines)
    if current == wanted:
        return outcome
    order.lines.all().delete()
    OrderLine.objects.bulk_create([OrderLine(order=order, **line) for line in lines])
    return "updated" if outcome == "unchanged" else outcome
