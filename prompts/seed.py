"""The seeded version 1 of the answer prompt, read from the migrations that ship it (one copy of the wording).

Migrations seed it in every database; `ensure_live_version()` puts it back where a flush removed it (the test
suite's transactional tests), so a database is never left with no live prompt."""

import importlib

from django.db import IntegrityError, transaction

from prompts.models import PromptVersion

NAME = "answer"


def seed_content() -> tuple[str, dict]:
    text = importlib.import_module("prompts.migrations.0002_seed_answer_prompt").SYSTEM_PROMPT
    templates = importlib.import_module("prompts.migrations.0003_prompt_lifecycle").SEED_TEMPLATES
    return text, templates


def ensure_live_version() -> PromptVersion:
    live = PromptVersion.active(NAME)
    if live is not None:
        return live
    text, templates = seed_content()
    try:
        with transaction.atomic():
            return PromptVersion.objects.create(name=NAME, version=1, text=text, templates=templates,
                                                status=PromptVersion.Status.LIVE, reason="seeded")
    except IntegrityError:
        return PromptVersion.active(NAME)
