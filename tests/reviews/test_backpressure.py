from reviews.backpressure import apply_backpressure, target_level
from reviews.models import ThresholdChange, ThresholdOverride
from reviews.thresholds import decide, reset_cache


def test_it_steps_levels_with_hysteresis():
    assert [target_level(d, 0) for d in (50, 51, 101)] == [0, 1, 2]
    assert target_level(60, 2) == 2 and target_level(49, 2) == 1 and target_level(24, 1) == 0
    assert target_level(30, 1) == 1


def test_it_relaxes_normal_risk_categories_only_and_lifts_it(thresholds):
    assert apply_backpressure(depth=120) == 2
    overrides = {o.category: o.auto_respond_min for o in ThresholdOverride.objects.filter(lifted_at__isnull=True)}
    assert overrides["general"] == 0.70 and "refund" not in overrides and "complaint" not in overrides
    assert ThresholdChange.objects.filter(source="backpressure").exists()
    reset_cache()
    assert decide("general", 0.72).route == "auto" and decide("refund", 0.94).route == "review"
    assert apply_backpressure(depth=120) == 2  # idempotent
    assert apply_backpressure(depth=40) == 1
    assert ThresholdOverride.objects.get(category="general", lifted_at__isnull=True).auto_respond_min == 0.75
    assert apply_backpressure(depth=10) == 0
    assert not ThresholdOverride.objects.filter(lifted_at__isnull=True).exists()
    reset_cache()
    assert decide("general", 0.72).route == "review"


def test_it_records_who_lifted_an_override_from_the_admin(thresholds, admin_client, admin_user):
    assert apply_backpressure(depth=120) == 2
    general = ThresholdOverride.objects.get(category="general", lifted_at__isnull=True)
    response = admin_client.post("/admin/reviews/thresholdoverride/",
                                 {"action": "lift", "_selected_action": [general.pk]}, follow=True)
    assert response.status_code == 200
    general.refresh_from_db()
    assert general.lifted_at is not None
    change = ThresholdChange.objects.get(category="general", source=ThresholdChange.Source.ADMIN)
    assert change.changed_by == admin_user
    assert change.before == {"auto_respond_min": 0.70} and change.after == {"auto_respond_min": None}
    reset_cache()
    assert decide("general", 0.72).route == "review"  # the lifted override no longer relaxes the category
    # lifting it again changes nothing and records nothing
    admin_client.post("/admin/reviews/thresholdoverride/", {"action": "lift", "_selected_action": [general.pk]})
    assert ThresholdChange.objects.filter(source=ThresholdChange.Source.ADMIN).count() == 1
