from django.conf import settings

BEAT_SCHEDULE = {
    "chat-promise-watchdog": {"task": "chat.promise_watchdog", "schedule": settings.CHAT_WATCHDOG_SECONDS},
}
