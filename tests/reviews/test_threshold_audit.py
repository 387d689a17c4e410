from reviews.models import EscalationThreshold, ThresholdChange


def test_it_records_an_admin_edit_with_who_before_and_after(client, django_user_model, thresholds):
    admin = django_user_model.objects.create_superuser("boss", password="pw-for-tests")
    client.force_login(admin)
    threshold = EscalationThreshold.objects.get(category="shipping")
    response = client.post(f"/admin/reviews/escalationthreshold/{threshold.pk}/change/", {
        "category": "shipping", "risk_class": "normal", "priority": 3, "auto_respond_min": "0.9",
        "review_min": "0.5", "handoff_below": "0.3", "peak_auto_respond_min": "", "peak_review_min": "",
        "peak_handoff_below": ""})
    assert response.status_code == 302, response.content[:500]
    change = ThresholdChange.objects.filter(category="shipping").first()
    assert change.changed_by == admin and change.source == "admin"
    assert change.before == {"auto_respond_min": 0.85} and change.after == {"auto_respond_min": 0.9}


def test_it_records_a_change_made_outside_the_admin(thresholds):
    threshold = EscalationThreshold.objects.get(category="general")
    threshold.review_min = 0.6
    threshold.save()
    change = ThresholdChange.objects.filter(category="general").first()
    assert change.source == "other" and change.after == {"review_min": 0.6} and change.before == {"review_min": 0.5}


def test_it_refuses_unordered_thresholds_in_the_database(thresholds):
    import pytest
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationThreshold.objects.filter(category="general").update(review_min=0.9, auto_respond_min=0.8)
