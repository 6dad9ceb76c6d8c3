"""Finite-number and rounding helpers shared by the metrics and the outputs (pure).

The rules, which decide the bytes of every number in the JSON files:

* A *finite number* is an int or a float, not a bool, whose value is finite.
  NaN, +/-inf, ints too large for a float, bools, strings, containers and None
  are no number: every helper here turns them into None.
* Rounding is Python's ``round``: half to even on the binary value (2.675 -> 2.67).
* Two rounding flavours exist because the documents need both:
  ``round_half_even`` keeps an int an int (a TSS of 40 prints as ``40``), while
  ``round_float`` always gives a float (``40.0``). ``round_int`` gives an int.
* A rounded float is never ``-0.0`` (it prints as ``0.0``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable


def finite(value: object) -> float | None:
    """The value unchanged (an int stays an int) if it is a finite number, else None.

    None for bools, non-numbers, NaN, +/-inf and ints too large for a float.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return value if math.isfinite(value) else None
    except OverflowError:  # an int too large for a float
        return None


def finite_float(value: object) -> float | None:
    """``finite(value)`` as a float (an int becomes a float), else None."""
    if type(value) is float:  # fast path: most samples of a stream
        return value if math.isfinite(value) else None
    number = finite(value)
    return float(number) if number is not None else None


def finite_mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean of finite floats (exactly summed); None when empty or not finite.

    A sum that leaves the float range is summed again from the values divided
    by n first, so the mean of representable values is representable.
    """
    values = list(values)
    n = len(values)
    if not n:
        return None
    try:
        result = math.fsum(values) / n
    except OverflowError:  # the running sum left the float range
        result = math.fsum(v / n for v in values)
    except ValueError:  # inf and -inf together
        return None
    return result if math.isfinite(result) else None


def round_half_even(value: object, digits: int) -> float | None:
    """``round(value, digits)`` of a finite number, else None.

    An int stays an int (40 -> 40); a float stays a float, with -0.0 shown as 0.0.
    """
    number = finite(value)
    if number is None:
        return None
    out = round(number, digits)
    if isinstance(out, float):
        return out + 0.0 if math.isfinite(out) else None
    return out


def round_float(value: object, digits: int) -> float | None:
    """``round(value, digits)`` of a finite number as a float (40 -> 40.0), else None.

    -0.0 is shown as 0.0.
    """
    number = finite(value)
    if number is None:
        return None
    out = round(number, digits) + 0.0
    return out if math.isfinite(out) else None


def round_int(value: object) -> int | None:
    """``round(value)`` (half to even) of a finite number as an int, else None."""
    number = finite(value)
    return round(number) if number is not None else None
