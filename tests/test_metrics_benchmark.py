"""FTP history, benchmark index, seasonal context (docs/metrics.md#benchmark-and-ftp-history)."""

import copy
import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.metrics.benchmark import (
    backfill_ftp_history,
    benchmark_block,
    benchmark_metrics,
    benchmark_percentage,
    ftp_change_points,
    ftp_history_days,
    ftp_in_effect,
    normalize_ftp_history,
    seasonal_context,
    seasonal_expected,
    update_ftp_history,
)

from .helpers import walk

TODAY = date(2025, 3, 10)  # today - 56 = 2025-01-13 (9 days of March, 28 of Feb, 19 of Jan)
TARGET = date(2025, 1, 13)


# ----------------------------------------------------------------- docs/metrics.md#benchmark-and-ftp-history normalize


def test_normalize_current_format_sorted_and_whole_floats_as_int():
    raw = {"outdoor": {"2025-02-01": 260.0, "2024-10-01": 250}, "indoor": {"2025-01-05": 241.5}}
    assert normalize_ftp_history(raw) == {
        "indoor": {"2025-01-05": 241.5},
        "outdoor": {"2024-10-01": 250, "2025-02-01": 260},
    }
    assert list(normalize_ftp_history(raw)["outdoor"]) == ["2024-10-01", "2025-02-01"]


def test_normalize_legacy_flat_file_is_outdoor():
    assert normalize_ftp_history({"2024-05-01": 230, "2024-09-01": 245}) == {
        "indoor": {},
        "outdoor": {"2024-05-01": 230, "2024-09-01": 245},
    }


@pytest.mark.parametrize(
    "raw,expected",
    [
        ({}, {"indoor": {}, "outdoor": {}}),
        (
            {"indoor": None, "outdoor": {"2024-01-01": 200}},
            {"indoor": {}, "outdoor": {"2024-01-01": 200}},
        ),
        ({"outdoor": {}}, {"indoor": {}, "outdoor": {}}),
    ],
)
def test_normalize_empty_and_null_series(raw, expected):
    assert normalize_ftp_history(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "x",
        5,
        {"indoor": [], "outdoor": {}},
        {"indoor": {}, "outdoor": {}, "note": "hand edit"},
        {"outdoor": {"yesterday": 250}},
        {"outdoor": {"2024-02-30": 250}},
        {"outdoor": {"2024-01-01T00:00": 250}},
        {"outdoor": {"2024-01-01": 0}},
        {"outdoor": {"2024-01-01": -250}},
        {"outdoor": {"2024-01-01": "250"}},
        {"outdoor": {"2024-01-01": True}},
        {"outdoor": {"2024-01-01": None}},
        {"2024-01-01": float("nan")},
        {"2024-01-01": 250, "garbage": 1},
    ],
)
def test_normalize_garbage_raises(raw):
    with pytest.raises(ValueError):
        normalize_ftp_history(raw)


# ----------------------------------------------------------------- docs/metrics.md#benchmark-and-ftp-history update


def test_update_empty_history_records_both():
    new, changed = update_ftp_history({"indoor": {}, "outdoor": {}}, TODAY, 240, 255)
    assert changed is True
    assert new == {"indoor": {"2025-03-10": 240}, "outdoor": {"2025-03-10": 255}}


def test_update_unchanged_value_adds_nothing():
    hist = {"indoor": {}, "outdoor": {"2024-10-01": 250}}
    new, changed = update_ftp_history(hist, TODAY, None, 250.0)
    assert changed is False
    assert new == hist


def test_update_change_appends_and_never_loses_entries():
    hist = {"indoor": {"2024-01-01": 230}, "outdoor": {"2024-06-01": 240, "2024-10-01": 250}}
    before = copy.deepcopy(hist)
    new, changed = update_ftp_history(hist, TODAY, 230, 262)
    assert changed is True
    assert new == {
        "indoor": {"2024-01-01": 230},
        "outdoor": {"2024-06-01": 240, "2024-10-01": 250, "2025-03-10": 262},
    }
    assert hist == before  # input untouched


