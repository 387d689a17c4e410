"""Daily satisfaction change: a category's positive rate (trusted thumbs) moving more than 15 points in 7 days."""

from datetime import timedelta

from django.utils import timezone

from feedback.audits import run_satisfaction_audit
from tests.factories import AnswerFactory, FeedbackFactory


def thumbs(category, up, down, days_ago, **extra):
    when = timezone.now() - timedelta(days=days_ago)
    for i in range(up + down):
        FeedbackFactory(message=AnswerFactory(category=category), value="up" if i < up else "down",
                        created_at=when, **extra)


def test_it_alerts_when_a_category_drops_more_than_15_points(db):
    thumbs("shipping", 20, 5, days_ago=10)  # 80 %
    thumbs("shipping", 12, 13, days_ago=2)  # 48 %
    thumbs("refund", 15, 5, days_ago=10)
    thumbs("refund", 15, 5, days_ago=2)
    thumbs("refund", 0, 30, days_ago=2, provenance_score=0.0)  # untrusted: must not move refund
    report = run_satisfaction_audit()
    assert report.alert and report.findings["moved"] == ["shipping"]
    assert report.findings["categories"]["shipping"]["change"] == -0.32
    assert report.findings["categories"]["refund"]["change"] == 0


def test_it_needs_enough_thumbs_in_both_weeks(db):
    thumbs("legal", 5, 0, days_ago=10)
    thumbs("legal", 0, 5, days_ago=2)
    report = run_satisfaction_audit()
    assert not report.alert and "change" not in report.findings["categories"]["legal"]
