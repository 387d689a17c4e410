import pytest


# Celery's own keys (queues, bindings, unacked messages, results, pidbox): a running worker needs them.
BROKER_KEY_PREFIXES = (b"_kombu", b"unacked", b"celery")


@pytest.fixture(autouse=True)
def _clean_redis_keys():
    """Tests share one Redis: every key but the broker's is dropped before each test, so no test sees another's
    response cache, turn locks, guard counters, versions or metrics, whatever prefix the code under test uses."""
    from django_redis import get_redis_connection

    from mangaassist.celery import app

    client = get_redis_connection()
    queue = app.conf.task_default_queue.encode()
    doomed = [key for key in client.scan_iter(count=1000)
              if not key.startswith(BROKER_KEY_PREFIXES) and not key.startswith(queue)]
    if doomed:
        client.delete(*doomed)
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """A test that activates a language (or a request that does) must not leave it to the next test."""
    yield
    from django.utils import translation

    translation.deactivate()


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
