"""Reviewer-side realtime: queue events on the "reviewers" channel group, sent after commit (never before)."""

import logging

from django.db import transaction

from common import realtime

log = logging.getLogger(__name__)
GROUP = "reviewers"


def task_event_payload(task) -> dict:
    return {"id": task.pk, "kind": task.kind, "status": task.status, "pool": task.pool, "priority": task.priority,
            "category": task.category, "claimed_by": task.claimed_by_id,
            "sla_deadline": task.sla_deadline.isoformat() if task.sla_deadline else None}


def _send(event: dict) -> None:
    try:
        realtime.group_send(GROUP, {"type": "review.event", "event": event})
    except Exception:  # the console also polls; a lost push only delays a refresh
        log.exception("reviewer push failed")


def push_reviewer_event(kind: str, task=None, **extra) -> None:
    """After commit, tell every connected reviewer console: kind is created|claimed|released|decided|timed_out|…"""
    event = {"event": kind, **extra}
    if task is not None:
        event["task"] = task_event_payload(task)
    transaction.on_commit(lambda: _send(event))
