from django.core import mail

from reviews.alerts import check_alerts
from reviews.escalation import route_draft
from reviews.models import Alert

from tests.factories import customer_message, draft


def test_it_opens_one_alert_per_kind_mails_it_and_resolves_it(settings, thresholds, django_capture_on_commit_callbacks):
    settings.ALERT_EMAILS = ["ops@example.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(51):
        route_draft(customer_message(), draft(0.6))
    with django_capture_on_commit_callbacks(execute=True):
        assert "queue_depth" in check_alerts()
    with django_capture_on_commit_callbacks(execute=True):
        assert "queue_depth" not in check_alerts()
    assert Alert.objects.filter(kind="queue_depth").count() == 1
    assert sum("queue depth" in m.body for m in mail.outbox) == 1
    from reviews.models import ReviewTask
    ReviewTask.objects.update(status="approved")
    check_alerts()
    assert Alert.objects.get(kind="queue_depth").resolved_at is not None
