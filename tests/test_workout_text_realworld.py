"""Every real workout_doc (public Intervals.icu payloads) gets a summary that states
the right total and the right number of repeat blocks.

The payloads are read at run time from the sample-data folder that
tests/kit/realworld.py locates; a checkout without them skips this module.
"""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from section11.outputs.workout_text import TIMES, workout_summary
from tests.kit.realworld import ICU

pytestmark = pytest.mark.skipif(
    not ICU.is_dir(), reason=f"real-world Intervals.icu payloads not present at {ICU}"
)


def _load(name: str) -> Any:
    return json.loads((ICU / name).read_text(encoding="utf-8"))


def real_workouts() -> Iterator[tuple[str, dict, str | None]]:
    """(label, workout_doc, sport) of every real planned workout with a workout_doc."""
    for entry in _load("robertgregorywest__workout-parser_events.json")["entries"]:
        yield f"parser:{entry['id']}", entry["workout_doc"], entry.get("type")
    for path in sorted(ICU.glob("tp2intervals__intervals-events-response*.json")):
        for event in _load(path.name):
            if isinstance(event.get("workout_doc"), dict):
                yield f"{path.stem}:{event['id']}", event["workout_doc"], event.get("type")
    for folder in _load("tp2intervals__intervals_workouts.json"):
        for workout in folder.get("children") or []:
            yield f"library:{workout['id']}", workout["workout_doc"], workout.get("type")
    for path in sorted(ICU.glob("robertgregorywest__*.json")):
        event = _load(path.name)
        event = event.get("event") if isinstance(event, dict) else None
        if isinstance(event, dict) and isinstance(event.get("workout_doc"), dict):
            yield f"{path.stem}:{event.get('id')}", event["workout_doc"], event.get("type")


def _is_repeat(step: dict) -> bool:
    return "reps" in step or "steps" in step


def tree_totals(steps: list) -> tuple[float, float, int]:
    """(seconds, metres of steps without a duration, repeat blocks of the tree), reps
    multiplied."""
    seconds = metres = 0.0
    blocks = 0
    for step in steps:
        if _is_repeat(step):
            inner_s, inner_m, inner_b = tree_totals(step["steps"])
            if inner_s or inner_m:
                seconds += step["reps"] * inner_s
                metres += step["reps"] * inner_m
                blocks += 1 + inner_b
        elif step.get("duration"):
            seconds += step["duration"]
        elif step.get("distance"):
            metres += step["distance"]
    return seconds, metres, blocks


def _key(step: dict) -> str:
    """A flat step for comparison: its text does not count when it has a target."""
    has_target = any(k in step for k in ("power", "hr", "pace", "_power", "_hr", "_pace"))
    return json.dumps({k: v for k, v in step.items() if not (has_target and k == "text")})


def writes_out_repetition(steps: list) -> bool:
    """Whether some block of 2-6 flat steps (not all alike) follows itself back to back."""
    if any(_is_repeat(s) and writes_out_repetition(s["steps"]) for s in steps):
        return True
    keys = [None if _is_repeat(s) else _key(s) for s in steps]
    for period in range(2, 7):
        for i in range(len(keys) - 2 * period + 1):
            block = keys[i : i + period]
            if None in block or len(set(block)) == 1:
                continue
            if keys[i + period : i + 2 * period] == block:
                return True
    return False


UNIT_SECONDS = {"h": 3600, "min": 60, "s": 1}


def stated_total(summary: str) -> tuple[float, float]:
    """(seconds, metres) written before the first ': ' of a summary."""
    seconds = metres = 0.0
    for part in summary.split(": ", 1)[0].split(" + "):
        if part.endswith(" km"):
            metres += float(part[:-3]) * 1000
        elif part.endswith(" m"):
            metres += float(part[:-2])
        else:
            for number, unit in re.findall(r"(\d+) ?(h|min|s)\b", part):
                seconds += int(number) * UNIT_SECONDS[unit]
    return seconds, metres


WORKOUTS = list(real_workouts())
STRUCTURED = [(label, doc, sport) for label, doc, sport in WORKOUTS if doc.get("steps")]


def test_real_data_is_there():
    assert len(STRUCTURED) >= 120  # 118 parser docs plus the tp2intervals events


@pytest.mark.parametrize("label, doc, sport", STRUCTURED, ids=[w[0] for w in STRUCTURED])
def test_real_workout_summary(label, doc, sport):
    summary = workout_summary(doc, sport)
    assert summary, label
    seconds, metres, blocks = tree_totals(doc["steps"])
    said_seconds, said_metres = stated_total(summary)
    assert said_seconds == round(seconds)
    # distances above 1 km are written in km with 2 decimals
    assert abs(said_metres - metres) <= (5 if metres >= 1000 else 0.5)
    stated_blocks = summary.count(f" {TIMES} ")
    if writes_out_repetition(doc["steps"]):  # folded into extra repeats
        assert stated_blocks > blocks
    else:
        assert stated_blocks == blocks


def test_real_data_has_both_kinds():
    written_out = [w for w in STRUCTURED if writes_out_repetition(w[1]["steps"])]
    assert 5 <= len(written_out) < len(STRUCTURED) - 100


def test_real_workouts_without_steps_get_none():
    empty = [doc for _, doc, _ in WORKOUTS if not doc.get("steps")]
    assert empty, "the tp2intervals payloads hold workouts with an empty step list"
    assert all(workout_summary(doc, None) is None for doc in empty)
