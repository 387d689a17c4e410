"""Regressions found in review: volume-blind semantic cache, grounding that trusted any figure the tools returned."""

from catalog import tools
from catalog.models import Manga, Product
from chat import grounding


def test_the_semantic_cache_never_answers_another_volume(ask):
    v1 = Product.objects.get(sku="naruto-001")
    v2 = Product.objects.get(sku="naruto-002")
    Product.objects.filter(pk=v1.pk).update(stock=5)
    Product.objects.filter(pk=v2.pk).update(stock=0)
    first = ask("NARUTOの1巻は在庫ありますか？")
    assert "在庫あり（5冊）" in first.text
    second = ask("NARUTOの2巻は在庫ありますか？")  # cosine ≈ 0.96 with the first question
    assert second.meta.get("cache") is None
    assert "在庫切れ" in second.text and "5冊" not in second.text


def test_adding_a_volume_invalidates_the_series_answers(ask):
    series = Manga.objects.get(slug="naruto")
    last = Product.objects.filter(series=series, edition="standard").order_by("-volume").first()
    question = f"Is Naruto volume {last.volume + 1} in stock?"
    assert "don't carry" in ask(question, locale="en").text
    Product.objects.create(series=series, sku=f"naruto-{last.volume + 1:03d}", volume=last.volume + 1,
                           edition="standard", price_jpy=last.price_jpy, stock=3)
    fresh = ask(question, locale="en")
    assert fresh.meta.get("cache") is None and "(3 left)" in fresh.text


def test_the_grounding_check_binds_stock_and_price_to_the_volume(catalog_data):
    results = [tools.check_inventory("NARUTO", timeout=30)]
    v1, v2 = Product.objects.get(sku="naruto-001"), Product.objects.get(sku="naruto-002")
    right = f"「NARUTO -ナルト-」1巻は在庫あり（{v1.stock}冊）、価格は{v1.price_jpy:,}円（税込）です。"
    hit = results[0].data[0]
    right = right.replace("NARUTO -ナルト-", hit.title_ja)
    assert grounding.check(right, results).grounded, grounding.check(right, results).unverified
    if v1.stock != v2.stock:
        wrong = f"「{hit.title_ja}」2巻は在庫あり（{v1.stock}冊）です。"
        assert not grounding.check(wrong, results).grounded
    sold_out = f"「{hit.title_ja}」1巻は在庫切れです。" if v1.stock > 0 else f"「{hit.title_ja}」1巻は在庫ありです。"
    assert not grounding.check(sold_out, results).grounded


def test_the_grounding_check_catches_free_text_claims(catalog_data):
    results = [tools.check_inventory("NARUTO", timeout=30)]
    hit = results[0].data[0]
    other = Manga.objects.exclude(pk=hit.manga_id).exclude(title_en="").order_by("id").first()
    assert not grounding.check(f"We also carry {other.title_en}, volume 1 is in stock.", results).grounded
    assert not grounding.check(f"{hit.title_en} volume 1 costs 123 yen.", results).grounded
    assert not grounding.check(f"{hit.title_en} volume 1: we have 987 copies.", results).grounded
