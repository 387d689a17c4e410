"""The review sweep (Celery beat every REVIEW_SWEEP_SECONDS): heartbeats, SLA breaches, timeouts, claim expiry,
then backpressure and alerts.

Deadlines are timestamps in the database, so the sweep is idempotent and any number of workers may run it at once:
each row is acted on through an atomic conditional update, so two sweeps never both send the same heartbeat or
timeout. Every step selects due rows through an index and acts on at most REVIEW_SWEEP_BATCH of them, so one sweep
stays well under a second with 10,000 open tasks; whatever is left waits for the next sweep, a few seconds later.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from chat import delivery
from chat.models import Message
from common.metrics import incr
from reviews import followups, texts, waits
from reviews.decisions import _handoff_from
from reviews.escalation import deliver_task_answer
from reviews.models import Priority, ReviewTask
from reviews.realtime import push_reviewer_event

log = logging.getLogger(__name__)
OPEN = ReviewTask.OPEN_STATUSES


@dataclass
class SweepResult:
    heartbeats: int = 0
    sla_breaches: int = 0
    timeouts: int = 0
    claims_expired: int = 0
    dead_lettered: int = 0
    backpressure_level: int | None = None
    alerts_opened: list[str] = field(default_factory=list)
    seconds: float = 0.0


def send_heartbeats(now, batch: int) -> int:
    """One heartbeat per task per REVIEW_HEARTBEAT_SECONDS while the customer still waits.

    Set-based: the due rows are locked (skip_locked on PostgreSQL, so a second sweep takes other rows; SQLite
    serialises writers), moved to their next heartbeat in one UPDATE, and their messages bulk-created, pushed after
    commit. A constant number of queries per batch.
    """
    step = timedelta(seconds=settings.REVIEW_HEARTBEAT_SECONDS)
    with transaction.atomic():
        due = ReviewTask.objects.open().filter(next_heartbeat_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.select_related("message", "session").order_by("next_heartbeat_at")[:batch])
        if not rows:
            return 0
        ReviewTask.objects.filter(pk__in=[t.pk for t in rows]).update(
            next_heartbeat_at=now + step, heartbeats_sent=F("heartbeats_sent") + 1)
        messages = []
        estimate = waits.estimator(now)
        for task in rows:
            if task.followup or task.message.answered_at is not None:
                continue  # the customer's promise is kept: nothing to reassure about
            if task.timeout_at and task.timeout_at <= now:
                continue  # the timeout step answers instead
            elapsed = int((now - task.created_at).total_seconds())
            # The chat page updates one "checking" indicator per question from these fields (it does not stack
            # the texts); the text is for clients that show messages as they are (the HTTP fallback).
            messages.append(Message(session=task.session, role=Message.Role.ASSISTANT, kind=Message.Kind.HEARTBEAT,
                                    text=texts.heartbeat_text(task.locale, elapsed), reply_to=task.message,
                                    category=task.category,
                                    meta={"elapsed_s": elapsed, "review_task": task.pk,
                                          "estimated_wait_s": estimate(task)}))
        for message in Message.objects.bulk_create(messages):
            delivery.push_after_commit(message)
    if messages:
        incr("review_heartbeats_total", len(messages))
    return len(messages)


def mark_sla_breaches(now) -> int:
    """Set-based and idempotent: open tasks past their SLA without a first decision are breached."""
    count = ReviewTask.objects.open().filter(sla_breached=False, sla_deadline__lt=now).update(
        sla_breached=True)
    if count:
        incr("review_sla_breaches_total", count)
    return count


def expire_claims(now, batch: int) -> tuple[int, int]:
    """Claims past their expiry go back to the queue; the REVIEW_MAX_RELEASES-th release dead-letters the task."""
    ids = list(ReviewTask.objects.filter(status=ReviewTask.Status.CLAIMED, claim_expires_at__lt=now)
               .values_list("pk", flat=True)[:batch])
    if not ids:
        return 0, 0
    last = settings.REVIEW_MAX_RELEASES - 1  # release_count before this release
    with transaction.atomic():
        to_dead = Q(release_count__gte=last) | Q(pool=ReviewTask.Pool.SENIOR)
        expired = ReviewTask.objects.filter(pk__in=ids, status=ReviewTask.Status.CLAIMED, claim_expires_at__lt=now)
        dead_ids = list(expired.filter(release_count__gte=last).values_list("pk", flat=True))
        count = expired.update(
            status=Case(When(to_dead, then=Value(ReviewTask.Status.DEAD_LETTERED)),
                        default=Value(ReviewTask.Status.PENDING)),
            pool=Case(When(release_count__gte=last, then=Value(ReviewTask.Pool.SENIOR)), default=F("pool")),
            release_count=F("release_count") + 1, claimed_by=None, claimed_at=None, claim_expires_at=None,
        )
        for task in ReviewTask.objects.filter(pk__in=ids):
            push_reviewer_event("dead_lettered" if task.pk in dead_ids else "released", task)
    if count:
        incr("review_claims_expired_total", count)
    return count, len(dead_ids)


def time_out(task_id: int, now) -> bool:
    """The customer waited REVIEW_TIMEOUT_SECONDS (P3/P4: the max age): keep the promise now.

    Normal-risk drafts go out with the disclaimer (status timeout); high-risk ones never go out unverified: the
    customer gets the specialist notice (a final answer, status timeout) and a senior-pool handoff follows up.
    A handoff task has no usable draft, so it is treated like high risk.
    """
    with transaction.atomic():
        task = ReviewTask.objects.filter(pk=task_id).select_related("message", "session").first()
        if task is None:
            return False
        unverified_ok = not task.is_high_risk and task.kind == ReviewTask.Kind.REVIEW
        new_status = (ReviewTask.Status.AUTO_DELIVERED if unverified_ok and task.priority >= Priority.P3
                      else ReviewTask.Status.TIMED_OUT)
        # Claimed tasks time out too: the customer's wait does not stop because a reviewer opened the task.
        if not ReviewTask.objects.due_for_timeout(now).filter(pk=task_id).update(
                status=new_status, decision=ReviewTask.Decision.TIMEOUT, decided_at=now, claim_expires_at=None,
                sla_breached=ReviewTask.sla_breached_by(now)):
            return False
        task.refresh_from_db()
        if unverified_ok:
            answer = deliver_task_answer(task, texts.with_disclaimer(task.draft_text, task.locale),
                                         Message.Status.TIMEOUT, followup_if_answered=False)
        else:
            answer = deliver_task_answer(task, followups.notice_text(task.session, task.locale),
                                         Message.Status.SPECIALIST, followup_if_answered=False)
            # The follow-up's own deadline: the SLA of the specialist's reply, counted from now (the original
            # SLA has long passed), so it sorts and breaches in the senior queue on its own terms.
            child = _handoff_from(task, now, pool=ReviewTask.Pool.SENIOR, followup=True, timeout_at=None,
                                  next_heartbeat_at=None, sla_breached=False,
                                  sla_deadline=now + timedelta(seconds=settings.REVIEW_FOLLOWUP_SLA_SECONDS))
            push_reviewer_event("created", child)
        if answer is not None:
            ReviewTask.objects.filter(pk=task_id).update(answer=answer)
        push_reviewer_event("timed_out", task)
    incr("review_timeouts_total", risk=task.risk_class, priority=f"P{task.priority}")
    return True


def time_out_due(now, batch: int) -> int:
    ids = list(ReviewTask.objects.due_for_timeout(now).order_by("timeout_at")
               .values_list("pk", flat=True)[:batch])
    return sum(1 for pk in ids if time_out(pk, now))


def sweep(now=None, *, batch: int | None = None, with_operations: bool = True) -> SweepResult:
    """One pass of every review deadline (and, unless disabled, backpressure and alerts)."""
    from reviews import alerts, backpressure

    started = time.perf_counter()
    now = now or timezone.now()
    batch = batch or settings.REVIEW_SWEEP_BATCH
    result = SweepResult()
    result.claims_expired, result.dead_lettered = expire_claims(now, batch)
    result.timeouts = time_out_due(now, batch)
    result.heartbeats = send_heartbeats(now, batch)
    result.sla_breaches = mark_sla_breaches(now)
    if not with_operations:
        followups.check_followup_alerts(now)  # a waiting specialist follow-up is never left unannounced
    if with_operations:
        result.backpressure_level = backpressure.apply_backpressure(now)
        result.alerts_opened = alerts.check_alerts(now) + followups.check_followup_alerts(now)
    result.seconds = time.perf_counter() - started
    return result
