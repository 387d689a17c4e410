"""`/healthz` and `/metrics`.

`/healthz` must never be what takes the site down, however often it is called. So:
- it is an async view: it never waits in the one thread Channels and Django use for database work;
- each check (database, Redis, Celery) runs in a small thread pool of its own, at most one run per check at a time
  in a process, and its result is cached for HEALTHZ_CACHE_SECONDS: 200 concurrent calls cost one probe each;
- a call waits at most HEALTHZ_TIMEOUT_SECONDS; a probe still running then is reported as an error (the next call
  shares that same run instead of starting another);
- the Celery check talks to no worker: it reads the heartbeats workers write to Redis (mangaassist/celery.py).
"""

import asyncio
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from common import metrics as app_metrics  # the view below is named metrics
from mangaassist.celery import live_workers

_probes = ThreadPoolExecutor(max_workers=3, thread_name_prefix="healthz")
_redis_client = None


def _health_redis() -> redis.Redis:
    """A client of its own with short timeouts: a hung Redis answers "error", it does not hang the probe thread."""
    global _redis_client
    if _redis_client is None:
        timeout = settings.HEALTHZ_TIMEOUT_SECONDS
        _redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=timeout,
                                             socket_connect_timeout=timeout)
    return _redis_client


def _database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()  # the probe thread keeps no connection between checks (a restarted database is seen)


def _redis():
    _health_redis().ping()


def _celery():
    workers = live_workers(_health_redis())
    if not workers:
        raise RuntimeError(f"no worker heartbeat in the last {settings.CELERY_HEARTBEAT_MAX_AGE_SECONDS:g}s")


class CachedCheck:
    """One probe, run at most once at a time per process, its outcome ("ok" or "error: …") kept for a while."""

    def __init__(self, probe):
        self.probe = probe
        self._lock = threading.Lock()
        self._future: Future | None = None
        self._finished_at = 0.0

    def _run(self) -> str:
        try:
            self.probe()
            outcome = "ok"
        except Exception as exc:  # the point is to report any failure as text
            outcome = f"error: {type(exc).__name__}: {exc}"[:300]
        self._finished_at = time.monotonic()
        return outcome

    def future(self) -> Future:
        """The run in flight, the cached outcome, or a new run once the cached one is older than the cache time."""
        with self._lock:
            stale = (self._future is None or
                     (self._future.done() and time.monotonic() - self._finished_at >= settings.HEALTHZ_CACHE_SECONDS))
            if stale:
                self._future = _probes.submit(self._run)
            return self._future

    def forget(self) -> None:
        with self._lock:
            self._future = None


CHECKS = {"database": CachedCheck(_database), "redis": CachedCheck(_redis), "celery": CachedCheck(_celery)}


def forget() -> None:
    """Drop the cached outcomes (tests; a process that knows something changed)."""
    for check in CHECKS.values():
        check.forget()


async def _wait_all(futures: list[Future], timeout: float) -> None:
    """Wait until every future is done or the timeout passed, without cancelling any (other calls share them)."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    remaining = [len(futures)]

    def finished(_):
        def count():
            remaining[0] -= 1
            if remaining[0] == 0 and not done.done():
                done.set_result(None)

        try:
            loop.call_soon_threadsafe(count)
        except RuntimeError:  # that call's event loop is already closed: nobody is waiting any more
            pass

    for future in futures:
        future.add_done_callback(finished)
    try:
        await asyncio.wait_for(done, timeout)
    except asyncio.TimeoutError:
        pass


async def current_report() -> dict[str, str]:
    futures = {name: check.future() for name, check in CHECKS.items()}
    await _wait_all(list(futures.values()), settings.HEALTHZ_TIMEOUT_SECONDS)
    return {name: future.result() if future.done() else
            f"error: no answer within {settings.HEALTHZ_TIMEOUT_SECONDS:g}s"
            for name, future in futures.items()}


@never_cache
@require_GET
async def healthz(request):
    report = await current_report()
    healthy = all(value == "ok" for value in report.values())
    return JsonResponse(report, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request):
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    allowed = request.user.is_staff or (settings.METRICS_TOKEN and token == settings.METRICS_TOKEN)
    if not allowed:
        return JsonResponse({"detail": "Staff login or the metrics token is required."}, status=403)
    return HttpResponse(generate_latest(app_metrics.registry()), content_type=CONTENT_TYPE_LATEST)
