from django.core.management.base import BaseCommand

from chat.answer_data import build


class Command(BaseCommand):
    help = ("Writes chat/answer_data/tuning.jsonl and heldout.jsonl: questions generated from catalog/data/*.jsonl "
            "with their facts, plus chat/answer_data/handwritten.jsonl, split ~60/40 per failure class and language; "
            "and the blind parts (fresh*.jsonl from fresh*_handwritten.jsonl: written blind, reported on only). "
            "Deterministic and safe to re-run; re-run it after editing the catalog data or the handwritten questions.")

    def handle(self, **options):
        counts = build.write()
        self.stdout.write(f"wrote {', '.join(f'{n} {part}' for part, n in counts.items())} questions to {build.DATA_DIR}")
