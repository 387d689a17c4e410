"""The launcher brings the whole product up and takes it all down again."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import psutil
import pytest
from websockets.sync.client import connect

from tests.support.processes import BASE_DIR, free_port, wait_until

pytestmark = pytest.mark.slow


def _healthz(base):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except OSError:
        return None, None


def test_it_starts_everything_and_stops_cleanly_on_sigterm():
    var_dir = Path(tempfile.mkdtemp(prefix="launcher-"))
    port = free_port()
    env = dict(os.environ, VAR_DIR=str(var_dir), PORT=str(port), DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}")
    env.pop("REDIS_URL", None)
    env.pop("CELERY_QUEUE", None)
    log = open(var_dir / "launcher.log", "wb")
    launcher = subprocess.Popen([sys.executable, "-m", "mangaassist.launcher"], cwd=BASE_DIR, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        status, body = wait_until(lambda: (lambda r: r if r[0] == 200 else None)(_healthz(base)), timeout=240,
                                  interval=0.5, message="/healthz to report all ok")
        assert body == {"database": "ok", "redis": "ok", "celery": "ok"}
        assert (var_dir / "valkey.sock").exists()

        with connect(f"ws://127.0.0.1:{port}/ws/chat/", open_timeout=5) as ws:
            ws.send(json.dumps({"type": "ping", "ts": 1}))
            assert json.loads(ws.recv(timeout=5))["type"] == "pong"

        children = psutil.Process(launcher.pid).children(recursive=True)
        names = " ".join(" ".join(child.cmdline()) for child in children)
        assert "uvicorn" in names and "worker" in names and "beat" in names and "valkey" in names

        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(30) == 0
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
        assert not (var_dir / "valkey.sock").exists()
        output = (var_dir / "launcher.log").read_text()
        assert f"http://127.0.0.1:{port}/admin/" in output
    finally:
        if launcher.poll() is None:
            launcher.kill()
        log.close()


def test_it_ends_with_a_nonzero_status_when_a_child_dies():
    var_dir = Path(tempfile.mkdtemp(prefix="launcher-"))
    port = free_port()
    env = dict(os.environ, VAR_DIR=str(var_dir), PORT=str(port), DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}")
    env.pop("REDIS_URL", None)
    env.pop("CELERY_QUEUE", None)
    launcher = subprocess.Popen([sys.executable, "-m", "mangaassist.launcher"], cwd=BASE_DIR, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: (var_dir / "valkey.sock").exists(), timeout=60, message="valkey to start")
        valkey = next(c for c in psutil.Process(launcher.pid).children(recursive=True)
                      if "valkey" in " ".join(c.cmdline()) and "server" in c.name())
        valkey.kill()
        assert launcher.wait(60) != 0
        output = launcher.stdout.read().decode()
        assert "valkey" in output and "stopped" in output
        assert not (var_dir / "valkey.sock").exists()
    finally:
        if launcher.poll() is None:
            launcher.kill()
