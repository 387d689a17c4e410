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
