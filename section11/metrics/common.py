"""Small numeric helpers shared by the metric families (pure)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable

HRV_MIN = 10.0
HRV_MAX = 250.0


def valid_hrv(value: float | None) -> float | None:
    """rMSSD HRV if physiologically plausible (10..250 ms), else None (docs/metrics.md#recovery)."""
    if value is None or not (HRV_MIN <= value <= HRV_MAX):
        return None
    return value


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean; None for no values or when the sum overflows."""
    values = list(values)
    if not values:
        return None
    try:
        result = statistics.fmean(values)
    except OverflowError:
        return None
    return result if math.isfinite(result) else None


def sample_sd(values: Iterable[float]) -> float | None:
    """Sample standard deviation (n-1); None with fewer than two values."""
    values = list(values)
    return statistics.stdev(values) if len(values) >= 2 else None


def rnd(value: float | None, digits: int | None = None):
    """Python round (half-to-even, as the reference) that passes None through."""
    if value is None:
        return None
    return round(value, digits) if digits is not None else round(value)
