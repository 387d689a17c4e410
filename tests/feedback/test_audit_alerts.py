"""An audit alert is logged, counted in the shared metrics and e-mailed to ALERT_EMAILS when configured."""

import pytest
from django.core import mail

from chat.models import Message
from feedback.audits import run_join_rate_audit
from feedback.models import AuditReport
from common import metrics
from tests.factories import FeedbackFactory


@pytest.fixture
def broken_join(db):
    rows = FeedbackFactory.create_batch(3)
    Message.objects.filter(pk=rows[0].message_id).delete()


def test_it_emails_counts_and_logs_an_alert(broken_join, settings, caplog):
    settings.ALERT_EMAILS = ["ops@example.com"]
    report = run_join_rate_audit()
    assert report.alert
    assert metrics.counter_value("feedback_audit_alerts_total", kind="join_rate") == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ops@example.com"]
    assert "join" in mail.outbox[0].subject.lower() and f"/auditreport/{report.pk}/" in mail.outbox[0].body
    assert any("feedback audit alert" in r.getMessage() for r in caplog.records)


def test_it_sends_no_email_without_alert_emails(broken_join, settings):
    settings.ALERT_EMAILS = []
    assert run_join_rate_audit().alert
    assert mail.outbox == []


def test_it_shows_reports_in_the_admin(broken_join, admin_client):
    report = run_join_rate_audit()
    assert report.summary.encode() in admin_client.get("/admin/feedback/auditreport/").content
    assert admin_client.get(f"/admin/feedback/auditreport/{report.pk}/change/").status_code == 200


def test_it_records_a_failed_audit_as_an_alert(db, monkeypatch):
    from feedback import audits

    monkeypatch.setattr(audits, "JOIN_WINDOW", None)  # makes the body raise
    with pytest.raises(TypeError):
        audits.run_join_rate_audit()
    report = AuditReport.objects.get()
    assert report.alert and report.finished_at and "failed" in report.summary
