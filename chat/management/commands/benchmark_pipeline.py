import time

from django.core.management.base import BaseCommand

from catalog.models import Manga
from chat import classifier
from chat.evaluation import evaluate
from common.stats import percentiles


class Command(BaseCommand):
    help = ("Times the offline pipeline per turn (p50/p95) over the held-out messages, against the classifier "
            "alone as a baseline measured in the same run. Needs a loaded catalog (load_catalog).")

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=2)

    def handle(self, rounds, **options):
        if not Manga.objects.exists():
            self.stderr.write("the catalog is empty: run manage.py load_catalog first")
            return
        examples = classifier.load_examples("heldout.jsonl")
        classifier.classify("warm up")
        baseline = []
        for _ in range(rounds):
            for example in examples:
                started = time.perf_counter()
                classifier.classify(example["text"])
                baseline.append((time.perf_counter() - started) * 1000)
        evaluate(examples[:5], availability_samples=0)  # warm the index, tokenizer and thread pool
        turns = []
        for _ in range(rounds):
            turns += [o.millis for o in evaluate(examples, availability_samples=0).outcomes]
        b50, b95 = percentiles(baseline, 50, 95)
        p50, p95 = percentiles(turns, 50, 95)
        self.stdout.write("method: produce_draft() on every held-out message (the response cache is cleared before each round), "
                          f"{rounds} rounds, time.perf_counter; baseline: the classifier alone on the same messages")
        self.stdout.write(f"baseline classify: n={len(baseline)} p50 {b50:.1f} ms p95 {b95:.1f} ms")
        self.stdout.write(f"pipeline turn:     n={len(turns)} p50 {p50:.1f} ms p95 {p95:.1f} ms (target p95 < 150 ms)")
