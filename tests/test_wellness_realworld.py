"""A real runner's Garmin wellness (366 public Intervals.icu days) through the model
and the latest.json builders: VO2max (reported on about every other day) and
CTL/ATL (today's row missing) are filled from the latest recent row, with its date.

The payload is read at run time from the sample-data folder that
tests/kit/realworld.py locates; a checkout without it skips this module. The expected values are
found in the raw records directly, not by the code under test.
"""

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from section11.context import SyncInputs
from section11.model import Athlete
from section11.outputs.latest import assemble_latest
from section11.wellness_model import Wellness
from tests.kit.realworld import ICU, RUNNER_WELLNESS

WELLNESS = ICU / RUNNER_WELLNESS

pytestmark = pytest.mark.skipif(
    not WELLNESS.is_file(), reason=f"real-world wellness payload not present at {WELLNESS}"
)

VO2MAX_DAYS = 14  # the documented VO2max window (a reading at most 14 days old)
FITNESS_DAYS = 7  # the documented CTL/ATL fallback window


@pytest.fixture(scope="module")
def raw_days() -> list[dict]:
    return sorted(json.loads(WELLNESS.read_text(encoding="utf-8")), key=lambda r: r["id"])


def todays(raw_days: list[dict]) -> list[date]:
    """Every 5th day from the 30th one on: a spread of "today"s across the year."""
    days = [date.fromisoformat(r["id"]) for r in raw_days]
    return days[30::5]


def sync_inputs(raw_rows: list[dict], today: date) -> SyncInputs:
    start = today - timedelta(days=27)
    rows = [r for r in raw_rows if start <= date.fromisoformat(r["id"]) <= today]
    wellness = tuple(w for w in (Wellness.from_raw(r) for r in rows) if w is not None)
    now = datetime(today.year, today.month, today.day, 9, tzinfo=ZoneInfo("Europe/Madrid"))
    return SyncInputs(
        today=today,
        now=now,
        days=7,
        athlete=Athlete.from_raw({"id": "i1", "timezone": "Europe/Madrid"}),
        activities=(),
        wellness=wellness,
        events=(),
    )


def expected_latest(rows: list[dict], today: date, days: int, key: str) -> tuple | None:
    """(value, date) of the newest raw row dated today-days..today with a non-zero key."""
    hits = [
        (r[key], r["id"])
        for r in rows
        if r.get(key) and today - timedelta(days=days) <= date.fromisoformat(r["id"]) <= today
    ]
    return max(hits, key=lambda h: h[1]) if hits else None


def test_the_payload_has_vo2max_on_some_days_only(raw_days):
    with_vo2 = sum(1 for r in raw_days if r.get("vo2max"))
    assert 0 < with_vo2 < len(raw_days)


def test_vo2max_is_the_latest_reading_with_its_date(raw_days):
    checked = 0
    for today in todays(raw_days):
        expected = expected_latest(raw_days, today, VO2MAX_DAYS, "vo2max")
        doc = assemble_latest(sync_inputs(raw_days, today))
        thresholds = doc["current_status"]["thresholds"]
        assert expected is not None, today  # the runner's gaps are at most a few days
        assert (thresholds["vo2max"], thresholds["vo2max_date"]) == expected, today
        checked += 1
    assert checked > 60


def test_ctl_falls_back_to_the_latest_row_when_today_and_yesterday_are_missing(raw_days):
    for today in todays(raw_days):
        gone = {today.isoformat(), (today - timedelta(days=1)).isoformat()}
        rows = [r for r in raw_days if r["id"] not in gone]
        fitness = assemble_latest(sync_inputs(rows, today))["current_status"]["fitness"]
        ctl, day = expected_latest(rows, today, FITNESS_DAYS, "ctl")
        atl = next(r["atl"] for r in rows if r["id"] == day)
        assert fitness["fitness_date"] == day == (today - timedelta(days=2)).isoformat()
        assert fitness["ctl"] == pytest.approx(ctl, abs=0.005)
        assert fitness["atl"] == pytest.approx(atl, abs=0.005)
        assert fitness["tsb"] == pytest.approx(ctl - atl, abs=0.011)
        assert day in fitness["fitness_source"]


def test_ctl_of_a_present_today_row_is_used_as_it_is(raw_days):
    for today in todays(raw_days)[:10]:
        fitness = assemble_latest(sync_inputs(raw_days, today))["current_status"]["fitness"]
        row = next(r for r in raw_days if r["id"] == today.isoformat())
        assert fitness["fitness_date"] == today.isoformat()
        assert fitness["ctl"] == pytest.approx(row["ctl"], abs=0.005)
