"""A recommendation asked for with nothing of the customer's taste in it is answered with the store's staff picks
(the catalog's `staff_pick` flag), not with whatever the meaning search makes of "good manga" and a reviewer."""

import pytest

from catalog.models import Manga, Product
from reviews.thresholds import decide
from tests.factories import first_draft

pytestmark = pytest.mark.usefixtures("trained_classifier")


def _listed(draft) -> list[str]:
    return [m.title_en for m in Manga.objects.filter(pk__in=[s["id"] for s in draft.sources if s["type"] == "manga"])]


@pytest.mark.parametrize("text, locale, intro, narrow", [
    ("おすすめある？", "ja", "スタッフのおすすめはこちらです。", "お好きなジャンル"),
    ("何か面白い漫画ない？", "ja", "スタッフのおすすめはこちらです。", "お好きなジャンル"),
    ("any good manga to recommend?", "en", "Here are our staff picks:", "Tell me a genre you like"),
    ("recommend me smth good pls", "en", "Here are our staff picks:", "Tell me a genre you like"),
])
def test_it_answers_a_bare_request_with_the_staff_picks_at_once(shipped_catalog, text, locale, intro, narrow):
    draft = first_draft(text, locale)
    assert draft.category == "recommendation"
    assert draft.text.startswith(intro) and narrow in draft.text.splitlines()[-1]
    # the first three staff picks with a volume in stock, by English title
    assert sorted(_listed(draft)) == ["Chihayafuru", "Delicious in Dungeon", "Frieren: Beyond Journey's End"]
    assert decide(draft.category, draft.confidence, steady=True).route == "auto"


def test_it_lists_the_picks_the_staff_set_now_and_skips_one_sold_out(shipped_catalog):
    Product.objects.filter(series__slug="chihayafuru").update(stock=0)
    Manga.objects.filter(slug="frieren").update(staff_pick=False)
    Manga.objects.filter(slug="one-piece").update(staff_pick=True)
    draft = first_draft("any recommendations?", "en")
    assert sorted(_listed(draft)) == ["Delicious in Dungeon", "Fullmetal Alchemist", "One Piece"]


@pytest.mark.parametrize("text, locale", [
    ("おすすめのバトル漫画ある？", "ja"),  # a genre: the in-stock list of that genre
    ("something like yuru camp?", "en"),  # a liked title: what is similar to it
    ("any horror manga you'd recommend?", "en"),
])
def test_it_keeps_the_picks_out_of_a_request_that_says_what_it_likes(shipped_catalog, text, locale):
    draft = first_draft(text, locale)
    assert draft.category == "recommendation"
    assert not draft.text.startswith(("スタッフのおすすめ", "Here are our staff picks"))
