"""Reviewer actions: claim, release, decide (approve / edit / reject), bulk-approve. Callable from the API, the admin
console, commands and tests alike; each raises ReviewError (bad input, 400), ReviewConflict (lost a race or the task
moved on, 409) or ReviewForbidden (role, 403) with a message a reviewer can read.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import Message
from common.errors import ActionError
from common.metrics import incr
from reviews import availability, followups
from reviews.escalation import deliver_task_answer
from reviews.models import BulkApproval, ReviewTask, RiskClass
from reviews.realtime import push_reviewer_event
from reviews.roles import allowed_pools, is_reviewer, is_senior

log = logging.getLogger(__name__)

APPROVE, EDIT, REJECT = ReviewTask.Decision.APPROVE, ReviewTask.Decision.EDIT, ReviewTask.Decision.REJECT
DECISIONS = (APPROVE, EDIT, REJECT)


class ReviewError(ActionError):
    """Invalid input (HTTP 400)."""


class ReviewConflict(ReviewError):
    """The task is not in a state that allows this: someone else claimed or decided it first."""

    code, status = "conflict", 409


class ReviewForbidden(ReviewError):
    """The user's role does not allow this."""

    code, status = "forbidden", 403


def check_reviewer(user) -> None:
    if not is_reviewer(user):
        raise ReviewForbidden(_("Only reviewers can do this."))


def _conflict_message(task_id: int, user) -> str:
    task = ReviewTask.objects.filter(pk=task_id).select_related("claimed_by").first()
    if task is None:
        return _("No such review task.")
    if task.status == ReviewTask.Status.CLAIMED and task.claimed_by_id != user.pk:
        holder = task.claimed_by.get_username() if task.claimed_by else _("another reviewer")
        return _("Already claimed by %(name)s.") % {"name": holder}
    if task.pool == ReviewTask.Pool.SENIOR and not is_senior(user):
        return _("This task is in the senior pool.")
    if not task.is_open:
        return _("This task is already closed (%(status)s).") % {"status": task.get_status_display()}
    return _("This task is %(status)s.") % {"status": task.get_status_display()}


def do_claim(task_id: int, user, *, now=None) -> ReviewTask:
    """Claim a pending (or dead-lettered, for seniors) task for REVIEW_CLAIM_TTL_SECONDS.

    Preconditions: the user is a reviewer; a senior-pool task needs a senior. Atomic: of two reviewers claiming at
    once exactly one wins; the other gets ReviewConflict naming the winner. Re-claiming one's own task extends it.
    """
    check_reviewer(user)
    now = now or timezone.now()
    expires = now + timedelta(seconds=settings.REVIEW_CLAIM_TTL_SECONDS)
    claimable = Q(status__in=ReviewTask.CLAIMABLE_STATUSES) | Q(status=ReviewTask.Status.CLAIMED, claimed_by=user)
    with transaction.atomic():
        won = ReviewTask.objects.filter(claimable, pk=task_id, pool__in=allowed_pools(user)).update(
            status=ReviewTask.Status.CLAIMED, claimed_by=user, claimed_at=now, claim_expires_at=expires) == 1
        if not won:
            raise ReviewConflict(_conflict_message(task_id, user))
        task = ReviewTask.objects.select_related("message", "session").get(pk=task_id)
        push_reviewer_event("claimed", task)
    availability.touch(user, now)
    incr("review_claims_total")
    return task


def do_release(task_id: int, user) -> ReviewTask:
    """Give a claimed task back to the queue without counting it as an expiry. Preconditions: the user holds it."""
    with transaction.atomic():
        task = ReviewTask.objects.filter(pk=task_id).first()
        back = ReviewTask.Status.DEAD_LETTERED if task and task.pool == ReviewTask.Pool.SENIOR else ReviewTask.Status.PENDING
        if not ReviewTask.objects.filter(pk=task_id, status=ReviewTask.Status.CLAIMED, claimed_by=user).update(
                status=back, claimed_by=None, claimed_at=None, claim_expires_at=None):
            raise ReviewConflict(_("You do not hold this task."))
        task.refresh_from_db()
        push_reviewer_event("released", task)
    return task


def check_decision(task: ReviewTask, decision: str, text: str, reason: str) -> None:
    if decision not in DECISIONS:
        raise ReviewError(_("decision must be one of %(choices)s.") % {"choices": ", ".join(DECISIONS)})
    if decision == EDIT and not text.strip():
        raise ReviewError(_("An edit needs the text to send."))
    if decision == REJECT and not reason.strip():
        raise ReviewError(_("A rejection needs a reason."))
    if task.kind == ReviewTask.Kind.HANDOFF and decision != EDIT:
        raise ReviewError(_("A handoff has no draft to approve or reject: write the reply (decision=edit with text)."))


