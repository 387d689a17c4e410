import pytest

from mangaassist import health
from tests.support.processes import celery_worker, wait_until


@pytest.fixture(autouse=True)
def _fresh_probes():
    health.forget()
    yield
    health.forget()


def test_it_reports_503_when_no_worker_has_a_recent_heartbeat(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert body["celery"].startswith("error") and "heartbeat" in body["celery"]


def test_it_reports_redis_down_quickly_instead_of_hanging(client, db, settings, monkeypatch):
    settings.REDIS_URL = "unix:///nonexistent/valkey.sock"
    monkeypatch.setattr(health, "_redis_client", None)
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error") and body["celery"].startswith("error")
    monkeypatch.setattr(health, "_redis_client", None)


def test_it_answers_a_slow_probe_within_the_timeout_and_shares_one_run(client, db, settings, monkeypatch):
    import threading

    settings.HEALTHZ_TIMEOUT_SECONDS = 0.3
    release, runs = threading.Event(), []

    def stuck():
        runs.append(1)
        release.wait(5)

    monkeypatch.setattr(health.CHECKS["database"], "probe", stuck)
    try:
        first = client.get("/healthz").json()
        second = client.get("/healthz").json()
        assert first["database"] == second["database"] == "error: no answer within 0.3s"
        assert len(runs) == 1  # the second call waited on the run already in flight, it did not start another
    finally:
        release.set()


@pytest.mark.slow
def test_it_reports_ok_from_a_live_worker_heartbeat_and_not_after_it_stops(client, transactional_db):
    with celery_worker(concurrency=1):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"database": "ok", "redis": "ok", "celery": "ok"}
        assert response["Cache-Control"].startswith("max-age=0")
    health.forget()
    # A worker that stops cleanly takes its heartbeat with it.
    wait_until(lambda: client.get("/healthz").status_code == 503, timeout=5, message="healthz to notice the worker left")
