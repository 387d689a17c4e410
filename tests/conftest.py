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
