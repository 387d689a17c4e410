"""The reviewer operations dashboard's numbers, computed from rows the system already writes.

Queue depth over time comes from ReviewTask.created_at/decided_at (every way a task closes sets decided_at: a
decision, a timeout, a bulk approve), so no snapshot table and no extra write per sweep is needed. Escalation rates
come from the chat Messages themselves: every escalated turn got exactly one `review_pending` acknowledgement.
Each function is a small, fixed number of queries whatever the volume (grouping happens in the database; only the
series and the medians need rows, and only the window's).
"""

import statistics
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from chat.models import Message
from reviews.alerts import BREACH_RATE_LIMITS
from reviews.availability import active_reviewer_count
from reviews.models import Alert, Priority, ReviewTask
from reviews.queue import oldest_pending_seconds, queue_depth

# A human looked at the draft and chose; bulk approvals and timeouts are not reviews of one draft.
HUMAN_DECISIONS = ("approve", "edit", "reject")


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    @classmethod
    def last(cls, hours: float = 24, now=None) -> "Window":
        end = now or timezone.now()
        return cls(end - timedelta(hours=hours), end)


def queue_depth_series(window: Window, points: int = 48) -> list[dict]:
    """Open tasks (pending, claimed or dead-lettered) at `points` evenly spaced moments ending at window.end.

    depth(t) = open at window.start + created in (start, t] − closed in (start, t]. Three queries.
    """
    start, end = window.start, window.end
    at_start = ReviewTask.objects.filter(created_at__lte=start).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gt=start)).count()
    created = list(ReviewTask.objects.filter(created_at__gt=start, created_at__lte=end)
                   .order_by("created_at").values_list("created_at", flat=True))
    closed = list(ReviewTask.objects.filter(decided_at__gt=start, decided_at__lte=end)
                  .order_by("decided_at").values_list("decided_at", flat=True))
    step = (end - start) / points
    series = []
    for i in range(1, points + 1):
        t = start + step * i
        series.append({"t": t.isoformat(), "depth": at_start + bisect_right(created, t) - bisect_right(closed, t)})
    return series


def sla_breach_rates(window: Window, now=None) -> list[dict]:
    """Per priority: of the window's tasks whose outcome is known (decided, or deadline passed), the share breached.

    The same definition as reviews.alerts.breach_rate (which looks at the last hour only), in one grouped query.
    """
    now = now or timezone.now()
    rows = (ReviewTask.objects.filter(created_at__gt=window.start, created_at__lte=window.end)
            .filter(Q(sla_deadline__lt=now) | Q(decided_at__isnull=False))
            .values("priority").annotate(total=Count("pk"), breached=Count("pk", filter=Q(sla_breached=True))))
    by_priority = {row["priority"]: row for row in rows}
    result = []
    for priority in Priority:
        row = by_priority.get(priority.value, {"total": 0, "breached": 0})
        result.append({"priority": priority.label, "total": row["total"], "breached": row["breached"],
                       "rate": _rate(row["breached"], row["total"]), "limit": BREACH_RATE_LIMITS.get(priority)})
    return result


def escalation_rates(window: Window) -> list[dict]:
    """Per category: of the customer turns answered or escalated in the window, the share sent to a human.

    A turn is a customer message (reply_to) with an assistant answer or acknowledgement; it was escalated (review or
    handoff) when it got a `review_pending` acknowledgement. Counting distinct turns ignores followups and heartbeats.
    """
    rows = (Message.objects.filter(role=Message.Role.ASSISTANT, created_at__gt=window.start,
                                   created_at__lte=window.end, reply_to__isnull=False)
            .filter(kind__in=(Message.Kind.ANSWER, Message.Kind.REVIEW_PENDING)).exclude(category="")
            .values("category")
            .annotate(turns=Count("reply_to", distinct=True),
                      escalated=Count("reply_to", distinct=True, filter=Q(kind=Message.Kind.REVIEW_PENDING)))
            .order_by("category"))
    return [{"category": r["category"], "turns": r["turns"], "escalated": r["escalated"],
             "rate": _rate(r["escalated"], r["turns"])} for r in rows]


def approval_rates(window: Window) -> list[dict]:
    """Per category: of the drafts a reviewer decided in the window, the share approved without change.

    A high share means the category's thresholds send drafts to humans that did not need one (over-escalation).
    """
    rows = (ReviewTask.objects.filter(kind=ReviewTask.Kind.REVIEW, decision__in=HUMAN_DECISIONS,
                                      decided_at__gt=window.start, decided_at__lte=window.end)
            .values("category")
            .annotate(total=Count("pk"), approved=Count("pk", filter=Q(decision="approve")),
                      edited=Count("pk", filter=Q(decision="edit")), rejected=Count("pk", filter=Q(decision="reject")))
            .order_by("category"))
    return [{**r, "rate": _rate(r["approved"], r["total"])} for r in rows]


def reviewer_stats(window: Window) -> list[dict]:
    """Per reviewer: decisions in the window, decisions per hour, median review time (claim → decision)."""
    rows = (ReviewTask.objects.filter(decision__in=HUMAN_DECISIONS, decided_by__isnull=False,
                                      decided_at__gt=window.start, decided_at__lte=window.end)
            .values_list("decided_by_id", "decided_by__username", "review_duration_s"))
    per_user: dict[int, dict] = {}
    for user_id, username, duration in rows:
        entry = per_user.setdefault(user_id, {"reviewer": username, "decisions": 0, "durations": []})
        entry["decisions"] += 1
        if duration is not None:
            entry["durations"].append(duration)
    hours = max(window.hours, 1e-9)
    result = []
    for entry in per_user.values():
        durations = entry.pop("durations")
        entry["per_hour"] = round(entry["decisions"] / hours, 2)
        entry["median_review_s"] = round(statistics.median(durations), 1) if durations else None
        result.append(entry)
    return sorted(result, key=lambda e: (-e["decisions"], e["reviewer"]))


def current(now=None) -> dict:
    now = now or timezone.now()
    return {"queue_depth": queue_depth(), "oldest_pending_s": round(oldest_pending_seconds(now)),
            "active_reviewers": active_reviewer_count(now),
            "open_alerts": list(Alert.objects.filter(resolved_at__isnull=True).values("kind", "message", "opened_at")),
            "answer_tier": _answer_tier()}


def _answer_tier() -> dict:
    """The answer tier new turns run at (chat/degradation.py): full, haiku or offline, since when and why."""
    from chat import degradation

    tier, state = degradation.current(), degradation.state()
    return {"level": tier.level, "name": tier.name, "label": str(tier.label), "since": state.get("since"),
            "reason": state.get("reason", "")}


def dashboard_data(hours: float = 24, now=None) -> dict:
    now = now or timezone.now()
    window = Window.last(hours, now)
    return {"window": {"start": window.start.isoformat(), "end": window.end.isoformat(), "hours": hours},
            "current": current(now), "queue_depth": queue_depth_series(window),
            "sla": sla_breach_rates(window, now), "escalation": escalation_rates(window),
            "approval": approval_rates(window), "reviewers": reviewer_stats(window)}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