def test_update_compares_with_latest_date_not_latest_inserted():
    # dict order is not date order; latest by date is 2024-10-01 (250) -> 250 is no change
    hist = {"outdoor": {"2024-10-01": 250, "2024-06-01": 240}}
    new, changed = update_ftp_history(hist, TODAY, None, 250)
    assert changed is False
    assert new["outdoor"] == {"2024-10-01": 250, "2024-06-01": 240}
    assert new["indoor"] == {}


def test_update_same_day_change_overwrites_today():
    hist = {"indoor": {}, "outdoor": {"2025-01-01": 250, "2025-03-10": 255}}
    new, changed = update_ftp_history(hist, TODAY, None, 258)
    assert changed is True
    assert new["outdoor"] == {"2025-01-01": 250, "2025-03-10": 258}


@pytest.mark.parametrize(
    "value", [None, 0, 0.0, -200, float("nan"), float("inf"), "250", True, 10**400]
)
def test_update_ignores_unusable_current_values(value):
    new, changed = update_ftp_history(
        {"indoor": {}, "outdoor": {"2024-01-01": 200}}, TODAY, value, value
    )
    assert changed is False
    assert new == {"indoor": {}, "outdoor": {"2024-01-01": 200}}


def test_update_accepts_none_history():
    new, changed = update_ftp_history(None, TODAY, None, 250)
    assert (new, changed) == ({"indoor": {}, "outdoor": {"2025-03-10": 250}}, True)


# ----------------------------------------------------------------- docs/metrics.md#benchmark-and-ftp-history span


def test_ftp_history_days():
    # 2025-01-01 .. 2025-03-10: 31 (Jan) + 28 (Feb) + 9 = 68 days
    hist = {
        "indoor": {"2025-02-01": 240},
        "outdoor": {"2025-03-10": 260, "2025-01-01": 250, "2025-02-01": 255},
    }
    assert ftp_history_days(hist) == {"indoor": 0, "outdoor": 68}
    assert ftp_history_days({}) == {"indoor": 0, "outdoor": 0}
    assert ftp_history_days(None) == {"indoor": 0, "outdoor": 0}


# ----------------------------------------------------------------- docs/metrics.md#benchmark-and-ftp-history


def test_benchmark_reference_example():
    # then = 250 (set 2024-10-01, still in effect 2025-01-13); 258/250 - 1 = 0.032
    # March -> Late Base / Build band 0.02..0.05 -> expected
    out = benchmark_block(258, {"2024-10-01": 250}, TODAY)
    assert out == {
        "current_ftp": 258,
        "ftp_8_weeks_ago": 250,
        "benchmark_index": 0.032,
        "benchmark_percentage": "+3.2%",
        "seasonal_expected": True,
    }


def test_benchmark_unchanged_ftp_is_zero_not_null():
    # quirk 7 fix: no change recorded 49-63 days ago, yet the FTP then is known (250)
    out = benchmark_block(250, {"2024-06-01": 250}, TODAY)
    assert out["ftp_8_weeks_ago"] == 250
    assert out["benchmark_index"] == 0.0
    assert out["benchmark_percentage"] == "+0.0%"
    assert out["seasonal_expected"] is False  # 0.0 < 0.02


def test_benchmark_uses_value_in_effect_not_later_change():
    # entries: 250 since 2024-10-01, 270 since 2025-02-01 (after the target) -> then 250
    # 270/250 - 1 = 0.08 -> "+8.0%", above the March band
    out = benchmark_block(270, {"2025-02-01": 270, "2024-10-01": 250}, TODAY)
    assert (
        out["ftp_8_weeks_ago"],
        out["benchmark_index"],
        out["benchmark_percentage"],
        out["seasonal_expected"],
    ) == (250, 0.08, "+8.0%", False)


def test_benchmark_entry_exactly_on_target_day():
    # 252/240 - 1 = 0.05 -> inside 0.02..0.05 (inclusive)
    out = benchmark_block(252, {"2025-01-13": 240}, TODAY)
    assert out["benchmark_index"] == 0.05
    assert out["benchmark_percentage"] == "+5.0%"
    assert out["seasonal_expected"] is True


