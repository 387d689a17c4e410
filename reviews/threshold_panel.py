"""The operations dashboard's threshold panel: per category, a histogram of answer confidence with the live
thresholds (and a running canary's) drawn on it, plus where threshold change control stands.

One grouped query for every histogram (category × 0.05-wide confidence bin), whatever the volume.
"""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from reviews.models import KnownGoodState, ThresholdProposal
from reviews.simulation import band_case, history
from reviews.thresholds import live_values

BIN = 0.05
CUTS = [round(BIN * i, 2) for i in range(1, 20)]  # bin b: [b × 0.05, (b + 1) × 0.05); the last bin holds 1.0


def histograms(hours: float = 24, now=None) -> dict[str, list[int]]:
    now = now or timezone.now()
    rows = (history(now - timedelta(hours=hours), now).annotate(bin=band_case(CUTS))
            .values("category", "bin").annotate(n=Count("id")).order_by())
    result: dict[str, list[int]] = {}
    for row in rows:
        result.setdefault(row["category"], [0] * (len(CUTS) + 1))[row["bin"]] += row["n"]
    return result


def panel_data(hours: float = 24, now=None) -> dict:
    live = live_values()
    counts = histograms(hours, now)
    canary = ThresholdProposal.objects.filter(status=ThresholdProposal.Status.CANARY).first()
    categories = []
    for category, values in sorted(live.items()):
        entry = {"category": category, "counts": counts.get(category, [0] * (len(CUTS) + 1)), "live": values,
                 "canary": (canary.values.get(category) if canary else None)}
        entry["total"] = sum(entry["counts"])
        categories.append(entry)
    return {
        "hours": hours, "bin": BIN, "categories": categories,
        "canary": canary and {"id": canary.pk, "percent": canary.canary_percent,
                              "ends_at": canary.canary_ends_at.isoformat() if canary.canary_ends_at else None},
        "open_proposals": ThresholdProposal.objects.filter(status__in=ThresholdProposal.OPEN_STATUSES).count(),
        "last_known_good": str(KnownGoodState.objects.filter(revoked_at__isnull=True).first() or ""),
    }
