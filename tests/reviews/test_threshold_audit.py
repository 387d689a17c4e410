from reviews.models import EscalationThreshold, ThresholdChange


# Live rows are no longer edited in the admin (read-only; changes are proposals): see test_threshold_proposals.py
# for the record a promoted proposal and a revert leave.


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
