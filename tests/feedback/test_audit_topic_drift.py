"""Hourly topic drift: total variation distance between the categories of feedback and of the answers it rated."""

from datetime import timedelta

from django.utils import timezone

from feedback.audits import run_topic_drift_audit, total_variation
from tests.factories import AnswerFactory, FeedbackFactory


def make(n, category, topic=None, hours_ago=1):
    for _ in range(n):
        FeedbackFactory(message=AnswerFactory(category=category), topic_category=topic or category,
                        created_at=timezone.now() - timedelta(hours=hours_ago))


def test_it_alerts_when_the_distributions_differ_by_more_than_ten_percent(db):
    make(40, "refund")
    make(45, "shipping")
    make(15, "refund", topic="general")  # 15 %
    report = run_topic_drift_audit()
    assert report.alert and report.findings["tvd_feedback_vs_rated_answers"] == 0.15
    assert "15.0%" in report.summary


def test_it_stays_quiet_when_feedback_matches_its_answers(db):
    make(20, "refund")
    make(20, "shipping")
    make(30, "shipping", topic="general", hours_ago=30)  # outside the 24 h window
    report = run_topic_drift_audit()
    assert not report.alert and report.findings["tvd_feedback_vs_rated_answers"] == 0


def test_it_does_not_judge_too_few_rows(db):
    make(5, "refund", topic="general")
    report = run_topic_drift_audit()
    assert not report.alert and "too few" in report.summary


def test_it_leaves_quarantined_feedback_out(db):
    make(40, "refund")
    for _ in range(20):
        FeedbackFactory(message=AnswerFactory(category="refund"), topic_category="legal", quarantined=True,
                        quarantine_reason="bot")
    assert not run_topic_drift_audit().alert


def test_it_measures_total_variation():
    from collections import Counter

    assert total_variation(Counter(a=1), Counter(a=5)) == 0
    assert total_variation(Counter(a=1), Counter(b=1)) == 1
    assert abs(total_variation(Counter(a=3, b=1), Counter(a=1, b=1)) - 0.25) < 1e-9
