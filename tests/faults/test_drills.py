"""Fault drills against real processes (uvicorn, Celery worker and beat): each ends with every customer message
answered once. The outcome (sent, answered, duplicated, fallbacks, seconds to recover) is printed as `[drill] …`.

Timings are shortened for the drills: a turn counts as lost after 10 s (default 30 s) and the re-enqueue sweep runs
every 2 s (default 10 s); the turn lock's 15 s time to live is the real one.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection, transaction

from tests.faults.drill import Customer, Outcome
from tests.support.processes import _spawn, _stop, celery_beat, process_env, uvicorn_server, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
DRILL_ENV = {"CHAT_REENQUEUE_AFTER_SECONDS": "10", "CHAT_REENQUEUE_SWEEP_SECONDS": "2", "CHAT_WATCHDOG_SECONDS": "5"}
QUESTIONS = ["ワンピースの1巻はありますか", "送料はいくらですか", "進撃の巨人の在庫は？", "鬼滅の刃の最新刊はいくら？",
             "呪術廻戦は何巻まで出ていますか", "おすすめの少女漫画は？"]


@contextmanager
def worker(redis_url: str, **env: str):
    """A Celery worker; ready once its heartbeat is in `redis_url` (works whichever Redis the test process uses)."""
    from mangaassist.celery import heartbeat_key

    env = {k: v for k, v in env.items() if k != "REDIS_URL"}
    name = f"drill-{os.getpid()}-{time.monotonic_ns()}@localhost"
    proc = _spawn([sys.executable, "-m", "celery", "-A", "mangaassist", "worker", "-l", "INFO", "-n", name,
                   "--concurrency", "2", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE, "--without-gossip",
                   "--without-mingle"], process_env(REDIS_URL=redis_url, **env), "worker")
    client = redis.Redis.from_url(redis_url)
    try:
        wait_until(lambda: proc.poll() is not None or client.zscore(heartbeat_key(), name), timeout=60,
                   message="the worker's first heartbeat")
        assert proc.poll() is None, "the worker exited at start; see var/test-logs/worker.log"
        yield proc
    finally:
        _stop(proc)


def kill_9(proc: subprocess.Popen) -> None:
    """kill -9 of the worker's main process; the launcher then stops the rest of it (its pool children) too."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


async def _ask_all(customers, texts_each: int, offset: int = 0):
    for i in range(texts_each):
        for n, customer in enumerate(customers):
            await customer.send(QUESTIONS[(offset + i + n) % len(QUESTIONS)])


async def _finish(customers, name: str, fault_at: float, timeout: float = 150) -> Outcome:
    await asyncio.gather(*(c.all_answered(timeout) for c in customers))
    recovered = time.monotonic() - fault_at
    for customer in customers:
        await customer.close()
    outcome = await sync_to_async(Outcome.from_database)(name, recover_seconds=recovered)
    outcome.report()
    assert sum(c.duplicated() for c in customers) == 0
    return outcome


def _assert_clean(outcome: Outcome, sent: int):
    assert outcome.sent == sent
    assert outcome.answered == sent and outcome.unanswered == []
    assert outcome.duplicated == 0
    assert outcome.fallbacks == 0  # answered for real, not apologised for


async def test_drill_kill_9_the_worker_main_process_mid_turn_and_restart_it(auto_answers):
    redis_url = settings.REDIS_URL
    with ExitStack() as stack:
        base = stack.enter_context(uvicorn_server(**DRILL_ENV))
        stack.enter_context(celery_beat(**DRILL_ENV))
        first = stack.enter_context(worker(redis_url, **DRILL_ENV))
        customers = [await Customer(base).open() for _ in range(3)]
        await _ask_all(customers, 1)
        # Mid-turn: a turn holds its session's lock while it works.
        locks = redis.Redis.from_url(redis_url)
        wait_until(lambda: any(locks.scan_iter(match="chat:turn:*")), timeout=60, interval=0.01,
                   message="a turn to start")
        kill_9(first)
        fault_at = time.monotonic()
        await asyncio.sleep(2)
        stack.enter_context(worker(redis_url, **DRILL_ENV))
        await _ask_all(customers, 1, offset=3)
        outcome = await _finish(customers, "kill -9 worker main process mid-turn, restart", fault_at)
    _assert_clean(outcome, 6)


