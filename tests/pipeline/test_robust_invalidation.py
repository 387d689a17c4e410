"""Cached answers about a series follow the series: a bulk QuerySet.update() of a series (completion, volume count)
drops them like a save does, and every process's search index hears of it after commit. (Products: see
tests/catalog/test_bulk_update_invalidation.py, which covers stock and price through the same pipeline.)"""

import pytest

from catalog import search
from catalog.models import Manga

QUESTION = {"ja": "DEATH NOTEは完結していますか？", "en": "Is Death Note finished?"}


@pytest.mark.parametrize("locale,ongoing,completed", [("ja", "連載中", "完結"), ("en", "ongoing", "completed")])
def test_it_drops_cached_series_answers_after_a_bulk_series_update(ask, locale, ongoing, completed):
    Manga.objects.filter(slug="death-note").update(status="ongoing")
    first = ask(QUESTION[locale], locale=locale)
    assert ongoing in first.text.lower(), first.text
    assert ask(QUESTION[locale], locale=locale).meta.get("cache") == "exact"  # really served from the cache

    before = search.current_version()
    assert Manga.objects.filter(slug="death-note").update(status="completed") == 1
    assert search.current_version()[0] > before[0]  # the index of every process rebuilds its series

    after = ask(QUESTION[locale], locale=locale)
    assert after.meta.get("cache") is None
    assert completed in after.text.lower() and ongoing not in after.text.lower(), after.text


def test_it_drops_cached_series_answers_after_a_series_save(ask):
    Manga.objects.filter(slug="death-note").update(status="ongoing")
    ask(QUESTION["en"], locale="en")
    assert ask(QUESTION["en"], locale="en").meta.get("cache") == "exact"
    manga = Manga.objects.get(slug="death-note")
    manga.status = "completed"
    manga.save()
    after = ask(QUESTION["en"], locale="en")
    assert after.meta.get("cache") is None and "completed" in after.text.lower()
