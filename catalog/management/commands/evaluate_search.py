import json
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog import search
from catalog.models import Manga


class Command(BaseCommand):
    help = "Retrieval quality on a labelled query set: recall@5 and MRR per kind and overall, and every miss."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(Path(settings.BASE_DIR) / "catalog" / "data" / "retrieval_eval.jsonl"))

    def handle(self, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"{path} does not exist")
        slugs = dict(Manga.objects.values_list("id", "slug"))
        if not slugs:
            raise CommandError("the catalog is empty: run manage.py load_catalog first")
        by_kind = defaultdict(lambda: [0, 0.0, 0])  # hits@5, reciprocal rank sum, queries
        misses = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            case = json.loads(line)
            ranked = [slugs[h.series_id] for h in search.search(case["query"], limit=5)]
            rank = ranked.index(case["expected"]) + 1 if case["expected"] in ranked else None
            for kind in (case.get("kind", "other"), "ALL"):
                by_kind[kind][2] += 1
                if rank:
                    by_kind[kind][0] += 1
                    by_kind[kind][1] += 1 / rank
            if not rank:
                misses.append(f"  miss [{case.get('kind')}] {case['query']!r}: expected {case['expected']}, got {ranked[:3]}")
        self.stdout.write("method: catalog.search.search(query, limit=5) on the loaded catalog; "
                          "recall@5 = expected series in the top 5; MRR = mean 1/rank (0 when absent)")
        for kind, (hits, rr, total) in sorted(by_kind.items(), key=lambda kv: kv[0] == "ALL"):
            self.stdout.write(f"{kind:12s} n={total:4d} recall@5={hits / total:.3f} MRR={rr / total:.3f}")
        self.stdout.write(f"misses: {len(misses)}")
        for miss in misses:
            self.stdout.write(miss)
