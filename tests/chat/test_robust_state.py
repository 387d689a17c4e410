"""Every read of cached or serialised state is guarded: a corrupt entry is dropped and counted, never raised."""

import time

import pytest

from chat import response_cache
from chat.models import ChatSession, Message
from common import metrics
from mangaassist import turn
from tests.factories import all_drafts_auto

QUESTION = "Is One Piece volume 1 in stock?"


def _answer(text, session=None):
    session = session or ChatSession.objects.create(locale="en")
    message = Message.objects.create(session=session, role="user", text=text)
    turn.answer_message(message.pk)
    return Message.objects.get(reply_to=message, role="assistant", kind="answer")


def _redis():
    return response_cache._client()


@pytest.fixture
def auto(catalog_data):  # noqa: F811
    all_drafts_auto()


def test_it_answers_when_every_string_key_in_redis_is_garbage(auto):
    first = _answer(QUESTION)
    assert first.status == "auto" and '"One Piece"' in first.text
    client = _redis()
    corrupted = []
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == b"string":
            client.set(key, b"\x80\x04garbage{not json", keepttl=True)
            corrupted.append(key)
        elif kind == b"hash" and not key.startswith(b"metrics:"):
            for field in client.hkeys(key):
                client.hset(key, field, b"\xff\x00garbage")
            corrupted.append(key)
    assert any(k.startswith(b"respcache:entry:") for k in corrupted), corrupted
    time.sleep(1.2)  # past every process-local copy's recheck (prompts, thresholds, search: 1 s or less)

    again = _answer(QUESTION)
    assert again.status == "auto" and '"One Piece"' in again.text, (again.status, again.text)
    assert metrics.counter_value("chat_corrupt_state_total", store="response_cache") >= 1


def test_it_drops_a_corrupt_cache_entry_and_answers_fresh(auto):
    _answer(QUESTION)
    client = _redis()
    [entry] = [k for k in client.scan_iter(match="respcache:entry:*")]
    client.set(entry, '{"text": 3}', keepttl=True)  # valid JSON, not an answer
    before = metrics.counter_value("chat_corrupt_state_total", store="response_cache")

    again = _answer(QUESTION)
    assert again.status == "auto" and '"One Piece"' in again.text
    assert again.meta.get("cache") is None
    assert metrics.counter_value("chat_corrupt_state_total", store="response_cache") == before + 1
    assert client.get(entry) is None or b'"text": 3' not in client.get(entry)


def test_it_drops_a_corrupt_summary_and_answers(auto):
    session = ChatSession.objects.create(locale="en", summary="x" * 100_000, summary_upto_id=0)
    answer = _answer(QUESTION, session)
    assert answer.status == "auto" and '"One Piece"' in answer.text
    session.refresh_from_db()
    assert session.summary == ""
    assert metrics.counter_value("chat_corrupt_state_total", store="summary") >= 1


def test_it_answers_without_the_cache_when_redis_refuses(auto, monkeypatch):
    def down():
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(response_cache, "_client", down)
    first = _answer(QUESTION)
    again = _answer(QUESTION)
    assert first.status == again.status == "auto" and '"One Piece"' in again.text
    assert again.meta.get("cache") is None


@pytest.mark.parametrize("garbage", [b"\xff\xfe not json", b'{"tier": "two"}', b"[1, 2]"])
def test_it_drops_a_garbled_answer_tier_and_answers_at_full_tier(db, garbage):
    from chat import degradation

    _redis().set(degradation.TIER_KEY, garbage)
    degradation._cached = (0.0, {})
    before = metrics.counter_value("chat_corrupt_state_total", store="degradation")
    assert degradation.current() is degradation.TIERS[0]
    assert metrics.counter_value("chat_corrupt_state_total", store="degradation") == before + 1
    _redis().lpush(degradation.WAITS_KEY.format(0), b"garbage", b"0.2")
    assert degradation._window(degradation.WAITS_KEY.format(0)) == [0.2]
