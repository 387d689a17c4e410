from django.core.management.base import BaseCommand, CommandError

from prompts import lifecycle


class Command(BaseCommand):
    help = ("Freezes prompt changes (no promotion, no canary start) until lifted with --lift; rollbacks still work. "
            "Safe to re-run: freezing while frozen keeps the existing freeze.")

    def add_arguments(self, parser):
        parser.add_argument("--lift", action="store_true", help="lift the freeze in force")
        parser.add_argument("--reason", default="", help="why (required to freeze)")

    def handle(self, lift, reason, **options):
        if lift:
            freeze = lifecycle.do_lift_freeze(None, reason)
            self.stdout.write("freeze lifted" if freeze else "no freeze was in force")
            return
        try:
            freeze = lifecycle.do_freeze(None, reason)
        except lifecycle.PromptError as exc:
            raise CommandError(exc.detail)
        self.stdout.write(f"prompt changes frozen since {freeze.frozen_at:%Y-%m-%d %H:%M:%S} ({freeze.reason})")
