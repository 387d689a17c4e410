"""`manage.py benchmark_console [--tasks 10000] [--baseline 100] [--runs 30]`: how fast the reviewer console renders.

Method: inside one transaction that is rolled back at the end (nothing kept, nothing pushed), on the configured
database. A temporary superuser is logged in with Django's test Client, so each request goes through the whole
middleware stack, the admin's login check, the view and the template. The baseline (--baseline pending tasks) is
measured first, then tasks are bulk-created up to --tasks pending and the same page is measured again. Each figure:
one warm-up request, then --runs requests timed with time.perf_counter (p50 and p95), plus the SQL queries of one
request (counted with connection.execute_wrapper). The page shows the first QUEUE_PAGE_SIZE tasks by priority then
deadline, and a COUNT.
"""

import re
import statistics
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chat.models import ChatSession, Message
from common.stats import percentile
from reviews.console import QUEUE_PAGE_SIZE
from reviews.models import ReviewTask

CATEGORIES = ["availability", "product_info", "shipping", "general", "order_status", "refund"]


class _Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time the reviewer console page at a baseline and at N pending tasks (rolled back afterwards)."

    def add_arguments(self, parser):
        parser.add_argument("--tasks", type=int, default=10_000)
        parser.add_argument("--baseline", type=int, default=100)
        parser.add_argument("--runs", type=int, default=30)

    def handle(self, tasks, baseline, runs, **options):
        self.stdout.write(f"benchmark_console on {connection.vendor}: console page (first {QUEUE_PAGE_SIZE} by "
                          f"priority+deadline, plus a COUNT), {runs} timed requests after a warm-up "
                          f"(time.perf_counter through the test Client), inside a rolled-back transaction")
        try:
            with transaction.atomic():
                self.run(tasks, baseline, runs)
                raise _Rollback
        except _Rollback:
            pass
        self.stdout.write("rolled back: nothing kept")

    def add_tasks(self, n, now):
        if n <= 0:
            return
        sessions = ChatSession.objects.bulk_create([ChatSession() for _ in range(max(1, n // 100))])
        messages = Message.objects.bulk_create(
            [Message(session=sessions[i % len(sessions)], role=Message.Role.USER,
                     text=f"在庫はありますか？ question {i}") for i in range(n)], batch_size=2000)
        ReviewTask.objects.bulk_create([
            ReviewTask(message=m, session_id=m.session_id, category=CATEGORIES[i % len(CATEGORIES)],
                       priority=1 + i % 4, confidence=0.5 + (i % 35) / 100, draft_text="下書きの回答です。",
                       draft={"sources": [{"type": "product", "id": i, "label": f"Vol. {i}"}]}, created_at=now,
                       sla_deadline=now + timedelta(seconds=60 + i % 600), timeout_at=now + timedelta(minutes=5))
            for i, m in enumerate(messages)], batch_size=2000)

    def measure(self, client, url, runs):
        client.get(url)  # warm-up: template loading, translations
        # Counted with an execute wrapper: the request_started signal clears connection.queries mid-request.
        queries = []
        with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        total = int(re.search(rb'data-total="(\d+)"', response.content).group(1))
        return statistics.median(times), percentile(times, 95), len(queries), total

    def line(self, label, result):
        p50, p95, queries, total = result
        self.stdout.write(f"  {label:<34} total {total:6d}   p50 {p50:7.1f} ms   p95 {p95:7.1f} ms"
                          f"   {queries:3d} queries")

    def run(self, n, baseline, runs):
        now = timezone.now()
        user = get_user_model().objects.create_superuser("benchmark-console", password=None)
        client = Client()
        client.force_login(user)
        url = reverse("admin:reviews_reviewtask_console")
        existing = ReviewTask.objects.open().count()

        self.add_tasks(baseline - existing, now)
        self.line(f"baseline ({baseline} pending)", self.measure(client, url, runs))
        queue_url = reverse("admin:reviews_reviewtask_console_queue")

        started = time.perf_counter()
        self.add_tasks(n - max(baseline, existing), now)
        self.stdout.write(f"  created tasks up to {n} pending in {time.perf_counter() - started:.1f} s")
        result = self.measure(client, url, runs)
        self.line(f"console page ({n} pending)", result)
        self.line(f"queue fragment ({n} pending)", self.measure(client, queue_url, runs))
        verdict = "OK" if result[1] < 300 else "SLOW"
        self.stdout.write(f"  target: p95 < 300 ms at {n} pending → {verdict}")
