"""The Celery app. Periodic tasks are declared by each app in `<app>/schedule.py` as a dict named BEAT_SCHEDULE."""

import importlib
import logging
import os
import threading
import time

import redis
from celery import Celery, signals
from django.conf import settings
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mangaassist.settings")
log = logging.getLogger(__name__)

app = Celery("mangaassist", include=["mangaassist.turn"])  # the turn task stands above the apps
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _collect_beat_schedule() -> dict:
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


from common.observability import connect_celery_signals  # noqa: E402

connect_celery_signals()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _recycle_connections(**_):
    """A task is a request as far as the database is concerned: its connections follow CONN_MAX_AGE and
    CONN_HEALTH_CHECKS. Celery's own fixup would close them at every task (see CELERY_DB_REUSE_MAX)."""
    close_old_connections()


@signals.worker_process_init.connect
def _warm_up(**_):
    """Load the embedding model and the classifier in the background, so the first turn is not the slow one."""

    def warm():
        from chat import classifier

        classifier.get_model()
        classifier.classify("こんにちは")

    threading.Thread(target=warm, daemon=True, name="warm-up").start()


# --- worker heartbeat: what /healthz reads instead of pinging workers ------------------------------------------
# Every worker's event loop sends a heartbeat every 2 s (celery's `heartbeat_sent`, on unless --without-heartbeat);
# each one stamps the worker in a sorted set in Redis, per queue. A worker that stops (or whose loop is stuck) stops
# stamping, and /healthz counts only stamps younger than CELERY_HEARTBEAT_MAX_AGE_SECONDS. One write per worker every
# 2 s, however many times /healthz is called.
_heartbeat_client = None


def heartbeat_key() -> str:
    return f"health:celery:{app.conf.task_default_queue}"


def _heartbeat_redis():
    global _heartbeat_client
    if _heartbeat_client is None:
        _heartbeat_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    return _heartbeat_client


def stamp_worker(hostname: str) -> None:
    """Record that this worker is alive now (and forget workers silent for an hour)."""
    try:
        now = time.time()
        client = _heartbeat_redis()
        key = heartbeat_key()
        pipe = client.pipeline(transaction=False)
        pipe.zadd(key, {hostname: now})
        pipe.zremrangebyscore(key, "-inf", now - 3600)
        pipe.expire(key, 3600)
        pipe.execute()
    except Exception:  # never let a Redis hiccup disturb the worker's event loop; /healthz will notice
        log.warning("worker heartbeat not written", exc_info=True)


def live_workers(client=None) -> list[str]:
    """Hostnames of the workers of this queue whose last heartbeat is recent enough."""
    client = client or _heartbeat_redis()
    since = time.time() - settings.CELERY_HEARTBEAT_MAX_AGE_SECONDS
    return [name.decode() for name in client.zrangebyscore(heartbeat_key(), since, "+inf")]


@signals.heartbeat_sent.connect
def _heartbeat(sender, **_):
    stamp_worker(sender.eventer.hostname)


@signals.worker_ready.connect
def _ready(sender, **_):
    stamp_worker(sender.hostname)


@signals.worker_shutdown.connect
def _gone(sender, **_):
    try:
        _heartbeat_redis().zrem(heartbeat_key(), sender.hostname)
    except Exception:
        pass

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
        log.warning("worker warm-up failed", exc_info=True)
    finally:
        connections.close_all()


# --- surviving a broker restart with a task in flight ------------------------------------------------------------
# When the Redis connection drops while tasks are unacknowledged (acks_late: any turn being answered), kombu's redis
# transport goes on using the channel it has already released: restoring the unacked messages at the reconnect and
# acknowledging a task that finishes just after both raise AttributeError ("'NoneType' object has no attribute
# 'hostname'" / "'client'"). Celery treats that as unrecoverable and the worker exits (seen in the Valkey-restart
# fault drill). Such a message is still in Redis' unacked set, which the transport restores after the visibility
# timeout (a redelivered turn finds its message answered and does nothing), and the turn is in the database, where
# the re-enqueue sweep finds it within seconds: so the worker notes it and goes on reconnecting.
def _unless_connection_gone(method, what: str):
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except AttributeError:
            log.warning(
                "broker connection already gone: could not %s; the message stays in Redis (restored after the "
                "visibility timeout) and its turn in the database (the re-enqueue sweep)", what)
            if what == "restore unacknowledged messages":
                self._delivered.clear()
    guarded.survives_lost_connection = True
    return guarded


def _patch_kombu_qos() -> None:
    from kombu.transport import redis as kombu_redis

    for name, what in (("restore_unacked", "restore unacknowledged messages"), ("ack", "acknowledge a message"),
                       ("reject", "reject a message")):
        method = getattr(kombu_redis.QoS, name)
        if not getattr(method, "survives_lost_connection", False):
            setattr(kombu_redis.QoS, name, _unless_connection_gone(method, what))


_patch_kombu_qos()
