from pathlib import Path

import pytest

from catalog import search
from catalog.loader import load_directory

CATALOG_DIR = Path(__file__).parent / "data"


@pytest.fixture
def catalog_data(transactional_db):
    """A dozen real series with products, FAQ, customers and orders; a fresh search index.

    Committed (transactional_db), because the tools run their queries on a thread of their own, with its own
    database connection, exactly as in production."""
    search.reset_index()
    report = load_directory(CATALOG_DIR, progress=False)
    assert report.rejected == []
    yield report
    search.reset_index()
