"""Benchmark the impact simulation: N answers inserted in a transaction that is rolled back, then the blanket-0.95
proposal of the seeds' incident simulated by the one aggregate query, against a Python loop over the same rows."""

import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from reviews import simulation
from reviews.history import insert_answers
from reviews.thresholds import decide, ensure_default_thresholds, live_values, reset_cache


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = ("Time the threshold simulation over N inserted answers (rolled back afterwards) against a Python loop "
            "baseline, e.g. `benchmark_simulation --messages 1000000`.")

    def add_arguments(self, parser):
        parser.add_argument("--messages", type=int, default=100_000)
        parser.add_argument("--hours", type=float, default=168)
        parser.add_argument("--repeat", type=int, default=3, help="timed runs of the query (best and median shown)")
        parser.add_argument("--baseline-limit", type=int, default=None,
                            help="rows the Python-loop baseline reads (default all; its time is per row × N)")

    def handle(self, *args, **opts):
        try:
            with transaction.atomic():
                self._run(opts)
                raise Rollback
        except Rollback:
            self.stdout.write("rolled back: nothing was kept")

    def _run(self, opts):
        n, hours = opts["messages"], opts["hours"]
        ensure_default_thresholds()
        reset_cache()
        started = time.perf_counter()
        insert_answers(n, hours, progress=lambda done: self.stdout.write(f"\r  inserted {done}/{n}", ending="")
                       if done % 50000 == 0 or done == n else None)
        self.stdout.write(f"\ninserted {n} answers over {hours:g} h on {connection.vendor} in "
                          f"{time.perf_counter() - started:.1f} s")
        # The incident: auto_respond_min 0.95 everywhere (in the peak profile too, where a category has one).
        proposal = {c: {"auto_respond_min": 0.95, **({"peak_auto_respond_min": 0.95}
                                                     if v["peak_auto_respond_min"] is not None else {})}
                    for c, v in live_values().items() if v["auto_respond_min"] < 0.95}
        timings, sim = [], None
        for _ in range(max(1, opts["repeat"])):
            t0 = time.perf_counter()
            sim = simulation.simulate(proposal, hours=hours + 1, reviewers=4)
            timings.append(time.perf_counter() - t0)
        timings.sort()
        self.stdout.write(f"method: {simulation.METHOD}")
        self.stdout.write(f"  simulate(): best {timings[0]:.3f} s, median {timings[len(timings) // 2]:.3f} s "
                          f"over {sim['messages']} answers ({len(timings)} runs; query alone {sim['query_ms']:.0f} ms)")
        since = timezone.now() - timedelta(hours=hours + 1)
        t0 = time.perf_counter()
        scanned = simulation.history(since).count()
        scan_s = time.perf_counter() - t0
        self.stdout.write(f"floor: a plain COUNT(*) over the same rows ({scanned}): {scan_s:.3f} s "
                          f"(the simulation costs ×{timings[0] / max(scan_s, 1e-9):.1f} of a bare scan)")
        base_s, base_rows, baseline_counts = self._baseline(hours + 1, opts["baseline_limit"])
        per_row = base_s / max(1, base_rows)
        self.stdout.write(f"baseline: Python loop (values_list + thresholds.decide per row, twice) over {base_rows} "
                          f"rows: {base_s:.3f} s = {per_row * 1e6:.2f} µs/row → {per_row * sim['messages']:.1f} s "
                          f"for {sim['messages']}")
        self.stdout.write(f"speed-up: ×{per_row * sim['messages'] / timings[0]:.0f}")
        if opts["baseline_limit"] is None:
            agree = baseline_counts == {r.value: sim["total"]["share_now"][r.value] for r in simulation.ROUTES}
            self.stdout.write(f"baseline agrees with the query on the live routes: {agree}")
        total = sim["total"]
        self.stdout.write(f"blanket auto_respond_min 0.95 (the incident): escalation {total['escalation_now']:.1%} → "
                          f"{total['escalation_projected']:.1%}, human tasks/day {total['tasks_per_day_now']:.0f} → "
                          f"{total['tasks_per_day_projected']:.0f}, load {total['load_now']:.0%} → "
                          f"{total['load_projected']:.0%} of 4 reviewers' capacity")

    def _baseline(self, hours, limit):
        since = timezone.now() - timedelta(hours=hours)
        qs = simulation.history(since).values_list("category", "confidence", "created_at")
        if limit:
            qs = qs[:limit]
        counts = dict.fromkeys(simulation.ROUTE_NAMES, 0)
        t0 = time.perf_counter()
        rows = 0
        for category, conf, created_at in qs.iterator(chunk_size=10000):
            counts[decide(category, conf, now=created_at).route] += 1
            decide(category, conf, now=created_at)  # the projected side (same cost: a second lookup)
            rows += 1
        elapsed = time.perf_counter() - t0
        shares = {k: round(v / rows, 4) if rows else 0.0 for k, v in counts.items()}
        return elapsed, rows, shares