def test_benchmark_history_too_young_without_timeline_is_null():
    out = benchmark_block(258, {"2025-01-14": 250}, TODAY)
    assert out == {
        "current_ftp": 258,
        "ftp_8_weeks_ago": None,
        "benchmark_index": None,
        "benchmark_percentage": None,
        "seasonal_expected": None,
    }


def test_benchmark_timeline_fallback_takes_latest_in_window():
    # window 2024-12-16 .. 2025-01-13; latest there: 2025-01-12 -> 250; 260/250 - 1 = 0.04
    timeline = [
        (date(2025, 1, 10), 245),
        (date(2025, 1, 12), 250),
        (date(2025, 1, 20), 262),
        (date(2024, 12, 1), 230),
    ]
    out = benchmark_block(260, {"2025-02-15": 260}, TODAY, timeline)
    assert out["ftp_8_weeks_ago"] == 250
    assert out["benchmark_index"] == 0.04
    assert out["benchmark_percentage"] == "+4.0%"


def test_history_beats_timeline():
    timeline = [(date(2025, 1, 12), 200)]
    out = benchmark_block(260, {"2024-11-01": 250}, TODAY, timeline)
    assert out["ftp_8_weeks_ago"] == 250


def test_timeline_same_day_last_listed_wins_and_bad_entries_skipped():
    timeline = [
        (date(2025, 1, 12), 240),
        (date(2025, 1, 12), 250),
        ("2025-01-13", 999),
        (date(2025, 1, 13), None),
        (date(2025, 1, 13), -5),
        None,
        (1, 2, 3),
    ]
    assert ftp_in_effect({}, TARGET, timeline) == 250


def test_timeline_older_than_28_days_before_target_is_ignored():
    # 2024-12-15 is 29 days before 2025-01-13
    assert ftp_in_effect(None, TARGET, [(date(2024, 12, 15), 250)]) is None
    assert ftp_in_effect(None, TARGET, [(date(2024, 12, 16), 250)]) == 250


def test_benchmark_decrease_in_off_season():
    # today 2025-11-20 -> target 2025-09-25; then 250; 240/250 - 1 = -0.04 -> "-4.0%"
    # November band -0.05..-0.02 -> expected
    out = benchmark_block(240, {"2025-09-01": 250}, date(2025, 11, 20))
    assert out["benchmark_index"] == -0.04
    assert out["benchmark_percentage"] == "-4.0%"
    assert out["seasonal_expected"] is True


@pytest.mark.parametrize("current", [None, 0, -250, "250", float("nan")])
def test_benchmark_without_current_ftp_is_all_null(current):
    out = benchmark_block(current, {"2024-01-01": 250}, TODAY)
    assert out == {
        "current_ftp": None,
        "ftp_8_weeks_ago": None,
        "benchmark_index": None,
        "benchmark_percentage": None,
        "seasonal_expected": None,
    }


def test_benchmark_without_history():
    out = benchmark_block(258, None, TODAY)
    assert out["current_ftp"] == 258
    assert out["benchmark_index"] is None


@pytest.mark.parametrize(
    "index,text",
    [
        (0.032, "+3.2%"),
        (-0.01, "-1.0%"),
        (0.0, "+0.0%"),
        (-0.0, "+0.0%"),
        (0.1, "+10.0%"),
        (-0.123, "-12.3%"),
        (None, None),
    ],
)
def test_benchmark_percentage_format(index, text):
    assert benchmark_percentage(index) == text


# ----------------------------------------------------------------- docs/metrics.md#benchmark-and-ftp-history


@pytest.mark.parametrize(
    "month,label",
    [
        (1, "Early Base"),
        (2, "Early Base"),
        (3, "Late Base / Build"),
        (4, "Late Base / Build"),
        (5, "Build / Early Race Season"),
        (6, "Build / Early Race Season"),
        (7, "Peak Race Season"),
        (8, "Peak Race Season"),
        (9, "Late Season / Transition"),
        (10, "Late Season / Transition"),
        (11, "Off-season / Transition"),
        (12, "Off-season / Transition"),
    ],
)
def test_seasonal_context(month, label):
    assert seasonal_context(date(2025, month, 15)) == label


