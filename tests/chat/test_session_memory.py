import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import actions, memory
from chat.models import ChatSession, Message


def _turns(session, count):
    for i in range(count):
        question = Message.objects.create(session=session, role="user", text=f"質問{i}: ナルト{i}巻", client_id=f"c{i}")
        Message.objects.create(session=session, role="assistant", kind="answer", text=f"回答{i}", reply_to=question)
        memory.fold_if_needed(session)


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
