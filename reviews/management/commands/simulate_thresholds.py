"""Replay the last N hours of answers through proposed thresholds (the same simulation a proposal gets)."""

import json

from django.core.management.base import BaseCommand, CommandError

from reviews import simulation
from reviews.threshold_changes import ThresholdChangeError, check_values, expand_all
from reviews.thresholds import live_values

FIELDS = ("auto_respond_min", "review_min", "handoff_below")


class Command(BaseCommand):
    help = ("Simulate proposed thresholds against history, e.g. "
            "`simulate_thresholds --category all --auto-respond-min 0.95 --hours 168`. Read-only.")

    def add_arguments(self, parser):
        parser.add_argument("--category", default="all", help='"all" or a comma-separated list of categories')
        for field in FIELDS:
            parser.add_argument(f"--{field.replace('_', '-')}", type=float, dest=field)
        parser.add_argument("--values", help='JSON {category: {field: value}} instead of the options above')
        parser.add_argument("--hours", type=float, default=None, help="history to replay (default 168)")
        parser.add_argument("--reviewers", type=int, default=None,
                            help="reviewers on shift to plan with (default THRESHOLD_REVIEWERS or active now)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **opts):
        if opts["values"]:
            try:
                values = json.loads(opts["values"])
            except json.JSONDecodeError as exc:
                raise CommandError(f"--values is not JSON: {exc}") from exc
        else:
            fields = {f: opts[f] for f in FIELDS if opts[f] is not None}
            if not fields:
                raise CommandError("Give at least one of --auto-respond-min, --review-min, --handoff-below "
                                   "(or --values).")
            if opts["category"] == "all":
                values = {"all": fields}
            else:
                values = {c.strip(): dict(fields) for c in opts["category"].split(",") if c.strip()}
        try:
            proposed = check_values(expand_all(values))
        except ThresholdChangeError as exc:
            raise CommandError(str(exc)) from exc
        categories = None if opts["category"] == "all" or opts["values"] else sorted(proposed)
        result = simulation.simulate(proposed, hours=opts["hours"], reviewers=opts["reviewers"],
                                     categories=categories)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(simulation.format_report(result))
        if not live_values():
            self.stderr.write("No thresholds in the database (run migrate).")
