from django.core.management.base import BaseCommand, CommandError

from prompts import lifecycle
from prompts.models import PromptVersion


class Command(BaseCommand):
    help = ("Puts the previous live version of a prompt back (or --to VERSION, one that was live before) and ends a "
            "running canary; every web and worker process serves it within about a second. Works while frozen.")

    def add_arguments(self, parser):
        parser.add_argument("name", help="the prompt name, e.g. answer")
        parser.add_argument("--to", type=int, help="the version number to put back (default: the last retired one)")
        parser.add_argument("--reason", default="rollback_prompt command", help="why (kept in the history)")

    def handle(self, name, to, reason, **options):
        target = None
        if to is not None:
            target = PromptVersion.objects.filter(name=name, version=to).first()
            if target is None:
                raise CommandError(f"no prompt version {name} v{to}")
        try:
            old, new = lifecycle.do_rollback(name, "rollback_prompt", reason, target)
        except lifecycle.PromptError as exc:
            raise CommandError(f"{name}: {exc.detail}")
        self.stdout.write(f"{name}: v{old.version if old else '—'} → v{new.version} live")
