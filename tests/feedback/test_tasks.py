"""The audits as Celery beat tasks: scheduled, registered, and run by a real worker."""

import pytest

from feedback.models import AuditReport
from feedback.schedule import BEAT_SCHEDULE
from mangaassist.celery import app
from tests.factories import FeedbackFactory
from tests.support.processes import celery_worker


def test_it_schedules_every_audit_on_a_registered_task():
    app.loader.import_default_modules()
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} == {
        "feedback.adversarial_audit", "feedback.topic_drift_audit", "feedback.join_rate_audit",
        "feedback.satisfaction_audit", "feedback.consistency_audit"}
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    assert set(BEAT_SCHEDULE) <= set(app.conf.beat_schedule)


@pytest.mark.slow
def test_it_runs_an_audit_in_a_real_worker(transactional_db):
    from feedback import tasks

    FeedbackFactory.create_batch(3)
    with celery_worker(concurrency=1):
        report_id = tasks.consistency_audit.delay().get(timeout=60)
    report = AuditReport.objects.get(pk=report_id)
    assert report.kind == "consistency" and report.finished_at and report.findings["sampled"] == 3
