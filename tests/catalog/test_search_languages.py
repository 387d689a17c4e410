import pytest

from catalog import search
from catalog.models import Manga


def top_slug(query, **filters):
    hits = search.search(query, search.Filters(**filters), limit=5)
    return Manga.objects.get(pk=hits[0].series_id).slug if hits else None


@pytest.mark.parametrize(
    "query, slug",
    [
        ("進撃の巨人", "attack-on-titan"),
        ("Attack on Titan", "attack-on-titan"),
        ("shingeki no kyojin", "attack-on-titan"),
        ("鬼滅", "demon-slayer"),
        ("kimetsu", "demon-slayer"),
        ("one peice", "one-piece"),
        ("Atack on Titan", "attack-on-titan"),
        ("デスノート", "death-note"),
        ("ナルト", "naruto"),
        ("pirate manga about a boy made of rubber", "one-piece"),
        ("a notebook that kills anyone whose name is written in it", "death-note"),
        ("ボクシング漫画", "hajime-no-ippo"),
        ("尾田栄一郎の漫画", "one-piece"),
        ("manga by Naoko Takeuchi", "sailor-moon"),
        ("囲碁の漫画", "hikaru-no-go"),
        ("鬼滅の刃の在庫ありますか", "demon-slayer"),
    ],
)
def test_it_finds_the_series_across_languages_romaji_partials_and_typos(catalog_data, query, slug):
    assert top_slug(query) == slug


def test_it_finds_the_same_series_for_japanese_and_english_titles(catalog_data):
    ja = search.search("進撃の巨人")[0]
    en = search.search("Attack on Titan")[0]
    assert ja.series_id == en.series_id and ja.score > 0.9 and en.score > 0.9


def test_it_scores_nonsense_low(catalog_data):
    hits = search.search("xqzv wprt")
    assert all(hit.score < 0.5 for hit in hits)
