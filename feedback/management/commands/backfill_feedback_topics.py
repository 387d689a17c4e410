"""manage.py backfill_feedback_topics [--since 6w] [--dry-run] [--batch N] [--restart]"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from feedback import backfill


class Command(BaseCommand):
    help = ("Re-derive Feedback.topic_category from the rated message (keeping the old value in "
            "previous_topic_category). Idempotent; resumes an interrupted run from its checkpoint.")

    def add_arguments(self, parser):
        parser.add_argument("--since", help="only feedback created in this period: 6w, 10d, 12h, or an ISO date")
        parser.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
        parser.add_argument("--batch", type=int, default=2000, help="rows per batch (default 2000)")
        parser.add_argument("--restart", action="store_true", help="ignore an unfinished run's checkpoint")

    def handle(self, *args, since=None, dry_run=False, batch=2000, restart=False, **options):
        try:
            cutoff = backfill.parse_since(since)
        except backfill.BackfillError as exc:
            raise CommandError(str(exc)) from exc
        total = backfill.rows_in_range(cutoff).count()
        with tqdm(total=total, unit="rows", disable=options["verbosity"] < 1, file=self.stderr._out) as bar:
            try:
                result = backfill.do_backfill_topics(since=cutoff, batch=batch, dry_run=dry_run, restart=restart,
                                                     progress=bar.update)
            except backfill.BackfillError as exc:
                raise CommandError(str(exc)) from exc
        verb = "would change" if dry_run else "changed"
        resumed = f" (resumed after id {result.resumed_from})" if result.resumed_from else ""
        self.stdout.write(f"scanned {result.scanned} feedback{resumed}, {verb} {result.changed}, "
                          f"{result.unjoinable} without a message category; last id {result.last_id}")
