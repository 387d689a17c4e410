import copy

import pytest
from django.utils import translation

from prompts.models import PromptVersion
from prompts.seed import seed_content
from tests.factories import make_ml_lead


@pytest.fixture
def alice(db):
    return make_ml_lead("alice")


@pytest.fixture
def bob(db):
    return make_ml_lead("bob")


@pytest.fixture
def live(db):
    return PromptVersion.active()


@pytest.fixture
def content():
    """The seeded content, deep-copied: a test edits it into a candidate."""
    text, templates = seed_content()
    return text, copy.deepcopy(templates)


@pytest.fixture(autouse=True)
def _english():
    """Assertions read the English messages; test_i18n checks the Japanese ones (the store's default)."""
    with translation.override("en"):
        yield
