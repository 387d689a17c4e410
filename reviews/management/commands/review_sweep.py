"""`manage.py review_sweep`: run one review sweep now (what beat runs every REVIEW_SWEEP_SECONDS); idempotent."""

from django.core.management.base import BaseCommand

from reviews.sweeps import sweep


class Command(BaseCommand):
    help = "Run one review sweep (heartbeats, SLA breaches, timeouts, claim expiry, backpressure, alerts)."

    def handle(self, **options):
        result = sweep()
        self.stdout.write(f"heartbeats={result.heartbeats} timeouts={result.timeouts} sla_breaches={result.sla_breaches} "
                          f"claims_expired={result.claims_expired} dead_lettered={result.dead_lettered} "
                          f"backpressure_level={result.backpressure_level} alerts_opened={result.alerts_opened} "
                          f"in {result.seconds * 1000:.1f} ms")
