"""The Celery app. Periodic tasks are declared by each app in `<app>/schedule.py` as a dict named BEAT_SCHEDULE."""

import importlib
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mangaassist.settings")

app = Celery("mangaassist")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _collect_beat_schedule() -> dict:
    from django.conf import settings

    schedule = dict(settings.CELERY_BEAT_SCHEDULE)
    for label in ("catalog", "prompts", "chat", "reviews", "feedback"):
        try:
            module = importlib.import_module(f"{label}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.schedule":
                raise
            continue
        schedule.update(module.BEAT_SCHEDULE)
    return schedule


@app.on_after_finalize.connect
def _setup_periodic(sender, **_):
    sender.conf.beat_schedule = _collect_beat_schedule()


from mangaassist.observability import connect_celery_signals  # noqa: E402

connect_celery_signals()


@signals.worker_process_init.connect
def _warm_up(**_):
    """Load the embedding model and the classifier in the background, so the first turn is not the slow one."""
    import threading

    def warm():
        from chat import classifier

        classifier.get_model()
        classifier.classify("こんにちは")

    threading.Thread(target=warm, daemon=True, name="warm-up").start()
