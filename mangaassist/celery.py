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


@signals.worker_init.connect
def _warm_up_threads_pool(sender=None, **_):
    """A threads (or solo) pool has no worker_process_init: warm the one process here, before it takes a task.

    Synchronously: with 32 threads, the first turns would all wait for the same cold loads and their tools would
    time out. The index, the embedding model, the classifier and SudachiPy load in a few seconds."""
    if "prefork" in str(getattr(sender, "pool_cls", "prefork")).lower():
        return
    import django

    django.setup()  # idempotent; Celery's Django fixup may not have run yet at worker_init
    from django.db import connections

    from catalog import search, tools
    from chat import classifier

    try:
        classifier.get_model()
        classifier.classify("こんにちは")
        search.warm_up()
        tools.search_faq("warm up", "ja")
    except Exception:  # an unmigrated database, say: the first real turn will try again
        import logging

        logging.getLogger(__name__).warning("worker warm-up failed", exc_info=True)
    finally:
        connections.close_all()
