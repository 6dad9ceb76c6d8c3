"""tp2intervals footers in Intervals.icu event descriptions: origin labels,
and the footer kept out of the text the AI coach reads."""

from __future__ import annotations

import json
from datetime import date

import pytest

from section11.event_model import Event
from section11.origins import split_origin
from section11.outputs.planned import planned_entry
from tests.kit.realworld import ICU as REALWORLD

RULE = "/" * 10

TP_COPY = (
    "Hold the cadence high.\n"
    "`- not a step, escaped by tp2intervals\n"
    "\n- - - -\n"
    "Imported with tp2intervals (https://github.com/freekode/tp2intervals)\n"
    "- - - -\n"
    "- 10m 55%\n- 3x\n- 8m 95-100%\n"
    f"\n{RULE}\ntrainingPeaksId=2456789012\n"
)


def test_trainingpeaks_footer_gives_origin_and_leaves_the_plan():
    found = split_origin(TP_COPY)
    assert (found.origin, found.origin_id) == ("trainingpeaks", "2456789012")
    assert found.text is not None
    assert RULE not in found.text and "trainingPeaksId" not in found.text
    assert "Imported with tp2intervals" not in found.text
    assert found.text.startswith("Hold the cadence high.")
    assert "- 8m 95-100%" in found.text


def test_trainerroad_footer_with_several_keys():
    text = f"Sweet spot.\n\n{RULE}\nintervalsId=77\ntrainerRoadId=123456\n"
    found = split_origin(text)
    assert (found.origin, found.origin_id, found.text) == ("trainerroad", "123456", "Sweet spot.")


def test_intervals_only_footer_is_removed_without_origin():
    found = split_origin(f"Easy.\n{RULE}\nintervalsId=12")
    assert (found.origin, found.text) == (None, "Easy.")


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "Z2.E7 // FatMax // 3x 20 (10) mins [60]",
        f"{RULE}\nnot a footer line",
        f"Drawn: \n{RULE}\n",
    ],
)
def test_text_without_a_footer_is_unchanged(text):
    found = split_origin(text)
    assert (found.text, found.origin, found.origin_id) == (text, None, None)


def test_planned_entry_carries_origin_and_hides_the_footer():
    raw = {
        "id": 5,
        "start_date_local": "2026-11-24T00:00:00",
        "category": "WORKOUT",
        "type": "Ride",
        "name": "Tempo",
        "description": TP_COPY,
    }
    entry = planned_entry(Event.from_raw(raw), date(2026, 11, 23), None)
    assert entry["origin"] == "trainingpeaks" and entry["origin_id"] == "2456789012"
    assert RULE not in entry["description"] and "trainingPeaksId" not in entry["description"]
    plain = planned_entry(Event.from_raw({**raw, "description": "Tempo"}), date(2026, 11, 23), None)
    assert "origin" not in plain and "origin_id" not in plain


def _real_events() -> list[dict]:
    if not REALWORLD.is_dir():
        pytest.skip(f"public real-world data not present at {REALWORLD}")
    events = []
    for path in sorted(REALWORLD.glob("tp2intervals__intervals-events-response*.json")):
        events += [e for e in json.loads(path.read_text()) if isinstance(e, dict)]
    assert events
    return events


def test_real_tp2intervals_events_have_no_false_origin():
    for raw in _real_events():
        event = Event.from_raw(raw)
        assert event.origin is None
        assert event.description == raw.get("description")


def test_real_events_with_a_footer_appended_are_recognised():
    for number, raw in enumerate(_real_events()):
        original = raw.get("description") or ""
        copied = {**raw, "description": f"{original}\n\n{RULE}\ntrainingPeaksId={9000 + number}"}
        event = Event.from_raw(copied)
        assert (event.origin, event.origin_id) == ("trainingpeaks", str(9000 + number))
        assert (event.description or "") == original.rstrip()
