from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from catalog.models import Customer
from reviews.backpressure import apply_backpressure
from reviews.models import EscalationThreshold, Route
from reviews.thresholds import decide, reset_cache

JST = ZoneInfo("Asia/Tokyo")
NOON = datetime(2025, 5, 1, 12, 0, tzinfo=JST)
EVENING = datetime(2025, 5, 1, 20, 0, tzinfo=JST)


@pytest.mark.parametrize("category, confidence, route, priority", [
    ("general", 0.90, Route.AUTO, 4),
    ("general", 0.60, Route.REVIEW, 4),
    ("general", 0.40, Route.CLARIFY, 4),
    ("general", 0.10, Route.HANDOFF, 4),
    ("refund", 0.90, Route.REVIEW, 1),  # high risk needs 0.95
    ("refund", 0.96, Route.AUTO, 1),
    ("complaint", 0.6, Route.REVIEW, 2),
    ("shipping", 0.6, Route.REVIEW, 3),
])
def test_it_maps_confidence_to_a_route_with_the_default_thresholds(thresholds, category, confidence, route, priority):
    decision = decide(category, confidence, now=NOON)
    assert (decision.route, decision.priority) == (route, priority)


def test_it_raises_a_vip_to_p1(thresholds):
    vip = Customer(is_vip=True)
    assert decide("recommendation", 0.6, customer=vip, now=NOON).priority == 1
    assert decide("recommendation", 0.6, customer=Customer(is_vip=False), now=NOON).priority == 4


def test_it_uses_the_peak_profile_in_the_evening(thresholds):
    EscalationThreshold.objects.filter(category="general").update(
        peak_auto_respond_min=0.95, peak_review_min=0.7, peak_handoff_below=0.4)
    reset_cache()
    assert decide("general", 0.9, now=NOON).route == Route.AUTO
    evening = decide("general", 0.9, now=EVENING)
    assert evening.route == Route.REVIEW and evening.peak


def test_it_treats_an_unknown_category_conservatively(db):
    assert decide("no-such", 0.6).route == Route.REVIEW


def test_it_decides_steadily_with_the_configured_values_whatever_the_hour_or_the_queue(thresholds):
    EscalationThreshold.objects.filter(category="general").update(
        peak_auto_respond_min=0.95, peak_review_min=0.7, peak_handoff_below=0.4)
    reset_cache()
    assert decide("general", 0.9, now=EVENING).route == Route.REVIEW
    assert decide("general", 0.9, now=EVENING, steady=True).route == Route.AUTO
    assert apply_backpressure(depth=120) == 2  # relaxes general to 0.70
    reset_cache()
    assert decide("general", 0.72, now=NOON).route == Route.AUTO
    steady = decide("general", 0.72, now=NOON, steady=True)
    assert steady.route == Route.REVIEW and not steady.overridden and not steady.peak
