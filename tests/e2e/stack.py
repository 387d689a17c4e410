"""The product as its users get it: `python -m mangaassist.launcher` (embedded Valkey, uvicorn, a Celery worker,
beat) on its own SQLite database and VAR_DIR, with the shipped demo catalog loaded on first start.

Review timings are shortened so a journey fits in a test (heartbeat 5 s, customer timeout 100 s); every threshold
is set to send every draft to a reviewer, so the drafts reviewers see are the real pipeline's. Staff accounts are
made with the real `manage.py create_staff`. E2E_STACK_SEED_DB may name an already-loaded SQLite file to copy
(only to save the catalog load when iterating locally)."""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import BASE_DIR, free_port, wait_until

PASSWORD = "pw-for-e2e-tests"
TIMINGS = {
    "REVIEW_HEARTBEAT_SECONDS": "5", "REVIEW_TIMEOUT_SECONDS": "100", "REVIEW_LOW_PRIORITY_MAX_AGE_SECONDS": "600",
    "REVIEW_SWEEP_SECONDS": "1", "REVIEW_CLAIM_TTL_SECONDS": "600", "REVIEW_FOLLOWUP_SLA_SECONDS": "1800",
    "REVIEWER_ACTIVE_SECONDS": "900",
}
EVERYTHING_TO_REVIEW = """
from reviews.models import EscalationThreshold
for t in EscalationThreshold.objects.all():
    t.auto_respond_min, t.review_min, t.handoff_below = 1.0, 0.0, 0.0
    t.peak_auto_respond_min = t.peak_review_min = t.peak_handoff_below = None
    t._change_reason = "e2e: every draft to a reviewer"
    t.save()
"""


@dataclass
class Stack:
    base: str
    env: dict
    var_dir: Path
    process: subprocess.Popen

    def manage(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=self.env, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    def staff(self, username: str, role: str) -> str:
        self.manage("create_staff", username, "--role", role, "--password", PASSWORD)
        return username


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=3) as response:
            return json.load(response) == {"database": "ok", "redis": "ok", "celery": "ok"}
    except (OSError, ValueError):
        return False


def start_stack() -> Stack:
    var_dir = Path(tempfile.mkdtemp(prefix="e2e-stack-"))
    seed = os.environ.get("E2E_STACK_SEED_DB")
    if seed:
        shutil.copy(seed, var_dir / "db.sqlite3")
    port = free_port()
    env = dict(os.environ, VAR_DIR=str(var_dir), PORT=str(port), DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
               DJANGO_SETTINGS_MODULE="mangaassist.settings", PYTHONUNBUFFERED="1", **TIMINGS)
    for key in ("REDIS_URL", "CELERY_QUEUE"):
        env.pop(key, None)
    log = open(var_dir / "launcher.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "mangaassist.launcher"], cwd=BASE_DIR, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    stack = Stack(base=base, env=env, var_dir=var_dir, process=process)
    try:
        wait_until(lambda: process.poll() is not None or _healthy(base), timeout=900, interval=1,
                   message="the launcher's /healthz (the first start loads the catalog)")
        assert process.poll() is None, (var_dir / "launcher.log").read_text()[-3000:]
        # The Redis the launcher started (for `manage.py` runs that must reach the same cache and channels).
        env["REDIS_URL"] = f"unix://{var_dir / 'valkey.sock'}"
        stack.manage("shell", "-c", EVERYTHING_TO_REVIEW)
    except BaseException:
        stop_stack(stack)
        raise
    return stack


def stop_stack(stack: Stack) -> None:
    if stack.process.poll() is None:
        os.killpg(stack.process.pid, signal.SIGTERM)
        try:
            stack.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.process.pid, signal.SIGKILL)
            stack.process.wait(5)
    shutil.rmtree(stack.var_dir, ignore_errors=True)
