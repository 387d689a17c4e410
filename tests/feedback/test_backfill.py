"""backfill_feedback_topics: correctness, old value kept, idempotent, resumable, --since, --dry-run."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from chat.models import Message
from feedback.backfill import do_backfill_topics, parse_since
from feedback.models import BackfillCheckpoint, Feedback
from tests.factories import AnswerFactory, FeedbackFactory


@pytest.fixture
def misattributed(db):
    """30 feedback, every third one under the wrong category; returns the wrong ones' ids."""
    wrong = []
    for i in range(30):
        feedback = FeedbackFactory(message=AnswerFactory(category="shipping"),
                                   created_at=timezone.now() - timedelta(days=i))
        if i % 3 == 0:
            Feedback.objects.filter(pk=feedback.pk).update(topic_category="order_status")
            wrong.append(feedback.pk)
    return wrong


def categories():
    return dict(Feedback.objects.values_list("pk", "topic_category"))


def test_it_rederives_the_category_from_the_message_and_keeps_the_old_value(misattributed):
    result = do_backfill_topics(batch=7)
    assert (result.scanned, result.changed, result.finished) == (30, 10, True)
    assert set(categories().values()) == {"shipping"}
    assert set(Feedback.objects.filter(previous_topic_category="order_status").values_list("pk", flat=True)) == \
        set(misattributed)
    assert not Feedback.objects.exclude(pk__in=misattributed).exclude(previous_topic_category="").exists()


def test_it_is_idempotent(misattributed):
    do_backfill_topics(batch=7)
    before = list(Feedback.objects.order_by("pk").values_list("pk", "topic_category", "previous_topic_category"))
    again = do_backfill_topics(batch=7)
    assert (again.scanned, again.changed) == (30, 0)
    assert list(Feedback.objects.order_by("pk").values_list("pk", "topic_category", "previous_topic_category")) == \
        before


def test_it_resumes_after_an_interruption(misattributed):
    first = do_backfill_topics(batch=4, stop_after_batches=3)  # as if killed after the third batch
    assert first.scanned == 12 and not first.finished
    checkpoint = BackfillCheckpoint.objects.get()
    assert checkpoint.last_id == first.last_id and checkpoint.finished_at is None and checkpoint.scanned == 12
    rest = do_backfill_topics(batch=4)
    assert rest.resumed_from == first.last_id
    assert rest.scanned == 18 and first.changed + rest.changed == 10
    assert set(categories().values()) == {"shipping"}
    checkpoint.refresh_from_db()
    assert checkpoint.finished_at and (checkpoint.scanned, checkpoint.changed) == (30, 10)


def test_it_keeps_the_cut_off_of_the_run_it_resumes(misattributed):
    do_backfill_topics(since=timezone.now() - timedelta(days=10, hours=12), batch=2, stop_after_batches=1)
    rest = do_backfill_topics(since=None, batch=2)  # the unfinished run's cut-off wins
    assert rest.scanned + 2 == 11


def test_it_only_touches_the_range_and_skips_feedback_without_a_message(misattributed):
    Message.objects.filter(pk=Feedback.objects.get(pk=misattributed[1]).message_id).delete()
    result = do_backfill_topics(since=parse_since("15d"))
    assert result.scanned == 15 and result.unjoinable == 1 and result.changed == 4  # ids 0, 6, 9, 12 days old
    assert Feedback.objects.get(pk=misattributed[-1]).topic_category == "order_status"  # 27 days old


def test_it_writes_nothing_on_a_dry_run(misattributed):
    before = categories()
    result = do_backfill_topics(dry_run=True)
    assert result.changed == 10 and categories() == before and not BackfillCheckpoint.objects.exists()


def test_the_command_reports_progress_and_counts(misattributed):
    out, err = StringIO(), StringIO()
    call_command("backfill_feedback_topics", "--since", "6w", "--batch", "5", stdout=out, stderr=err)
    assert "scanned 30 feedback, changed 10" in out.getvalue()
    assert "30/30" in err.getvalue()  # the tqdm bar
    out = StringIO()
    call_command("backfill_feedback_topics", "--dry-run", stdout=out, stderr=StringIO())
    assert "would change 0" in out.getvalue()


def test_the_command_names_a_bad_since(db):
    with pytest.raises(CommandError, match="--since 'soon'"):
        call_command("backfill_feedback_topics", "--since", "soon", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="--batch"):
        call_command("backfill_feedback_topics", "--batch", "0", stdout=StringIO(), stderr=StringIO())


def test_the_benchmark_command_runs_small(db):
    FeedbackFactory()  # rows already in the database survive the benchmark's clean-up
    out = StringIO()
    call_command("benchmark_backfill", "--rows", "3000", "--baseline", "300", "--messages", "50", "--batch", "500",
                 stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "baseline  naive per-row loop" in text and "rows/s" in text and "peak RSS" in text and "speed-up" in text
    assert Feedback.objects.count() == 1 and not BackfillCheckpoint.objects.exists()
