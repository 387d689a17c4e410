"""manage.py benchmark_backfill [--rows 1000000] [--baseline 10000] [--batch 2000] [--keep]

Creates --rows feedback (5 % misattributed) in the current database, measures the naive per-row loop on the first
--baseline of them, puts those rows back as they were, then runs the real backfill over the table, and prints both
with their method, rows/s and peak memory. The benchmark's rows are removed afterwards unless --keep.
"""

import random
import threading
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from chat.models import Category, ChatSession, Message
from feedback import backfill
from feedback.models import BackfillCheckpoint, Feedback

CHECKPOINT = "benchmark_backfill"
PAGE = 4096


def rss_bytes() -> int:
    """Resident set size now (Linux /proc; 0 elsewhere)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE
    except OSError:
        return 0


class PeakRss:
    """Samples RSS every 10 ms on a thread: the peak during the block, and its growth over the start."""

    def __enter__(self):
        self.start = self.peak = rss_bytes()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def growth_mb(self) -> float:
        return (self.peak - self.start) / 2**20


class Command(BaseCommand):
    help = "Benchmark backfill_feedback_topics against a naive per-row loop on rows created in the current database."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000)
        parser.add_argument("--baseline", type=int, default=10_000, help="rows the naive loop runs on")
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--messages", type=int, default=5000, help="distinct rated answers")
        parser.add_argument("--keep", action="store_true", help="leave the benchmark rows in the database")

    def handle(self, *args, rows, baseline, batch, messages, keep, **options):
        rng = random.Random(42)
        self.stdout.write(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
        session = ChatSession.objects.create(summary="benchmark_backfill")
        try:
            first_id = self.create_rows(session, rows, messages, rng)
            baseline_ids = (first_id, first_id + min(baseline, rows) - 1)
            naive_rate, naive_mem = self.naive(baseline_ids)
            fast = self.fast(batch)
        finally:
            if not keep:
                self.cleanup(session)
        self.stdout.write(self.style.SUCCESS(
            f"\nbaseline  naive per-row loop (iterate, fetch message, save() each changed row) on {baseline:,} rows: "
            f"{naive_rate:,.0f} rows/s, peak RSS growth {naive_mem:.1f} MB"))
        self.stdout.write(self.style.SUCCESS(
            f"backfill  keyset batches of {batch} (one joined SELECT + one UPDATE per category pair): "
            f"{fast['rate']:,.0f} rows/s over {fast['scanned']:,} rows ({fast['changed']:,} changed) in "
            f"{fast['seconds']:.1f}s, peak RSS growth {fast['mem']:.1f} MB (process peak {fast['peak']:.0f} MB)"))
        self.stdout.write(self.style.SUCCESS(f"speed-up  {fast['rate'] / naive_rate:,.1f}x (same run, same database)"))

    def create_rows(self, session, rows, messages, rng) -> int:
        categories = Category.values
        started = time.perf_counter()
        answers = Message.objects.bulk_create(
            [Message(session=session, role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER, text=f"answer {i}",
                     category=rng.choice(categories)) for i in range(messages)], batch_size=1000)
        answers = [(m.pk, m.category) for m in answers]
        if answers[0][0] is None:  # backends that do not return ids from bulk_create
            answers = list(Message.objects.filter(session=session).values_list("id", "category"))
        now = timezone.now()
        first_id = None
        chunk = 5000
        with tqdm(total=rows, unit="rows", desc="creating", file=self.stderr._out) as bar:
            for start in range(0, rows, chunk):
                objs = []
                for _ in range(min(chunk, rows - start)):
                    message_id, category = answers[rng.randrange(len(answers))]
                    if rng.random() < 0.05:  # the misattribution the backfill repairs
                        category = rng.choice([c for c in categories if c != category])
                    objs.append(Feedback(kind=Feedback.Kind.CORRECTION, text="benchmark", message_id=message_id,
                                         session=session, topic_category=category, created_at=now))
                with transaction.atomic():
                    Feedback.objects.bulk_create(objs, batch_size=chunk)
                if first_id is None:
                    first_id = Feedback.objects.filter(session=session).order_by("id").values_list(
                        "id", flat=True).first()
                bar.update(len(objs))
        elapsed = time.perf_counter() - started
        self.stdout.write(f"created {rows:,} feedback on {messages:,} answers in {elapsed:.1f}s "
                          f"({rows / elapsed:,.0f} rows/s, bulk_create in batches of {chunk})")
        return first_id

    def naive(self, id_range) -> tuple[float, float]:
        lo, hi = id_range
        sample = Feedback.objects.filter(id__gte=lo, id__lte=hi)
        original = dict(sample.values_list("id", "topic_category"))
        with PeakRss() as mem:
            started = time.perf_counter()
            for feedback in sample.order_by("id").iterator(chunk_size=2000):
                derived = feedback.message.category if feedback.message_id else ""
                if derived and derived != feedback.topic_category:
                    feedback.previous_topic_category = feedback.topic_category
                    feedback.topic_category = derived
                    feedback.save(update_fields=["previous_topic_category", "topic_category"])
            elapsed = time.perf_counter() - started
        # Put the sample back as it was, so the real backfill does the same work on it.
        changed = [Feedback(id=pk, topic_category=cat, previous_topic_category="") for pk, cat in original.items()]
        Feedback.objects.bulk_update(changed, ["topic_category", "previous_topic_category"], batch_size=1000)
        return len(original) / elapsed, mem.growth_mb

    def fast(self, batch) -> dict:
        BackfillCheckpoint.objects.filter(name=CHECKPOINT).delete()
        total = Feedback.objects.count()
        with PeakRss() as mem, tqdm(total=total, unit="rows", desc="backfill", file=self.stderr._out) as bar:
            started = time.perf_counter()
            result = backfill.do_backfill_topics(batch=batch, progress=bar.update, checkpoint_name=CHECKPOINT)
            elapsed = time.perf_counter() - started
        return {"rate": result.scanned / elapsed, "scanned": result.scanned, "changed": result.changed,
                "seconds": elapsed, "mem": mem.growth_mb, "peak": mem.peak / 2**20}

    def cleanup(self, session) -> None:
        # Raw deletes: the ORM's cascade collector would load a million rows to delete them one by one.
        Feedback.objects.filter(session=session)._raw_delete(connection.alias)
        Message.objects.filter(session=session)._raw_delete(connection.alias)
        session.delete()
        BackfillCheckpoint.objects.filter(name=CHECKPOINT).delete()
