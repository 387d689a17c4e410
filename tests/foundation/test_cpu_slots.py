"""CPU slots (common.cpu): a worker's turn threads compute a few at a time and wait on the network all together."""

import threading
import time

import pytest

from common import cpu


@pytest.fixture
def two_slots(settings, monkeypatch):
    settings.WORKER_CPU_SLOTS = 2
    monkeypatch.setattr(cpu, "_slots", None)


def _run_threads(count, body):
    threads = [threading.Thread(target=body) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not any(thread.is_alive() for thread in threads)


class _Peak:
    def __init__(self):
        self.now, self.peak, self.lock = 0, 0, threading.Lock()

    def __enter__(self):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc):
        with self.lock:
            self.now -= 1


def test_it_lets_no_more_threads_compute_at_once_than_there_are_slots(two_slots):
    computing = _Peak()

    def turn():
        with cpu.busy(), computing:
            time.sleep(0.05)

    _run_threads(8, turn)
    assert computing.peak == 2


def test_it_gives_the_slot_back_while_a_turn_waits_on_the_network(two_slots):
    waiting, computing = _Peak(), _Peak()

    def turn():
        with cpu.busy():
            with cpu.waiting(), waiting:  # all eight wait on "Bedrock" together
                time.sleep(0.2)
            with computing:
                time.sleep(0.01)

    _run_threads(8, turn)
    assert waiting.peak == 8
    assert computing.peak <= 2


def test_a_nested_busy_block_reuses_its_threads_slot(two_slots):
    with cpu.busy():
        with cpu.busy():  # would deadlock with one slot if it took another
            pass
    with cpu.busy(), cpu.busy():
        pass
    assert cpu._semaphore()._value == 2
