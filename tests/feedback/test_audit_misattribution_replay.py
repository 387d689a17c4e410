"""Replay of a misattribution bug: 5 % of feedback recorded under the wrong category (shipping answers filed as
order_status). The join-rate and consistency audits must catch it; the backfill repairs it."""

from datetime import timedelta

from django.utils import timezone

from chat.models import Category
from feedback.audits import run_consistency_audit, run_join_rate_audit, run_topic_drift_audit
from feedback.backfill import do_backfill_topics
from feedback.models import Feedback
from tests.factories import AnswerFactory, FeedbackFactory, SessionFactory


def replay(now, total=400, wrong=20):
    categories = Category.values
    sessions = SessionFactory.create_batch(20)
    misattributed = []
    for i in range(total):
        category = categories[i % len(categories)]
        answer = AnswerFactory(session=sessions[i % 20], category=category)
        topic = category
        if category == Category.SHIPPING and len(misattributed) < wrong:
            topic = Category.ORDER_STATUS  # the bug
        feedback = FeedbackFactory(message=answer, topic_category=topic,
                                   created_at=now - timedelta(minutes=i * 3 % 1200))
        if topic != category:
            misattributed.append(feedback.pk)
    assert len(misattributed) == wrong
    return misattributed


def test_it_catches_five_percent_of_feedback_under_the_wrong_category(db):
    misattributed = replay(timezone.now())

    consistency = run_consistency_audit()
    assert consistency.alert
    assert consistency.findings["sampled"] == 400
    assert consistency.findings["counts"]["topic_category"] == 20
    assert set(consistency.findings["examples"]["topic_category"]) <= set(misattributed)

    join = run_join_rate_audit()
    assert join.alert
    assert join.findings["rate"] == 0.95
    assert join.findings["low_categories"] == ["order_status"]

    # A 5 % shift is a total variation distance of 0.05: below the drift threshold on its own, by design.
    drift = run_topic_drift_audit()
    assert drift.findings["tvd_feedback_vs_rated_answers"] == 0.05 and not drift.alert

    do_backfill_topics()
    assert set(Feedback.objects.filter(previous_topic_category="order_status").values_list("pk", flat=True)) == \
        set(misattributed)
    assert not run_consistency_audit().alert
    assert not run_join_rate_audit().alert
