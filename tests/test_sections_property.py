"""Property: every computed section of latest.json, over arbitrary activity and
wellness records, raises nothing and holds no NaN or infinity (issue 3)."""

from __future__ import annotations

import json
import math
import os
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from section11.context import SyncInputs
from section11.event_model import events_from_raw
from section11.model import Athlete, activities_from_raw
from section11.outputs.anonymize import protect_latest
from section11.outputs.latest import assemble_latest
from section11.outputs.sections import compute_sections
from section11.outputs.validate import validate_document
from section11.wellness_model import wellness_from_raw

from .helpers import walk

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ODD = st.one_of(
    st.none(),
    st.just(0),
    st.just(0.0),
    st.integers(-10, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-50, 400),
    st.booleans(),
    st.text(max_size=2),
)
TYPES = st.sampled_from(
    [
        "Ride",
        "VirtualRide",
        "Run",
        "Swim",
        "NordicSki",
        "VirtualRow",
        "WeightTraining",
        "Yoga",
        "Kitesurf",
        None,
    ]
)


@st.composite
def activity(draw, i):
    day = TODAY - timedelta(days=draw(st.integers(0, 40)))
    raw = {
        "id": f"i{i}",
        "start_date_local": f"{day.isoformat()}T0{draw(st.integers(5, 9))}:00:00",
        "type": draw(TYPES),
    }
    for key in (
        "moving_time",
        "icu_training_load",
        "icu_intensity",
        "average_watts",
        "average_heartrate",
        "icu_variability_index",
        "icu_hr_decoupling",
        "icu_efficiency_factor",
        "icu_rpe",
        "feel",
        "distance",
        "icu_ftp",
    ):
        raw[key] = draw(ODD)
    raw["icu_zone_times"] = draw(
        st.one_of(
            st.none(),
            st.lists(
                st.fixed_dictionaries(
                    {
                        "id": st.sampled_from(["Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7", "SS"]),
                        "secs": ODD,
                    }
                ),
                max_size=8,
            ),
        )
    )
    raw["icu_hr_zone_times"] = draw(st.one_of(st.none(), st.lists(ODD, max_size=7)))
    raw["icu_hrr"] = draw(st.one_of(ODD, st.fixed_dictionaries({"hrr": ODD})))
    return raw


@st.composite
def wellness_row(draw, offset):
    raw = {"id": (TODAY - timedelta(days=offset)).isoformat()}
    for key in (
        "hrv",
        "restingHR",
        "sleepSecs",
        "sleepQuality",
        "weight",
        "ctl",
        "atl",
        "rampRate",
        "injury",
        "hrvSDNN",
        "vo2max",
    ):
        raw[key] = draw(ODD)
    raw["sportInfo"] = draw(
        st.one_of(
            st.none(),
            st.just([{"type": "Ride", "eftp": draw(ODD), "wPrime": draw(ODD), "pMax": draw(ODD)}]),
        )
    )
    return raw


@st.composite
def inputs(draw):
    n = draw(st.integers(0, 25))
    acts = [draw(activity(i)) for i in range(n)]
    offsets = draw(st.sets(st.integers(0, 30), max_size=30))
    well = [draw(wellness_row(o)) for o in sorted(offsets, reverse=True)]
    race_in = draw(st.integers(0, 20))
    events = [
        {
            "id": 1,
            "category": draw(st.sampled_from(["RACE_A", "RACE_B", "WORKOUT", "SICK"])),
            "start_date_local": f"{(TODAY + timedelta(days=race_in)).isoformat()}T00:00:00",
            "moving_time": draw(ODD),
            "icu_training_load": draw(ODD),
            "name": "E",
        }
    ]
    athlete = Athlete.from_raw(
        {
            "id": "i1",
            "timezone": "UTC",
            "icu_weight": draw(ODD),
            "sportSettings": [
                {"types": ["Ride"], "ftp": draw(ODD), "indoor_ftp": draw(ODD), "lthr": draw(ODD)}
            ],
        }
    )
    history = activities_from_raw(acts)
    return SyncInputs(
        today=TODAY,
        now=NOW,
        days=7,
        athlete=athlete,
        activities=tuple(a for a in history if not a.is_stub),
        wellness=tuple(wellness_from_raw(well)),
        events=tuple(events_from_raw(events)),
        health_events=(),
        history_activities=tuple(history),
    )


@settings(
    max_examples=int(os.environ.get("SECTION11_PROPERTY_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(inputs())
def test_sections_never_raise_nor_emit_nan(ctx):
    computed = compute_sections(ctx, history_activities=ctx.history_activities)
    doc = protect_latest(
        assemble_latest(
            ctx,
            derived=computed.derived,
            sections=dict(
                computed.sections,
                history={"available": False, "history_confidence": "low", "note": "n/a"},
            ),
        )
    )
    for value in walk(doc):
        if isinstance(value, float):
            assert math.isfinite(value)
    json.dumps(doc, allow_nan=False)
    validate_document("latest.json", doc)
