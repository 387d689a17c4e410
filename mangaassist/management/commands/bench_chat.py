"""bench_chat: C concurrent WebSocket customers against a running stack (or one it starts), with a ping/pong baseline.

The client side is plain asyncio + `websockets`; the stack is whatever `--url` points at, or (`--start`) uvicorn and
the launcher's Celery worker command started here on free ports with their own VAR_DIR, Valkey and SQLite database:
the `make run` defaults. `--backend bedrock` also starts the local Bedrock-compatible server (chat/bedrock_local.py).
"""

import asyncio
import json
import os
import random
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chat import classifier
from common.stats import percentile
from mangaassist import launcher

CATALOG_TEMPLATES = {
    "ja": ["「{title}」の{n}巻の在庫はありますか？", "{title}の{n}巻はいくらですか", "「{title}」はどんな話ですか？"],
    "en": ["Is volume {n} of {title} in stock?", "How much is {title} vol {n}?", "What is {title} about?"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    value = percentile(values, q)
    return float("nan") if value is None else value


def question_mix(customers: int, per_customer: int, seed: int = 7) -> list[tuple[str, list[str]]]:
    """(locale, questions) per customer: held-out messages of all 12 categories in the customer's language (refund,
    complaint and legal ones go to review) and availability/price questions about random catalog titles."""
    rng = random.Random(seed)
    heldout = classifier.load_examples("heldout.jsonl")
    by_lang = {lang: [e["text"] for e in heldout if e.get("lang") == lang] for lang in ("ja", "en")}
    titles = []
    manga_file = Path(settings.BASE_DIR) / "catalog" / "data" / "manga.jsonl"
    for line in manga_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            titles.append((record["title_ja"], record["title_en"]))
    plan = []
    for c in range(customers):
        locale = "ja" if c % 2 == 0 else "en"
        questions = []
        for _ in range(per_customer):
            if rng.random() < 0.4:
                title_ja, title_en = rng.choice(titles)
                template = rng.choice(CATALOG_TEMPLATES[locale])
                questions.append(template.format(title=title_ja if locale == "ja" else title_en, n=rng.randint(1, 12)))
            else:
                questions.append(rng.choice(by_lang[locale] or by_lang["ja"]))
        plan.append((locale, questions))
    return plan


BENCH_METRICS_TOKEN = "bench-metrics"
TURNS_BY_TIER = re.compile(r'^chat_turns_total\{tier="(\w+)"\} ([0-9.e+]+)$', re.M)


def read_turn_tiers(ws_url: str) -> dict[str, float] | None:
    """Turns per answer tier so far, from the stack's /metrics (None when it cannot be read)."""
    url = re.sub(r"^ws", "http", ws_url).split("/ws/")[0] + "/metrics"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {BENCH_METRICS_TOKEN}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
    except (OSError, ValueError):
        return None
    return {tier: float(value) for tier, value in TURNS_BY_TIER.findall(text)}


class Stats:
    def __init__(self):
        self.latencies: list[float] = []
        self.pongs_idle: list[float] = []
        self.pongs_load: list[float] = []
        self.kinds: dict[str, int] = {}
        self.errors = 0
        self.lost = 0
        self.lost_questions: list[str] = []  # "message id: text" of questions sent and never answered in time
        self.connect_failures = 0
        self.first_send = None
        self.last_reply = None
        self.client_cpu = 0.0
        self.tiers: dict[str, int] | None = None  # turns per answer tier during the measured load


async def _recv_until(ws, match, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise asyncio.TimeoutError
        frame = json.loads(await asyncio.wait_for(ws.recv(), left))
        found = match(frame)
        if found:
            return frame


async def _ping(ws, timeout: float) -> float:
    token = time.monotonic()
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "ping", "ts": token}))
    await _recv_until(ws, lambda f: f.get("type") == "pong" and f.get("ts") == token, timeout)
    return time.perf_counter() - started


