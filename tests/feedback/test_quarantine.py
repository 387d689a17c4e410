"""Quarantine from the admin (with a reason), release, exclusion from trusted and the satisfaction view, audit rows."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from feedback.models import Feedback, QuarantineEvent
from feedback.quarantine import QuarantineError, do_quarantine, do_release
from tests.factories import FeedbackFactory

CHANGELIST = "/admin/feedback/feedback/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser("reviewer", "r@example.com", "pw-123456")


def test_it_asks_for_a_reason_then_quarantines_from_the_admin(client, staff):
    bad, good = FeedbackFactory(value="down"), FeedbackFactory()
    client.force_login(staff)
    form = client.post(CHANGELIST, {"action": "quarantine_selected", ACTION_CHECKBOX_NAME: [bad.pk]})
    assert form.status_code == 200 and b"reason" in form.content  # the intermediate page
    assert not Feedback.objects.filter(quarantined=True).exists()
    done = client.post(CHANGELIST, {"action": "quarantine_selected", ACTION_CHECKBOX_NAME: [bad.pk], "apply": "1",
                                    "reason": "part of a review-bombing campaign"})
    assert done.status_code == 302
    bad.refresh_from_db()
    assert bad.quarantined and bad.quarantine_reason == "part of a review-bombing campaign"
    assert list(Feedback.objects.trusted()) == [good]
    event = QuarantineEvent.objects.get()
    assert (event.action, event.actor, event.actor_label) == ("quarantine", staff, "reviewer")
    assert event.before == {"quarantined": False, "reason": ""}
    assert event.after == {"quarantined": True, "reason": "part of a review-bombing campaign"}


def test_it_releases_from_the_admin_with_an_audit_row(client, staff):
    feedback = FeedbackFactory(quarantined=True, quarantine_reason="suspected bot")
    client.force_login(staff)
    client.post(CHANGELIST, {"action": "release_selected", ACTION_CHECKBOX_NAME: [feedback.pk], "apply": "1",
                             "reason": "verified customer"})
    feedback.refresh_from_db()
    assert not feedback.quarantined and feedback.quarantine_reason == ""
    assert list(Feedback.objects.trusted()) == [feedback]
    event = QuarantineEvent.objects.get()
    assert (event.action, event.reason, event.before["quarantined"], event.after["quarantined"]) == (
        "release", "verified customer", True, False)


def test_it_requires_a_reason(db):
    feedback = FeedbackFactory()
    with pytest.raises(QuarantineError):
        do_quarantine([feedback.pk], "  ")
    assert do_quarantine([feedback.pk], "bot", actor_label="audit:test") == 1
    assert do_quarantine([feedback.pk], "again", actor_label="audit:test") == 0  # idempotent: no second event
    assert do_release([feedback.pk], "ok", actor_label="audit:test") == 1
    assert list(QuarantineEvent.objects.order_by("id").values_list("action", flat=True)) == ["quarantine", "release"]


def test_it_keeps_quarantined_feedback_out_of_the_satisfaction_view(client, staff):
    FeedbackFactory.create_batch(3, value="up")
    FeedbackFactory.create_batch(4, value="down", quarantined=True, quarantine_reason="campaign")
    client.force_login(staff)
    page = client.get(reverse("admin:feedback_feedback_satisfaction"))
    rows = page.context["by_category"]
    assert rows == [{"key": "recommendation", "up": 3, "down": 0, "total": 3, "positive_rate": 1.0}]
