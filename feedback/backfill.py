"""Re-deriving Feedback.topic_category from the rated message (the fix for misattributed feedback).

Keyset pagination by id in batches: each batch reads (id, topic_category, message.category) for at most `batch`
rows with one joined SELECT, and writes the rows that differ with one UPDATE per (old, new) category pair, guarded
by the old value so a concurrent change is never overwritten. The old value goes to previous_topic_category.
The checkpoint row is saved in the same transaction as the batch, so an interruption loses at most one batch of
work and never records progress that did not happen. Memory is bounded by the batch size, whatever the table size.

Idempotent: a second run finds nothing that differs and changes nothing (previous_topic_category keeps the value
the first run saved).
"""

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from feedback.models import BackfillCheckpoint, Feedback

CHECKPOINT_NAME = "backfill_feedback_topics"
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class BackfillError(ValueError):
    pass


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """"6w", "10d", "12h" → that long before now; an ISO date or datetime → itself; None → no lower bound."""
    if not value:
        return None
    match = _DURATION_RE.match(value)
    if match:
        return (now or timezone.now()) - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BackfillError(f"--since {value!r}: use a duration such as 6w, 10d, 12h, or an ISO date") from None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


@dataclass
class BackfillResult:
    scanned: int = 0
    changed: int = 0
    unjoinable: int = 0  # message deleted or without a category: nothing to derive from
    batches: int = 0
    last_id: int = 0
    resumed_from: int = 0
    dry_run: bool = False
    finished: bool = False


def rows_in_range(since: datetime | None, after_id: int = 0):
    queryset = Feedback.objects.filter(id__gt=after_id)
    return queryset.filter(created_at__gte=since) if since is not None else queryset


def _apply(changes: dict[tuple[str, str], list[int]]) -> int:
    changed = 0
    for (old, new), ids in changes.items():
        changed += Feedback.objects.filter(id__in=ids, topic_category=old).update(
            previous_topic_category=old, topic_category=new)
    return changed


def do_backfill_topics(since: datetime | None = None, batch: int = 2000, dry_run: bool = False,
                       restart: bool = False, progress: Callable[[int], None] | None = None,
                       stop_after_batches: int | None = None,
                       checkpoint_name: str = CHECKPOINT_NAME) -> BackfillResult:
    """Backfill topic_category for feedback created at or after `since`, resuming an unfinished run.

    Preconditions: batch >= 1. A dry run reads and counts only: it neither writes feedback nor the checkpoint.
    An unfinished checkpoint is resumed with the cut-off it started with (so "6w" does not slide); `restart`
    discards it. `stop_after_batches` stops early as an interruption would (for tests and partial runs).
    """
    if batch < 1:
        raise BackfillError("--batch must be at least 1")
    result = BackfillResult(dry_run=dry_run)
    checkpoint = None
    if not dry_run:
        checkpoint, _ = BackfillCheckpoint.objects.get_or_create(name=checkpoint_name)
        if restart or checkpoint.finished_at is not None or checkpoint.last_id == 0:
            checkpoint.since, checkpoint.last_id, checkpoint.scanned, checkpoint.changed = since, 0, 0, 0
            checkpoint.started_at, checkpoint.finished_at = timezone.now(), None
            checkpoint.save()
        since = checkpoint.since
        result.resumed_from = result.last_id = checkpoint.last_id

    while True:
        rows = list(rows_in_range(since, result.last_id).order_by("id")
                    .values_list("id", "topic_category", "message__category")[:batch])
        if not rows:
            result.finished = True
            break
        changes: dict[tuple[str, str], list[int]] = defaultdict(list)
        for pk, current, derived in rows:
            if not derived:
                result.unjoinable += 1
            elif derived != current:
                changes[(current, derived)].append(pk)
        result.last_id = rows[-1][0]
        result.scanned += len(rows)
        result.batches += 1
        if dry_run:
            result.changed += sum(len(ids) for ids in changes.values())
        else:
            with transaction.atomic():
                changed = _apply(changes)
                result.changed += changed
                BackfillCheckpoint.objects.filter(pk=checkpoint.pk).update(
                    last_id=result.last_id, scanned=checkpoint.scanned + result.scanned,
                    changed=checkpoint.changed + result.changed, updated_at=timezone.now())
        if progress:
            progress(len(rows))
        if stop_after_batches is not None and result.batches >= stop_after_batches:
            return result

    if checkpoint is not None:
        BackfillCheckpoint.objects.filter(pk=checkpoint.pk).update(finished_at=timezone.now(),
                                                                   updated_at=timezone.now())
    return result
