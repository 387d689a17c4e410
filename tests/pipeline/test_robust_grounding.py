"""Grounding on Bedrock: a title the store does not sell is caught however the model writes it (in quotes, in bold,
bare), and the customer gets the safe fallback; the real titles the tools returned pass, written any of those ways.
Through botocore's Stubber with the Converse API's response shapes (classify, a tool call, the answer)."""

import json

import pytest
from botocore.stub import ANY, Stubber

from catalog.models import Product
from chat.pipeline import SAFE_FALLBACK
from tests.support.converse import one_bedrock_client, response


@pytest.fixture
def bedrock_says(ask, settings, monkeypatch):
    """Ask a question on the Bedrock backend whose model calls check_inventory, then answers `reply`."""
    client = one_bedrock_client(settings, monkeypatch)

    def _ask(question, reply, locale="ja", category="availability"):
        with Stubber(client) as stubber:
            stubber.add_response("converse", response([{"text": json.dumps(
                {"category": category, "intent": "stock_check", "genre": None, "language": locale,
                 "confidence": 0.93})}]), {"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": ANY})
            stubber.add_response("converse", response(
                [{"text": "在庫を確認します。" if locale == "ja" else "Let me check."},
                 {"toolUse": {"toolUseId": "tooluse_inv1", "name": "check_inventory",
                              "input": {"sku_or_title": "naruto-001"}}}], stop_reason="tool_use"))
            stubber.add_response("converse", response([{"text": reply + " [confidence: 0.9]"}]))
            draft = ask(question, locale=locale)
            stubber.assert_no_pending_responses()
        return draft

    return _ask


def _naruto_v1():
    product = Product.objects.get(sku="naruto-001")
    return product, product.series


INVENTED_JA = [
    "「ドラゴン戦記」1巻も在庫あり（{stock}冊）です。",
    "『ドラゴン戦記』1巻も在庫あり（{stock}冊）です。",
    "**ドラゴン戦記**もおすすめです。",
    "ドラゴン戦記の1巻も在庫あり（{stock}冊）です。",
    "似た作品ならドラゴン戦記シリーズもございます。",
]
INVENTED_EN = [
    "You might also like \"Dragon Quest Saga\".",
    "You might also like “Dragon Quest Saga”.",
    "You might also like **Dragon Quest Saga**.",
    "Dragon Quest Saga volume 1 is in stock ({stock} left) too.",
    "Fans of it usually love Starlight Ronin Chronicles.",
]


@pytest.mark.parametrize("invented", INVENTED_JA)
def test_it_replaces_a_japanese_answer_naming_a_title_the_store_does_not_sell(bedrock_says, invented):
    product, series = _naruto_v1()
    reply = (f"「{series.title_ja}」1巻は在庫あり（{product.stock}冊）、価格は{product.price_jpy:,}円です。"
             + invented.format(stock=product.stock))
    draft = bedrock_says("ナルトの1巻ありますか", reply)
    assert draft.text == SAFE_FALLBACK["ja"], draft.text
    assert not draft.meta["grounding"]["grounded"]
    assert any("ドラゴン戦記" in claim for claim in draft.meta["grounding"]["unverified"])


@pytest.mark.parametrize("invented", INVENTED_EN)
def test_it_replaces_an_english_answer_naming_a_title_the_store_does_not_sell(bedrock_says, invented):
    product, series = _naruto_v1()
    reply = (f"Volume 1 of \"{series.title_en}\" is in stock ({product.stock} left) at ¥{product.price_jpy:,}. "
             + invented.format(stock=product.stock))
    draft = bedrock_says("Is Naruto volume 1 in stock?", reply, locale="en")
    assert draft.text == SAFE_FALLBACK["en"], draft.text
    assert not draft.meta["grounding"]["grounded"]


@pytest.mark.parametrize("template", [
    "「{ja}」1巻は在庫あり（{stock}冊）、価格は{price}円です。",
    "**{ja}** 1巻は**在庫あり**（{stock}冊）、価格は**{price}円**です。",
    "{ja}の1巻は在庫あり（{stock}冊）、価格は{price}円です。最新刊の入荷はまだです。",
])
def test_it_sends_a_japanese_answer_that_names_only_the_tools_titles_however_written(bedrock_says, template):
    product, series = _naruto_v1()
    reply = template.format(ja=series.title_ja, stock=product.stock, price=f"{product.price_jpy:,}")
    draft = bedrock_says("ナルトの1巻ありますか", reply)
    assert draft.meta["grounding"]["grounded"], draft.meta["grounding"]
    assert draft.text == reply


@pytest.mark.parametrize("template", [
    "Volume 1 of **{en}** is in stock ({stock} left) at ¥{price}. Shipping is by Yamato Transport.",
    "{en} Volume 1 is in stock ({stock} left) at ¥{price} (tax included). Thank you for asking!",
])
def test_it_sends_an_english_answer_that_names_only_the_tools_titles_however_written(bedrock_says, template):
    product, series = _naruto_v1()
    reply = template.format(en=series.title_en, stock=product.stock, price=f"{product.price_jpy:,}")
    draft = bedrock_says("Is Naruto volume 1 in stock?", reply, locale="en")
    assert draft.meta["grounding"]["grounded"], draft.meta["grounding"]


def test_the_offline_templates_still_pass_the_stricter_check(ask):
    for question, locale in [("ナルトの1巻は在庫ありますか", "ja"), ("Is Naruto volume 1 in stock?", "en"),
                             ("鬼滅の刃に似たおすすめの漫画は？", "ja"), ("Can you recommend manga like Berserk?", "en"),
                             ("進撃の巨人は完結していますか？", "ja"), ("How many volumes does One Piece have?", "en")]:
        draft = ask(question, locale=locale)
        assert draft.meta.get("grounding", {"grounded": True})["grounded"], (question, draft.meta.get("grounding"))
        assert draft.text not in SAFE_FALLBACK.values()
