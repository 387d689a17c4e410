from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Manga
from chat.sweep import FORMS, sweep


class Command(BaseCommand):
    help = ("Asks about every series of the catalog in the plainest ways customers ask, in Japanese and English "
            "(chat/sweep.py: 'tell me about X', 'Xの3巻在庫ある？'…), through the whole offline pipeline with the "
            "response cache on, and reports per form how many were answered without review (AUTO), where the rest "
            "went, and every AUTO answer that names another series. Decides routes with the configured thresholds "
            "without acting: no review task, no message to anyone; the sessions it creates are deleted. Loads the "
            "shipped catalog first when the store is empty.")

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="only the first N series")
        parser.add_argument("--form", action="append", default=None,
                            help="LANG:TEMPLATE with {t} for the title, e.g. 'en:is {t} any good?' (repeatable; "
                                 "default: the sweep's own forms)")

    def handle(self, limit, form, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1")
        for given in form or ():
            if given[:3] not in ("en:", "ja:") or "{t}" not in given:
                raise CommandError(f"a form is LANG:TEMPLATE with {{t}} for the title (en: or ja:), not {given!r}")
        if not Manga.objects.exists():
            call_command("load_catalog", str(Path(settings.BASE_DIR) / "catalog" / "data"))
        from reviews.thresholds import decide

        def progress(n, total):
            if n % 50 == 0 or n == total:
                self.stderr.write(f"  {n}/{total} series asked")

        results = sweep(partial(decide, steady=True), tuple(form or FORMS), limit, progress)
        out = self.stdout.write
        out("method: every form asked once per series in a fresh anonymous session (offline backend, response cache "
            "on and cleared first); route as the turn would take it with the configured thresholds; an AUTO answer "
            "is wrong when it names neither the Japanese nor the English title of the series asked about")
        out("| form | asked | AUTO | AUTO naming another series | other routes |")
        out("|---|---|---|---|---|")
        for result in results:
            others = ", ".join(f"{route} {count}" for route, count in result.routes.most_common()) or "-"
            out(f"| {result.form} | {result.asked} | {result.auto} | {len(result.wrong)} | {others} |")
        asked, auto = sum(r.asked for r in results), sum(r.auto for r in results)
        wrong = [w for r in results for w in r.wrong]
        out(f"all forms: {auto}/{asked} AUTO ({auto / max(asked, 1):.3f}); AUTO naming another series: {len(wrong)}")
        for line in wrong[:20]:
            out(f"  wrong: {line}")