def do_decide(task_id: int, user, decision: str, *, text: str = "", reason: str = "", notes: str = "",
              now=None) -> ReviewTask:
    """Approve the draft, send an edited text (or a handoff's human reply), or reject the draft.

    Preconditions: the user holds the claim, or the task is claimable by them (claim and decide in one step).
    approve → the draft goes out as `reviewed`; edit → the text goes out as `edited` (`human` for a handoff);
    reject → this task closes as rejected and a handoff task (same deadlines, same pool) asks a human for the reply.
    The state change and the customer message commit together; a decision racing a timeout: one of them wins.
    """
    check_reviewer(user)
    now = now or timezone.now()
    text, reason = (text or "").strip(), (reason or "").strip()
    task = ReviewTask.objects.filter(pk=task_id).first()
    if task is None:
        raise ReviewConflict(_("No such review task."))
    check_decision(task, decision, text, reason)
    held = Q(status=ReviewTask.Status.CLAIMED, claimed_by=user)
    free = Q(status__in=ReviewTask.CLAIMABLE_STATUSES, pool__in=allowed_pools(user))
    new_status = {APPROVE: ReviewTask.Status.APPROVED, EDIT: ReviewTask.Status.EDITED,
                  REJECT: ReviewTask.Status.REJECTED}[decision]
    started = task.claimed_at if task.claimed_by_id == user.pk and task.claimed_at else now
    with transaction.atomic():
        won = ReviewTask.objects.filter(held | free, pk=task_id).update(
            status=new_status, decision=decision, decided_by=user, decided_at=now, edited_text=text,
            reject_reason=reason, notes=notes or F("notes"), claim_expires_at=None,
            review_duration_s=max(0.0, (now - started).total_seconds()),
            sla_breached=ReviewTask.sla_breached_by(now),
        ) == 1
        if not won:
            raise ReviewConflict(_conflict_message(task_id, user))
        task.refresh_from_db()
        if decision == REJECT:
            child = _handoff_from(task, now)
            push_reviewer_event("created", child)
        else:
            if decision == APPROVE:
                body, status = task.draft_text, Message.Status.REVIEWED
            else:
                body = text
                status = Message.Status.HUMAN if task.kind == ReviewTask.Kind.HANDOFF else Message.Status.EDITED
            task.answer = deliver_task_answer(task, body, status, followup_if_answered=True)
            ReviewTask.objects.filter(pk=task.pk).update(answer=task.answer)
            followups.email_reply(task, body)
        push_reviewer_event("decided", task)
    availability.touch(user, now)
    incr("review_decisions_total", decision=decision, priority=f"P{task.priority}")
    return task


def _handoff_from(task: ReviewTask, now, **changes) -> ReviewTask:
    """A handoff task taking over from a closed one (keeps the customer's deadlines unless changed)."""
    fields = dict(
        message_id=task.message_id, session_id=task.session_id, parent=task, kind=ReviewTask.Kind.HANDOFF,
        pool=task.pool, priority=task.priority, category=task.category, risk_class=task.risk_class,
        is_vip=task.is_vip, locale=task.locale, confidence=task.confidence, draft_text=task.draft_text,
        draft=task.draft, followup=task.followup, created_at=now, sla_deadline=task.sla_deadline,
        sla_breached=task.sla_breached, timeout_at=task.timeout_at, next_heartbeat_at=task.next_heartbeat_at,
        heartbeats_sent=task.heartbeats_sent,
    )
    fields.update(changes)
    return ReviewTask.objects.create(**fields)


def bulk_candidates(min_confidence: float, category: str = ""):
    """Pending, regular-pool, normal-risk review tasks at or above the confidence floor."""
    qs = ReviewTask.objects.filter(status=ReviewTask.Status.PENDING, kind=ReviewTask.Kind.REVIEW,
                                   pool=ReviewTask.Pool.REGULAR, risk_class=RiskClass.NORMAL,
                                   confidence__gte=min_confidence)
    return qs.filter(category=category) if category else qs


def do_bulk_approve(user, *, min_confidence: float | None = None, category: str = "", limit: int = 200,
                    task_ids: list[int] | None = None) -> BulkApproval:
    """Approve many pending low-risk drafts at once (seniors only), with one audit record.

    Preconditions: the user is a senior; min_confidence may raise the floor REVIEW_BULK_APPROVE_MIN_CONFIDENCE but
    never lower it. High-risk categories and handoffs are never included. Each task is claimed atomically, so a task
    a reviewer is looking at (claimed) or that timed out meanwhile is skipped.
    """
    if not is_senior(user):
        raise ReviewForbidden(_("Bulk approve is for senior reviewers."))
    floor = settings.REVIEW_BULK_APPROVE_MIN_CONFIDENCE
    if min_confidence is None:
        min_confidence = floor
    if not 0 <= min_confidence <= 1:
        raise ReviewError(_("min_confidence must be between 0 and 1."))
    if min_confidence < floor:
        raise ReviewError(_("min_confidence cannot be below the floor %(floor).2f.") % {"floor": floor})
    candidates = bulk_candidates(min_confidence, category).order_by("priority", "sla_deadline", "id")
    if task_ids is not None:
        candidates = candidates.filter(pk__in=task_ids)
    now = timezone.now()
    approved = []
    for task_id in list(candidates.values_list("pk", flat=True)[: max(1, min(limit, 1000))]):
        with transaction.atomic():
            if not bulk_candidates(min_confidence).filter(pk=task_id).update(
                    status=ReviewTask.Status.APPROVED, decision=ReviewTask.Decision.BULK_APPROVE, decided_by=user, decided_at=now,
                    review_duration_s=0.0, sla_breached=ReviewTask.sla_breached_by(now)):
                continue
            task = ReviewTask.objects.select_related("message", "session").get(pk=task_id)
            task.answer = deliver_task_answer(task, task.draft_text, Message.Status.REVIEWED, followup_if_answered=False)
            ReviewTask.objects.filter(pk=task_id).update(answer=task.answer)
            push_reviewer_event("decided", task)
            approved.append(task_id)
    record = BulkApproval.objects.create(approved_by=user, min_confidence=min_confidence, category=category,
                                         task_ids=approved, count=len(approved), created_at=now)
    availability.touch(user, now)
    incr("review_decisions_total", len(approved), decision=ReviewTask.Decision.BULK_APPROVE)
    return record
