"""The evening peak profile is seeded (migration 0005), so it changes routing by default: only for normal-risk
P3/P4 categories, and never for the high-risk ones."""

from datetime import datetime

from reviews.models import EscalationThreshold
from reviews.thresholds import JST, decide, reset_cache

EVENING = datetime(2026, 11, 23, 20, 30, tzinfo=JST)
MORNING = datetime(2026, 11, 23, 10, 30, tzinfo=JST)


def test_it_seeds_the_peak_profile_so_the_evening_sends_more_confident_drafts_out(db):
    reset_cache()
    seeded = {t.category: t.peak_auto_respond_min for t in EscalationThreshold.objects.all()}
    assert seeded["general"] == seeded["shipping"] == seeded["availability"] == 0.80
    assert seeded["refund"] is seeded["legal"] is seeded["order_status"] is None
    assert decide("general", 0.82, now=EVENING).route == "auto"
    assert decide("general", 0.82, now=MORNING).route == "review"
    assert decide("refund", 0.90, now=EVENING).route == "review"
