"""The Bedrock backend against botocore's Stubber with the Converse API's real response shapes."""

import json
from decimal import Decimal

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import ANY, Stubber

from catalog.models import Product
from chat.models import ChatSession
from tests.support.converse import one_bedrock_client, response, usage


@pytest.fixture
def stubbed(settings, monkeypatch):
    client = one_bedrock_client(settings, monkeypatch)
    with Stubber(client) as stubber:
        yield stubber


def _classify(stubber, category="availability"):
    stubber.add_response("converse", response([{"text": json.dumps(
        {"category": category, "intent": "stock_check", "genre": None, "language": "ja", "confidence": 0.93})}],
        tokens=usage(120, 30)), {"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": ANY})


def test_it_answers_through_a_tool_call_and_records_tokens_and_cost(ask, stubbed):
    product = Product.objects.get(sku="naruto-001")
    _classify(stubbed)
    stubbed.add_response("converse", response(
        [{"text": "在庫を確認します。"},
         {"toolUse": {"toolUseId": "tooluse_1", "name": "check_inventory", "input": {"sku_or_title": "naruto-001"}}}],
        stop_reason="tool_use"))
    stubbed.add_response("converse", response(
        [{"text": f"「NARUTO -ナルト-」1巻は在庫あり（{product.stock}冊）、価格は{product.price_jpy:,}円です。 [confidence: 0.9]"}]))
    draft = ask("ナルトの1巻ありますか")
    stubbed.assert_no_pending_responses()
    assert draft.text.startswith("「NARUTO -ナルト-」1巻") and "[confidence" not in draft.text
    assert draft.meta["grounding"]["grounded"] and draft.confidence <= 0.9
    # Sonnet: 2 calls x (900 in, 120 out) at $3/$15 per million tokens; Haiku: 120 in, 30 out at $0.25/$1.25
    assert (draft.tokens_in, draft.tokens_out) == (1800 + 120, 240 + 30)
    expected = (1800 * 3 + 240 * 15 + 120 * 0.25 + 30 * 1.25) / 1_000_000
    assert float(draft.cost_usd) == pytest.approx(expected)
    session = ChatSession.objects.latest("id")
    assert float(session.cost_usd) == pytest.approx(expected, abs=1e-6)  # stored to 6 places; the cost cap reads it


def test_a_session_over_its_cost_cap_is_answered_offline_without_calling_bedrock(ask, stubbed, settings):
    settings.SESSION_COST_CAP_USD = 0.01
    session = ChatSession.objects.create(locale="ja", cost_usd=Decimal("0.02"))
    draft = ask("ナルトの1巻ありますか", session=session)
    stubbed.assert_no_pending_responses()  # nothing was queued: any Bedrock call would have raised
    assert draft.meta["guard"] == {"cost_cap": True} and draft.cost_usd == 0
    assert draft.meta["grounding"]["grounded"] and "NARUTO" in draft.text


def test_an_invented_price_from_the_model_is_replaced(ask, stubbed):
    _classify(stubbed)
    stubbed.add_response("converse", response([{"text": "「NARUTO -ナルト-」1巻は1円です。 [confidence: 0.99]"}]))
    draft = ask("ナルトの1巻ありますか")
    assert draft.confidence == 0.0 and "正確な情報" in draft.text


def test_throttling_falls_back_to_the_offline_backend(ask, stubbed):
    _classify(stubbed)
    stubbed.add_client_error("converse", service_error_code="ThrottlingException", http_status_code=429,
                             service_message="Too many requests, please wait before trying again.")
    draft = ask("ナルトの1巻ありますか")
    assert "「NARUTO -ナルト-」1巻は" in draft.text and draft.meta["grounding"]["grounded"]


def test_a_classifier_error_falls_back_to_the_offline_classifier(ask, stubbed):
    stubbed.add_client_error("converse", service_error_code="ModelTimeoutException", http_status_code=408)
    stubbed.add_response("converse", response([{"text": "送料は3,000円以上で無料です。 [confidence: 0.8]"}]))
    draft = ask("送料はいくらですか")
    assert draft.category == "shipping"


def test_a_read_timeout_falls_back_to_the_offline_backend(ask, stubbed, monkeypatch):
    _classify(stubbed)
    client = stubbed.client
    real_converse = client.converse

    def converse(**kwargs):
        if kwargs.get("toolConfig"):  # the answer call: botocore gives up after the read timeout
            raise ReadTimeoutError(endpoint_url="https://bedrock-runtime.ap-northeast-1.amazonaws.com")
        return real_converse(**kwargs)

    monkeypatch.setattr(client, "converse", converse)
    draft = ask("ナルトの1巻ありますか")
    assert "「NARUTO -ナルト-」1巻は" in draft.text


def test_an_empty_model_reply_falls_back_to_the_offline_backend(ask, stubbed):
    _classify(stubbed)
    stubbed.add_response("converse", response([]))
    draft = ask("ナルトの1巻ありますか")
    assert "「NARUTO -ナルト-」1巻は" in draft.text


def test_a_faq_tool_call_uses_the_customers_language_and_names_its_source(ask, stubbed, monkeypatch):
    from catalog import tools

    asked = []
    real = tools.search_faq
    monkeypatch.setattr(tools, "search_faq", lambda query, locale, **kw: (asked.append(locale), real(query, locale, **kw))[1])
    _classify(stubbed, category="shipping")
    stubbed.add_response("converse", response(
        [{"toolUse": {"toolUseId": "tooluse_faq", "name": "search_faq", "input": {"query": "shipping cost"}}}],
        stop_reason="tool_use"))
    stubbed.add_response("converse", response(
        [{"text": "Domestic shipping is free on orders of ¥3,000 or more; below that it costs ¥550. [confidence: 0.9]"}]))
    draft = ask("How much is shipping?", locale="en")
    stubbed.assert_no_pending_responses()
    assert asked == ["en"] and {"type": "faq", "key": "shipping-free-threshold"} in draft.sources
    assert draft.meta["grounding"]["grounded"] and draft.text.startswith("Domestic shipping is free")
