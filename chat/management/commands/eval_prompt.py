from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Manga
from chat.prompt_eval import evaluate_version
from prompts.models import PromptVersion


class Command(BaseCommand):
    help = ("Evaluates a prompt version offline on the held-out answer set (category accuracy, grounded rate, "
            "answers right) against the live version in the same run, and stores the numbers on the version. "
            "Safe to re-run: the latest run replaces the stored numbers.")

    def add_arguments(self, parser):
        parser.add_argument("version", help="the version's id, or NAME:NUMBER (e.g. answer:3)")
        parser.add_argument("--samples", type=int, default=20, help="availability questions to check")
        parser.add_argument("--limit", type=int, default=None,
                            help="only the first N held-out messages (a quick check; approve on a full run)")

    def handle(self, version, samples, limit, **options):
        found = _find(version)
        if not Manga.objects.exists():
            call_command("load_catalog", str(Path(settings.BASE_DIR) / "catalog" / "data"))
        found = evaluate_version(found, samples, limit=limit, progress=self.stdout.write)
        ev = found.evaluation
        for metric in ("category_accuracy", "grounded_rate", "answers_right"):
            live = ev["live"].get(metric)
            diff = ev["difference"].get(metric)
            self.stdout.write(f"{metric}: {ev['candidate'][metric]:.4f}"
                              + (f" (live {live:.4f}, difference {diff:+.4f})" if live is not None else " (no live)"))


def _find(label: str) -> PromptVersion:
    name, _, number = label.rpartition(":")
    try:
        if name:
            return PromptVersion.objects.get(name=name, version=int(number))
        return PromptVersion.objects.get(pk=int(label))
    except (ValueError, PromptVersion.DoesNotExist):
        raise CommandError(f"no prompt version {label!r} (give its id or NAME:NUMBER)")
