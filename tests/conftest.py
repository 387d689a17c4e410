import pytest


@pytest.fixture(autouse=True)
def _clean_redis_keys(settings):
    """Tests share one Redis: drop cached values (not Celery's queues) so no test sees another's cache."""
    from django.core.cache import cache

    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
    for pattern in (f"{prefix}:*", "metrics:*", "ratelimit:*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    yield


@pytest.fixture(autouse=True)
def _empty_task_queue():
    """Tasks a previous test enqueued without a worker must not be answered in this one (ids are reused)."""
    from mangaassist.celery import app

    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    yield


@pytest.fixture(autouse=True)
def _live_prompt(request):
    """Every test with a database starts with the seeded live prompt version (a transactional test's flush removes
    what migrations seeded) and with no prompt snapshot cached in this process from an earlier test."""
    from prompts import serving

    serving.reset_cache()
    names = request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" in names or "live_server" in names or (marker and marker.kwargs.get("transaction")):
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        yield
        return
    from prompts.seed import ensure_live_version

    ensure_live_version()
    yield
    serving.reset_cache()
