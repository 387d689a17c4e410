"""Collecting feedback from the WebSocket `feedback` frame and from `POST /api/v1/feedback`.

Both go through `do_record_feedback`, so validation, per-session limits, provenance and sanitising are the same
whichever way the customer sent it. Errors are FeedbackError subclasses carrying the protocol's error code.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.models import Category, ChatSession, Message
from feedback import provenance, sanitize
from feedback.models import Feedback
from common import inputs, metrics
from common.errors import ActionError
from common.observability import log_event

MAX_TEXT = sanitize.MAX_CORRECTION_LENGTH


@dataclass(frozen=True)
class Limit:
    kind: str
    count: int
    window: timedelta
    label: str  # how the limit is named to the customer

    def describe(self) -> str:
        return f"{self.count} {self.label} per {'hour' if self.window == timedelta(hours=1) else 'day'}"


# Per chat session; counted in the database so they hold across web processes and workers.
LIMITS = {
    Feedback.Kind.THUMB: Limit(Feedback.Kind.THUMB, 10, timedelta(hours=1), "thumbs"),
    Feedback.Kind.CORRECTION: Limit(Feedback.Kind.CORRECTION, 3, timedelta(days=1), "corrections"),
    Feedback.Kind.PREFERENCE: Limit(Feedback.Kind.PREFERENCE, 5, timedelta(days=1), "preferences"),
}


class FeedbackError(ActionError):
    """A refused feedback frame or request (HTTP 400 unless a subclass says otherwise)."""


class InvalidFeedback(FeedbackError):
    pass


class MessageNotFound(FeedbackError):
    code, status = "not_found", 404


class RateLimited(FeedbackError):
    code, status = "rate_limited", 429

    def __init__(self, limit: Limit, resets_at: datetime, now: datetime | None = None):
        local = timezone.localtime(resets_at)
        retry_after = max(1, int((resets_at - (now or timezone.now())).total_seconds() + 0.999))
        super().__init__(f"Limit of {limit.describe()} reached for this chat session; "
                         f"it resets at {local:%Y-%m-%d %H:%M:%S %Z} ({resets_at.isoformat()}).",
                         retry_after=retry_after, resets_at=resets_at.isoformat())
        self.limit = limit
        self.resets_at = resets_at


@dataclass(frozen=True)
class FeedbackInput:
    message_id: int
    kind: str
    value: str = ""
    text: str = ""
    chosen: str = ""
    rejected: str = ""


def _text(data: dict, key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidFeedback(f"`{key}` must be a string.")
    if inputs.unsafe_text(value):
        raise InvalidFeedback(f"`{key}` contains a NUL character or an unpaired surrogate.")
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise InvalidFeedback(f"`{key}` is longer than {MAX_TEXT} characters.")
    return value


def check_payload(data) -> FeedbackInput:
    """The frame or request body as a FeedbackInput, or InvalidFeedback saying what is wrong with it."""
    if not isinstance(data, dict):
        raise InvalidFeedback("Feedback must be a JSON object.")
    message_id = data.get("message_id")
    if isinstance(message_id, bool) or not isinstance(message_id, int) or not 0 < message_id <= inputs.MAX_ID:
        raise InvalidFeedback("`message_id` must be a positive integer below 2^63.")
    kind = data.get("kind")
    if kind not in Feedback.Kind.values:
        raise InvalidFeedback(f"`kind` must be one of {', '.join(Feedback.Kind.values)}.")
    if kind == Feedback.Kind.THUMB:
        value = data.get("value")
        if value not in Feedback.Value.values:
            raise InvalidFeedback("A thumb needs `value` \"up\" or \"down\".")
        return FeedbackInput(message_id, kind, value=value)
    if kind == Feedback.Kind.CORRECTION:
        text = _text(data, "text")
        if not text:
            raise InvalidFeedback("A correction needs `text`: what the answer should have said.")
        return FeedbackInput(message_id, kind, text=text)
    chosen, rejected = _text(data, "chosen"), _text(data, "rejected")
    if not chosen or not rejected:
        raise InvalidFeedback("A preference needs both `chosen` and `rejected`.")
    if chosen == rejected:
        raise InvalidFeedback("`chosen` and `rejected` must differ.")
    return FeedbackInput(message_id, kind, chosen=chosen, rejected=rejected)


def check_message(session: ChatSession, message_id: int) -> Message:
    """The rated message, which must exist, belong to the session, be an assistant answer with a known category."""
    # One query and one answer for "missing" and "another session's": the error must not tell a customer whether
    # some other conversation's message id exists.
    message = Message.objects.filter(pk=message_id, session_id=session.pk).first()
    if message is None:
        raise MessageNotFound(f"Message {message_id} was not found in this chat session.")
    if message.role != Message.Role.ASSISTANT or message.kind != Message.Kind.ANSWER:
        raise InvalidFeedback(f"Only assistant answers can be rated; message {message_id} is a "
                              f"{message.role} {message.kind} message.")
    if message.status == Message.Status.SPECIALIST:
        raise InvalidFeedback(f"Message {message_id} is the store's notice that a specialist will follow up, "
                              "not an answer to rate.")
    if message.category not in Category.values:
        raise InvalidFeedback(f"Message {message_id} has no known topic category ({message.category!r}), "
                              "so feedback on it could not be attributed.")
    return message


def check_rate_limit(session: ChatSession, kind: str, now: datetime) -> None:
    """RateLimited when the session already used its allowance of this kind in the rolling window.

    Precondition: called inside the transaction that writes the feedback, after locking the session row, so two
    processes cannot both count 9 and both write the 10th.
    """
    limit = LIMITS[kind]
    used = list(Feedback.objects.filter(session=session, kind=kind, created_at__gt=now - limit.window,
                                        created_at__lte=now).order_by("created_at")
                .values_list("created_at", flat=True)[:limit.count])
    if len(used) >= limit.count:
        # A rolling window: the allowance comes back when the oldest counted signal falls out of it.
        metrics.incr("feedback_rate_limited_total", kind=limit.kind)
        raise RateLimited(limit, used[0] + limit.window, now)


def _question_for(message: Message) -> str:
    if message.reply_to_id:
        return Message.objects.filter(pk=message.reply_to_id).values_list("text", flat=True).first() or ""
    previous = (Message.objects.filter(session_id=message.session_id, role=Message.Role.USER, id__lt=message.pk)
                .order_by("-id").values_list("text", flat=True).first())
    return previous or ""


def do_record_feedback(session: ChatSession, data, now: datetime | None = None) -> Feedback:
    """Validate and store one feedback; returns the row (a repeated thumb on the same answer updates the first).

    Raises InvalidFeedback, MessageNotFound or RateLimited. The category and prompt version are copied from the
    rated message found by its primary key — never inferred from the session or the time.
    """
    payload = check_payload(data)
    message = check_message(session, payload.message_id)

    text, raw_text, flags, relatedness = "", "", [], None
    if payload.kind == Feedback.Kind.CORRECTION:
        # Outside the transaction: embedding takes milliseconds and needs no lock.
        cleaned = sanitize.sanitize_correction(payload.text, _question_for(message), message.text)
        if not cleaned.text:
            raise InvalidFeedback("The correction has no text left once links and other stores' names are removed.")
        text, raw_text, flags, relatedness = cleaned.text, payload.text, cleaned.flags, cleaned.relatedness

    with transaction.atomic():
        # Serialises feedback per session (on SQLite the IMMEDIATE transaction already takes the write lock).
        locked = ChatSession.objects.select_for_update(of=("self",)).select_related("customer").get(pk=session.pk)
        # The clock is read after the lock: a writer that waited must count what the winners wrote meanwhile.
        now = now or timezone.now()
        if payload.kind == Feedback.Kind.THUMB:
            existing = (Feedback.objects.select_for_update()
                        .filter(session=locked, message=message, kind=Feedback.Kind.THUMB).first())
            if existing is not None:
                if existing.value != payload.value:
                    existing.value = payload.value
                    existing.save(update_fields=["value"])
                return existing
        check_rate_limit(locked, payload.kind, now)
        score = provenance.score_feedback(locked, locked.customer, now)
        try:
            feedback = Feedback.objects.create(
                kind=payload.kind, value=payload.value, text=text, raw_text=raw_text, chosen=payload.chosen,
                rejected=payload.rejected, flags=flags, relatedness=relatedness,
                message=message, session=locked, customer=locked.customer,
                topic_category=message.category, prompt_version_id=message.prompt_version_id,
                provenance_score=score.score, provenance_signals=score.signals, created_at=now,
            )
        except IntegrityError as exc:  # a concurrent identical thumb won the unique constraint
            raise InvalidFeedback("This answer was already rated from this chat session.") from exc
    metrics.incr("feedback_received_total", kind=payload.kind)
    if flags:
        metrics.incr("feedback_flagged_total", kind=payload.kind)
    log_event("feedback", "feedback_recorded", feedback_id=feedback.pk, feedback_kind=feedback.kind,
              score=feedback.provenance_score, flags=",".join(flags))
    return feedback


def handle_feedback_frame(session: ChatSession, content: dict) -> dict:
    """The consumer's entry point for a `{"type":"feedback",...}` frame: returns the frame to send back (a refusal
    raises FeedbackError, which the consumer sends as an `error` frame).

    Registered with chat.frames by FeedbackConfig.ready(); synchronous (it uses the ORM).
    """
    feedback = do_record_feedback(session, content)
    return {"type": "feedback_ack", "feedback_id": feedback.pk}

