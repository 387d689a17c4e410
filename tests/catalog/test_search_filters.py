from catalog import search
from catalog.models import Manga, Product


def slugs(hits):
    names = dict(Manga.objects.values_list("id", "slug"))
    return [names[h.series_id] for h in hits]


def test_it_filters_by_genre_and_demographic(catalog_data):
    assert set(slugs(search.search("", search.Filters(genre="sports"), 10))) == {"slam-dunk", "hajime-no-ippo"}
    assert set(slugs(search.search("", search.Filters(demographic="shoujo"), 10))) == {
        "sailor-moon", "the-rose-of-versailles"}


def test_it_filters_by_stock_and_price(catalog_data):
    Product.objects.filter(series__slug="death-note").update(stock=0)
    search.reset_index()
    assert "death-note" not in slugs(search.search("death note", search.Filters(in_stock=True)))
    assert "death-note" in slugs(search.search("death note", search.Filters(in_stock=False)))
    cheapest = min(Product.objects.values_list("price_jpy", flat=True))
    hits = slugs(search.search("", search.Filters(max_price=cheapest), 20))
    assert hits and all(Product.objects.filter(series__slug=s, price_jpy__lte=cheapest).exists() for s in hits)


def test_similar_to_recommends_related_series_not_itself(catalog_data):
    slam_dunk = Manga.objects.get(slug="slam-dunk")
    similar = slugs(search.similar_to(slam_dunk.pk, limit=3))
    assert "slam-dunk" not in similar
    assert "hajime-no-ippo" in similar  # the other sports manga
