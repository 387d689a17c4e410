"""On Bedrock the same routing code applies: a complaint or legal request (by the rules or by Haiku's category) is
acknowledged and handed to a person without a Sonnet call, and "are you a bot?" gets the same honest answer."""

import json

import pytest
from botocore.stub import ANY, Stubber

from tests.support.converse import one_bedrock_client, response


@pytest.fixture
def stubbed(settings, monkeypatch):
    client = one_bedrock_client(settings, monkeypatch)
    with Stubber(client) as stubber:
        yield stubber


def _classify(stubber, category):
    stubber.add_response("converse", response(json.dumps(
        {"category": category, "intent": "x", "genre": None, "language": "en", "confidence": 0.9})),
        {"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": ANY})


def test_it_hands_a_complaint_haiku_recognised_to_a_person_without_asking_sonnet(ask, stubbed):
    _classify(stubbed, "complaint")  # only the classification: no answer call is queued, so one would fail
    draft = ask("Why does nobody ever fix anything here", locale="en")
    stubbed.assert_no_pending_responses()
    assert draft.category == "complaint" and draft.status_hint == "handoff" and "sorry" in draft.text


def test_it_hands_a_legal_request_to_a_person_and_answers_are_you_a_bot_the_same_way_as_offline(ask, stubbed):
    _classify(stubbed, "general")
    draft = ask("私のデータを全部削除してください。法的に請求します")
    assert draft.category == "legal" and draft.status_hint == "handoff" and "承りました" in draft.text
    _classify(stubbed, "general")
    draft = ask("Are you a bot?", locale="en")
    stubbed.assert_no_pending_responses()
    assert "AI assistant" in draft.text and draft.status_hint == ""
