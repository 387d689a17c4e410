"""A lookup that fails tells the customer we could not check right now, in their language: never "which title?",
never "no results", and never an answer cached for the next customer."""

import json

import pytest
from botocore.stub import ANY, Stubber

from catalog import search, tools
from catalog.models import Customer
from tests.support.converse import one_bedrock_client, response


def _broken(*args, **kwargs):
    raise ConnectionError("the search backend is down")


@pytest.fixture
def search_down(monkeypatch):
    monkeypatch.setattr(search, "search", _broken)
    monkeypatch.setattr(search, "similar_to", _broken)


@pytest.mark.parametrize("locale,question,expected", [
    ("ja", "ワンピースの1巻は在庫ありますか？", "確認できませんでした"),
    ("en", "Is One Piece volume 1 in stock?", "could not check"),
    ("ja", "ワンピースに似たおすすめの漫画はありますか？", "確認できませんでした"),
    ("en", "Can you recommend something like One Piece?", "could not check"),
])
def test_it_says_it_could_not_check_when_the_catalog_search_fails(ask, search_down, locale, question, expected):
    draft = ask(question, locale=locale)
    assert expected in draft.text, draft.text
    assert "作品名" not in draft.text and "which title" not in draft.text.lower()
    assert draft.status_hint != "clarify" and any(not t["performed"] for t in draft.meta["tools"])
    assert ask(question, locale=locale).meta.get("cache") is None  # the failure was not cached


@pytest.mark.parametrize("locale,expected", [("ja", "確認できませんでした"), ("en", "could not")])
def test_it_says_it_could_not_check_when_the_order_lookup_fails(ask, monkeypatch, locale, expected):
    monkeypatch.setattr(tools.Order.objects, "filter", _broken)
    customer = Customer.objects.get(external_id="C1001")
    draft = ask("注文 MA-260001 はいつ届きますか？" if locale == "ja" else "Where is my order MA-260001?",
                locale=locale, customer=customer)
    assert expected in draft.text, draft.text
    assert draft.meta["tools"][0]["performed"] is False


@pytest.mark.parametrize("locale,question,expected", [
    ("ja", "ワンピースの1巻は在庫ありますか？", "確認できませんでした"),
    ("en", "Is One Piece volume 1 in stock?", "could not check"),
])
def test_on_bedrock_a_failed_lookup_is_never_answered_with_which_title(ask, search_down, settings, monkeypatch,
                                                                      locale, question, expected):
    client = one_bedrock_client(settings, monkeypatch)
    with Stubber(client) as stubber:
        stubber.add_response("converse", response([{"text": json.dumps(
            {"category": "availability", "intent": "stock", "genre": None, "language": locale, "confidence": 0.92})}]),
            {"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": ANY})
        stubber.add_response("converse", response(
            [{"toolUse": {"toolUseId": "tooluse_q1", "name": "check_inventory", "input": {"sku_or_title": "ワンピース"}}}],
            stop_reason="tool_use"))
        # what a model tends to say after an error result: ask for the title again
        stubber.add_response("converse", response([{"text": (
            "どの作品についてのお問い合わせか、作品名を教えていただけますか？" if locale == "ja"
            else "Could you tell me the title you are looking for?") + " [confidence: 0.6]"}]))
        draft = ask(question, locale=locale)
        stubber.assert_no_pending_responses()
    assert expected in draft.text, draft.text
    assert "作品名" not in draft.text and "title" not in draft.text.lower()
    assert draft.meta["tools"][0]["performed"] is False
