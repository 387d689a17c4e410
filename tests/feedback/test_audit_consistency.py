"""Daily cross-table consistency on a random sample: session, topic_category and prompt_version vs the message."""

from chat.models import Message
from feedback.audits import run_consistency_audit, sample_ids
from feedback.models import Feedback
from prompts.models import PromptVersion
from tests.factories import FeedbackFactory, SessionFactory


def test_it_finds_each_kind_of_disagreement(db):
    rows = FeedbackFactory.create_batch(12)
    prompt = PromptVersion.objects.create(name="feedback-test", version=9, text="x")
    Feedback.objects.filter(pk=rows[0].pk).update(session=SessionFactory())
    Feedback.objects.filter(pk=rows[1].pk).update(topic_category="legal")
    Feedback.objects.filter(pk=rows[2].pk).update(prompt_version=prompt)
    Message.objects.filter(pk=rows[3].message_id).delete()
    report = run_consistency_audit()
    assert report.alert
    assert report.findings["counts"] == {"message_missing": 1, "session": 1, "topic_category": 1,
                                         "prompt_version": 1}
    assert report.findings["inconsistent"] == 4 and report.findings["sampled"] == 12


def test_it_is_quiet_on_consistent_data(db):
    FeedbackFactory.create_batch(5)
    report = run_consistency_audit()
    assert not report.alert and report.findings["inconsistent"] == 0


def test_it_samples_at_most_the_sample_size_without_scanning_the_table(db):
    rows = FeedbackFactory.create_batch(60)
    Feedback.objects.filter(pk__in=[r.pk for r in rows[::3]]).delete()  # gaps in the ids
    sample = sample_ids(25)
    assert len(sample) == 25 and len(set(sample)) == 25
    assert set(sample) <= set(Feedback.objects.values_list("pk", flat=True))
    assert run_consistency_audit(sample_size=25).findings["sampled"] == 25
