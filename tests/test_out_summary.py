"""summary, weekly_summary, quick_stats (docs/metrics.md#summaries)."""

from section11.model import Activity
from section11.outputs.summary import quick_stats, summary, weekly_summary
from section11.wellness_model import Wellness


def act(i, **raw):
    return Activity.from_raw({"id": f"a{i}", "start_date_local": "2025-03-10T08:00:00", **raw}, i)


ACTS = [
    act(1, type="Run", moving_time=3600, icu_training_load=60.4, distance=10000),
    act(2, type="Ride", moving_time=5400, icu_training_load=80.6, distance=40250),
    act(3, type="Run", moving_time=1800, icu_training_load=None, distance=5049),
    act(4, type="Ride", moving_time=900, icu_training_load=10.5, distance=None),
    act(5, type="Alpine", moving_time=None),
    act(6, type=None, moving_time=600, icu_training_load=2),
]


def test_summary_by_type_sorted_and_rounded():
    out = summary(ACTS, 7)
    assert list(out) == [
        "period_description",
        "note",
        "total_duration_decimal_hours",
        "total_activities",
        "by_activity_type",
    ]
    assert out["period_description"] == "Last 7 days of training (including today)"
    # 3600+5400+1800+900+0+600 = 12300 s = 3.41666 h -> 3.42
    assert out["total_duration_decimal_hours"] == 3.42
    assert out["total_activities"] == 6
    by = out["by_activity_type"]
    assert list(by) == ["Alpine", "Ride", "Run", "Unknown"]
    # Ride: 6300 s = 1.75 h; tss 80.6+10.5=91.1 -> 91.0; 40.25 km -> round(40.25,1)=40.2 (exact .25, half-to-even)
    assert by["Ride"] == {
        "duration_decimal_hours": 1.75,
        "count": 2,
        "tss": 91.0,
        "distance_km": 40.2,
        "display": {"distance": {"value": 40.2, "unit": "km"}},
    }
    # Run: 5400 s = 1.5 h; tss 60.4 -> 60.0; 15.049 km -> 15.0
    assert by["Run"]["duration_decimal_hours"] == 1.5
    assert by["Run"]["tss"] == 60.0 and by["Run"]["distance_km"] == 15.0
    assert by["Alpine"] == {
        "duration_decimal_hours": 0.0,
        "count": 1,
        "tss": 0,
        "distance_km": 0,
        "display": {"distance": {"value": 0, "unit": "km"}},
    }
    assert by["Unknown"]["count"] == 1 and by["Unknown"]["tss"] == 2


def test_summary_imperial_display():
    units = {"distance": "imperial"}
    out = summary([act(1, type="Run", distance=10000)], 14, units)
    assert out["period_description"] == "Last 14 days of training (including today)"
    assert out["by_activity_type"]["Run"]["display"] == {"distance": {"value": 6.21, "unit": "mi"}}


def test_summary_empty():
    out = summary([], 7)
    assert out["total_duration_decimal_hours"] == 0 and out["by_activity_type"] == {}


def test_quick_stats():
    # 12300 s -> 3.42 h, formatted 3h25m; tss 60.4+80.6+10.5+2 = 153.5 -> round half-even 154.0
    assert quick_stats(ACTS) == {
        "total_training_hours": 3.42,
        "total_training_formatted": "3h25m",
        "total_activities": 6,
        "total_tss": 154.0,
    }
    assert quick_stats([]) == {
        "total_training_hours": 0.0,
        "total_training_formatted": "0s",
        "total_activities": 0,
        "total_tss": 0,
    }


def test_quick_stats_truncates_formatted_to_minutes():
    out = quick_stats([act(1, moving_time=3659)])
    assert out["total_training_formatted"] == "1h" and out["total_training_hours"] == 1.02


def well(day, **raw):
    return Wellness.from_raw({"id": f"2025-03-{day:02d}", **raw})


def test_weekly_summary_hrv_validity_and_rhr():
    wellness = [
        well(4, hrv=255, restingHR=0),
        well(5, hrv=5, restingHR=50),
        well(6, hrv=60, restingHR=None),
        well(7, hrv=65.5, restingHR=47),
        well(8, hrv=None, restingHR=52),
    ]
    out = weekly_summary(ACTS, wellness)
    # valid HRV: 60, 65.5 -> 62.75 -> round(62.75,1) = 62.8 (binary 62.75 exact, half-even -> 62.8)
    # RHR truthy: 50, 47, 52 -> 49.666 -> 49.7
    assert out == {
        "total_training_hours": 3.42,
        "total_training_formatted": "3h25m",
        "total_tss": 154.0,
        "activities_count": 6,
        "avg_hrv": 62.8,
        "avg_resting_hr": 49.7,
    }


def test_weekly_summary_no_valid_values():
    out = weekly_summary([], [well(4, hrv=255), well(5, hrv=5, restingHR=0)])
    assert out["avg_hrv"] is None and out["avg_resting_hr"] is None
    assert out["activities_count"] == 0 and out["total_tss"] == 0
