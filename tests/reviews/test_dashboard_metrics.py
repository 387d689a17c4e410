"""The operations dashboard's numbers on a small dataset whose answers are worked out by hand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import ChatSession, Message
from reviews import dashboard
from reviews.models import ReviewTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


def _task(session, now, *, created, priority, category, decided=None, decision="", by=None, duration=None,
          breached=False, sla=60, status=None):
    message = Message.objects.create(session=session, role=Message.Role.USER, text="q")
    status = status or ({"approve": "approved", "edit": "edited", "reject": "rejected",
                         "bulk_approve": "approved"}.get(decision, "pending"))
    return ReviewTask.objects.create(
        message=message, session=session, priority=priority, category=category, status=status,
        created_at=now + created, sla_deadline=now + created + timedelta(seconds=sla), sla_breached=breached,
        decided_at=now + decided if decided is not None else None, decision=decision, decided_by=by,
        review_duration_s=duration)


@pytest.fixture
def dataset(now, reviewer, reviewer2):
    s = ChatSession.objects.create()
    h, m = timedelta(hours=1), timedelta(minutes=1)
    _task(s, now, created=-3 * h, priority=1, category="shipping", decided=-3 * h + m, decision="approve",
          by=reviewer, duration=30)
    _task(s, now, created=-2 * h, priority=1, category="shipping", decided=-2 * h + 3 * m, decision="edit",
          by=reviewer, duration=90, breached=True)
    _task(s, now, created=-1 * h, priority=3, category="general", decided=-1 * h + m, decision="reject",
          by=reviewer2, duration=60)
    _task(s, now, created=-50 * m, priority=3, category="shipping", decided=-49 * m, decision="bulk_approve",
          by=reviewer2, duration=0)
    _task(s, now, created=-30 * m, priority=2, category="general", breached=True)  # open, deadline passed
    _task(s, now, created=-10 * m, priority=4, category="general", sla=3600)  # open, deadline ahead: no outcome yet
    _task(s, now, created=-30 * h, priority=4, category="general", sla=60, breached=True)  # open before the window
    return s


def test_it_counts_the_queue_depth_over_time_from_task_timestamps(dataset, now):
    series = dashboard.queue_depth_series(dashboard.Window.last(24, now), points=48)
    assert len(series) == 48
    assert series[0]["depth"] == 1  # only the task opened 30 h ago
    assert series[-1]["depth"] == 3  # it, and the two open tasks of the last hour
    assert max(p["depth"] for p in series) == 3
    # 2 h 45 min ago: the first task was decided, the second not yet created.
    at = next(p for p in series if p["t"] == (now - timedelta(hours=2, minutes=30)).isoformat())
    assert at["depth"] == 1


def test_it_computes_the_sla_breach_rate_per_priority(dataset, now):
    rates = {r["priority"]: r for r in dashboard.sla_breach_rates(dashboard.Window.last(24, now), now)}
    assert (rates["P1"]["total"], rates["P1"]["breached"], rates["P1"]["rate"]) == (2, 1, 0.5)
    assert (rates["P2"]["total"], rates["P2"]["rate"], rates["P2"]["limit"]) == (1, 1.0, 0.10)
    assert (rates["P3"]["total"], rates["P3"]["rate"]) == (2, 0.0)
    assert (rates["P4"]["total"], rates["P4"]["rate"]) == (0, None)  # the open P4's deadline is ahead


def test_it_computes_the_share_approved_without_change_per_category(dataset, now):
    rows = {r["category"]: r for r in dashboard.approval_rates(dashboard.Window.last(24, now))}
    # Bulk approvals are not one reviewer's judgement of one draft: left out.
    assert rows["shipping"] == {"category": "shipping", "total": 2, "approved": 1, "edited": 1, "rejected": 0,
                                "rate": 0.5}
    assert (rows["general"]["total"], rows["general"]["rejected"], rows["general"]["rate"]) == (1, 1, 0.0)


def test_it_computes_per_reviewer_throughput_and_median_review_time(dataset, now):
    stats = dashboard.reviewer_stats(dashboard.Window.last(24, now))
    assert stats == [
        # Per hour worked (the clock hours with a decision), not per hour of the 24 h window.
        {"reviewer": "rita", "decisions": 2, "hours_worked": 2, "per_hour": 1.0, "median_review_s": 60.0},
        {"reviewer": "ren", "decisions": 1, "hours_worked": 1, "per_hour": 1.0, "median_review_s": 60.0},
    ]


def test_it_computes_the_escalation_rate_per_category_from_messages(db, now):
    session = ChatSession.objects.create()

    def turn(category, *kinds):
        question = Message.objects.create(session=session, role="user", text="q")
        for kind, status in kinds:
            Message.objects.create(session=session, role="assistant", kind=kind, status=status, category=category,
                                   reply_to=question, text="a")

    for _ in range(3):
        turn("shipping", ("answer", "auto"))
    turn("shipping", ("review_pending", ""), ("heartbeat", ""), ("answer", "reviewed"))  # one turn, escalated
    turn("general", ("review_pending", ""))  # still waiting: escalated
    turn("general", ("answer", "clarify"))
    rows = {r["category"]: r for r in dashboard.escalation_rates(dashboard.Window.last(24, now + timedelta(seconds=1)))}
    assert rows["shipping"] == {"category": "shipping", "turns": 4, "escalated": 1, "rate": 0.25}
    assert rows["general"] == {"category": "general", "turns": 2, "escalated": 1, "rate": 0.5}


def test_it_renders_the_dashboard_page_with_its_charts(client, reviewer, dataset):
    client.force_login(reviewer)
    response = client.get("/admin/reviews/reviewtask/dashboard/?hours=24")
    body = response.content.decode()
    assert response.status_code == 200
    assert "reviews/vendor/chart-4.6.1.umd.min.js" in body and 'id="rd-data"' in body
    assert response.context["data"]["current"]["queue_depth"] == 3
    assert client.get("/static/reviews/vendor/chart-4.6.1.umd.min.js").status_code == 200
