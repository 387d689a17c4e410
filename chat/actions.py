"""What a customer can do in a chat, shared by the WebSocket consumer and the HTTP fallback.

`check_*` validate and raise ChatError with a protocol error code; `do_*` act. Views and consumers only parse input
and shape output.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.validators import validate_ipv46_address
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Customer
from chat import throttle
from chat.memory import fold_all
from chat.models import ChatSession, Locale, Message
from common import inputs, metrics
from common.errors import ActionError
from common.observability import correlation_id
from common.security import IdentityError, verify_customer_identity

log = logging.getLogger(__name__)
TURN_TASK = "chat.answer_message"
MAX_TEXT = 2000
IDLE_SESSION = timedelta(minutes=30)


class ChatError(ActionError):
    """A refused customer frame or request (the WebSocket `error` frame, or a 4xx on the HTTP fallback)."""


class Blocked(ChatError):
    code, status = "blocked", 403


class RateLimited(ChatError):
    code, status = "rate_limited", 429


class UnknownSession(ChatError):
    code, status = "not_found", 404


@dataclass
class Received:
    message: Message
    created: bool  # False when the client resent a message we already had


def check_session_token(token) -> ChatSession:
    if not isinstance(token, str) or not token:
        raise ChatError("session token missing")
    session = ChatSession.from_token(token)
    if session is None:
        raise UnknownSession("unknown session; start a new one")
    return session


def check_clean(value: str, name: str) -> str:
    """NUL (refused by PostgreSQL) and lone surrogates (not UTF-8) are `invalid`, on every transport."""
    try:
        return inputs.check_text(value, name)
    except inputs.BadInput as exc:
        raise ChatError(str(exc)) from None


def check_message_text(text) -> str:
    if not isinstance(text, str):
        raise ChatError("text must be a string")
    check_clean(text, "text")
    text = text.strip()
    if not text:
        raise ChatError("the message is empty", code="empty")
    if len(text) > MAX_TEXT:
        raise ChatError(f"the message is longer than {MAX_TEXT} characters", code="too_long")
    return text


def check_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 64:
        raise ChatError("client_id must be a string of 1 to 64 characters")
    return check_clean(client_id, "client_id").strip()


def check_not_blocked(session: ChatSession) -> None:
    # the injection guard may have blocked it since hello
    session.blocked_until = ChatSession.objects.filter(pk=session.pk).values_list("blocked_until", flat=True).first()
    if session.is_blocked():
        raise Blocked("this conversation is blocked for now")


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
        raise RateLimited(f"more than {per_minute} messages a minute; wait a moment", retry_after=retry)


def check_throttle(setting: str, key: str) -> None:
    """A cross-session limit (chat.throttle) as the protocol's rate_limited error."""
    try:
        throttle.hit(setting, key)
    except throttle.Limited as exc:
        raise RateLimited(f"too many requests ({exc.what}); try again in {exc.retry_after} s",
                          retry_after=exc.retry_after) from None


def check_may_start_session(client_ip: str | None, connection: str | None = None) -> None:
    """Limits on new sessions (per IP, per WebSocket connection), and no fresh start while this IP is blocked."""
    if client_ip:
        check_throttle("RATELIMIT_SESSIONS_PER_IP", client_ip)
    if connection:
        check_throttle("RATELIMIT_SESSIONS_PER_CONNECTION", connection)
    if client_ip and settings.CHAT_BLOCK_SHARES_IP and ChatSession.objects.filter(
            client_ip=client_ip, blocked_until__gt=timezone.now()).exists():
        raise Blocked("conversations from this address are blocked for now")


def _ip_or_none(client_ip: str | None) -> str | None:
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


def check_customer_identity(token):
    """The Customer a signed identity token (common.security) vouches for; ChatError identity_invalid,
    identity_expired or identity_unavailable otherwise (an unknown customer id is identity_invalid too)."""
    try:
        external_id = verify_customer_identity(token)
    except IdentityError as exc:
        raise ChatError(exc.detail, code=exc.code) from None
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        raise ChatError("the customer identity names no customer of this store", code="identity_invalid")
    return customer


def do_sign_in(session: ChatSession, customer, locale: str | None = None, client_ip: str | None = None,
               connection: str | None = None) -> tuple[ChatSession, bool]:
    """Link the session to a verified customer: an anonymous session becomes theirs (its order questions can now be
    looked up); a session of another customer is never handed over: a new one starts. Returns (session, is_new)."""
    if session.customer_id == customer.pk:
        return session, False
    if session.customer_id is None and ChatSession.objects.filter(pk=session.pk, customer__isnull=True).update(
            customer=customer) == 1:
        session.customer = customer
        return session, False
    fresh = do_start_session(locale or session.locale, client_ip=client_ip, connection=connection)
    ChatSession.objects.filter(pk=fresh.pk).update(customer=customer)
    fresh.customer = customer
    return fresh, True


def do_resume_session(token, locale: str | None, client_ip: str | None = None,
                      connection: str | None = None, customer=None) -> tuple[ChatSession, bool]:
    """The session a hello names (or a new one). After 30 idle minutes a new session starts carrying the summary.
    With a verified `customer` (check_customer_identity) the session is theirs (do_sign_in).

    Returns (session, is_new)."""
    session, is_new = _resume(token, locale, client_ip, connection)
    if customer is not None:
        session, switched = do_sign_in(session, customer, locale, client_ip, connection)
        is_new = is_new or switched
    return session, is_new


def _resume(token, locale, client_ip, connection) -> tuple[ChatSession, bool]:
    if token in (None, ""):
        return do_start_session(locale or Locale.JA, client_ip=client_ip, connection=connection), True
    session = check_session_token(token)
    if timezone.now() - session.last_activity_at > IDLE_SESSION:
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
    existing = _resent(session, client_id)
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
            raced = _resent(session, client_id)  # a resend never counts as over the limit
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


def _resent(session: ChatSession, client_id: str) -> Message | None:
    """The message this client_id already stored, if any. Asked of every message and almost always no: the id
    alone is looked for first (a whole Message row costs ~2 ms of ORM work to compile, found or not)."""
    if not session.messages.filter(client_id=client_id).exists():
        return None
    return session.messages.get(client_id=client_id)


def enqueue_answer(message_id: int) -> bool:
    """Publish the turn task for a stored customer message; True when the broker took it.

    Called in the thread that committed the message, which in a web process is the one thread Channels uses for
    database work: so it never waits long. Taking a broker connection from the pool waits at most
    CHAT_ENQUEUE_TIMEOUT_SECONDS, sockets have timeouts (CELERY_BROKER_TRANSPORT_OPTIONS), a failed publish is
    retried once, no result is subscribed to. When it still fails the message stays unanswered in the database and
    the re-enqueue sweep (chat.watchdog.requeue_lost_turns) publishes it again; nothing is lost and nothing hangs.
    """
    try:
        with current_app.producer_pool.acquire(block=True, timeout=settings.CHAT_ENQUEUE_TIMEOUT_SECONDS) as producer:
            # By name: the task (mangaassist.turn) stands above chat and is registered by the worker.
            current_app.send_task(
                TURN_TASK, (message_id,), producer=producer, ignore_result=True, retry=True,
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
        raise ChatError(str(exc)) from None
    return session.messages.filter(id__lte=message_id, role=Message.Role.ASSISTANT, seen_at__isnull=True).update(
        seen_at=timezone.now())
