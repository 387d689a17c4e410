"""The prompt canary sweep, collected into Celery beat by mangaassist/celery.py.

The task is registered by feedback (it reads trusted feedback and answers: feedback/prompt_canary.py); beat names
it as a string, so prompts imports nothing above it.
"""

from datetime import timedelta

from django.conf import settings

BEAT_SCHEDULE = {
    "prompts-canary-sweep": {
        "task": "feedback.prompt_canary_sweep",
        "schedule": timedelta(seconds=settings.PROMPT_CANARY_SWEEP_SECONDS),
        # A sweep that waited longer than an interval is stale: the next one does the same work.
        "options": {"expires": max(1.0, settings.PROMPT_CANARY_SWEEP_SECONDS)},
    },
}
