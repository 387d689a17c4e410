"""What a customer can do in a chat, shared by the WebSocket consumer and the HTTP fallback.

`check_*` validate and raise ChatError with a protocol error code; `do_*` act. Views and consumers only parse input
and shape output.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.models import ChatSession, Locale, Message
from mangaassist.observability import correlation_id

log = logging.getLogger(__name__)
MAX_TEXT = 2000
RATE_LIMIT_PER_MINUTE = 20
IDLE_SESSION = timedelta(minutes=30)


class ChatError(Exception):
    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass
class Received:
    message: Message
    created: bool  # False when the client resent a message we already had


def check_session_token(token) -> ChatSession:
    if not isinstance(token, str) or not token:
        raise ChatError("invalid", "session token missing")
    session = ChatSession.from_token(token)
    if session is None:
        raise ChatError("not_found", "unknown session; start a new one")
    return session


def check_message_text(text) -> str:
    if not isinstance(text, str):
        raise ChatError("invalid", "text must be a string")
    text = text.strip()
    if not text:
        raise ChatError("empty", "the message is empty")
    if len(text) > MAX_TEXT:
        raise ChatError("too_long", f"the message is longer than {MAX_TEXT} characters")
    return text


def check_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 64:
        raise ChatError("invalid", "client_id must be a string of 1 to 64 characters")
    return client_id.strip()


def check_not_blocked(session: ChatSession) -> None:
    session.refresh_from_db(fields=["blocked_until"])  # the injection guard may have blocked it since hello
    if session.is_blocked():
        raise ChatError("blocked", "this conversation is blocked for now")


def check_rate_limit(session: ChatSession) -> None:
    """Over RATE_LIMIT_PER_MINUTE customer messages in the last minute (counted in the database, every process)."""
    since = timezone.now() - timedelta(minutes=1)
    recent = session.messages.filter(role=Message.Role.USER, created_at__gte=since).count()
    if recent >= RATE_LIMIT_PER_MINUTE:
        raise ChatError("rate_limited", f"more than {RATE_LIMIT_PER_MINUTE} messages a minute; wait a moment")


def do_start_session(locale: str = Locale.JA, previous: ChatSession | None = None) -> ChatSession:
    locale = locale if locale in Locale.values else Locale.JA
    session = ChatSession.objects.create(locale=locale, previous=previous,
                                         customer=previous.customer if previous else None,
                                         summary=previous.summary if previous else "")
    return session


def do_resume_session(token, locale: str | None) -> tuple[ChatSession, bool]:
    """The session a hello names (or a new one). After 30 idle minutes a new session starts carrying the summary.

    Returns (session, is_new)."""
    if token in (None, ""):
        return do_start_session(locale or Locale.JA), True
    session = check_session_token(token)
    if timezone.now() - session.last_activity_at > IDLE_SESSION:
        from chat.memory import fold_all

        fold_all(session)
        session.refresh_from_db()
        return do_start_session(locale or session.locale, previous=session), True
    if locale in Locale.values and locale != session.locale:
        ChatSession.objects.filter(pk=session.pk).update(locale=locale)
        session.locale = locale
    return session, False


def do_receive_message(session: ChatSession, client_id, text) -> Received:
    """Store a customer message (idempotent on client_id) and enqueue its answer after commit.

    Preconditions: none; every check is made here, in protocol order (shape, then state, then limits)."""
    client_id = check_client_id(client_id)
    existing = session.messages.filter(client_id=client_id).first()
    if existing:
        return Received(existing, created=False)
    text = check_message_text(text)
    check_not_blocked(session)
    check_rate_limit(session)
    deadline = timezone.now() + timedelta(seconds=settings.ANSWER_DEADLINE_SECONDS)
    try:
        with transaction.atomic():
            message = Message.objects.create(
                session=session, role=Message.Role.USER, kind=Message.Kind.TEXT, text=text, client_id=client_id,
                answer_deadline=deadline, correlation_id=correlation_id.get()[:32],
            )
            session.touch()
            transaction.on_commit(lambda: enqueue_answer(message.pk))
    except IntegrityError:  # the same client_id raced in from another tab or process
        return Received(session.messages.get(client_id=client_id), created=False)
    return Received(message, created=True)


def enqueue_answer(message_id: int) -> bool:
    """Publish the turn task for a stored customer message; True when the broker took it.

    Called in the thread that committed the message, which in a web process is the one thread Channels uses for
    database work: so it never waits long. Taking a broker connection from the pool waits at most
    CHAT_ENQUEUE_TIMEOUT_SECONDS, sockets have timeouts (CELERY_BROKER_TRANSPORT_OPTIONS), a failed publish is
    retried once, no result is subscribed to. When it still fails the message stays unanswered in the database and
    the re-enqueue sweep (chat.watchdog.requeue_lost_turns) publishes it again; nothing is lost and nothing hangs.
    """
    from chat.turn import answer_message
    from mangaassist import metrics
    from mangaassist.celery import app

    try:
        with app.producer_pool.acquire(block=True, timeout=settings.CHAT_ENQUEUE_TIMEOUT_SECONDS) as producer:
            answer_message.apply_async(
                (message_id,), producer=producer, ignore_result=True, retry=True,
                retry_policy={"max_retries": 1, "interval_start": 0.1, "interval_step": 0.2, "interval_max": 0.3})
    except Exception:  # any broker trouble: the database still holds the message (see above)
        log.warning("could not enqueue the turn of message %s; the re-enqueue sweep will", message_id, exc_info=True)
        metrics.incr("chat_enqueue_failed_total")
        return False
    return True


def do_mark_seen(session: ChatSession, message_id) -> int:
    """Everything up to and including message_id counts as seen (the client confirms in order)."""
    if isinstance(message_id, bool) or not isinstance(message_id, int):
        raise ChatError("invalid", "message_id must be a number")
    return session.messages.filter(id__lte=message_id, role=Message.Role.ASSISTANT, seen_at__isnull=True).update(
        seen_at=timezone.now())
