"""Review sweeps, collected into Celery beat by mangaassist/celery.py."""

from datetime import timedelta

from django.conf import settings

BEAT_SCHEDULE = {
    "reviews-sweep": {
        "task": "reviews.sweep",
        "schedule": timedelta(seconds=settings.REVIEW_SWEEP_SECONDS),
        # A sweep that waited longer than an interval is stale: the next one does the same work.
        "options": {"expires": max(1.0, settings.REVIEW_SWEEP_SECONDS)},
    },
    "reviews-threshold-watch": {
        "task": "reviews.threshold_watch",
        "schedule": timedelta(seconds=settings.THRESHOLD_WATCH_SECONDS),
        "options": {"expires": max(1.0, settings.THRESHOLD_WATCH_SECONDS)},
    },
    "reviews-signal-alerts": {
        "task": "reviews.signal_alerts",
        "schedule": timedelta(seconds=settings.ALERT_CHECK_SECONDS),
        "options": {"expires": max(1.0, settings.ALERT_CHECK_SECONDS)},
    },
}