@pytest.mark.parametrize(
    "index,month,expected",
    [
        (-0.02, 1, True),
        (0.01, 1, True),
        (0.011, 1, False),
        (-0.021, 2, False),
        (0.0, 10, True),
        (0.001, 9, False),
        (-0.03, 9, True),
        (0.03, 7, True),
        (0.031, 8, False),
        (0.04, 6, True),
        (0.01, 5, True),
        (None, 3, None),
    ],
)
def test_seasonal_expected(index, month, expected):
    assert seasonal_expected(index, date(2025, month, 1)) is expected


def test_benchmark_metrics_keys_in_order():
    hist = {"indoor": {"2024-12-01": 230}, "outdoor": {"2024-10-01": 250}}
    out = benchmark_metrics(hist, TODAY, 230, 258)
    assert list(out) == ["seasonal_context", "benchmark_indoor", "benchmark_outdoor"]
    assert out["seasonal_context"] == "Late Base / Build"
    assert out["benchmark_indoor"]["benchmark_index"] == 0.0
    assert out["benchmark_outdoor"]["benchmark_percentage"] == "+3.2%"
    assert list(out["benchmark_indoor"]) == [
        "current_ftp",
        "ftp_8_weeks_ago",
        "benchmark_index",
        "benchmark_percentage",
        "seasonal_expected",
    ]


def test_benchmark_metrics_timelines_are_per_series():
    out = benchmark_metrics(
        {},
        TODAY,
        220,
        260,
        indoor_timeline=[(date(2025, 1, 1), 200)],
        outdoor_timeline=[(date(2025, 1, 1), 250)],
    )
    # indoor 220/200 - 1 = 0.1; outdoor 260/250 - 1 = 0.04
    assert out["benchmark_indoor"]["benchmark_index"] == 0.1
    assert out["benchmark_outdoor"]["benchmark_index"] == 0.04


# ----------------------------------------------------------------- property


_numbers = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just("250"),
)
_dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
_keys = st.one_of(_dates.map(date.isoformat), st.text(max_size=12))


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.dictionaries(
            st.sampled_from(["indoor", "outdoor", "x"]),
            st.one_of(st.none(), st.dictionaries(_keys, _numbers, max_size=5)),
        ),
        st.dictionaries(_keys, _numbers, max_size=5),
        _numbers,
    ),
    _numbers,
    _numbers,
    _dates,
    st.lists(st.tuples(_dates, _numbers), max_size=6),
)
def test_property_history_and_benchmark_never_crash_or_emit_nan(
    raw, indoor, outdoor, today, timeline
):
    try:
        hist = normalize_ftp_history(raw)
    except ValueError:
        hist = {"indoor": {}, "outdoor": {}}
    new, changed = update_ftp_history(hist, today, indoor, outdoor)
    # never loses entries
    for name in ("indoor", "outdoor"):
        assert set(hist[name]) <= set(new[name])
    assert normalize_ftp_history(new) == new  # what we write reads back unchanged
    out = benchmark_metrics(new, today, indoor, outdoor, timeline, timeline)
    out["days"] = ftp_history_days(new)
    for value in walk(out):
        if isinstance(value, float):
            assert math.isfinite(value)
    for block in (out["benchmark_indoor"], out["benchmark_outdoor"]):
        assert (block["benchmark_index"] is None) == (block["benchmark_percentage"] is None)


# ----------------------------------------------------------------- first-run backfill

D = date.fromisoformat


def test_change_points_keep_the_first_date_of_each_ftp():
    timeline = [
        (D("2024-01-01"), 240),
        (D("2024-01-05"), 240.0),
        (D("2024-02-01"), 250),
        (D("2024-02-03"), None),
        (D("2024-03-01"), 240),
    ]
    assert ftp_change_points(timeline) == [
        (D("2024-01-01"), 240),
        (D("2024-02-01"), 250),
        (D("2024-03-01"), 240),
    ]


