"""A person was promised: every fallback that tells a customer "a member of our team will get back to you" opens the
task for that person.

chat's watchdog sends `chat.watchdog.person_promised` inside the fallback's transaction (chat stands below reviews);
reviews/signals.py connects it to `open_promised_handoff`.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from chat.models import Category, Message
from common.metrics import incr
from reviews.models import Priority, ReviewTask, RiskClass
from reviews.realtime import push_reviewer_event
from reviews.thresholds import decide

log = logging.getLogger(__name__)
PROMISED_PRIORITY = Priority.P2  # the customer already waited past the deadline: never queued behind P3/P4 work


def _category(message: Message) -> str:
    """The lost turn never classified the message: do it now (offline classifier), "general" when that fails."""
    try:
        from chat import classifier

        category = classifier.classify(message.text).category
        return category if category in Category.values else Category.GENERAL
    except Exception:
        log.warning("could not classify message %s for its handoff", message.pk, exc_info=True)
        return Category.GENERAL


def open_promised_handoff(message: Message, answer: Message, reason: str = "") -> ReviewTask | None:
    """A handoff task for a person to follow up on `message`, whose promise a fallback (`answer`) already kept.

    The task is a followup (the human's reply goes out as a further answer; no timeout, no heartbeats), in the senior
    pool for a high-risk category (as for a timed-out high-risk review) and the regular pool otherwise, at P2 or higher
    (P1 for a VIP), due within that priority's SLA. Returns None when the message already has an open task: that
    task's person answers it.
    """
    now = timezone.now()
    session = message.session
    category = _category(message)
    decision = decide(category, 0.0, customer=session.customer)
    priority = min(decision.priority, PROMISED_PRIORITY)
    high_risk = decision.risk_class == RiskClass.HIGH
    try:
        with transaction.atomic():
            task = ReviewTask.objects.create(
                message=message, session=session, kind=ReviewTask.Kind.HANDOFF,
                pool=ReviewTask.Pool.SENIOR if high_risk else ReviewTask.Pool.REGULAR, priority=priority,
                category=category, risk_class=decision.risk_class,
                is_vip=bool(getattr(session.customer, "is_vip", False)), locale=session.locale,
                followup=True, created_at=now, timeout_at=None, next_heartbeat_at=None,
                sla_deadline=now + timedelta(seconds=settings.REVIEW_SLA_SECONDS[int(priority)]),
                notes=gettext("The chat fallback (answer #%(answer)s) promised the customer that a member of the team "
                              "will get back to them: please follow up.") % {"answer": answer.pk},
            )
    except IntegrityError:
        log.info("message %s already has an open task: its person follows up", message.pk)
        return None
    push_reviewer_event("created", task)
    incr("review_tasks_created_total", kind=ReviewTask.Kind.HANDOFF, priority=f"P{task.priority}")
    incr("review_promised_handoffs_total")
    return task
