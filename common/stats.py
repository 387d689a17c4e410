"""Percentiles for dashboards and benchmarks, by numpy (nearest rank: every figure is a value that was measured)."""

import numpy


def percentiles(values, *qs: float) -> list[float | None]:
    """The q-th percentiles (q from 0 to 100) of values, one per q; None for each when there are no values."""
    if len(values) == 0:
        return [None] * len(qs)
    return [float(v) for v in numpy.percentile(values, qs, method="nearest")]


def percentile(values, q: float) -> float | None:
    return percentiles(values, q)[0]