@pytest.fixture
def own_valkey():
    """A Valkey of this drill's own, started the way the launcher starts it (append-only file)."""
    from mangaassist.launcher import valkey_command, wait_for_redis

    folder = Path(tempfile.mkdtemp(prefix="drill-valkey-"))
    sock = folder / "valkey.sock"
    command = valkey_command(sock, folder)
    state = {"proc": subprocess.Popen(command, stdout=subprocess.DEVNULL)}
    url = f"unix://{sock}"
    wait_for_redis(url)

    def restart(down_seconds: float = 2.0) -> None:
        proc = state["proc"]
        proc.send_signal(signal.SIGKILL)  # a crash: only what the append-only file holds survives
        proc.wait(10)
        time.sleep(down_seconds)
        state["proc"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for_redis(url)

    yield url, restart
    state["proc"].terminate()
    state["proc"].wait(10)
    shutil.rmtree(folder, ignore_errors=True)


async def test_drill_restart_valkey_mid_conversation(auto_answers, own_valkey):
    url, restart = own_valkey
    env = dict(DRILL_ENV, REDIS_URL=url)
    with ExitStack() as stack:
        base = stack.enter_context(uvicorn_server(**env))
        stack.enter_context(celery_beat(**env))
        stack.enter_context(worker(url, **env))
        customers = [await Customer(base).open() for _ in range(3)]
        await asyncio.gather(*(c.ask(QUESTIONS[n]) for n, c in enumerate(customers)))  # a conversation going on
        await _ask_all(customers, 1, offset=1)  # these are queued or being answered when Valkey dies
        await asyncio.to_thread(restart)
        fault_at = time.monotonic()
        await _ask_all(customers, 1, offset=2)
        outcome = await _finish(customers, "Valkey killed and restarted mid-conversation (AOF)", fault_at)
        print(f"[drill] customer reconnects: {sum(c.reconnects for c in customers)}")
    _assert_clean(outcome, 9)


def _hold_write_lock(seconds: float, holding: threading.Event) -> None:
    """Another writer holding the database's write lock (SQLite) or chat_message's (PostgreSQL) for `seconds`."""
    try:
        with transaction.atomic():  # SQLite: BEGIN IMMEDIATE (settings) takes the write lock at once
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("LOCK TABLE chat_message IN EXCLUSIVE MODE")
                else:
                    cursor.execute("UPDATE chat_chatsession SET cost_usd = cost_usd WHERE 1 = 0")
            holding.set()
            time.sleep(seconds)
    finally:
        connection.close()


async def test_drill_hold_the_database_write_lock_for_5s(auto_answers):
    with ExitStack() as stack:
        base = stack.enter_context(uvicorn_server(**DRILL_ENV))
        stack.enter_context(celery_beat(**DRILL_ENV))
        stack.enter_context(worker(settings.REDIS_URL, **DRILL_ENV))
        customers = [await Customer(base).open() for _ in range(3)]
        await asyncio.gather(*(c.ask(QUESTIONS[n]) for n, c in enumerate(customers)))
        holding = threading.Event()
        locker = threading.Thread(target=_hold_write_lock, args=(5.0, holding))
        locker.start()
        await asyncio.to_thread(holding.wait, 10)
        fault_at = time.monotonic()
        await _ask_all(customers, 2, offset=1)  # sent while the lock is held
        await asyncio.to_thread(locker.join, 20)
        outcome = await _finish(customers, f"{connection.vendor} write lock held for 5 s", fault_at)
    _assert_clean(outcome, 9)



@pytest.fixture
def tcp_valkey():
    """A Valkey on a TCP port of its own (production reaches Redis over TCP), and a function that kill -9s and
    restarts it."""
    import socket

    from mangaassist.launcher import valkey_binary, wait_for_redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [valkey_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    state = {"proc": subprocess.Popen(command, stdout=subprocess.DEVNULL)}
    url = f"redis://127.0.0.1:{port}/0"
    wait_for_redis(url)

    def restart():
        state["proc"].kill()
        state["proc"].wait(10)
        state["proc"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_for_redis(url)

    yield url, restart
    state["proc"].kill()
    state["proc"].wait(10)


async def test_the_first_push_after_a_valkey_restart_reaches_the_socket(tcp_valkey):
    """After a restart a worker's pooled connection is dead and redis-py's asyncio client does not retry by default:
    each process's first push raised 'Connection closed by server' and waited for the socket's catch-up
    (settings.CHANNEL_LAYERS retries once on a connection error)."""
    from channels_redis.pubsub import RedisPubSubChannelLayer

    url, restart = tcp_valkey
    hosts = [dict(settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0], address=url)]
    web, worker = RedisPubSubChannelLayer(hosts=hosts), RedisPubSubChannelLayer(hosts=hosts)
    socket = await web.new_channel()
    await web.group_add("chat.drill", socket)
    await worker.group_send("chat.drill", {"type": "chat.frame", "n": 1})
    assert (await asyncio.wait_for(web.receive(socket), 5))["n"] == 1
    await asyncio.to_thread(restart)
    await asyncio.sleep(2)  # the web process's subscription is back (it reconnects on its next read)
    await worker.group_send("chat.drill", {"type": "chat.frame", "n": 2})
    assert (await asyncio.wait_for(web.receive(socket), 5))["n"] == 2
    await web.flush()
    await worker.flush()
