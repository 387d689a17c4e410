from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from catalog.models import Manga
from chat import classifier
from chat.evaluation import evaluate


class Command(BaseCommand):
    help = ("Runs the held-out customer messages through the whole offline pipeline and prints category accuracy, "
            "the grounded-answer rate, price/stock correctness of availability answers and the confidence "
            "reliability table. Loads the shipped catalog first when the store is empty; writes nothing else.")

    def add_arguments(self, parser):
        parser.add_argument("--samples", type=int, default=60, help="availability questions to check")

    def handle(self, samples, **options):
        if not Manga.objects.exists():
            call_command("load_catalog", str(Path(settings.BASE_DIR) / "catalog" / "data"))
        examples = classifier.load_examples("heldout.jsonl")
        report = evaluate(examples, samples)
        out = self.stdout.write
        out(f"held-out messages: {len(examples)} (never used for training)")
        out(f"category accuracy: {report.accuracy():.3f} (target >= 0.90)")
        replaced = sum(o.replaced for o in report.outcomes)
        out(f"grounded answers: {report.grounded_rate():.3f} sent grounded (target 1.000); "
            f"{replaced} ungrounded draft(s) replaced by the safe fallback")
        out(f"availability answers with the right price and stock: {report.availability_correct}/"
            f"{report.availability_checked}")
        out("confidence reliability (bin, answers, share right = right category, grounded):")
        for label, count, share in report.reliability():
            out(f"  {label}: {count:4d}  {share:.3f}")
        high = [o for o in report.outcomes if o.confidence >= 0.85]
        if high:
            out(f"at confidence >= 0.85: {sum(o.right for o in high)}/{len(high)} right "
                f"({sum(o.right for o in high) / len(high):.3f}; target >= 0.95)")
        p50, p95 = report.latency()
        out(f"pipeline time per turn on these messages: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
