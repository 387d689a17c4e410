import pytest

from tests.support.processes import celery_worker


def test_it_reports_503_when_no_worker_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok" and body["redis"] == "ok"
    assert body["celery"].startswith("error")


@pytest.mark.slow
def test_it_reports_ok_with_a_live_worker(client, transactional_db):
    with celery_worker(concurrency=1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "celery": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")
