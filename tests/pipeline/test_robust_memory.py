"""The summary of earlier turns reaches both backends, and the history a backend gets is bounded by tokens too."""

import json

import pytest
from botocore.stub import ANY, Stubber

from chat import bedrock
from chat.memory import load_memory
from chat.models import ChatSession, Message
from prompts.validation import estimate_tokens
from tests.support.converse import one_bedrock_client, response

SUMMARY = "- 送料はいくらですか\n- ワンピースの1巻はありますか"


def test_it_answers_a_follow_up_offline_from_the_summary_of_earlier_turns(ask):
    session = ChatSession.objects.create(locale="ja", summary=SUMMARY, summary_upto_id=0)
    draft = ask("2巻は？", session=session)
    assert "「ONE PIECE」2巻" in draft.text, draft.text


def test_it_gives_bedrock_the_summary_of_earlier_turns(ask, settings, monkeypatch):
    client = one_bedrock_client(settings, monkeypatch)
    session = ChatSession.objects.create(locale="ja", summary=SUMMARY, summary_upto_id=0)
    with Stubber(client) as stubber:
        stubber.add_response("converse", response([{"text": json.dumps(
            {"category": "availability", "intent": "stock", "genre": None, "language": "ja", "confidence": 0.9})}]),
            {"modelId": ANY, "system": ANY, "messages": ANY, "inferenceConfig": ANY})
        # The answer call: the summary opens the conversation, in the customer's turn, not in the system prompt
        stubber.add_response("converse", response([{"text": "少々お待ちください。 [confidence: 0.3]"}]), {
            "modelId": ANY, "system": ANY, "toolConfig": ANY, "inferenceConfig": ANY,
            "messages": [{"role": "user", "content": [{"text": bedrock.SUMMARY_PREFIX + SUMMARY},
                                                      {"text": "2巻は？"}]}]})
        ask("2巻は？", session=session)
        stubber.assert_no_pending_responses()


@pytest.mark.django_db
def test_it_bounds_the_history_by_tokens_keeping_the_newest_turns(settings):
    settings.CHAT_HISTORY_MAX_TOKENS = 3000
    session = ChatSession.objects.create(locale="ja")
    for i in range(8):  # eight long exchanges: 8 x 2 x ~1,000 tokens, well under the count limit of 10
        question = Message.objects.create(session=session, role="user", text=f"{i}" + "長" * 1000)
        Message.objects.create(session=session, role="assistant", kind="answer", reply_to=question, text="答" * 1000)
    latest = Message.objects.create(session=session, role="user", text="最後の質問")

    recent = load_memory(session, before=latest).recent
    assert sum(estimate_tokens(m.text) for m in recent) <= 3000
    assert len(recent) == 2 and recent[0].text.startswith("7")  # the newest exchange, whole


def test_the_local_bedrock_server_answers_the_question_not_the_summary_before_it(ask, local_bedrock):  # noqa: F811
    session = ChatSession.objects.create(locale="en", summary=SUMMARY, summary_upto_id=0)  # Japanese questions
    draft = ask("Is volume 1 of Demon Slayer in stock?", locale="en", session=session)
    assert local_bedrock.calls["answer"] == 2 and draft.meta["grounding"]["grounded"]
    assert draft.text.startswith('"Demon Slayer'), draft.text  # in English, about the question asked
