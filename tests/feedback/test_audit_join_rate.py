"""Hourly join rate: feedback whose message exists and has the same category as feedback.topic_category."""

from chat.models import Message
from feedback.audits import run_join_rate_audit
from feedback.models import Feedback
from tests.factories import FeedbackFactory


def test_it_alerts_below_95_percent_and_counts_deleted_messages_as_not_joining(db):
    rows = FeedbackFactory.create_batch(30)
    Message.objects.filter(pk__in=[rows[0].message_id, rows[1].message_id]).delete()
    assert Feedback.objects.filter(message__isnull=True).count() == 2  # feedback outlives the message
    report = run_join_rate_audit()
    assert report.alert
    assert (report.findings["joined"], report.findings["total"]) == (28, 30)
    assert set(report.findings["not_joining_examples"]) == {rows[0].pk, rows[1].pk}


def test_it_stays_quiet_when_everything_joins(db):
    FeedbackFactory.create_batch(25)
    report = run_join_rate_audit()
    assert not report.alert and report.findings["rate"] == 1.0


def test_it_has_nothing_to_say_without_feedback(db):
    assert not run_join_rate_audit().alert
