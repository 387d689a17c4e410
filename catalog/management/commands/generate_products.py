"""Derive the demo store's products (volumes, special editions, box sets) from the series file, deterministically."""

import json
import random
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

PRICE_RANGE = {"shonen": (484, 594), "shoujo": (462, 572), "kodomo": (440, 550), "seinen": (660, 770),
               "josei": (660, 792)}
STANDARD_VOLUMES = 12


def products_for(series: dict) -> list[dict]:
    """The sellable items of one series: the first volumes, the latest one, sometimes a special edition or box set.

    Seeded by the slug, so the same series always yields the same SKUs, prices and stock."""
    rng = random.Random(series["slug"])
    low, high = PRICE_RANGE.get(series["demographic"], (484, 594))
    base_price = rng.randrange(low, high + 1, 11)
    total = series["total_volumes"]
    start = date(max(series.get("start_year") or 2000, 1950), 1, 1)
    volumes = sorted(set(range(1, min(total, STANDARD_VOLUMES) + 1)) | {total})
    step = max((date(2024, 12, 1) - start).days // max(total, 1), 30)
    items = []
    for volume in volumes:
        stock = 0 if rng.random() < 0.15 else rng.randint(1, 40)
        if series.get("rare"):
            stock = rng.choice([0, 0, 1, 2])
        items.append({"sku": f"{series['slug']}-{volume:03d}", "series": series["slug"], "volume": volume,
                      "edition": "standard", "price_jpy": base_price + (66 if volume > 60 else 0), "stock": stock,
                      "release_date": (start + timedelta(days=step * (volume - 1) + 90)).isoformat()})
    if rng.random() < 0.25:
        volume = volumes[-1]
        items.append({"sku": f"{series['slug']}-{volume:03d}-sp", "series": series["slug"], "volume": volume,
                      "edition": "special", "price_jpy": base_price * 3 + 330, "stock": rng.randint(0, 8),
                      "release_date": items[-1]["release_date"]})
    if series["status"] == "completed" and total >= 5 and rng.random() < 0.4:
        items.append({"sku": f"{series['slug']}-box1", "series": series["slug"], "volume": None,
                      "edition": "box_set", "price_jpy": min(base_price * total + 1100, 39800),
                      "stock": rng.randint(0, 5), "release_date": None})
    return items


class Command(BaseCommand):
    help = "Writes catalog/data/products.jsonl from catalog/data/manga.jsonl (deterministic; safe to re-run)."

    def add_arguments(self, parser):
        data = Path(settings.BASE_DIR) / "catalog" / "data"
        parser.add_argument("--series", default=str(data / "manga.jsonl"))
        parser.add_argument("--out", default=str(data / "products.jsonl"))

    def handle(self, series, out, **options):
        written = 0
        with open(series, encoding="utf-8") as source, open(out, "w", encoding="utf-8") as target:
            for line in source:
                if not line.strip():
                    continue
                for product in products_for(json.loads(line)):
                    target.write(json.dumps(product, ensure_ascii=False) + "\n")
                    written += 1
        self.stdout.write(f"wrote {written} products to {out}")
