"""The turn: answer one customer message. It stands above the apps (with the rest of the project wiring): it runs
chat's pipeline and hands the draft to the review engine.

Turns of one session are serialised by a Redis lock (chat.turnlock, renewed while the turn works, so a killed
worker frees it within seconds) and answered in message order: whichever task takes the lock
first answers every earlier unanswered message of the session before its own, so a second message always sees the
first one (and its answer) in its context.

A turn that fails (a bug, a corrupt row, a database error) must not hold the rest of the session hostage: the loop
below used to stop at the first exception, so every later task of the session met the same unanswered message first,
failed on it again, and the session stayed silent until the watchdog's deadline (~5 min). Now each message is
answered on its own: a failure sends that message the safe fallback (a person will get back to the customer, so the
person's task is opened as for the watchdog's fallback), counts `chat_turn_failures_total`, opens the failed-turns
operations alert, and the loop goes on with the next message.
"""

import logging
import time

from celery import shared_task
from django.db import transaction
from django.db.models import Exists, OuterRef

from chat import delivery, memory, pipeline, turnlock
from chat.models import ChatSession, Message, bump_state_version
from chat.watchdog import person_promised
from common import cpu, metrics
from common.observability import bind_correlation_id, log_event
from reviews.alerts import open_alert
from reviews.escalation import route_draft
from reviews.models import Alert

log = logging.getLogger(__name__)


def _pending(session_id: int, up_to_id: int):
    handled = Message.objects.filter(reply_to=OuterRef("pk"), role=Message.Role.ASSISTANT)
    return (Message.objects.filter(session_id=session_id, role=Message.Role.USER, id__lte=up_to_id,
                                   answered_at__isnull=True)
            .exclude(Exists(handled)).order_by("id"))


def answer_one(message: Message) -> None:
    """Answer one customer message. Preconditions: the session's turn lock is held; the message has no reply yet;
    `message.session` was read after the lock was taken (an earlier turn may have changed it)."""
    # An earlier message answered by a later message's task still logs under its own socket event's id.
    bind_correlation_id(message.correlation_id or None)
    started = time.perf_counter()
    session = message.session
    context = memory.load_memory(session, before=message)
    draft = pipeline.produce_draft(message, context)
    # What the turn saw: lets tests (and reviewers) check that a message was answered knowing the earlier turns.
    draft.meta.setdefault("prior_turns", len(context.recent))
    draft.meta.setdefault("prior_message_ids", [m.pk for m in context.recent])
    sent = route_draft(message, draft)
    if not bump_state_version(session.pk, session.state_version):
        # Only turns change session state and they hold the lock: a lost race here means the lock expired.
        log.warning("session %s state changed under turn %s", session.pk, message.pk)
    memory.fold_if_needed(session, context)
    log_event("task", "turn", message_id=message.pk, session=str(session.public_id),
              sent=sent.kind if sent else None, category=draft.category, confidence=draft.confidence,
              duration_ms=round((time.perf_counter() - started) * 1000, 1))


@shared_task(name="chat.answer_message", acks_late=True, autoretry_for=(TimeoutError,), retry_backoff=True,
             max_retries=5)
def answer_message(message_id: int) -> None:
    # Only the session's id before the lock: the session row is read under it, once per message answered (loading
    # a message with its session cost 2.5 ms of ORM work, and the turn did it three times).
    session_id = Message.objects.filter(pk=message_id, role=Message.Role.USER).values_list("session_id",
                                                                                         flat=True).first()
    if session_id is None:
        return
    lock = turnlock.turn_lock(session_id)
    if not lock.acquire():
        raise TimeoutError(f"session {session_id} is busy")
    try:
        with turnlock.kept(lock), cpu.busy():  # the slot after the lock: never hold one while waiting for a session
            for pending in _pending(session_id, message_id):
                pending.session = ChatSession.objects.get(pk=session_id)  # as the previous message's turn left it
                try:
                    answer_one(pending)
                except Exception as exc:  # noqa: BLE001 (any failure: the next message must still be answered)
                    fail_turn(pending, exc)
    finally:
        try:
            lock.release()
        except Exception:  # expired while we worked: another turn may already hold a new lock
            log.warning("turn lock for session %s expired before release", session_id)


def fail_turn(message: Message, exc: BaseException) -> Message | None:
    """Give a message whose turn raised the safe fallback, count it and raise the operations alert.

    Preconditions: the session's turn lock is held. Returns the fallback sent, or None when the message already had
    its final answer (the turn failed after sending it)."""
    log.exception("turn of message %s failed", message.pk, exc_info=exc)
    metrics.incr("chat_turn_failures_total", error=type(exc).__name__)
    sent = None
    try:
        message.refresh_from_db()
        session = message.session
        with transaction.atomic():
            sent = delivery.send_to_customer(
                session, kind=Message.Kind.ANSWER, text=pipeline.SAFE_FALLBACK[session.locale], reply_to=message,
                status=Message.Status.FALLBACK, meta={"turn_error": type(exc).__name__})
            if sent is not None:  # the fallback promises a person: open the task for one (reviews.promises)
                person_promised.send(sender=Message, message=message, answer=sent, reason="turn_failed")
        open_alert(Alert.Kind.FAILED_TURNS, f"A turn failed ({type(exc).__name__}: {exc}) for message "
                                            f"{message.pk}; the customer got the safe fallback", 1)
    except Exception:  # the watchdog's fallback still keeps the promise at the deadline
        log.exception("could not send the fallback for message %s", message.pk)
    log_event("task", "turn_failed", message_id=message.pk, error=type(exc).__name__,
              fallback=sent.pk if sent else None)
    return sent
