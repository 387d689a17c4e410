"""The promise watchdog: a customer message is never lost and never stays without a final answer past its deadline.

Two sweeps, both idempotent and safe to run in several workers at once:
- `requeue_lost_turns` (beat every CHAT_REENQUEUE_SWEEP_SECONDS): the database is the source of truth, the broker only
  a way to get work started. A customer message with no reply at all, no turn running for its session (the turn lock
  is free), older than CHAT_REENQUEUE_AFTER_SECONDS (and that long since its last re-enqueue) had its turn lost (a
  worker killed mid-turn, a broker restarted, a publish that failed): its turn is enqueued again, at most
  CHAT_REENQUEUE_MAX times, each claimed by an atomic update of `requeue_count`. A duplicate turn is harmless: the turn
  answers only unanswered messages, and the final answer claims the promise atomically.
- `keep_promises` (beat every CHAT_WATCHDOG_SECONDS): each overdue message is claimed atomically by the final answer
  itself (chat.delivery), so two workers running the sweep at once still send one fallback. The fallback promises that
  a person will get back to the customer, so in the same transaction it sends `person_promised`, and reviews opens the
  task for that person (reviews/signals.py): chat stands below reviews and must not import it.
"""

import logging

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.dispatch import Signal
from django.utils import timezone

from chat import delivery, turnlock
from chat.models import Message
from common import metrics
from common.mail import mail_customer

log = logging.getLogger(__name__)
BATCH = 200

# Sent (inside the fallback's transaction) when the customer was told that a person will get back to them.
# Arguments: message (the customer's Message), answer (the fallback Message), reason (str). A receiver that raises
# rolls the fallback back; the next sweep tries again.
person_promised = Signal()

FALLBACK_TEXT = {
    "ja": "お待たせして申し訳ありません。ただいま回答をお届けできませんでした。担当者が確認のうえ、改めてご連絡いたします。",
    "en": "We're sorry for the wait: we could not answer in time. A member of our team will look into it and get back to you.",
}


def keep_promises(now=None) -> int:
    now = now or timezone.now()
    kept = 0
    for message in Message.open_promises(now).select_related("session__customer").order_by("answer_deadline")[:BATCH]:
        session = message.session
        with transaction.atomic():
            sent = delivery.send_to_customer(session, kind=Message.Kind.ANSWER, text=FALLBACK_TEXT[session.locale],
                                             reply_to=message, status=Message.Status.FALLBACK)
            if sent is None:  # another worker (or a late answer) got there first
                continue
            person_promised.send(sender=Message, message=message, answer=sent, reason="watchdog_fallback")
        kept += 1
        metrics.incr("chat_promise_fallback_total")
        log.warning("promise fallback for message %s", message.pk)
        address = session.contact_address()  # a signed-in customer's, or one an anonymous customer left us
        if address:
            mail_customer(address, "customer_fallback", session.locale, question=message.text)
    return kept


def lost_turns(now=None):
    """Customer messages whose turn looks lost (see the module docstring), oldest first; the lock is checked apart."""
    now = now or timezone.now()
    quiet = now - timedelta(seconds=settings.CHAT_REENQUEUE_AFTER_SECONDS)
    replied = Message.objects.filter(reply_to=OuterRef("pk"), role=Message.Role.ASSISTANT)
    return (Message.objects.filter(role=Message.Role.USER, answered_at__isnull=True, answer_deadline__gt=now,
                                   created_at__lt=quiet, requeue_count__lt=settings.CHAT_REENQUEUE_MAX)
            .filter(Q(requeued_at__isnull=True) | Q(requeued_at__lt=quiet))
            .exclude(Exists(replied)).order_by("id"))


def requeue_lost_turns(now=None, enqueue=None) -> int:
    """Enqueue again the turns of lost customer messages; returns how many were enqueued.

    `enqueue(message_id) -> bool` publishes a turn (default: chat.actions.enqueue_answer)."""
    if enqueue is None:
        from chat.actions import enqueue_answer as enqueue
    now = now or timezone.now()
    candidates = list(lost_turns(now).values("pk", "session_id", "requeue_count", "requeued_at")[:BATCH])
    busy = turnlock.running_sessions({c["session_id"] for c in candidates})
    requeued = 0
    for candidate in candidates:
        if candidate["session_id"] in busy:
            continue  # a turn is running for this session: it is not lost (yet)
        claimed = Message.objects.filter(pk=candidate["pk"], requeue_count=candidate["requeue_count"]).update(
            requeue_count=F("requeue_count") + 1, requeued_at=now)
        if not claimed:
            continue  # another sweep took it
        if enqueue(candidate["pk"]):
            requeued += 1
            log.warning("turn of message %s looked lost: enqueued again (%s)", candidate["pk"],
                        candidate["requeue_count"] + 1)
        else:  # the broker refused: give the attempt back for the next sweep
            Message.objects.filter(pk=candidate["pk"]).update(requeue_count=candidate["requeue_count"],
                                                              requeued_at=candidate["requeued_at"])
    if requeued:
        metrics.incr("chat_turn_requeued_total", requeued)
    return requeued
