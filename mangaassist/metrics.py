"""Counters shared by every process (web, workers, beat) through Redis, served on /metrics in Prometheus format.

Per-process prometheus_client counters would show a different number on every uvicorn process; a Redis hash gives
one total. Gauges that are facts about the database (queue depth, …) are registered as callables and read at scrape.
"""

import json
from collections.abc import Callable

from django_redis import get_redis_connection
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import CollectorRegistry

COUNTERS_KEY = "metrics:counters"
_gauges: dict[str, tuple[str, Callable[[], float | dict[tuple, float]]]] = {}


def _redis():
    return get_redis_connection()


def incr(name: str, amount: float = 1, **labels: str) -> None:
    field = json.dumps([name, sorted(labels.items())])
    try:
        _redis().hincrbyfloat(COUNTERS_KEY, field, amount)
    except Exception:  # a metric must never break the work it counts
        pass


def counter_value(name: str, **labels: str) -> float:
    raw = _redis().hget(COUNTERS_KEY, json.dumps([name, sorted(labels.items())]))
    return float(raw) if raw else 0.0


def counter_total(name: str) -> float:
    """A counter summed over all its label values (what an alert on "any guard violation" needs)."""
    total = 0.0
    for field, value in _redis().hgetall(COUNTERS_KEY).items():
        if json.loads(field)[0] == name:
            total += float(value)
    return total


def register_gauge(name: str, documentation: str, read: Callable[[], float]) -> None:
    _gauges[name] = (documentation, read)


class _Collector:
    def collect(self):
        families: dict[str, CounterMetricFamily] = {}
        for field, value in _redis().hgetall(COUNTERS_KEY).items():
            name, labels = json.loads(field)
            label_names = [k for k, _ in labels]
            family = families.get(name) or CounterMetricFamily(name, name.replace("_", " "), labels=label_names)
            families[name] = family
            family.add_metric([v for _, v in labels], float(value))
        yield from families.values()
        for name, (documentation, read) in _gauges.items():
            gauge = GaugeMetricFamily(name, documentation)
            gauge.add_metric([], float(read()))
            yield gauge


def registry() -> CollectorRegistry:
    reg = CollectorRegistry(auto_describe=False)
    reg.register(_Collector())
    return reg
