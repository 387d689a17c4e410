"""A version changes what customers get offline: its wording in answers, recorded on the Message and the Feedback,
and the response cache never hands one version's answer to another version's session."""

import json

import pytest
from botocore.stub import ANY, Stubber

from chat import bedrock
from chat.models import ChatSession, Message
from mangaassist.turn import answer_one
from feedback.collect import do_record_feedback
from prompts import lifecycle, serving
from prompts.models import PromptVersion
from tests.support.prompt_versions import evaluated
from tests.factories import make_ml_lead
from tests.support.converse import one_bedrock_client, response


@pytest.fixture
def canary_everywhere(catalog_data, content):  # noqa: F811
    """Version 2 (new greeting and recommendation intro) in a canary serving every session."""
    alice, bob = make_ml_lead("alice"), make_ml_lead("bob")
    text, templates = content
    templates["general.greeting"] = {"ja": "いらっしゃいませ！マンガアシストです。", "en": "Welcome! MangaAssist at your service."}
    templates["recommendation.intro"] = {"ja": "今週のおすすめです。", "en": "This week's picks:"}
    version = lifecycle.do_approve(evaluated(lifecycle.do_propose("answer", text + "\nGreet warmly.", templates, alice,
                                                                  "warmer")), bob)
    PromptVersion.objects.filter(pk=version.pk).update(canary_percent=100)
    serving.reset_cache()
    return version


def test_it_answers_with_the_serving_versions_wording_and_records_the_version(canary_everywhere, ask):  # noqa: F811
    draft = ask("Hello!", locale="en")
    assert draft.text == "Welcome! MangaAssist at your service."
    assert draft.prompt_version_id == canary_everywhere.pk
    PromptVersion.objects.filter(pk=canary_everywhere.pk).update(canary_percent=0)
    serving.reset_cache()
    live_draft = ask("Hello!", locale="en")
    assert live_draft.text == "Hello, this is MangaAssist. Ask me about stock, recommendations, orders or shipping."
    assert live_draft.prompt_version_id == PromptVersion.active().pk


def test_it_never_serves_a_cached_answer_of_another_version(canary_everywhere, ask):  # noqa: F811
    PromptVersion.objects.filter(pk=canary_everywhere.pk).update(canary_percent=0)
    serving.reset_cache()
    question = "何かおすすめの漫画はありますか？"
    live_answer = ask(question)
    assert "今週のおすすめです。" not in live_answer.text
    assert ask(question).meta.get("cache") == "exact"  # the live version's own repeat is cached
    PromptVersion.objects.filter(pk=canary_everywhere.pk).update(canary_percent=100)
    serving.reset_cache()
    canary_answer = ask(question)
    assert "cache" not in canary_answer.meta and canary_answer.text.startswith("今週のおすすめです。")


def test_it_records_the_version_on_the_sent_answer_and_on_its_feedback(canary_everywhere, trained_classifier):  # noqa: F811
    session = ChatSession.objects.create(locale="ja")
    question = Message.objects.create(session=session, role="user", text="こんにちは")
    answer_one(question)
    answer = Message.objects.get(reply_to=question, kind=Message.Kind.ANSWER)
    assert answer.prompt_version_id == canary_everywhere.pk
    feedback = do_record_feedback(session, {"type": "feedback", "message_id": answer.pk, "kind": "thumb",
                                            "value": "up"})
    assert feedback.prompt_version_id == canary_everywhere.pk


def test_it_raises_rather_than_answer_unworded():
    broken = PromptVersion(name="answer", version=99, text="x", templates={"stock.out": {"ja": "在庫切れ"}})
    with serving.forced(broken):
        assert serving.wording("stock.out", "ja") == "在庫切れ"
        with pytest.raises(serving.NoServingPrompt, match="no en template for 'stock.out'"):
            serving.wording("stock.out", "en")
        with pytest.raises(serving.NoServingPrompt, match="catalog.rare"):
            serving.wording("catalog.rare", "ja")


def test_it_sends_the_serving_versions_system_prompt_to_bedrock(canary_everywhere, ask, settings, monkeypatch):  # noqa: F811
    """On Bedrock the same version decides the system prompt: the canary's text reaches Sonnet's `system`."""
    client = one_bedrock_client(settings, monkeypatch)
    with Stubber(client) as stubber:
        stubber.add_response("converse", response(json.dumps({"category": "general", "intent": "greeting", "genre": None,
                                                              "language": "en", "confidence": 0.9})),
                             {"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": ANY})
        stubber.add_response("converse", response("Welcome! [confidence: 0.9]"),
                             {"modelId": ANY, "messages": ANY, "toolConfig": ANY, "inferenceConfig": ANY,
                              "system": [{"text": canary_everywhere.text + bedrock.ANSWER_SUFFIX}]})
        draft = ask("Hello!", locale="en")
        stubber.assert_no_pending_responses()
    assert draft.prompt_version_id == canary_everywhere.pk
