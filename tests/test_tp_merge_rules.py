"""The pure rules of the TrainingPeaks merge and of the no-Intervals.icu path."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from section11.event_model import Event
from section11.model import Activity, Athlete
from section11.outputs.source_only import add_source_limits
from section11.source_only import INTERVALS_ONLY, SourceRecords, inputs_without_intervals
from section11.tp_merge import enrich, extra_races, fill_wellness
from section11.tp_model import TpEvent, TpWorkout, health_by_day
from section11.wellness_model import Wellness

DAY = date(2026, 5, 4)


def activity(aid: str, start: str, seconds: float) -> Activity:
    return Activity(id=aid, date=DAY, start_local=start, type="Ride", moving_time=seconds)


def workout(wid: int, start: str, hours: float, **extra) -> TpWorkout:
    raw = {
        "workoutId": wid,
        "workoutDay": f"{DAY.isoformat()}T00:00:00",
        "startTime": start,
        "completed": True,
        "totalTime": hours,
        "tssActual": 80.0,
        "if": 0.8,
        "feeling": 7,
        "rpe": 6,
    }
    return TpWorkout.from_raw(raw | extra)


def matched(activities, workouts):
    return {a.id: (a.trainingpeaks or {}).get("workout_id") for a in enrich(activities, workouts)}


def test_match_window_is_five_minutes_and_ten_percent():
    base = activity("a", "2026-05-04T10:00:00", 3600)
    assert matched([base], [workout(1, "2026-05-04T10:05:00", 1.0)]) == {"a": "1"}
    assert matched([base], [workout(1, "2026-05-04T10:05:01", 1.0)]) == {"a": None}
    # 10 % of the longer duration: 3960 s vs 3600 s differs by 360 <= 396
    assert matched([base], [workout(1, "2026-05-04T10:00:00", 1.1)]) == {"a": "1"}
    assert matched([base], [workout(1, "2026-05-04T10:00:00", 4001 / 3600)]) == {"a": None}


def test_nearest_start_wins_and_each_side_matches_once():
    first = activity("a", "2026-05-04T10:00:00", 3600)
    second = activity("b", "2026-05-04T10:03:00", 3600)
    got = matched([first, second], [workout(1, "2026-05-04T10:02:00", 1.0)])
    assert got == {"a": None, "b": "1"}
    got = matched(
        [first], [workout(1, "2026-05-04T10:00:00", 1.0), workout(2, "2026-05-04T10:01:00", 1.0)]
    )
    assert got == {"a": "1"}


def test_enrichment_keeps_intervals_numbers_and_adds_tp_ones():
    own = activity("a", "2026-05-04T10:00:00", 3600)
    own = replace(own, load=70.0, rpe=5.0)
    (out,) = enrich([own], [workout(1, "2026-05-04T10:00:00", 1.0, athleteComments="Good")])
    assert (out.load, out.rpe) == (70.0, 5.0)
    assert out.trainingpeaks == {
        "role": "enriched",
        "workout_id": "1",
        "tss": 80.0,
        "if": 0.8,
        "feeling": 7,
        "rpe": 6,
        "athlete_comments": "Good",
    }


def health(day: date, **values: float) -> dict:
    types = {"hrv": 60, "rhr": 5, "sleep_h": 6, "steps": 58}
    details = [{"type": types[k], "value": v} for k, v in values.items()]
    return {"timeStamp": f"{day.isoformat()}T06:00:00", "details": details}


def test_health_fills_only_empty_fields_and_missing_days_in_the_window():
    own = Wellness(date=DAY, hrv=50.0)
    rows = [
        health(DAY, hrv=70, rhr=48, sleep_h=7.5),
        health(DAY + timedelta(days=1), hrv=60),
        health(DAY - timedelta(days=40), hrv=65),
    ]
    out = fill_wellness(
        [own], health_by_day(rows), DAY - timedelta(days=27), DAY + timedelta(days=1)
    )
    assert [w.date for w in out] == [DAY, DAY + timedelta(days=1)]
    today, added = out
    assert (today.hrv, today.resting_hr, today.sleep_secs) == (50.0, 48.0, 7.5 * 3600)
    assert today.filled_from == {"resting_hr": "trainingpeaks", "sleep_secs": "trainingpeaks"}
    assert added.hrv == 60 and added.filled_from == {"hrv": "trainingpeaks"}


def test_a_day_with_an_intervals_race_keeps_only_that_race():
    icu = [Event(id="9", date=DAY, start_local=None, category="RACE_B", name="Local race")]
    tp = [
        TpEvent(date=DAY, name="Same race", event_type=None, priority="A", ctl_target=80, id="1"),
        TpEvent(DAY + timedelta(days=7), "Other", None, "C", None, id="2"),
        TpEvent(DAY + timedelta(days=9), "No priority", None, None, None, id="3"),
    ]
    races = extra_races(icu, tp)
    assert [(r.name, r.category, r.origin) for r in races] == [("Other", "RACE_C", "trainingpeaks")]


def test_source_limits_list_only_nulls_and_expand_blocks():
    latest = {
        "derived_metrics": {"eftp": None, "acwr": 1.1, "tid": {"z1": None, "z2": 0.2}},
        "current_status": {"fitness": {"ramp_rate": 3.0}},
    }
    limits = {
        "derived_metrics.eftp": "no power model",
        "derived_metrics.acwr": "never listed: it has a value",
        "derived_metrics.tid.*": "no zones",
        "current_status.fitness.ramp_rate": "no ramp",
        "missing.block.field": "no such block",
    }
    out = add_source_limits(latest, "demo", limits)
    assert out["source_limits"] == {
        "source": "demo",
        "unavailable": {
            "derived_metrics.eftp": "no power model",
            "derived_metrics.tid.z1": "no zones",
        },
    }
    assert out["derived_metrics"]["null_reasons"] == {"eftp": "source_unavailable"}
    assert out["derived_metrics"]["tid"]["null_reasons"] == {"z1": "source_unavailable"}
    assert "null_reasons" not in latest["derived_metrics"], "the input is not changed"


def test_inputs_without_intervals_use_the_usual_windows():
    now = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
    days = [DAY - timedelta(days=n) for n in (0, 27, 28, 200)] + [DAY + timedelta(days=1)]
    acts = tuple(
        Activity(id=str(i), date=d, start_local=f"{d.isoformat()}T09:00:00", type="Ride", load=50)
        for i, d in enumerate(days)
    )
    records = SourceRecords(
        source="demo",
        label="Demo API",
        athlete=Athlete(id="1"),
        activities=acts,
        wellness=tuple(Wellness(date=d, ctl=40.0) for d in days),
        unavailable={"x.y": "why"},
    )
    ctx = inputs_without_intervals(records, now=now, days=7)
    assert ctx.today == DAY
    assert [a.id for a in ctx.activities] == ["0", "1"]
    assert [a.id for a in ctx.history_activities] == ["0", "1", "2", "3"]
    assert [w.date for w in ctx.wellness] == [DAY - timedelta(days=27), DAY]
    assert ctx.sync_status == {"demo": "ok", "intervals_icu": "not_configured"}
    assert records.limits == {**INTERVALS_ONLY, "x.y": "why"}
