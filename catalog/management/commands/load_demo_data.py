from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "First-start bootstrap used by the launcher: loads the shipped demo catalog when the store is empty."

    def handle(self, *args, **options):
        if "load_catalog" not in get_commands():
            self.stdout.write("load_demo_data: no catalog loader installed yet; nothing to load")
            return
        from catalog.models import Manga

        if Manga.objects.exists():
            self.stdout.write("load_demo_data: catalog already loaded")
            return
        call_command("load_catalog")
