"""200 concurrent /healthz beside live chat, against a real uvicorn and a real Celery worker.

Before issue 16 about 30 concurrent calls deadlocked the web process for good (each pinged Celery). Now the chat
must keep answering and /healthz must keep answering 200. The numbers (latencies, load average) are printed.
"""

import asyncio
import time

import pytest

from tests.faults.drill import Customer, http_get, load_average, summary
from tests.support.processes import celery_worker, uvicorn_server

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
CONCURRENT = 200
QUESTIONS = ["ワンピースの1巻はありますか", "送料はいくらですか", "進撃の巨人の在庫は？", "返品の方法を教えて"]


async def _chat(base: str, rounds: int) -> list[float]:
    customers = [await Customer(base).open() for _ in range(2)]
    seconds = []
    try:
        for i in range(rounds):
            results = await asyncio.gather(*(c.ask(QUESTIONS[(i + n) % len(QUESTIONS)]) for n, c in enumerate(customers)))
            seconds.extend(results)
    finally:
        for customer in customers:
            await customer.close()
    return seconds


async def _flood(base: str, stop: asyncio.Event) -> list[tuple[int, float]]:
    results = []

    async def client():
        while not stop.is_set():
            results.append(await http_get(base, "/healthz"))

    await asyncio.gather(*(client() for _ in range(CONCURRENT)))
    return results


async def test_it_keeps_chatting_and_answering_healthz_under_200_concurrent_calls(auto_answers):
    with celery_worker(concurrency=2), uvicorn_server() as base:
        # Warm up (the worker's first turn loads the models) and measure chat alone, in the same run.
        await _chat(base, 1)
        baseline = await _chat(base, 2)

        stop = asyncio.Event()
        flood = asyncio.ensure_future(_flood(base, stop))
        await asyncio.sleep(1.0)  # the flood is at full concurrency
        started = time.monotonic()
        during = await _chat(base, 4)
        stop.set()
        calls = await flood
        flood_seconds = time.monotonic() - started

        after_status, _ = await http_get(base, "/healthz")

    statuses = [status for status, _ in calls]
    ok = [seconds for status, seconds in calls if status == 200]
    print(f"\n[healthz flood] {CONCURRENT} concurrent clients looping GET /healthz for {flood_seconds:.1f}s, "
          f"load average {load_average()}")
    print(f"[healthz flood] healthz: {len(calls)} calls, {len(ok)} answered 200, "
          f"{statuses.count(0)} without answer; latency {summary(ok)}")
    print(f"[healthz flood] chat turns alone:       {summary(baseline)}")
    print(f"[healthz flood] chat turns during flood: {summary(during)}")
    assert len(during) == 8  # every turn during the flood was answered
    assert statuses.count(0) == 0 and len(ok) == len(calls)  # and every health call got its 200
    assert len(calls) >= CONCURRENT
    assert after_status == 200
