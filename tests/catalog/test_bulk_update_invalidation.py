"""A bulk QuerySet.update() of products is a product change like a save: the cached answers that mention them and
every process's search index must forget the old stock and price, without the caller doing anything else."""

import time

from django.db import transaction

from catalog import search
from catalog.models import Manga, Product

QUESTION = "DEATH NOTEの1巻は在庫ありますか？"


def _in_stock_hit(query: str, slug: str) -> bool:
    series_id = Manga.objects.get(slug=slug).pk
    return any(h.series_id == series_id for h in search.search(query, search.Filters(in_stock=True)))


def test_it_drops_a_cached_in_stock_answer_after_a_bulk_stock_update(ask):  # noqa: F811
    Product.objects.filter(sku="death-note-001").update(stock=4)
    first = ask(QUESTION)
    assert "在庫あり（4冊）" in first.text, first.text
    again = ask(QUESTION)
    assert again.meta.get("cache") == "exact" and "在庫あり（4冊）" in again.text  # really served from the cache

    assert Product.objects.filter(sku="death-note-001").update(stock=0) == 1

    after = ask(QUESTION)
    assert after.meta.get("cache") is None
    assert "在庫切れ" in after.text and "在庫あり" not in after.text


def test_it_drops_the_cached_answers_of_the_whole_series_after_a_bulk_price_update(ask):  # noqa: F811
    english = "Is Death Note volume 2 in stock?"
    before = ask(english, locale="en")
    assert ask(english, locale="en").meta.get("cache") == "exact"
    old_price = Product.objects.get(sku="death-note-002").price_jpy

    Product.objects.filter(series__slug="death-note").update(price_jpy=old_price + 110)

    after = ask(english, locale="en")
    assert after.meta.get("cache") is None
    assert f"¥{old_price + 110:,}" in after.text and f"¥{old_price:,}" in before.text


def test_it_tells_search_about_a_bulk_update_only_once_it_is_committed(catalog_data):
    assert _in_stock_hit("death note", "death-note")
    before = search.current_version()
    with transaction.atomic():
        Product.objects.filter(series__slug="death-note").update(stock=0)
        assert search.current_version() == before  # other processes would still read the old rows
    assert search.current_version() == (before[0], before[1] + 1)
    time.sleep(search.FRESHNESS_CHECK_SECONDS)  # the index looks at the version at most this often
    assert not _in_stock_hit("death note", "death-note")


def test_it_announces_nothing_when_a_bulk_update_matches_no_product(catalog_data):
    before = search.current_version()
    assert Product.objects.filter(sku="no-such-sku").update(stock=3) == 0
    assert search.current_version() == before


def test_bulk_update_announces_its_rows_too(catalog_data):
    before = search.current_version()
    products = list(Product.objects.filter(series__slug="death-note"))
    for product in products:
        product.stock = 0
    Product.objects.bulk_update(products, ["stock"])
    assert search.current_version()[1] > before[1]
    time.sleep(search.FRESHNESS_CHECK_SECONDS)
    assert not _in_stock_hit("death note", "death-note")
