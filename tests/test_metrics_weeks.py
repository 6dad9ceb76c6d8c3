"""Training weeks (section11.metrics.weeks): one definition for history.json's
weekly rows and the live rows of phase detection."""

from datetime import date, timedelta

import pytest

from section11.metrics.phase_rows import live_weekly_rows
from section11.metrics.weeks import (
    hard_day_breakdown,
    week_monotony,
    week_start_of,
    weekly_acwr,
)
from section11.model import Activity
from section11.outputs.history_rows import DayIndex, weekly_rows

TODAY = date(2025, 3, 12)  # a Wednesday


@pytest.mark.parametrize(
    "week_start, expected",
    [(0, date(2025, 3, 10)), (6, date(2025, 3, 9)), (2, date(2025, 3, 12)), (3, date(2025, 3, 6))],
)
def test_week_start_of(week_start, expected):
    assert week_start_of(TODAY, week_start) == expected


@pytest.mark.parametrize(
    "days, expected",
    [
        ([], (0, None)),
        ([(False, "power"), (None, None)], (0, None)),
        ([(True, "power"), (True, "hr"), (True, "power")], (3, {"power": 2, "hr": 1})),
        ([(True, "mixed"), (False, "hr")], (1, {"power": 0, "hr": 0})),  # mixed: total only
    ],
)
def test_hard_day_breakdown(days, expected):
    assert hard_day_breakdown(days) == expected


@pytest.mark.parametrize(
    "daily, expected",
    [
        ([50, 0, 60, 0], None),  # 4 days elapsed
        ([50, 0, 60, 0, 0], None),  # 2 days with load
        ([50, 50, 50, 0, 0, 0, 0], 0.8),  # mean 150/7 = 21.43, sd sqrt(5000/7) = 26.73
        ([50, 0, 60, 0, 70], 1.07),  # mean 36, sd sqrt(1130) = 33.62
        ([40, 40, 40, 40, 40], None),  # sd 0
    ],
)
def test_week_monotony(daily, expected):
    assert week_monotony(daily) == expected


@pytest.mark.parametrize(
    "week_tss, previous, days, expected",
    [
        (70, [60, 60, 90], 7, 1.0),  # (70 / 7) / (210 / 21)
        (140, [60, 60, 90], 7, 2.0),
        (30, [60, 60, 90], 3, 1.0),  # in-progress week: 3 days elapsed
        (70, [0, 0, 0], 7, None),  # no chronic load
        (0, [60, 60, 90], 0, None),  # no day elapsed
    ],
)
def test_weekly_acwr(week_tss, previous, days, expected):
    assert weekly_acwr(week_tss, previous, days) == expected


def test_weekly_acwr_is_unrounded():
    assert weekly_acwr(100, [60, 60, 90], 7) == pytest.approx(100 / 7 / 10)


def _activities() -> list[Activity]:
    """Eight weeks of uneven training ending today."""
    loads = [0, 45, 80, 0, 62, 110, 35]
    out = []
    for back in range(56):
        load = loads[(back * 3) % 7] + back % 5
        if load:
            day = TODAY - timedelta(days=back)
            out.append(
                Activity.from_raw(
                    {
                        "id": f"i{back}",
                        "type": "Ride",
                        "start_date_local": f"{day.isoformat()}T08:00:00",
                        "icu_training_load": load,
                        "moving_time": 3600,
                    }
                )
            )
    return out


def test_history_rows_and_live_rows_agree_on_completed_weeks():
    acts = _activities()
    history = weekly_rows(DayIndex(acts, [], None), TODAY, 0, None, None, backfill=False)
    acts28 = [a for a in acts if a.date > TODAY - timedelta(days=28)]
    live = live_weekly_rows(acts28, TODAY, 0, "Ride", history_weekly=history[:-4])
    by_week = {r["week_start"]: r for r in history}
    assert [r["week_start"] for r in live] == [r["week_start"] for r in history[-4:]]
    for row in live[:-1]:  # the completed weeks
        old = by_week[row["week_start"]]
        assert row["total_tss"] == old["total_tss"]
        assert row["monotony"] == old["monotony"]
        assert row["acwr"] == old["acwr"]
        assert row["acwr"] is not None
        assert (row["hard_days"], row["intensity_basis_breakdown"]) == (
            old["hard_days"],
            old["intensity_basis_breakdown"],
        )
