from django.conf import settings

BEAT_SCHEDULE = {
    "chat-requeue-lost-turns": {"task": "chat.requeue_lost_turns", "schedule": settings.CHAT_REENQUEUE_SWEEP_SECONDS},
    "chat-promise-watchdog": {"task": "chat.promise_watchdog", "schedule": settings.CHAT_WATCHDOG_SECONDS},
}
