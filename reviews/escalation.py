"""Routing a draft: AUTO / REVIEW / CLARIFY / HANDOFF (thresholds.decide), opening review tasks, sending answers.

`route_draft(message, draft)` is what the turn task (chat.turn.answer_message) calls once the pipeline produced a
draft. Everything the customer is sent goes through chat.delivery.send_to_customer, so exactly one final answer
keeps each customer message's promise.
"""

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat import delivery
from chat.drafts import Draft
from chat.models import Message
from common.metrics import incr
from reviews import texts
from reviews.followups import capture_contact
from reviews.waits import estimated_wait_seconds
from reviews.models import Priority, ReviewTask, Route
from reviews.realtime import push_reviewer_event
from reviews.thresholds import Decision, decide

log = logging.getLogger(__name__)


def _answer_fields(draft: dict) -> dict:
    """Message fields carried from a stored draft onto the answer row."""
    fields = {"sources": draft.get("sources") or [], "intent": draft.get("intent") or ""}
    if draft.get("prompt_version_id"):
        fields["prompt_version_id"] = draft["prompt_version_id"]
    return fields


def draft_to_dict(draft: Draft) -> dict:
    return {"sources": draft.sources, "intent": draft.intent, "clarify_text": draft.clarify_text,
            "status_hint": draft.status_hint, "prompt_version_id": draft.prompt_version_id,
            "tokens_in": draft.tokens_in, "tokens_out": draft.tokens_out, "cost_usd": str(draft.cost_usd),
            "locale": draft.locale, "meta": draft.meta}


def _send_draft_answer(message: Message, draft: Draft, text: str, status: str) -> Message | None:
    return delivery.send_to_customer(
        message.session, kind=Message.Kind.ANSWER, text=text, reply_to=message, status=status,
        category=draft.category, confidence=draft.confidence, sources=draft.sources, intent=draft.intent,
        prompt_version_id=draft.prompt_version_id, tokens_in=draft.tokens_in, tokens_out=draft.tokens_out,
        cost_usd=draft.cost_usd or Decimal("0"), meta=draft.meta,
    )


def route_draft(message: Message, draft: Draft) -> Message | None:
    """Decide about one draft and act: send it, ask a clarifying question, or open a review/handoff task.

    Preconditions: `message` is the customer's message (role user). Safe to call twice for the same message
    (a retried turn): an answered message is left alone and a second open task is refused by the database.
    Returns the message sent to the customer (an answer or the acknowledgement), or None when nothing was sent.
    """
    if message.answered_at is not None:
        return None
    contact_ack = capture_contact(message)  # an e-mail address left for a waiting specialist follow-up
    if contact_ack is not None:
        return contact_ack
    locale = message.session.locale or draft.locale
    if draft.status_hint == "fallback":
        incr("review_routes_total", route="fallback", category=draft.category)
        return _send_draft_answer(message, draft, draft.text, Message.Status.FALLBACK)
    if draft.status_hint == "clarify":
        incr("review_routes_total", route="clarify", category=draft.category)
        return _send_draft_answer(message, draft, draft.clarify_text or draft.text, Message.Status.CLARIFY)

    decision = decide(draft.category, draft.confidence, customer=message.session.customer,
                      session_key=str(message.session.public_id))
    incr("review_routes_total", route=decision.route, category=draft.category)
    if decision.canary is not None:  # what the canary's promote/revert decision is measured on
        incr("threshold_canary_turns_total", proposal=str(decision.canary), route=decision.route)
    if decision.route == Route.AUTO:
        return _send_draft_answer(message, draft, draft.text, Message.Status.AUTO)
    if decision.route == Route.CLARIFY:
        return _send_draft_answer(message, draft, draft.clarify_text or texts.text("clarify", locale),
                                  Message.Status.CLARIFY)
    kind = ReviewTask.Kind.REVIEW if decision.route == Route.REVIEW else ReviewTask.Kind.HANDOFF
    return open_task(message, draft, decision, kind)


def task_deadlines(priority: int, now) -> dict:
    timeout = settings.REVIEW_TIMEOUT_SECONDS
    if priority >= Priority.P3:  # P3/P4 go out with the disclaimer once older than the max age
        timeout = min(timeout, settings.REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS)
    heartbeat = settings.REVIEW_HEARTBEAT_SECONDS
    return {
        "sla_deadline": now + timedelta(seconds=settings.REVIEW_SLA_SECONDS[int(priority)]),
        "timeout_at": now + timedelta(seconds=timeout),
        "next_heartbeat_at": now + timedelta(seconds=heartbeat) if heartbeat < timeout else None,
    }


def open_task(message: Message, draft: Draft, decision: Decision, kind: str) -> Message | None:
    """Create the review/handoff task and acknowledge it to the customer, in one transaction.

    Returns the acknowledgement, or None when an open task for this message already exists (a retried turn).
    """
    now = timezone.now()
    session = message.session
    deadlines = task_deadlines(decision.priority, now)
    with transaction.atomic():
        try:
            with transaction.atomic():
                task = ReviewTask.objects.create(
                    message=message, session=session, kind=kind, priority=decision.priority, category=draft.category,
                    risk_class=decision.risk_class, is_vip=bool(getattr(session.customer, "is_vip", False)),
                    locale=session.locale or draft.locale, confidence=draft.confidence, draft_text=draft.text,
                    draft=draft_to_dict(draft), created_at=now, **deadlines,
                )
        except IntegrityError:
            log.info("message %s already has an open review task", message.pk)
            return None
        # Keep the chat watchdog off this promise: the review sweep keeps it (timeout + a few sweeps of grace).
        grace = timedelta(seconds=deadlines_grace())
        Message.objects.filter(pk=message.pk).update(answer_deadline=deadlines["timeout_at"] + grace)
        ack_key = "ack_review" if kind == ReviewTask.Kind.REVIEW else "ack_handoff"
        ack = delivery.send_to_customer(session, kind=Message.Kind.REVIEW_PENDING,
                                        text=texts.text(ack_key, task.locale), reply_to=message,
                                        category=draft.category,
                                        meta={"review_task": task.pk, "elapsed_s": 0,
                                              "estimated_wait_s": estimated_wait_seconds(task, now)})
        push_reviewer_event("created", task)
    incr("review_tasks_created_total", kind=kind, priority=f"P{task.priority}")
    return ack


def deadlines_grace() -> float:
    return max(30.0, settings.REVIEW_SWEEP_SECONDS * 3)


def deliver_task_answer(task: ReviewTask, text: str, status: str, *, followup_if_answered: bool) -> Message | None:
    """Send the final answer of a task (inside the caller's transaction).

    A followup task's reply goes out as a followup. When the promise was already kept by someone else (the chat
    watchdog), a human's answer is still sent as a followup (`followup_if_answered`); an unverified draft is not.
    """
    fields = _answer_fields(task.draft)
    kwargs = dict(kind=Message.Kind.ANSWER, text=text, reply_to=task.message, status=status, category=task.category,
                  confidence=task.confidence, **fields)
    sent = delivery.send_to_customer(task.session, followup=task.followup, **kwargs)
    if sent is None and followup_if_answered:
        sent = delivery.send_to_customer(task.session, followup=True, **kwargs)
    return sent
