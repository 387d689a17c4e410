"""The turn: answer one customer message. The top of the import order: it runs the pipeline and hands the draft
to the review engine.

Turns of one session are serialised by a Redis lock (chat.turnlock, renewed while the turn works, so a killed
worker frees it within seconds) and answered in message order: whichever task takes the lock
first answers every earlier unanswered message of the session before its own, so a second message always sees the
first one (and its answer) in its context.
"""

import logging
import time

from celery import shared_task
from django.db.models import Exists, OuterRef

from chat import memory, pipeline, turnlock
from chat.models import ChatSession, Message, bump_state_version
from common.observability import bind_correlation_id, log_event
from reviews.escalation import route_draft

log = logging.getLogger(__name__)


def _pending(session: ChatSession, up_to_id: int):
    handled = Message.objects.filter(reply_to=OuterRef("pk"), role=Message.Role.ASSISTANT)
    return (session.messages.filter(role=Message.Role.USER, id__lte=up_to_id, answered_at__isnull=True)
            .exclude(Exists(handled)).order_by("id"))


def answer_one(message: Message) -> None:
    """Answer one customer message. Preconditions: the session's turn lock is held; the message has no reply yet."""
    # An earlier message answered by a later message's task still logs under its own socket event's id.
    bind_correlation_id(message.correlation_id or None)
    started = time.perf_counter()
    session = message.session
    session.refresh_from_db()
    context = memory.load_memory(session, before=message)
    draft = pipeline.produce_draft(message, context)
    # What the turn saw: lets tests (and reviewers) check that a message was answered knowing the earlier turns.
    draft.meta.setdefault("prior_turns", len(context.recent))
    draft.meta.setdefault("prior_message_ids", [m.pk for m in context.recent])
    sent = route_draft(message, draft)
    if not bump_state_version(session.pk, session.state_version):
        # Only turns change session state and they hold the lock: a lost race here means the lock expired.
        log.warning("session %s state changed under turn %s", session.pk, message.pk)
    memory.fold_if_needed(session)
    log_event("task", "turn", message_id=message.pk, session=str(session.public_id),
              sent=sent.kind if sent else None, category=draft.category, confidence=draft.confidence,
              duration_ms=round((time.perf_counter() - started) * 1000, 1))


@shared_task(name="chat.answer_message", acks_late=True, autoretry_for=(TimeoutError,), retry_backoff=True,
             max_retries=5)
def answer_message(message_id: int) -> None:
    message = Message.objects.select_related("session").filter(pk=message_id, role=Message.Role.USER).first()
    if message is None:
        return
    lock = turnlock.turn_lock(message.session_id)
    if not lock.acquire():
        raise TimeoutError(f"session {message.session_id} is busy")
    try:
        with turnlock.kept(lock):
            for pending in _pending(message.session, message.pk).select_related("session"):
                answer_one(pending)
    finally:
        try:
            lock.release()
        except Exception:  # expired while we worked: another turn may already hold a new lock
            log.warning("turn lock for session %s expired before release", message.session_id)
