"""Real processes for tests: a Celery worker, Celery beat and a uvicorn server, all on the test database.

They see only committed data: use them from `transactional_db` tests. Each process gets the test database through
DATABASE_URL, the same Redis, and a queue name unique to this test run so that nothing else consumes its tasks.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)

# Shortened review timings, given to the test process (the `fast` fixture) and to worker/beat subprocesses alike.
FAST = {
    "REVIEW_SWEEP_SECONDS": 0.5,
    "REVIEW_HEARTBEAT_SECONDS": 1.0,
    "REVIEW_TIMEOUT_SECONDS": 4.0,
    "REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS": 4.0,
    "REVIEW_CLAIM_TTL_SECONDS": 1.0,
}


def fast_env(**extra) -> dict[str, str]:
    """FAST (plus `extra`) as the environment of a worker or beat subprocess."""
    return {key: str(value) for key, value in {**FAST, **extra}.items()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_database_url() -> str:
    """The URL of the database the tests are using right now (pytest-django's test database)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_QUEUE=settings.CELERY_TASK_DEFAULT_QUEUE,
        DJANGO_SETTINGS_MODULE="mangaassist.settings",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def _stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _spawn(args: list[str], env: dict[str, str], log_name: str) -> subprocess.Popen:
    log_dir = Path(settings.VAR_DIR) / "test-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"{log_name}.log", "ab")
    return subprocess.Popen(args, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.05, message: str = "condition",
               state: Callable[[], str] | None = None):
    """The predicate's first truthy value; a timeout carries `state()` (what the test knows about the system, first,
    because CI shows only the start of a long failure) and the end of every process log of this run, because the
    run's directory (and so the logs) is gone by the time anyone reads the failure."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    known = f" ({state()})" if state else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {message}{known}{_log_tails()}")


def _log_tails(chars: int = 3000) -> str:
    tails = []
    for log in sorted((Path(settings.VAR_DIR) / "test-logs").glob("*.log")):
        tails.append(f"\n--- end of {log.name} ---\n{log.read_text(errors='replace')[-chars:]}")
    return "".join(tails)


@contextmanager
def celery_worker(concurrency: int = 2, **env_extra: str):
    """A real `celery worker` subprocess; yields once it answers a ping."""
    from mangaassist.celery import app

    name = f"test-{os.getpid()}-{time.monotonic_ns()}@localhost"
    proc = _spawn(
        [sys.executable, "-m", "celery", "-A", "mangaassist", "worker", "-l", "INFO", "-n", name,
         "--concurrency", str(concurrency), "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-gossip",
         "--without-mingle"],
        process_env(**env_extra),
        "worker",
    )
    try:
        wait_until(lambda: proc.poll() is not None or app.control.ping(destination=[name], timeout=0.5),
                   timeout=30, message="the celery worker to answer a ping")
        assert proc.poll() is None, "celery worker exited at start; see var/test-logs/worker.log"
        yield proc
    finally:
        _stop(proc)


@contextmanager
def celery_beat(**env_extra: str):
    schedule = Path(settings.VAR_DIR) / f"beat-{time.monotonic_ns()}"
    proc = _spawn([sys.executable, "-m", "celery", "-A", "mangaassist", "beat", "-l", "INFO", "-s", str(schedule)],
                  process_env(**env_extra), "beat")
    try:
        time.sleep(0.5)
        assert proc.poll() is None, "celery beat exited at start; see var/test-logs/beat.log"
        yield proc
    finally:
        _stop(proc)


@contextmanager
def uvicorn_server(port: int | None = None, **env_extra: str):
    """A real uvicorn serving the ASGI app on a free port (or `port`); yields its base URL (http://127.0.0.1:PORT)."""
    port = port or free_port()
    proc = _spawn([sys.executable, "-m", "uvicorn", "mangaassist.asgi:application", "--host", "127.0.0.1",
                   "--port", str(port), "--no-access-log", "--lifespan", "off"], process_env(**env_extra), "uvicorn")
    base = f"http://127.0.0.1:{port}"

    def answering():
        if proc.poll() is not None:
            raise AssertionError("uvicorn exited at start; see var/test-logs/uvicorn.log")
        try:  # a cheap page: /healthz waits a second for Celery's ping
            urllib.request.urlopen(base + "/static/chat/chat.css", timeout=2)
            return True
        except urllib.error.HTTPError:
            return True  # any HTTP answer means the server is up
        except OSError:
            return False

    try:
        wait_until(answering, timeout=30, message="uvicorn to answer")
        yield base
    finally:
        _stop(proc)