async def _customer(url: str, locale: str, questions: list[str], stats: Stats, start: asyncio.Event,
                    connected: list, timeout: float, think: float, client_seed: int = 0, interval: float = 0.0):
    """`interval` > 0: the customer asks at a steady pace, a question every `interval` seconds from a random start
    (the next one at once when a reply came later than that), instead of thinking `think` seconds after each reply."""
    import websockets

    try:
        ws = await websockets.connect(url, max_size=None, open_timeout=60, ping_interval=None)
    except Exception:
        stats.connect_failures += 1
        stats.lost += len(questions)
        connected.append(False)
        return
    try:
        await ws.send(json.dumps({"type": "hello", "session": None, "last_seen": 0, "locale": locale}))
        await _recv_until(ws, lambda f: f.get("type") == "welcome", 60)
        stats.pongs_idle.append(await _ping(ws, 60))
        connected.append(True)
        await start.wait()
        pause = random.Random(client_seed)
        if interval:
            due = time.perf_counter() + pause.uniform(0, interval)
            await asyncio.sleep(due - time.perf_counter())
        elif think:  # customers are mid-conversation at different moments, not all typing at the same instant
            await asyncio.sleep(pause.uniform(0, think))
        for text in questions:
            stats.pongs_load.append(await _ping(ws, timeout))
            client_id = uuid.uuid4().hex
            received = None
            sent = time.perf_counter()
            stats.first_send = stats.first_send or sent
            await ws.send(json.dumps({"type": "message", "client_id": client_id, "text": text}))
            try:
                received = await _recv_until(
                    ws, lambda f: f.get("client_id") == client_id and f.get("type") in ("received", "error"), timeout)
                if received["type"] == "error":
                    stats.errors += 1
                    continue
                reply = await _recv_until(
                    ws, lambda f: f.get("type") in ("answer", "review_pending", "error")
                    and (f.get("reply_to") == received["message_id"] or f.get("client_id") == client_id),
                    timeout - (time.perf_counter() - sent))
            except asyncio.TimeoutError:
                stats.lost += 1
                stats.lost_questions.append(f"{received.get('message_id', '-') if received else '-'}: {text}")
                continue
            now = time.perf_counter()
            if reply["type"] == "error":
                stats.errors += 1
                continue
            stats.latencies.append(now - sent)
            stats.last_reply = now
            key = reply["type"] + (f":{reply.get('status')}" if reply.get("status") else "")
            stats.kinds[key] = stats.kinds.get(key, 0) + 1
            await ws.send(json.dumps({"type": "seen", "message_id": reply["message_id"]}))
            if interval:
                due += interval
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
            elif think:  # reading the answer and typing the next question: think time on average, jittered
                await asyncio.sleep(think * pause.uniform(0.5, 1.5))
    except Exception as exc:  # a dropped socket: everything it had not answered yet is lost
        stats.errors += 1
        print(f"customer socket failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        await ws.close()


async def warm_up(url: str, customers: int, timeout: float, progress) -> None:
    """A few customers ask two questions each, unmeasured, so that every worker process has loaded its models and
    index before the measured load (a cold prefork child needs seconds, which would otherwise be measured)."""
    if not customers:
        return
    plan = question_mix(customers, 2, seed=999)
    stats, started = Stats(), asyncio.Event()
    started.set()
    await asyncio.gather(*[_customer(url, locale, questions, stats, started, [], timeout, 0)
                           for locale, questions in plan])
    progress(f"warm-up: {len(stats.latencies)} replies from {customers} customers (not measured)")


async def run_customers(url: str, plan, timeout: float, think: float, progress, on_start=None,
                        warm: int = 0, rate: float = 0.0) -> tuple[Stats, float]:
    await warm_up(url, warm, timeout, progress)
    stats = Stats()
    start = asyncio.Event()
    connected: list = []
    tasks = []
    for i, (locale, questions) in enumerate(plan):
        tasks.append(asyncio.create_task(_customer(url, locale, questions, stats, start, connected, timeout, think,
                                                   client_seed=i, interval=len(plan) / rate if rate else 0.0)))
        if i % 25 == 24:
            await asyncio.sleep(0.05)  # do not open 200 sockets in one burst: the server's accept queue is 100
    while len(connected) < len(plan):
        await asyncio.sleep(0.05)
    progress(f"{sum(connected)} customers connected; sending")
    started = time.perf_counter()
    start.set()
    if on_start:
        on_start()
    total = sum(len(q) for _, q in plan)

    async def report():
        while True:
            await asyncio.sleep(5)
            done = len(stats.latencies) + stats.errors + stats.lost
            progress(f"  {done}/{total} replies after {time.perf_counter() - started:.0f}s")

    reporter = asyncio.create_task(report())
    await asyncio.gather(*tasks)
    reporter.cancel()
    return stats, time.perf_counter() - started


# --- the stack -------------------------------------------------------------------------------------------------
class Sampler(threading.Thread):
    """Peak RSS and CPU seconds of each watched process (with its children), every 0.25 s."""

    def __init__(self, processes: dict[str, int]):
        super().__init__(daemon=True)
        import psutil

        self.psutil = psutil
        self.watched = {name: psutil.Process(pid) for name, pid in processes.items()}
        self.peak: dict[str, float] = {name: 0.0 for name in processes}
        self.cpu_start = {name: self._cpu(p) for name, p in self.watched.items()}
        self.cpu_end = dict(self.cpu_start)
        self.stopping = threading.Event()

    def _tree(self, proc):
        try:
            return [proc] + proc.children(recursive=True)
        except self.psutil.Error:
            return []

    def _cpu(self, proc) -> float:
        total = 0.0
        for p in self._tree(proc):
            try:
                times = p.cpu_times()
                total += times.user + times.system
            except self.psutil.Error:
                pass
        return total

    def run(self):
        while not self.stopping.wait(0.25):
            for name, proc in self.watched.items():
                rss = 0
                for p in self._tree(proc):
                    try:
                        rss += p.memory_info().rss
                    except self.psutil.Error:
                        pass
                self.peak[name] = max(self.peak[name], rss / 2**20)
                self.cpu_end[name] = self._cpu(proc)

    def stop(self):
        self.stopping.set()
        self.join()
        for name, proc in self.watched.items():
            self.cpu_end[name] = self._cpu(proc)


def _wait_port(port: int, proc: subprocess.Popen, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandError(f"{what} exited at start (status {proc.returncode})")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise CommandError(f"{what} did not listen on {port} within {timeout:.0f}s")


@contextmanager
def _process(args: list[str], env: dict, cwd: Path, log_path: Path):
    log = open(log_path, "ab")
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        log.close()


def _wait_worker(env: dict, cwd: Path, names: list[str], timeout: float = 90) -> None:
    """Until every worker answers a Celery ping (asked from a subprocess: it needs the stack's broker settings)."""
    code = ("import sys,time;from mangaassist.celery import app;d=time.monotonic()+%r;names=%r\n"
            "while time.monotonic()<d:\n"
            "  r=app.control.ping(destination=names,timeout=1) or []\n"
            "  if len(r)>=len(names): sys.exit(0)\n"
            "sys.exit(1)") % (timeout, names)
    if subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env).returncode:
        raise CommandError("the Celery worker did not answer a ping in time")


@contextmanager
def start_stack(code_dir: Path, var_dir: Path, backend: str, workers: int, bedrock_latency: dict, progress,
                extra_env: dict):
    var_dir.mkdir(parents=True, exist_ok=True)
    socket_dir = Path(tempfile.mkdtemp(prefix="bench-valkey-"))  # unix socket paths are limited to ~100 bytes
    env = dict(os.environ)
    env.update(VAR_DIR=str(var_dir), REDIS_URL=f"unix://{socket_dir / 'valkey.sock'}", PYTHONUNBUFFERED="1",
               DJANGO_SETTINGS_MODULE="mangaassist.settings", CELERY_WORKERS=str(workers), LLM_BACKEND=backend,
               CELERY_QUEUE="mangaassist")
    env.pop("DATABASE_URL", None)  # the default stack: SQLite in VAR_DIR
    # C customers from one address would trip the per-IP limits meant for one office NAT: a store's customers come
    # from C addresses. The per-session limits stay on.
    env.setdefault("RATELIMIT_ENABLED", "0")
    env.setdefault("METRICS_TOKEN", BENCH_METRICS_TOKEN)  # read_turn_tiers: which answer tier served the turns
    env.update(extra_env)
    processes: dict[str, int] = {}
    with ExitStack() as stack:
        stack.callback(shutil.rmtree, socket_dir, True)
        valkey = stack.enter_context(_process(
            [launcher.valkey_binary(), "--port", "0", "--unixsocket", str(socket_dir / "valkey.sock"),
             "--unixsocketperm", "700", "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            env, code_dir, var_dir / "valkey.log"))
        processes["valkey"] = valkey.pid
        if backend == "bedrock":
            port = free_port()
            fake = stack.enter_context(_process(
                [sys.executable, "-m", "chat.bedrock_local", "--port", str(port),
                 "--classify-latency", str(bedrock_latency["classify"]),
                 "--answer-latency", str(bedrock_latency["answer"])],
                env, Path(settings.BASE_DIR), var_dir / "fake_bedrock.log"))
            _wait_port(port, fake, 30, "the local Bedrock server")
            url = f"http://127.0.0.1:{port}"
            # BEDROCK_ENDPOINT_URL for this code; AWS_ENDPOINT_URL_BEDROCK_RUNTIME reaches code without the setting
            env.update(BEDROCK_ENDPOINT_URL=url, AWS_ENDPOINT_URL_BEDROCK_RUNTIME=url, AWS_ACCESS_KEY_ID="bench",
                       AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="ap-northeast-1")
            processes["fake_bedrock"] = fake.pid
        python = sys.executable
        progress("migrating and loading the demo catalog (first run only takes a while)")
        for step in (["migrate", "--noinput"], ["load_demo_data"]):
            subprocess.run([python, "manage.py", *step], cwd=code_dir, env=env, check=True,
                           stdout=open(var_dir / "setup.log", "ab"), stderr=subprocess.STDOUT)
        web_port = free_port()
        web = stack.enter_context(_process(
            [python, "-m", "uvicorn", "mangaassist.asgi:application", "--host", "127.0.0.1", "--port", str(web_port),
             "--no-access-log", "--lifespan", "off"], env, code_dir, var_dir / "uvicorn.log"))
        processes["uvicorn"] = web.pid
        names = []
        for number in range(1, workers + 1):
            command = launcher.worker_command(env, number)
            command = [c.replace("%h", "bench") for c in command] + ["--without-gossip", "--without-mingle"]
            names.append(command[command.index("-n") + 1])
            worker = stack.enter_context(_process(command, env, code_dir, var_dir / f"worker{number}.log"))
            processes[f"worker{number}"] = worker.pid
        _wait_port(web_port, web, 60, "uvicorn")
        _wait_worker(env, code_dir, names)
        progress(f"stack up: uvicorn :{web_port}, {workers} worker(s) `{shlex.join(launcher.worker_command(env))}`")
        yield f"ws://127.0.0.1:{web_port}/ws/chat/", processes


class Command(BaseCommand):
    help = ("C concurrent WebSocket customers, each asking N questions one after another (a mix of held-out messages "
            "in Japanese and English and catalog questions): throughput, send → first reply (answer or "
            "review_pending) p50/p95/p99, lost and errored, peak RSS and CPU of each process; ping/pong on the same "
            "sockets is the baseline measured in the same run.")

    def add_arguments(self, parser):
        parser.add_argument("--url", help="ws://HOST:PORT/ws/chat/ of a running stack")
        parser.add_argument("--start", action="store_true", help="start uvicorn + worker(s) here (make run defaults)")
        parser.add_argument("--customers", "-c", type=int, default=200)
        parser.add_argument("--questions", "-n", type=int, default=5)
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds until an unanswered question is lost")
        parser.add_argument("--think", type=float, default=0.0, help="seconds a customer waits between questions")
        parser.add_argument("--rate", type=float, default=0.0,
                            help="msg/s the customers offer together, each asking every C / RATE seconds (not --think)")
        parser.add_argument("--backend", choices=["local", "bedrock"], default="local")
        parser.add_argument("--classify-latency", type=float, default=0.3)
        parser.add_argument("--answer-latency", type=float, default=0.8)
        parser.add_argument("--workers", type=int, default=None,
                            help="worker processes (default: the launcher's, CELERY_WORKERS or 2)")
        parser.add_argument("--code-dir", default=str(settings.BASE_DIR),
                            help="the checkout whose code --start runs (e.g. a worktree of main, for a before run)")
        parser.add_argument("--var-dir", help="VAR_DIR of the started stack (default var/bench-BACKEND)")
        parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the started processes")
        parser.add_argument("--pid", action="append", default=[], help="NAME=PID to watch with --url")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--warmup", type=int, default=8, help="unmeasured customers (2 questions each) first")
        parser.add_argument("--json", help="also write the results to this file")
        parser.add_argument("--profile", type=float, default=0,
                            help="py-spy the first worker (and its children) for this many seconds of the load")

    def progress(self, text):
        self.stderr.write(text)

    def handle(self, **o):
        if not o["url"] and not o["start"]:
            raise CommandError("give --url ws://HOST:PORT/ws/chat/ or --start")
        plan = question_mix(o["customers"], o["questions"], o["seed"])
        extra_env = dict(item.split("=", 1) for item in o["env"])
        with ExitStack() as stack:
            if o["start"]:
                var_dir = Path(o["var_dir"] or Path(settings.BASE_DIR) / "var" / f"bench-{o['backend']}")
                url, processes = stack.enter_context(start_stack(
                    Path(o["code_dir"]), var_dir, o["backend"],
                    o["workers"] or int(extra_env.get("CELERY_WORKERS") or os.environ.get("CELERY_WORKERS")
                                        or launcher.DEFAULT_WORKERS),
                    {"classify": o["classify_latency"], "answer": o["answer_latency"]}, self.progress, extra_env))
            else:
                url = o["url"]
                processes = {name: int(pid) for name, pid in (item.split("=", 1) for item in o["pid"])}
            sampler = Sampler(processes)
            sampler.start()
            profiler = []

            def on_start():  # profile the worker under load, once the customers are sending
                profiler.extend(self.start_profile(o["profile"], processes.get("worker1"),
                                                   Path(settings.BASE_DIR) / "var") or [])

            tiers_before = read_turn_tiers(url)
            client_cpu = time.process_time()
            stats, elapsed = asyncio.run(run_customers(url, plan, o["timeout"], o["think"], self.progress, on_start,
                                                       o["warmup"], o["rate"]))
            sampler.stop()
            stats.client_cpu = time.process_time() - client_cpu  # the customers share the stack's cores here
            tiers_after = read_turn_tiers(url)
            if tiers_before is not None and tiers_after is not None:
                stats.tiers = {t: round(n - tiers_before.get(t, 0)) for t, n in tiers_after.items()
                               if n - tiers_before.get(t, 0)}
        self.report(o, stats, elapsed, sampler)
        if profiler:
            profiler[0].wait()
            self.profile_report(profiler[1])

    def start_profile(self, seconds, pid, folder):
        if not seconds or not pid:
            return None
        spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        out = folder / f"profile-{int(time.time())}.txt"
        proc = subprocess.Popen(["sh", "-c", 'sleep 3; exec "$0" "$@"', spy, "record", "--pid", str(pid), "--subprocesses", "--duration", str(int(seconds)),
                                 "--rate", "50", "--format", "raw", "--output", str(out), "--nonblocking"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return proc, out

    def profile_report(self, path: Path, top: int = 12):
        """Inclusive share of busy samples per function (counted once per stack), leaving out the thread, Celery
        and runpy frames every stack has; then the leaf functions (where the time is actually spent)."""
        if not path.exists():
            self.stdout.write(f"profile: py-spy wrote nothing ({path})")
            return
        plumbing = ("threading.py", "thread.py", "trace.py", "autoretry.py", "runpy", "__main__.py", "core.py",
                    "worker.py", "base.py", "pool.py", "consumer.py", "loops.py", "hub.py", "celery.py", "bootsteps.py",
                    "platforms.py", "kombu", "billiard", "click", "strategy.py", "request.py", "apps/worker.py")
        inclusive: dict[str, int] = {}
        own: dict[str, int] = {}
        busy = 0
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            count = int(count)
            frames = [f for f in stack.split(";") if " (" in f]
            if not frames:
                continue
            busy += count
            names = set()
            for frame in frames:
                function, _, where = frame.partition(" (")
                filename = where.split(":")[0]
                if any(p in filename for p in plumbing):
                    continue
                names.add(f"{function} ({'/'.join(filename.split('/')[-2:])})")
            for name in names:
                inclusive[name] = inclusive.get(name, 0) + count
            function, _, where = frames[-1].partition(" (")
            leaf = f"{function} ({'/'.join(where.split(':')[0].split('/')[-2:])})"
            own[leaf] = own.get(leaf, 0) + count
        self.stdout.write(f"profile of worker1 ({path.name}, py-spy 50 Hz, {busy} busy samples, idle threads left "
                          "out): top functions by inclusive share")
        for name, count in sorted(inclusive.items(), key=lambda kv: -kv[1])[:top]:
            self.stdout.write(f"  {100 * count / max(busy, 1):5.1f}%  {name}")
        self.stdout.write("  where the time is spent (leaf functions, self share):")
        for name, count in sorted(own.items(), key=lambda kv: -kv[1])[:8]:
            self.stdout.write(f"  {100 * count / max(busy, 1):5.1f}%  {name}")

    def report(self, o, stats: Stats, elapsed: float, sampler: Sampler):
        load = os.getloadavg()
        answered = len(stats.latencies)
        span = (stats.last_reply - stats.first_send) if stats.last_reply and stats.first_send else elapsed
        result = {
            "customers": o["customers"], "questions": o["questions"], "backend": o["backend"],
            "sent": o["customers"] * o["questions"], "answered": answered, "lost": stats.lost, "errors": stats.errors,
            "throughput": answered / span if span else 0.0,
            "p50": pct(stats.latencies, 50), "p95": pct(stats.latencies, 95),
            "p99": pct(stats.latencies, 99),
            "pong_idle_p50": pct(stats.pongs_idle, 50), "pong_load_p50": pct(stats.pongs_load, 50),
            "pong_load_p95": pct(stats.pongs_load, 95),
            "kinds": stats.kinds, "tiers": stats.tiers, "peak_rss_mb": {k: round(v) for k, v in sampler.peak.items()},
            "cpu_s": {k: round(sampler.cpu_end[k] - sampler.cpu_start[k], 1) for k in sampler.peak},
            "loadavg": [round(x, 2) for x in load], "cpus": os.cpu_count(),
        }
        w = self.stdout.write
        w(f"method: {o['customers']} WebSocket customers (asyncio + websockets, one process) on {o.get('url') or 'a stack started here'}; "
          f"each says hello, then asks {o['questions']} questions one after another (held-out messages of all 12 "
          f"categories in its language and catalog stock/price questions, seed {o['seed']}), waiting for the first "
          f"reply (answer or review_pending) before the next; "
          + (f"offered rate {o['rate']} msg/s (each customer asks every {o['customers'] / o['rate']:.1f}s from a random "
             f"start, at once when its reply came later; throughput below the rate means the stack fell behind)"
             if o["rate"] else
             f"think time {o['think']}s (each customer starts after a random 0-{o['think']}s and thinks 0.5-1.5 x that "
             f"between questions; by Little's law C customers give at most C / (think + reply time) msg/s)")
          + "; a question unanswered after "
          f"{o['timeout']:.0f}s is lost; {o['warmup']} unmeasured customers asked 2 questions each first. Throughput = replies / (first send → last reply). Baseline: a ping/pong on the "
          f"same socket before each question (under load) and once before the load (idle). Peak RSS: psutil every "
          f"0.25 s, process plus children; CPU: user+sys seconds over the run. backend={o['backend']}"
          + (f" (local Bedrock server, classify {o['classify_latency']}s, each answer call {o['answer_latency']}s)"
             if o["backend"] == "bedrock" else ""))
        w(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs (the machine is shared: "
          "numbers are lower than on an idle box)")
        w(f"pids: {json.dumps({k: p.pid for k, p in sampler.watched.items()})}")
        w("| customers | throughput | send→first reply p50 / p95 / p99 | lost | errors | ping/pong p50 idle / under load (p95) |")
        w("|---|---|---|---|---|---|")
        w(f"| {o['customers']} | {result['throughput']:.1f} msg/s | {result['p50']:.2f} s / {result['p95']:.2f} s / "
          f"{result['p99']:.2f} s | {stats.lost} | {stats.errors} | {result['pong_idle_p50'] * 1000:.1f} ms / "
          f"{result['pong_load_p50'] * 1000:.1f} ms ({result['pong_load_p95'] * 1000:.1f} ms) |")
        w(f"replies: {json.dumps(stats.kinds, sort_keys=True)}; turns by answer tier (full = Sonnet, reduced = "
          f"Haiku, offline): {json.dumps(stats.tiers, sort_keys=True) if stats.tiers is not None else 'not readable'}")
        for question in stats.lost_questions[:10]:  # the message id leads to its turn in the logs and the database
            w(f"lost: message {question}")
        if sampler.peak:
            w("process: peak RSS MB / CPU s (CPU ms per reply): " + ", ".join(
                f"{name} {result['peak_rss_mb'][name]} MB / {result['cpu_s'][name]} s "
                f"({1000 * result['cpu_s'][name] / max(answered, 1):.0f} ms)" for name in sampler.peak)
              + f"; the customers (this process) {stats.client_cpu:.1f} s "
                f"({1000 * stats.client_cpu / max(answered, 1):.0f} ms)")
        if o["json"]:
            Path(o["json"]).write_text(json.dumps(result, indent=2))
