"""The Bedrock backend with real boto3 against the local Bedrock-compatible server (chat/bedrock_local.py)."""

import time

from chat import bedrock, bedrock_local, degradation, guards
from chat.memory import load_memory
from chat.models import ChatSession, Message


def test_it_answers_a_grounded_two_call_turn_through_the_local_server(ask, local_bedrock):
    draft = ask("「鬼滅の刃」の1巻の在庫はありますか？")
    assert local_bedrock.calls["classify"] == 1 and local_bedrock.calls["answer"] == 2  # a tool round trip
    assert "「鬼滅の刃」" in draft.text and "円" in draft.text
    assert draft.meta["grounding"]["grounded"] and draft.meta["tools"][0]["tool"] == "check_inventory"
    assert draft.meta["budget"]["violations"] == []
    assert draft.tokens_in > 0 and draft.tokens_out > 0 and draft.cost_usd > 0


def test_an_ordinary_grounded_answer_of_5600_tokens_is_not_capped(ask, local_bedrock, monkeypatch):
    """Two Sonnet calls of 2,800 tokens each: under the per-call limit, so the answer is Sonnet's, not a fallback."""
    real = bedrock_local._response

    def heavy(content, stop_reason, tokens_in, started):
        response = real(content, stop_reason, 2600, started)
        response["usage"].update(outputTokens=200, totalTokens=2800)
        return response

    monkeypatch.setattr(bedrock_local, "_response", heavy)
    draft = ask("Is volume 1 of Demon Slayer in stock?", locale="en")
    assert draft.meta["budget"]["tokens"] == 5600 and draft.meta["budget"]["violations"] == []
    assert draft.text.startswith('"Demon Slayer') and "[confidence" not in draft.text  # Sonnet's, not the template's


def test_a_throttled_model_falls_back_to_the_offline_answer(ask, local_bedrock):
    local_bedrock.throttle = 1.0
    draft = ask("「鬼滅の刃」の1巻の在庫はありますか？")
    assert local_bedrock.calls["throttled"] == 2  # Haiku, then Sonnet: no retries inside a turn
    assert draft.category == "availability" and "「鬼滅の刃」1巻" in draft.text  # the offline template's answer
    assert draft.meta["grounding"]["grounded"]


def test_a_hanging_model_is_cut_off_by_the_read_timeout_and_answered_offline(ask, local_bedrock):
    local_bedrock.hang = True
    draft = ask("Is volume 1 of Demon Slayer in stock?", locale="en")
    assert local_bedrock.calls["hung"] == 2
    assert 'of "Demon Slayer' in draft.text and draft.meta["grounding"]["grounded"]  # the offline template's


def test_a_model_slower_than_the_stores_promise_is_answered_offline_within_it(ask, local_bedrock, settings):
    settings.DEGRADE_TURN_SECONDS = 3.0
    degradation.reset()
    local_bedrock.answer_latency = 5.0  # Sonnet is slow today: a tool round trip would take over 10 s
    started = time.monotonic()
    draft = ask("Is volume 1 of Demon Slayer in stock?", locale="en")
    assert time.monotonic() - started < settings.BEDROCK_TURN_SECONDS + 0.5
    assert 'of "Demon Slayer' in draft.text and draft.meta["cut_short"] == "ReadTimeoutError"  # the offline template
    assert degradation._window(degradation.LATENCIES_KEY.format(0)) == [6.0]  # counted as a slow turn
    degradation.reset()


def test_one_client_per_process_whatever_the_time_left(ask, local_bedrock):
    for text in ("ワンピースの3巻ありますか", "送料はいくらですか", "Is One Piece vol 2 in stock?"):
        ask(text)
    assert set(bedrock._clients) == {"classify", "answer"}
    assert bedrock.client("answer") is bedrock.client("answer")


def test_slow_model_turns_step_down_to_offline_answers_and_back_up_when_it_recovers(ask, local_bedrock, settings):
    settings.DEGRADE_WINDOW, settings.DEGRADE_TURN_SECONDS, settings.DEGRADE_PROBE_SHARE = 3, 2.0, 0.0
    settings.DEGRADE_RECOVER_RATIO = 0.6  # calm: turns under 1.2 s (a fast model's turn, even on a loaded machine)
    local_bedrock.classify_latency, local_bedrock.answer_latency = 0.2, 1.0  # a turn waits at least 2.2 s
    settings.BEDROCK_CALL_TIMEOUT_SECONDS = 5  # above the 1 s answers: a turn is 2.2 s of model time, not a timeout
    questions = iter(["ワンピースの{}巻の在庫はありますか？".format(n) for n in range(1, 30)])
    tiers = [ask(next(questions)).meta["tier"] for _ in range(6)]
    assert tiers == ["full"] * 3 + ["haiku"] * 3 and degradation.current().name == "offline"
    calls = dict(local_bedrock.calls)
    draft = ask(next(questions))
    assert draft.meta["tier"] == "offline" and local_bedrock.calls == calls  # no Bedrock call at all
    assert "「ONE PIECE」" in draft.text

    local_bedrock.classify_latency, local_bedrock.answer_latency = 0.0, 0.0  # the model is fast again
    settings.DEGRADE_PROBE_SHARE = 1.0  # every turn probes the tier above
    tiers = [ask(next(questions)).meta["tier"] for _ in range(6)]
    assert tiers == ["haiku"] * 3 + ["full"] * 3 and degradation.current().name == "full"


def test_a_call_late_in_the_turn_waits_only_for_the_time_the_turn_has_left(local_bedrock, settings, catalog_data):
    settings.BEDROCK_CALL_TIMEOUT_SECONDS = 10
    local_bedrock.hang = True
    session = ChatSession.objects.create(locale="en")
    message = Message.objects.create(session=session, role="user", text="Is volume 1 of Demon Slayer in stock?")
    budget = guards.Budget(guards.Limits(max_seconds=2.5))
    started = time.monotonic()
    composed, _ = bedrock.answer(message, load_memory(session, before=message), "availability", "en", None, budget)
    assert time.monotonic() - started < 6  # cut off at the 2 s left, not at the call's own 10 s
    assert local_bedrock.calls["hung"] == 1 and "answer:2s" in bedrock._clients
    assert "Demon Slayer" in composed.text  # the offline answer
