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
from common.stats import percentile
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
            .sla_decided_or_due(now)
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
            .annotate(total=Count("pk"), approved=Count("pk", filter=Q(decision=ReviewTask.Decision.APPROVE)),
                      edited=Count("pk", filter=Q(decision=ReviewTask.Decision.EDIT)), rejected=Count("pk", filter=Q(decision=ReviewTask.Decision.REJECT)))
            .order_by("category"))
    return [{**r, "rate": _rate(r["approved"], r["total"])} for r in rows]


def reviewer_stats(window: Window) -> list[dict]:
    """Per reviewer: decisions in the window, decisions per hour worked, median review time (claim → decision).

    "Per hour" divides by the clock hours in which the reviewer decided something (not by the whole window, which
    made five decisions in a busy quarter of an hour read 0.21/h). The median leaves out decisions made without a
    claim (claim and decide in one step): they have no measured review time and would read as 0 s.
    """
    rows = (ReviewTask.objects.filter(decision__in=HUMAN_DECISIONS, decided_by__isnull=False,
                                      decided_at__gt=window.start, decided_at__lte=window.end)
            .values_list("decided_by_id", "decided_by__username", "review_duration_s", "decided_at"))
    per_user: dict[int, dict] = {}
    for user_id, username, duration, decided_at in rows:
        entry = per_user.setdefault(user_id, {"reviewer": username, "decisions": 0, "durations": [], "hours": set()})
        entry["decisions"] += 1
        entry["hours"].add(decided_at.replace(minute=0, second=0, microsecond=0))
        if duration:
            entry["durations"].append(duration)
    result = []
    for entry in per_user.values():
        durations, hours = entry.pop("durations"), entry.pop("hours")
        entry["hours_worked"] = len(hours)
        entry["per_hour"] = round(entry["decisions"] / max(1, len(hours)), 1)
        entry["median_review_s"] = round(statistics.median(durations), 1) if durations else None
        result.append(entry)
    return sorted(result, key=lambda e: (-e["decisions"], e["reviewer"]))


def customer_side(window: Window) -> dict:
    """What customers experienced in the window: volume, how they were answered, how long they waited, what was
    sent unverified, what they disliked, lookups that failed, and what it cost. A handful of queries; the waits and
    the failed lookups read the window's rows (ids and timestamps / the pipeline's tool notes)."""
    from django.apps import apps
    from django.db.models import Sum

    in_window = {"created_at__gt": window.start, "created_at__lte": window.end}
    questions = Message.objects.filter(role=Message.Role.USER, **in_window)
    volume = questions.count()
    answers = Message.objects.filter(role=Message.Role.ASSISTANT, kind=Message.Kind.ANSWER, reply_to__isnull=False,
                                     **in_window)
    by_status = dict(answers.values_list("status").annotate(n=Count("reply_to", distinct=True)))
    answered = sum(by_status.values())
    without_review = sum(by_status.get(s, 0) for s in (Message.Status.AUTO, Message.Status.CLARIFY,
                                                        Message.Status.FALLBACK))
    reviewed_ids = set(ReviewTask.objects.filter(message__in=questions).values_list("message_id", flat=True))
    waits, review_waits = [], []
    for pk, asked, done in questions.filter(answered_at__isnull=False).values_list("pk", "created_at", "answered_at"):
        seconds = max(0.0, (done - asked).total_seconds())
        waits.append(seconds)
        if pk in reviewed_ids:
            review_waits.append(seconds)
    # Drafts that went out with the disclaimer after a review timeout (a P2 one as well as the P3/P4 ones); a
    # high-risk timeout's specialist notice is not an unverified answer.
    unverified = by_status.get(Message.Status.TIMEOUT, 0)
    Feedback = apps.get_model("feedback", "Feedback")
    thumbs = Feedback.objects.thumbs().filter(**in_window).aggregate(
        total=Count("pk"), down=Count("pk", filter=Q(value=Feedback.Value.DOWN)))
    failed = sum(1 for meta in answers.values_list("meta", flat=True)
                 if any(not t.get("performed", True) for t in (meta or {}).get("tools", []) if isinstance(t, dict)))
    cost = Message.objects.filter(**in_window).aggregate(total=Sum("cost_usd"))["total"] or 0
    return {
        "volume": volume, "answered": answered, "by_status": by_status,
        "without_review": without_review, "without_review_rate": _rate(without_review, answered),
        "wait_median_s": _round(percentile(waits, 50)), "wait_p90_s": _round(percentile(waits, 90)),
        "review_wait_median_s": _round(percentile(review_waits, 50)),
        "review_wait_p90_s": _round(percentile(review_waits, 90)),
        "unverified": unverified, "thumbs": thumbs["total"], "thumbs_down": thumbs["down"],
        "thumbs_down_rate": _rate(thumbs["down"], thumbs["total"]), "failed_lookups": failed,
        "cost_usd": float(cost),
    }


def _round(value):
    return None if value is None else round(value)


def current(now=None) -> dict:
    """The figures of this moment. The open alerts carry their kind and value; their text is written when the page
    is rendered (reviews.console.alert_text), in the reader's language and with the current numbers, so an alert
    opened with "0 active reviewers" does not sit beside a live count of 1."""
    now = now or timezone.now()
    return {"queue_depth": queue_depth(), "oldest_pending_s": round(oldest_pending_seconds(now)),
            "active_reviewers": active_reviewer_count(now),
            "open_followups": ReviewTask.objects.open_followups().count(),
            "open_alerts": list(Alert.objects.filter(resolved_at__isnull=True)
                                .values("kind", "message", "value", "opened_at")),
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
            "approval": approval_rates(window), "reviewers": reviewer_stats(window),
            "customers": customer_side(window)}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
