import pytest


@pytest.fixture
def auto_answers(transactional_db):
    """Every draft goes straight out: the drills are about transport and recovery, not about review."""
    from reviews.thresholds import reset_cache

    from tests.factories import all_drafts_auto

    all_drafts_auto()
    yield
    reset_cache()
