"""The finite-number and rounding rules of section11.numbers, as tables."""

import math

import pytest

from section11.numbers import (
    finite,
    finite_float,
    finite_mean,
    round_float,
    round_half_even,
    round_int,
)

HUGE = 10**400  # an int too large for a float
NAN = float("nan")
INF = float("inf")


def same(a, b) -> bool:
    """Equal value, equal type, and the same sign of zero."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a == 0:
        return math.copysign(1, a) == math.copysign(1, b)
    return a == b


NO_NUMBER = [None, NAN, INF, -INF, HUGE, -HUGE, True, False, "1", [1], {"a": 1}]


@pytest.mark.parametrize(
    "value, expected",
    [(0, 0), (3, 3), (-7, -7), (2.5, 2.5), (-0.0, -0.0), (10**300, 10**300), (1e308, 1e308)]
    + [(v, None) for v in NO_NUMBER],
)
def test_finite(value, expected):
    assert same(finite(value), expected)


@pytest.mark.parametrize(
    "value, expected",
    [(0, 0.0), (3, 3.0), (2.5, 2.5), (-0.0, -0.0), (10**300, 1e300)]
    + [(v, None) for v in NO_NUMBER],
)
def test_finite_float(value, expected):
    assert same(finite_float(value), expected)


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (40, 0, 40),  # an int stays an int
        (40, 2, 40),
        (1234, -1, 1230),  # round(1234, -1): an int, half to even on the tens
        (1235, -1, 1240),
        (40.0, 0, 40.0),
        (2.675, 2, 2.67),  # binary value below the half
        (0.125, 2, 0.12),  # exact half: to even
        (0.375, 2, 0.38),
        (-0.0, 1, 0.0),  # -0.0 shown as 0.0
        (-0.04, 1, 0.0),
        (-1.25, 1, -1.2),
        (1e308, -308, 1e308),
    ]
    + [(v, 1, None) for v in NO_NUMBER],
)
def test_round_half_even(value, digits, expected):
    assert same(round_half_even(value, digits), expected)


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (40, 0, 40.0),  # an int becomes a float
        (40, 2, 40.0),
        (1235, -1, 1240.0),
        (2.675, 2, 2.67),
        (0.125, 2, 0.12),
        (-0.0, 2, 0.0),
        (-0.004, 2, 0.0),
        (-1.25, 1, -1.2),
        (10**300, 0, 1e300),
    ]
    + [(v, 2, None) for v in NO_NUMBER],
)
def test_round_float(value, digits, expected):
    assert same(round_float(value, digits), expected)


@pytest.mark.parametrize(
    "value, expected",
    [(2.5, 2), (3.5, 4), (-2.5, -2), (-0.4, 0), (-0.0, 0), (7, 7), (10**300, 10**300)]
    + [(v, None) for v in NO_NUMBER],
)
def test_round_int(value, expected):
    assert same(round_int(value), expected)


@pytest.mark.parametrize(
    "values, expected",
    [
        ([], None),
        ([1, 2], 1.5),
        ([0.1] * 10, 0.1),  # exact sum: not 0.09999999999999999
        ([1e308, 1e308], 1e308),  # the plain sum overflows, the mean does not
        ([-1e308, -1e308, -1e308], -1e308),
        ([INF, 1.0], None),
        ([INF, -INF], None),
        ([NAN], None),
    ],
)
def test_finite_mean(values, expected):
    assert same(finite_mean(values), expected)


def test_finite_mean_takes_a_generator():
    assert finite_mean(v for v in (2.0, 4.0)) == 3.0
