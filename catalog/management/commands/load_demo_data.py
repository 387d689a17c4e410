from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "First-start bootstrap used by the launcher: loads the shipped demo catalog when the store is empty."

    def handle(self, *args, **options):
        from catalog.models import Manga
        from catalog.management.commands.load_catalog import DEFAULT_DIR

        if not (DEFAULT_DIR / "manga.jsonl").exists():
            self.stdout.write(f"load_demo_data: no demo data in {DEFAULT_DIR}; starting with an empty store")
            return
        if Manga.objects.exists():
            self.stdout.write("load_demo_data: catalog already loaded")
            return
        call_command("load_catalog")
