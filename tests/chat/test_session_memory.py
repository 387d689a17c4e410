import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import actions, memory
from mangaassist import turn
from chat.drafts import Draft
from chat.models import ChatSession, Message


def _turns(session, count, start=0):
    for i in range(start, start + count):
        question = Message.objects.create(session=session, role="user", text=f"質問{i}: ナルト{i}巻", client_id=f"c{i}")
        session.refresh_from_db()
        context = memory.load_memory(session, before=question)  # as the turn does: its read decides whether to count
        Message.objects.create(session=session, role="assistant", kind="answer", text=f"回答{i}", reply_to=question)
        memory.fold_if_needed(session, context)


def test_a_200_turn_session_stays_small_and_fast(db):
    session = ChatSession.objects.create()
    _turns(session, 200)
    session.refresh_from_db()
    assert len(session.summary) <= memory.SUMMARY_MAX_CHARS + 1
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        context = memory.load_memory(session)
        elapsed = time.perf_counter() - started
    assert len(queries) == 1 and elapsed < 0.5
    assert len(context.recent) <= memory.RECENT_TURNS * 2
    assert context.recent[-1].text == "回答199"
    assert "質問" in context.summary


def test_an_idle_session_starts_a_new_one_carrying_the_summary(db):
    session = ChatSession.objects.create()
    _turns(session, 3)
    ChatSession.objects.filter(pk=session.pk).update(last_activity_at=timezone.now() - timedelta(minutes=31))
    new, is_new = actions.do_resume_session(session.token, "ja")
    assert is_new and new.pk != session.pk and new.previous_id == session.pk
    assert "質問0" in new.summary


FOLD_QUERIES = 5


def _turn_cost(session, index):
    question = Message.objects.create(session=session, role="user", text=f"質問{index}", client_id=f"t{index}")
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        turn.answer_message(question.pk)
        elapsed = time.perf_counter() - started
    assert Message.objects.filter(reply_to=question, kind="answer").exists()
    return len(queries), elapsed


def test_a_turn_costs_the_same_at_turn_200_as_at_turn_20(db, monkeypatch):
    """Constant queries per turn and bounded memory, however long the conversation (the pipeline is stubbed:
    this measures the turn's own work: lock, memory, routing, delivery, folding)."""
    seen = []

    def produce(message, context):
        seen.append(len(context.recent) + len(context.summary))
        return Draft(text="回答", category="general", confidence=0.99)

    monkeypatch.setattr(turn.pipeline, "produce_draft", produce)
    session = ChatSession.objects.create()
    _turns(session, 19)
    _turn_cost(session, 20)  # warms the per-process threshold cache
    at_21 = _turn_cost(session, 21)
    _turns(session, 178, start=22)
    at_200 = _turn_cost(session, 200)
    # The same, or a few more on a turn that folds older turns into the summary: never growing with the length.
    assert at_200[0] <= at_21[0] + FOLD_QUERIES, f"queries per turn grew: {at_21[0]} at turn 21, {at_200[0]} at 200"
    assert at_200[1] < 1.0
    session.refresh_from_db()
    assert len(session.summary) <= memory.SUMMARY_MAX_CHARS + 1
    assert seen[-1] <= memory.RECENT_TURNS * 2 + memory.SUMMARY_MAX_CHARS + 1


async def test_a_hello_after_30_idle_minutes_welcomes_a_new_session_with_a_new_token(socket, transactional_db):
    from asgiref.sync import sync_to_async

    old = await sync_to_async(ChatSession.objects.create)()
    await sync_to_async(_turns)(old, 2)
    await sync_to_async(ChatSession.objects.filter(pk=old.pk).update)(
        last_activity_at=timezone.now() - timedelta(minutes=31))
    s = await socket()
    welcome = await s.hello(session=old.token, last_seen=0)
    assert welcome["type"] == "welcome" and welcome["session_id"] != str(old.public_id)
    new = await sync_to_async(ChatSession.from_token)(welcome["session"])
    assert new.previous_id == old.pk and "質問1" in new.summary
    await s.nothing_more()  # the old session's messages are not replayed into the new one
    await s.close()
