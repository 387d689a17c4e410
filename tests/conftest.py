import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connections
from django.utils import translation
from django_redis import get_redis_connection

from catalog import search
from catalog.loader import load_directory
from chat import bedrock, bedrock_local, classifier, degradation
from chat.memory import load_memory
from chat.models import ChatSession, Message
from chat.pipeline import produce_draft
from mangaassist.celery import app
from prompts import serving
from prompts.seed import ensure_live_version
from reviews import roles
from reviews.models import EscalationThreshold
from reviews.thresholds import ensure_default_thresholds, reset_cache
from tests.factories import CATALOG_DIR, all_drafts_auto, make_user
from tests.support.processes import FAST
from tests.support.sockets import Socket


# Celery's own keys (queues, bindings, unacked messages, results, pidbox): a running worker needs them.
BROKER_KEY_PREFIXES = (b"_kombu", b"unacked", b"celery")


@pytest.fixture(autouse=True)
def _clean_redis_keys():
    """Tests share one Redis: every key but the broker's is dropped before each test, so no test sees another's
    response cache, turn locks, guard counters, versions or metrics, whatever prefix the code under test uses."""
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
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_task_queue():
    """Tasks a previous test enqueued without a worker must not be answered in this one (ids are reused)."""
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(app.conf.task_default_queue)
    yield


@pytest.fixture(autouse=True)
def _live_prompt(request):
    """Every test with a database starts with the seeded live prompt version (a transactional test's flush removes
    what migrations seeded) and with no prompt snapshot cached in this process from an earlier test."""
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
    ensure_live_version()
    yield
    serving.reset_cache()


@pytest.fixture(autouse=True)
def _review_state():
    """No test sees thresholds another test cached in this process."""
    reset_cache()
    yield
    reset_cache()


# --- fixtures shared by several test folders (helpers that are not fixtures live in tests/factories.py) ----------

@pytest.fixture
def catalog_data(transactional_db):
    """A dozen real series with products, FAQ, customers and orders; a fresh search index.

    Committed (transactional_db), because the tools run their queries on a thread of their own, with its own
    database connection, exactly as in production."""
    search.reset_index()
    report = load_directory(CATALOG_DIR, progress=False)
    assert report.rejected == []
    yield report
    search.reset_index()


@pytest.fixture
def shipped_catalog(transactional_db):
    """The catalog the store ships (about 380 series): with a dozen titles no other words can drown a title."""
    search.reset_index()
    assert load_directory(settings.BASE_DIR / "catalog" / "data", progress=False).rejected == []
    yield
    search.reset_index()


@pytest.fixture(scope="session")
def trained_classifier():
    """Train (or load) the classifier once, outside any timed turn."""
    return classifier.get_model()


@pytest.fixture
def ask(catalog_data, trained_classifier):
    """Ask the pipeline one question in a fresh session; returns the Draft."""

    def _ask(text, locale="ja", customer=None, session=None):
        session = session or ChatSession.objects.create(locale=locale, customer=customer)
        message = Message.objects.create(session=session, role="user", text=text)
        return produce_draft(message, load_memory(session, before=message))

    return _ask


@pytest.fixture
def thresholds(db):
    """Transactional tests flush the migration's rows: put the defaults (and the role groups) back.

    The seeded evening peak profile is cleared too, so that a test routes the same at any hour of the day (a test
    about the peak profile sets its own values and passes `now`)."""
    ensure_default_thresholds()
    EscalationThreshold.objects.update(peak_auto_respond_min=None, peak_review_min=None, peak_handoff_below=None)
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)
    reset_cache()


@pytest.fixture
def fast(settings):
    """Shortened review timings in this process (worker subprocesses get them through processes.fast_env())."""
    for key, value in FAST.items():
        setattr(settings, key, value)
    return settings


@pytest.fixture
def reviewer(django_user_model, thresholds):
    return make_user(django_user_model, "rita", roles.REVIEWER)


@pytest.fixture
def reviewer2(django_user_model, thresholds):
    return make_user(django_user_model, "ren", roles.REVIEWER)


@pytest.fixture
def senior(django_user_model, thresholds):
    return make_user(django_user_model, "sato", roles.SENIOR)


@pytest.fixture
async def socket():
    """Opens customer sockets: `s = await socket()`.

    Afterwards it closes the database connection the consumers used. Channels' test communicator turns
    close_old_connections into a no-op while any socket sends or receives, so with customers coming and going a
    consumer's connection can outlive the test, and PostgreSQL then refuses to drop the test database."""

    async def make():
        return await Socket().open()

    yield make
    await sync_to_async(connections.close_all)()


@pytest.fixture
def auto_answers(transactional_db):
    """Every draft goes straight out: for tests about transport and recovery, not about review."""
    all_drafts_auto()
    yield
    reset_cache()


@pytest.fixture
def local_bedrock(settings, monkeypatch):
    """The Bedrock backend, through real boto3, against the local Bedrock-compatible server (chat/bedrock_local.py)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    behaviour = bedrock_local.Behaviour(classify_latency=0.0, answer_latency=0.0)
    with bedrock_local.serve(behaviour) as (url, behaviour):
        settings.LLM_BACKEND = "bedrock"
        settings.BEDROCK_ENDPOINT_URL = url
        settings.BEDROCK_CALL_TIMEOUT_SECONDS = 1
        monkeypatch.setattr(bedrock, "CLASSIFY_BUDGET_SECONDS", 1)
        monkeypatch.setattr(bedrock, "_clients", {})  # clients made for another endpoint stay out of this test
        degradation.reset()
        yield behaviour
        degradation.reset()
