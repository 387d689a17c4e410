"""Periodic feedback audits, collected into Celery beat by mangaassist/celery.py.

Minutes are staggered so the audits never start together with each other or with the other apps' sweeps.
"""

from datetime import timedelta

from celery.schedules import crontab
from django.conf import settings

BEAT_SCHEDULE = {
    "feedback-adversarial-audit": {"task": "feedback.adversarial_audit",
                                   "schedule": crontab(minute=17, hour=3, day_of_week="mon")},
    "feedback-topic-drift-audit": {"task": "feedback.topic_drift_audit", "schedule": crontab(minute=7)},
    "feedback-join-rate-audit": {"task": "feedback.join_rate_audit", "schedule": crontab(minute=37)},
    "feedback-satisfaction-audit": {"task": "feedback.satisfaction_audit", "schedule": crontab(minute=23, hour=4)},
    "feedback-consistency-audit": {"task": "feedback.consistency_audit", "schedule": crontab(minute=43, hour=4)},
    # prompts/canary.py decides; feedback/prompt_canary.py counts (it reads trusted feedback and answers)
    "feedback-prompt-canary-sweep": {"task": "feedback.prompt_canary_sweep",
                                     "schedule": timedelta(seconds=settings.PROMPT_CANARY_SWEEP_SECONDS),
                                     "options": {"expires": max(1.0, settings.PROMPT_CANARY_SWEEP_SECONDS)}},
}
