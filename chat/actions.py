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

from chat import throttle
from chat.models import ChatSession, Locale, Message
from common import inputs
from common.observability import correlation_id

log = logging.getLogger(__name__)
MAX_TEXT = 2000
IDLE_SESSION = timedelta(minutes=30)


class ChatError(Exception):
    def __init__(self, code: str, detail: str, retry_after: int | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.retry_after = retry_after  # seconds, for rate_limited


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


def check_clean(value: str, name: str) -> str:
    """NUL (refused by PostgreSQL) and lone surrogates (not UTF-8) are `invalid`, on every transport."""
    try:
        return inputs.check_text(value, name)
    except inputs.BadInput as exc:
        raise ChatError("invalid", str(exc)) from None


def check_message_text(text) -> str:
    if not isinstance(text, str):
        raise ChatError("invalid", "text must be a string")
    check_clean(text, "text")
    text = text.strip()
    if not text:
        raise ChatError("empty", "the message is empty")
    if len(text) > MAX_TEXT:
        raise ChatError("too_long", f"the message is longer than {MAX_TEXT} characters")
    return text


def check_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 64:
        raise ChatError("invalid", "client_id must be a string of 1 to 64 characters")
    return check_clean(client_id, "client_id").strip()


def check_not_blocked(session: ChatSession) -> None:
    session.refresh_from_db(fields=["blocked_until"])  # the injection guard may have blocked it since hello
    if session.is_blocked():
        raise ChatError("blocked", "this conversation is blocked for now")


def check_rate_limit(session: ChatSession) -> None:
    """Over CHAT_MESSAGES_PER_MINUTE customer messages in the last minute (counted in the database, every process).

    Precondition: inside the transaction that inserts the message, after locking the session row (see
    do_receive_message), so concurrent senders are counted one after the other and the limit is exact."""
    per_minute = settings.CHAT_MESSAGES_PER_MINUTE
    now = timezone.now()
    recent = list(session.messages.filter(role=Message.Role.USER, created_at__gte=now - timedelta(minutes=1))
                  .order_by("created_at").values_list("created_at", flat=True)[:per_minute])
    if len(recent) >= per_minute:
        retry = max(1, int((recent[0] + timedelta(minutes=1) - now).total_seconds() + 0.999))
        raise ChatError("rate_limited", f"more than {per_minute} messages a minute; wait a moment", retry)


def check_throttle(setting: str, key: str) -> None:
    """A cross-session limit (chat.throttle) as the protocol's rate_limited error."""
    try:
        throttle.hit(setting, key)
    except throttle.Limited as exc:
        raise ChatError("rate_limited", f"too many requests ({exc.what}); try again in {exc.retry_after} s",
                        exc.retry_after) from None


def check_may_start_session(client_ip: str | None, connection: str | None = None) -> None:
    """Limits on new sessions (per IP, per WebSocket connection), and no fresh start while this IP is blocked."""
    if client_ip:
        check_throttle("RATELIMIT_SESSIONS_PER_IP", client_ip)
    if connection:
        check_throttle("RATELIMIT_SESSIONS_PER_CONNECTION", connection)
    if client_ip and settings.CHAT_BLOCK_SHARES_IP and ChatSession.objects.filter(
            client_ip=client_ip, blocked_until__gt=timezone.now()).exists():
        raise ChatError("blocked", "conversations from this address are blocked for now")


def _ip_or_none(client_ip: str | None) -> str | None:
    from django.core.validators import validate_ipv46_address

    try:
        validate_ipv46_address(client_ip)
    except Exception:
        return None
    return client_ip


def do_start_session(locale: str = Locale.JA, previous: ChatSession | None = None,
                     client_ip: str | None = None, connection: str | None = None) -> ChatSession:
    """A new conversation. Preconditions: none; the new-session limits are checked here (ChatError rate_limited or
    blocked). A session following a blocked one stays blocked: a new session must not escape the block."""
    client_ip = _ip_or_none(client_ip)
    check_may_start_session(client_ip, connection)
    locale = locale if locale in Locale.values else Locale.JA
    session = ChatSession.objects.create(locale=locale, previous=previous,
                                         customer=previous.customer if previous else None,
                                         summary=previous.summary if previous else "",
                                         blocked_until=previous.blocked_until if previous else None,
                                         client_ip=client_ip)
    return session


def do_resume_session(token, locale: str | None, client_ip: str | None = None,
                      connection: str | None = None) -> tuple[ChatSession, bool]:
    """The session a hello names (or a new one). After 30 idle minutes a new session starts carrying the summary.

    Returns (session, is_new)."""
    if token in (None, ""):
        return do_start_session(locale or Locale.JA, client_ip=client_ip, connection=connection), True
    session = check_session_token(token)
    if timezone.now() - session.last_activity_at > IDLE_SESSION:
        from chat.memory import fold_all

        fold_all(session)
        session.refresh_from_db()
        return do_start_session(locale or session.locale, previous=session, client_ip=client_ip,
                                connection=connection), True
    if locale in Locale.values and locale != session.locale:
        ChatSession.objects.filter(pk=session.pk).update(locale=locale)
        session.locale = locale
    return session, False


def do_receive_message(session: ChatSession, client_id, text, client_ip: str | None = None) -> Received:
    """Store a customer message (idempotent on client_id) and enqueue its answer after commit.

    Preconditions: none; every check is made here, in protocol order (shape, then state, then limits)."""
    client_id = check_client_id(client_id)
    existing = session.messages.filter(client_id=client_id).first()
    if existing:
        return Received(existing, created=False)
    text = check_message_text(text)
    check_not_blocked(session)
    if client_ip:
        check_throttle("RATELIMIT_MESSAGES_PER_IP", client_ip)
    deadline = timezone.now() + timedelta(seconds=settings.ANSWER_DEADLINE_SECONDS)
    try:
        with transaction.atomic():
            # Count-then-insert under the session's row lock (on SQLite the IMMEDIATE transaction is the lock):
            # 40 concurrent posts get exactly the allowance, not 40.
            ChatSession.objects.select_for_update().filter(pk=session.pk).values_list("pk", flat=True).first()
            raced = session.messages.filter(client_id=client_id).first()  # a resend never counts as over the limit
            if raced:
                return Received(raced, created=False)
            check_rate_limit(session)
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
    from common import metrics
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
    try:
        message_id = inputs.check_id(message_id, "message_id")
    except inputs.BadInput as exc:
        raise ChatError("invalid", str(exc)) from None
    return session.messages.filter(id__lte=message_id, role=Message.Role.ASSISTANT, seen_at__isnull=True).update(
        seen_at=timezone.now())
