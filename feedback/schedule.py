"""Periodic feedback audits, collected into Celery beat by mangaassist/celery.py.

Minutes are staggered so the audits never start together with each other or with the other apps' sweeps.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "feedback-adversarial-audit": {"task": "feedback.adversarial_audit",
                                   "schedule": crontab(minute=17, hour=3, day_of_week="mon")},
    "feedback-topic-drift-audit": {"task": "feedback.topic_drift_audit", "schedule": crontab(minute=7)},
    "feedback-join-rate-audit": {"task": "feedback.join_rate_audit", "schedule": crontab(minute=37)},
    "feedback-satisfaction-audit": {"task": "feedback.satisfaction_audit", "schedule": crontab(minute=23, hour=4)},
    "feedback-consistency-audit": {"task": "feedback.consistency_audit", "schedule": crontab(minute=43, hour=4)},
}
