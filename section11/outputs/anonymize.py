"""Anonymization of output documents (spec/pipeline.md §7; on by default).

Each category of personal data has its own small rule: a pure function that
takes a document and returns a copy with that category scrubbed, leaving the
input untouched. `anonymize_latest` applies the rules for latest.json in
order. Adding a category (coordinates, location, date of birth -> age only,
notes, ...) means writing one more rule and appending it to `LATEST_RULES`.

Today's rules:
* athlete id -> "REDACTED";
* names of outdoor activities (they often name a place: "Loop around X")
  -> a neutral label derived from the activity type, e.g. "Outdoor Ride".
"""
from __future__ import annotations

import re
from typing import Any, Callable, Mapping, Sequence

from ..sports import OUTDOOR_TYPES

REDACTED = "REDACTED"

Rule = Callable[[Mapping[str, Any]], dict]

_NEUTRAL_LABELS = {"EBikeRide": "E-Bike Ride"}


def neutral_activity_name(activity_type: str | None) -> str:
    """"Outdoor <type in words>", e.g. MountainBikeRide -> "Outdoor Mountain Bike Ride"."""
    if not activity_type:
        return "Outdoor Activity"
    words = _NEUTRAL_LABELS.get(activity_type) or re.sub(
        r"(?<=[a-z])(?=[A-Z])", " ", activity_type)
    return f"Outdoor {words}"


def anonymize_activity_record(record: Mapping[str, Any], type_key: str = "type",
                              name_key: str = "name") -> dict:
    """Copy of one activity record whose name is neutral when its type is outdoor.

    Works for recent_activities[] records and intervals.json entries alike.
    """
    out = dict(record)
    if out.get(type_key) in OUTDOOR_TYPES and name_key in out:
        out[name_key] = neutral_activity_name(out.get(type_key))
    return out


# ----------------------------------------------------------------- rules for latest.json


def redact_athlete_id(doc: Mapping[str, Any]) -> dict:
    out = dict(doc)
    if isinstance(out.get("metadata"), Mapping):
        out["metadata"] = {**out["metadata"], "athlete_id": REDACTED}
    return out


def outdoor_activity_names(doc: Mapping[str, Any]) -> dict:
    out = dict(doc)
    activities = out.get("recent_activities")
    if isinstance(activities, list):
        out["recent_activities"] = [
            anonymize_activity_record(a) if isinstance(a, Mapping) else a for a in activities]
    return out


LATEST_RULES: tuple[Rule, ...] = (redact_athlete_id, outdoor_activity_names)


def anonymize_latest(doc: Mapping[str, Any], rules: Sequence[Rule] = LATEST_RULES) -> dict:
    """latest.json with every anonymization rule applied (input left unchanged)."""
    out = dict(doc)
    for rule in rules:
        out = rule(out)
    return out
