"""Quarantining feedback (by a person in the admin or automatically by an audit) and releasing it again.

Every change writes one QuarantineEvent per feedback with who, when, why and the state before and after.
Quarantined feedback is excluded everywhere it is used (FeedbackQuerySet.active / trusted).
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from feedback.models import Feedback, QuarantineEvent
from common import metrics


class QuarantineError(ValueError):
    pass


def check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise QuarantineError("A reason is required to quarantine or release feedback.")
    return reason


def _state(feedback: Feedback) -> dict:
    return {"quarantined": feedback.quarantined, "reason": feedback.quarantine_reason}


def _actor_label(actor, actor_label: str) -> str:
    if actor_label:
        return actor_label
    return actor.get_username() if actor is not None else "system"


def _change(feedback_ids: Iterable[int], quarantine: bool, reason: str, actor, actor_label: str,
            audit_report=None) -> int:
    """Flip the quarantine flag of the given feedback that is not already in that state, one event per row."""
    reason = check_reason(reason)
    label = _actor_label(actor, actor_label)
    now = timezone.now()
    action = QuarantineEvent.Action.QUARANTINE if quarantine else QuarantineEvent.Action.RELEASE
    events = []
    with transaction.atomic():
        rows = list(Feedback.objects.select_for_update().filter(pk__in=list(feedback_ids), quarantined=not quarantine)
                    .order_by("pk"))
        for feedback in rows:
            before = _state(feedback)
            feedback.quarantined = quarantine
            feedback.quarantine_reason, feedback.quarantined_at = (reason, now) if quarantine else ("", None)
            events.append(QuarantineEvent(feedback=feedback, action=action, actor=actor, actor_label=label,
                                          audit_report=audit_report, reason=reason, before=before,
                                          after=_state(feedback), created_at=now))
        Feedback.objects.bulk_update(rows, ["quarantined", "quarantine_reason", "quarantined_at"], batch_size=500)
        QuarantineEvent.objects.bulk_create(events, batch_size=500)
    return len(rows)


def do_quarantine(feedback_ids: Iterable[int], reason: str, actor=None, actor_label: str = "",
                  audit_report=None) -> int:
    """Quarantine the given feedback that is not quarantined yet; returns how many changed.

    Preconditions: a non-empty reason; `actor` is the staff user, or None with `actor_label` naming the audit.
    """
    changed = _change(feedback_ids, True, reason, actor, actor_label, audit_report)
    if changed:
        metrics.incr("feedback_quarantined_total", amount=changed, by="audit" if actor is None else "staff")
    return changed


def do_release(feedback_ids: Iterable[int], reason: str, actor=None, actor_label: str = "") -> int:
    """Release quarantined feedback back into use; returns how many changed. Precondition: a non-empty reason."""
    changed = _change(feedback_ids, False, reason, actor, actor_label)
    if changed:
        metrics.incr("feedback_released_total", amount=changed)
    return changed
