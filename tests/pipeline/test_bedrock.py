"""The Bedrock backend against botocore's Stubber with the Converse API's real response shapes."""

import json

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import ANY, Stubber

from catalog.models import Product
from chat import bedrock


def _usage(tokens_in=900, tokens_out=120):
    return {"inputTokens": tokens_in, "outputTokens": tokens_out, "totalTokens": tokens_in + tokens_out}


def _response(content, stop_reason="end_turn", usage=None):
    return {"output": {"message": {"role": "assistant", "content": content}}, "stopReason": stop_reason,
            "usage": usage or _usage(), "metrics": {"latencyMs": 812}}


@pytest.fixture
def stubbed(settings, monkeypatch):
    settings.LLM_BACKEND = "bedrock"
    client = bedrock.client(bedrock.CLASSIFY_BUDGET_SECONDS)
    monkeypatch.setattr(bedrock, "client", lambda read_timeout: client)
    with Stubber(client) as stubber:
        yield stubber


def _classify(stubber, category="availability"):
    stubber.add_response("converse", _response([{"text": json.dumps(
        {"category": category, "intent": "stock_check", "genre": None, "language": "ja", "confidence": 0.93})}],
        usage=_usage(120, 30)), {"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": ANY})


def test_it_answers_through_a_tool_call_and_records_tokens_and_cost(ask, stubbed):
    product = Product.objects.get(sku="naruto-001")
    _classify(stubbed)
    stubbed.add_response("converse", _response(
        [{"text": "在庫を確認します。"},
         {"toolUse": {"toolUseId": "tooluse_1", "name": "check_inventory", "input": {"sku_or_title": "naruto-001"}}}],
        stop_reason="tool_use"))
    stubbed.add_response("converse", _response(
        [{"text": f"「NARUTO -ナルト-」1巻は在庫あり（{product.stock}冊）、価格は{product.price_jpy:,}円です。 [confidence: 0.9]"}]))
    draft = ask("ナルトの1巻ありますか")
    stubbed.assert_no_pending_responses()
    assert draft.text.startswith("「NARUTO -ナルト-」1巻") and "[confidence" not in draft.text
    assert draft.meta["grounding"]["grounded"] and draft.confidence <= 0.9
    # Sonnet: 2 calls x (900 in, 120 out) at $3/$15 per million tokens
    assert (draft.tokens_in, draft.tokens_out) == (1800, 240)
    assert float(draft.cost_usd) == pytest.approx((1800 * 3 + 240 * 15) / 1_000_000)


def test_an_invented_price_from_the_model_is_replaced(ask, stubbed):
    _classify(stubbed)
    stubbed.add_response("converse", _response([{"text": "「NARUTO -ナルト-」1巻は1円です。 [confidence: 0.99]"}]))
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
    stubbed.add_response("converse", _response([{"text": "送料は3,000円以上で無料です。 [confidence: 0.8]"}]))
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
    stubbed.add_response("converse", _response([]))
    draft = ask("ナルトの1巻ありますか")
    assert "「NARUTO -ナルト-」1巻は" in draft.text
