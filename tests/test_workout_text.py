"""workout_doc -> one-line summary: one table row per step kind (hand-written fixtures)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from section11.outputs.workout_text import (
    fmt_distance,
    fmt_duration,
    fmt_pace,
    workout_summary,
)


def step(dur=None, **targets):
    out = {} if dur is None else {"duration": dur}
    out.update(targets)
    return out


def val(v, units):
    return {"value": v, "units": units}


def rng(a, b, units):
    return {"start": a, "end": b, "units": units}


def rep(n, *steps):
    return {"reps": n, "steps": list(steps)}


def doc(*steps, **top):
    return {"steps": list(steps), **top}


@pytest.mark.parametrize(
    "seconds, text",
    [(0, "0s"), (45, "45s"), (60, "1 min"), (150, "2 min 30s"), (3600, "60 min")]
    + [(6617, "110 min 17s"), (7200, "2h"), (8100, "2h 15 min"), (9005, "2h 30 min 5s")],
)
def test_fmt_duration(seconds, text):
    assert fmt_duration(seconds) == text


def test_fmt_distance_and_pace():
    assert fmt_distance(400, swim=False) == "400 m"
    assert fmt_distance(5000, swim=False) == "5 km"
    assert fmt_distance(21097.5, swim=False) == "21.1 km"
    assert fmt_distance(99.99999, swim=True) == "100 m"
    assert fmt_distance(1500, swim=True) == "1500 m"
    assert fmt_pace(1000 / 245, swim=False) == "4:05"  # 245 s per km
    assert fmt_pace(100 / 95, swim=True) == "1:35"  # 95 s per 100 m


# Each row: one step kind, and its summary written out by hand.
CASES = {
    "issue example (pace, zones, repeat with rest)": (
        doc(
            step(900, hr=val(2, "hr_zone")),
            rep(3, step(480, pace=val(105, "%pace"), _pace={"value": 1000 / 245}), step(120)),
            step(900, hr=val(1, "hr_zone")),
            threshold_pace=3.9,
        ),
        "Run",
        "60 min: 15 min @ HR Z2, 3 × 8 min @ 4:05/km (r 2 min), 15 min @ HR Z1",
    ),
    "flat single step, power zone": (
        doc(step(3600, power=val(2, "power_zone"))),
        "Ride",
        "60 min: 60 min @ Z2",
    ),
    "absolute watts and a watt range": (
        doc(step(600, power=val(250, "w")), step(600, power=rng(157, 213, "w"))),
        "Ride",
        "20 min: 10 min @ 250W, 10 min @ 157-213W",
    ),
    "%ftp value, range and zone range": (
        doc(
            step(600, power=val(87.5, "%ftp")),
            step(600, power=rng(55, 65, "%ftp")),
            step(600, power=rng(3, 4, "power_zone")),
        ),
        "Ride",
        "30 min: 10 min @ 87.5% FTP, 10 min @ 55-65% FTP, 10 min @ Z3-Z4",
    ),
    "ramp": (
        doc(step(600, ramp=True, power=rng(50, 75, "%ftp"))),
        "Ride",
        "10 min: 10 min ramp @ 50-75% FTP",
    ),
    "%HR, %LTHR, bpm and HR zones": (
        doc(
            step(600, hr=val(75, "%hr")),
            step(600, hr=rng(50, 70, "%lthr")),
            step(600, hr=val(150, "bpm")),
            step(600, hr=rng(3, 4, "hr_zone")),
        ),
        "Ride",
        "40 min: 10 min @ 75% HRmax, 10 min @ 50-70% LTHR, 10 min @ 150 bpm, 10 min @ HR Z3-Z4",
    ),
    "RPE target": (doc(step(1200, rpe=val(6, "rpe"))), "Run", "20 min: 20 min @ RPE 6"),
    "cadence next to power": (
        doc(
            step(720, power=val(90, "%ftp"), cadence=val(90, "rpm")),
            step(300, cadence=rng(80, 90, "rpm")),
        ),
        "Ride",
        "17 min: 12 min @ 90% FTP @ 90 rpm, 5 min @ 80-90 rpm",
    ),
    "resolved power only": (doc(step(300, _power={"value": 162.5})), "Ride", "5 min: 5 min @ 162W"),
    "resolved power only, work and rest": (
        doc(rep(3, step(720, _power={"value": 234}), step(240, _power={"value": 143}))),
        "Ride",
        "48 min: 3 × 12 min @ 234W (r 4 min @ 143W)",
    ),
    "pace from resolved _pace: value, range and zone": (
        doc(
            step(600, pace=val(80, "%pace"), _pace={"value": 2.5, "start": 2.4, "end": 2.6}),
            step(
                600, pace=rng(80, 110, "%pace"), _pace={"value": 2.75, "start": 2.5, "end": 3.125}
            ),
            step(600, pace=val(2, "pace_zone"), _pace={"start": 2.5, "end": 2.5}),
        ),
        "Run",
        "30 min: 10 min @ 6:40/km, 10 min @ 6:40-5:20/km, 10 min @ 6:40/km",
    ),
    "pace from %pace of threshold pace (no _pace)": (
        doc(step(600, pace=val(80, "%pace")), threshold_pace=3.125),
        "Walk",
        "10 min: 10 min @ 6:40/km",
    ),
    "a resolved pace too slow to be one is not used (no overflow)": (
        doc(
            step(600, pace=val(85, "%pace"), _pace={"value": 2.225073858507e-311}),
            step(600, _pace={"value": 0.05}),
            step(600, pace=val(1e-300, "%pace")),
            threshold_pace=3.125,
        ),
        "Run",
        "30 min: 10 min @ 6:16/km, 10 min, 10 min @ 0% pace",  # 85% of 3.125 m/s: 376 s/km
    ),
    "pace as stated when nothing resolves it": (
        doc(step(600, pace=val(85, "%pace")), step(600, pace=val(2, "pace_zone"))),
        "Run",
        "20 min: 10 min @ 85% pace, 10 min @ pace Z2",
    ),
    "distance-only swim steps, pace per 100 m": (
        doc(
            step(distance=400, pace=val(100, "%pace")),
            rep(4, step(distance=100, pace=val(105, "%pace")), step(distance=50)),
            threshold_pace=1.0,
        ),
        "Swim",
        "1000 m: 400 m @ 1:40/100m, 4 × 100 m @ 1:35/100m (r 50 m)",
    ),
    "distance steps with estimated durations: the total is time": (
        doc(step(1200, distance=5000), step(300)),
        "Run",
        "25 min: 5 km, 5 min",
    ),
    "time and distance-only steps mixed": (
        doc(step(600), step(distance=3000)),
        "Run",
        "10 min + 3 km: 10 min, 3 km",
    ),
    "free-text steps show their text": (
        doc(step(1200, text="Squats 3x5"), step(600, text="  Mobility\n work ")),
        "WeightTraining",
        '30 min: 20 min "Squats 3x5", 10 min "Mobility work"',
    ),
    "text of a step with a target is not shown": (
        doc(step(600, text="Warm up", power=val(60, "%ftp"))),
        "Ride",
        "10 min: 10 min @ 60% FTP",
    ),
    "long text is cut at 60 characters": (
        doc(step(60, text="x" * 80)),
        "Run",
        '1 min: 1 min "' + "x" * 59 + '…"',
    ),
    "free ride, max effort, until lap": (
        doc(
            step(600, freeride=True),
            step(10, maxeffort=True),
            step(300, until_lap_press=True, power=val(1, "power_zone")),
        ),
        "Ride",
        "15 min 10s: 10 min free ride, 10s max effort, 5 min @ Z1 (until lap)",
    ),
    "consecutive identical steps merge, also without a target": (
        doc(step(600), step(300), step(60, text="a"), step(60, text="a")),
        "Ride",
        '17 min: 15 min, 2 min "a"',
    ),
    "consecutive identical steps merge": (
        doc(
            step(600, text="a", power=val(2, "power_zone")),
            step(300, text="b", power=val(2, "power_zone")),
        ),
        "Ride",
        "15 min: 15 min @ Z2",
    ),
    "rest marked by intensity": (
        doc(
            rep(
                5,
                step(60, power=val(100, "%ftp")),
                step(60, intensity="recovery", power=val(110, "%ftp")),
            )
        ),
        "Ride",
        "10 min: 5 × 1 min @ 100% FTP (r 1 min @ 110% FTP)",
    ),
    "two harder steps are a list, not work/rest": (
        doc(rep(3, step(120, power=val(324, "w")), step(60, power=val(387, "w")))),
        "Ride",
        "9 min: 3 × (2 min @ 324W, 1 min @ 387W)",
    ),
    "targets of different kinds are a list": (
        doc(rep(2, step(300, power=val(250, "w")), step(60, hr=val(120, "bpm")))),
        "Ride",
        "12 min: 2 × (5 min @ 250W, 1 min @ 120 bpm)",
    ),
    "one-step repeat and three-step repeat": (
        doc(
            rep(4, step(30, power=val(150, "%ftp"))),
            rep(2, step(60, power=val(5, "power_zone")), step(30), step(90, text="spin")),
        ),
        "Ride",
        '8 min: 4 × 30s @ 150% FTP, 2 × (1 min @ Z5, 30s, 1 min 30s "spin")',
    ),
    "nested repeats": (
        doc(
            rep(
                2,
                step(180, power=val(1, "power_zone")),
                rep(4, step(30, power=val(6, "power_zone")), step(15, power=val(1, "power_zone"))),
            )
        ),
        "Ride",
        "12 min: 2 × (3 min @ Z1, 4 × 30s @ Z6 (r 15s @ Z1))",  # 2 × (180 + 4 × 45) s
    ),
    "a repeat of a repeat only": (
        doc(rep(2, rep(3, step(60, power=val(300, "w")), step(60, power=val(100, "w"))))),
        "Ride",
        "12 min: 2 × (3 × 1 min @ 300W (r 1 min @ 100W))",
    ),
    "written-out work/rest pairs fold into a repeat": (
        doc(
            step(600, power=val(60, "%ftp")),
            *[step(40, power=val(150, "%ftp")), step(20, power=val(50, "%ftp"))] * 8,
            step(600, power=val(50, "%ftp")),
        ),
        "Ride",
        "28 min: 10 min @ 60% FTP, 8 × 40s @ 150% FTP (r 20s @ 50% FTP), 10 min @ 50% FTP",
    ),
    "written-out pairs inside a repeat, after a set recovery": (
        doc(
            rep(
                3,
                step(180, power=val(1, "power_zone")),
                *[step(30, power=val(6, "power_zone")), step(15, power=val(1, "power_zone"))] * 4,
            )
        ),
        "Ride",
        "18 min: 3 × (3 min @ Z1, 4 × 30s @ Z6 (r 15s @ Z1))",
    ),
    "the longest written-out block wins; a lone last rep stays a step": (
        doc(
            *[
                step(120, power=val(105, "%ftp")),
                step(120, power=val(95, "%ftp")),
                step(120, power=val(105, "%ftp")),
                step(300, power=val(55, "%ftp")),
            ]
            * 2,
            step(120, power=val(105, "%ftp")),
        ),
        "Ride",
        "24 min: 2 × (2 min @ 105% FTP, 2 min @ 95% FTP, 2 min @ 105% FTP, 5 min @ 55% FTP), 2 min @ 105% FTP",
    ),
    "repeat blocks of the workout are never folded together": (
        doc(
            rep(2, step(60, power=val(300, "w")), step(60, power=val(100, "w"))),
            step(300, power=val(100, "w")),
            rep(2, step(60, power=val(300, "w")), step(60, power=val(100, "w"))),
            step(300, power=val(100, "w")),
        ),
        "Ride",
        "18 min: 2 × 1 min @ 300W (r 1 min @ 100W), 5 min @ 100W, 2 × 1 min @ 300W (r 1 min @ 100W), 5 min @ 100W",
    ),
    "unreadable steps are skipped": (
        doc(
            "junk",
            None,
            step(0, power=val(200, "w")),
            step(600, power=val("x", "w")),
            rep(0, step(60)),
            rep(2),
        ),
        "Ride",
        "10 min: 10 min",
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_summary_table(name):
    workout, sport, expected = CASES[name]
    assert workout_summary(workout, sport) == expected


@pytest.mark.parametrize(
    "workout",
    [
        {},
        {"steps": []},
        {"steps": None},
        {"steps": "3x5"},
        {"steps": [{"text": "no amount"}, {"duration": 0}, {"reps": 3, "steps": []}]},
    ],
)
def test_no_summary_without_a_readable_step(workout):
    assert workout_summary(workout, "Ride") is None


def test_swim_pace_units_without_sport():
    workout = doc(
        step(distance=100, pace=val(100, "%pace")), threshold_pace=1.0, pace_units="SECS_100M"
    )
    assert workout_summary(workout, None) == "100 m: 100 m @ 1:40/100m"


# ---------------------------------------------------------------- robustness

_values = st.one_of(
    st.none(), st.integers(-5, 600), st.floats(allow_nan=True), st.text(max_size=3), st.booleans()
)
_target = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "value": _values,
            "start": _values,
            "end": _values,
            "units": st.sampled_from(["%ftp", "w", "power_zone", "%pace", "hr_zone", "x", None]),
        },
    ),
)
_flat = st.fixed_dictionaries(
    {},
    optional={
        "duration": _values,
        "distance": _values,
        "text": st.one_of(st.none(), st.text(max_size=5)),
        "ramp": _values,
        "power": _target,
        "_power": _target,
        "hr": _target,
        "_hr": _target,
        "pace": _target,
        "_pace": _target,
        "cadence": _target,
    },
)
_step = st.recursive(
    _flat,
    lambda inner: st.fixed_dictionaries(
        {"reps": _values, "steps": st.one_of(st.none(), st.lists(inner, max_size=5))}
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_step, max_size=10),
    st.sampled_from(["Ride", "Run", "Swim", None]),
    _values,
)
def test_summary_never_crashes(steps, sport, threshold):
    summary = workout_summary({"steps": steps, "threshold_pace": threshold}, sport)
    assert summary is None or (isinstance(summary, str) and ": " in summary)
