from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog.loader import load_directory

DEFAULT_DIR = Path(settings.BASE_DIR) / "catalog" / "data"


class Command(BaseCommand):
    help = ("Validate and upsert the store's data (manga, products, FAQ, customers, orders) from a directory of "
            "JSON Lines files; bad records are reported as file:line and skipped; safe to re-run.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_DIR), help="data directory (default catalog/data)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, path, no_progress, **options):
        directory = Path(path)
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        report = load_directory(directory, progress=not no_progress)
        for problem in report.rejected:
            self.stderr.write(problem)
        self.stdout.write(f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
                          f"rejected {len(report.rejected)}")
        if report.rejected:
            raise CommandError(f"{len(report.rejected)} record(s) rejected; the valid ones were loaded")