def test_backfill_an_empty_history_from_both_timelines():
    indoor = [(D("2024-01-02"), 230), (D("2024-06-02"), 235)]
    outdoor = [(D("2024-01-01"), 240), (D("2024-01-09"), 240), (D("2024-05-01"), 255)]
    new, changed = backfill_ftp_history({"indoor": {}, "outdoor": {}}, indoor, outdoor)
    assert changed
    assert new == {
        "indoor": {"2024-01-02": 230, "2024-06-02": 235},
        "outdoor": {"2024-01-01": 240, "2024-05-01": 255},
        "sources": {
            "indoor": {"2024-01-02": "activity", "2024-06-02": "activity"},
            "outdoor": {"2024-01-01": "activity", "2024-05-01": "activity"},
        },
    }
    assert normalize_ftp_history(new) == new  # what we write reads back unchanged


def test_backfill_stops_at_the_first_recorded_entry_and_marks_it_settings():
    hist = {"indoor": {}, "outdoor": {"2024-05-10": 260}}
    outdoor = [(D("2024-01-01"), 240), (D("2024-05-01"), 255), (D("2024-06-01"), 262)]
    new, _ = backfill_ftp_history(hist, [], outdoor)
    assert new["outdoor"] == {"2024-01-01": 240, "2024-05-01": 255, "2024-05-10": 260}
    assert new["sources"]["outdoor"] == {
        "2024-01-01": "activity",
        "2024-05-01": "activity",
        "2024-05-10": "settings",
    }
    assert hist == {"indoor": {}, "outdoor": {"2024-05-10": 260}}  # input untouched


def test_backfill_runs_once():
    first, _ = backfill_ftp_history(None, [], [(D("2024-01-01"), 240)])
    again, changed = backfill_ftp_history(first, [], [(D("2023-01-01"), 200)])
    assert not changed and again == first


def test_update_after_backfill_marks_the_new_entry_settings():
    hist, _ = backfill_ftp_history(None, [], [(D("2024-01-01"), 240)])
    new, changed = update_ftp_history(hist, TODAY, None, 250)
    assert changed
    assert new["outdoor"] == {"2024-01-01": 240, TODAY.isoformat(): 250}
    assert new["sources"]["outdoor"] == {"2024-01-01": "activity", TODAY.isoformat(): "settings"}
    same, changed = update_ftp_history(hist, TODAY, None, 240)  # the activities' FTP holds
    assert not changed and same == hist


def test_backfilled_history_gives_the_benchmark_on_day_one():
    # FTP 240 from the activities since 2024-01-01, 250 set today: the 8-weeks-ago
    # FTP is 240 -> round(250/240 - 1, 3) = 0.042
    hist, _ = backfill_ftp_history(None, [], [(D("2024-01-01"), 240), (D("2025-03-01"), 240)])
    hist, _ = update_ftp_history(hist, TODAY, None, 250)
    block = benchmark_block(250, hist["outdoor"], TODAY)
    assert (block["ftp_8_weeks_ago"], block["benchmark_index"]) == (240, 0.042)


@pytest.mark.parametrize(
    "raw",
    [
        {"indoor": {}, "outdoor": {}, "sources": []},
        {"indoor": {}, "outdoor": {}, "sources": {"indoor": [], "outdoor": {}}},
    ],
)
def test_normalize_bad_sources_raise(raw):
    with pytest.raises(ValueError):
        normalize_ftp_history(raw)


def test_normalize_sources_follow_the_series_dates():
    raw = {
        "indoor": {},
        "outdoor": {"2024-01-01": 240, "2024-02-01": 250},
        "sources": {"outdoor": {"2024-01-01": "activity", "2023-01-01": "activity"}},
    }
    assert normalize_ftp_history(raw)["sources"] == {
        "indoor": {},
        "outdoor": {"2024-01-01": "activity", "2024-02-01": "settings"},
    }
