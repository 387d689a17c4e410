"""`manage.py benchmark_reviews [--tasks 10000] [--runs 5]`: how long one review sweep and the queue query take.

Method: everything runs inside one transaction that is rolled back at the end (nothing is kept, nothing is pushed:
after-commit hooks never fire), on the configured database. Baseline first (the sweep on the queue as it is), then
N pending tasks are bulk-created and the sweep is timed with none due, then with every task due for a heartbeat
(the sweep acts on at most REVIEW_SWEEP_BATCH of them). Each figure is the median of --runs runs with
time.perf_counter, with the number of SQL queries of one run.
"""

import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.models import ChatSession, Message
from reviews.models import ReviewTask
from reviews.queue import pending_queue
from reviews.sweeps import sweep

CATEGORIES = ["availability", "product_info", "shipping", "general", "order_status", "refund"]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time one review sweep and the queue query with N pending tasks (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=10_000)
        parser.add_argument("--runs", type=int, default=5)

    def measure(self, fn, runs):
        times = []
        with CaptureQueriesContext(connection) as ctx:
            fn()
        queries = len(ctx.captured_queries)
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000, max(times) * 1000, queries

    def line(self, label, result):
        median, worst, queries = result
        self.stdout.write(f"  {label:<58} median {median:8.1f} ms   max {worst:8.1f} ms   {queries:3d} queries")

    def handle(self, tasks, runs, **options):
        vendor = connection.vendor
        self.stdout.write(f"benchmark_reviews on {vendor}: {tasks} tasks, median of {runs} runs (time.perf_counter), "
                          f"sweep batch {settings.REVIEW_SWEEP_BATCH}; all inside a rolled-back transaction")
        try:
            with transaction.atomic():
                self.run(tasks, runs)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write("rolled back: nothing kept")

    def run(self, n, runs):
        # Sweeps are timed without their side effects piling up: the same `now` each run, so nothing new is due.
        now = timezone.now()
        self.line("baseline: sweep, queue as it is", self.measure(lambda: sweep(now), runs))
        queue = lambda: list(pending_queue()[:50])  # noqa: E731 — the first page a console shows
        self.line("baseline: queue query (first 50)", self.measure(queue, runs))

        self.stdout.write(f"  creating {n} pending tasks …")
        started = time.perf_counter()
        sessions = ChatSession.objects.bulk_create([ChatSession() for _ in range(max(1, n // 100))])
        messages = Message.objects.bulk_create(
            [Message(session=sessions[i % len(sessions)], role=Message.Role.USER, text=f"question {i}")
             for i in range(n)], batch_size=2000)
        later = now + timedelta(hours=1)
        ReviewTask.objects.bulk_create([
            ReviewTask(message=m, session_id=m.session_id, category=CATEGORIES[i % len(CATEGORIES)],
                       priority=1 + i % 4, confidence=0.6 + (i % 30) / 100, draft_text="draft", created_at=now,
                       sla_deadline=later + timedelta(seconds=i), timeout_at=later, next_heartbeat_at=later)
            for i, m in enumerate(messages)], batch_size=2000)
        self.stdout.write(f"  … in {time.perf_counter() - started:.1f} s")

        self.line(f"sweep, {n} pending, none due", self.measure(lambda: sweep(now), runs))
        self.line(f"sweep without backpressure/alerts, {n} pending, none due",
                  self.measure(lambda: sweep(now, with_operations=False), runs))
        self.line(f"queue query (first 50 of {n})", self.measure(queue, runs))
        self.line(f"queue count ({n})", self.measure(lambda: pending_queue().count(), runs))

        # Every task due for a heartbeat: one sweep sends at most a batch; time the first, bounded one.
        ReviewTask.objects.update(next_heartbeat_at=now - timedelta(seconds=1))
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            result = sweep(now)
        self.stdout.write(f"  {f'sweep, {n} due heartbeats (one run)':<58} {1000 * (time.perf_counter() - started):8.1f} ms"
                          f"   {len(ctx.captured_queries)} queries, {result.heartbeats} heartbeats sent")
        self.stdout.write(f"  target: one sweep < 1000 ms")
