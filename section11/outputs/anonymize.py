"""Redaction of personal data in the output documents (README.md#privacy, weakness 9.3.7 (docs/architecture.md#reference-weaknesses)).

On by default. `section11.privacy` holds the option set (which categories a
run redacts); this module applies it at the output edge, one function per
document, after every metric is computed: records used for metrics are never
touched, and every function returns a copy, leaving its input unchanged.

What each category removes (the key stays where the reference always emits it):

* athlete_id: `metadata.athlete_id` -> "REDACTED" (latest.json).
* activity_names: names of completed outdoor activities (they often name a
  place: "Loop around X") -> a neutral label from the type, e.g. "Outdoor Ride"
  (latest.json recent_activities[], intervals.json entries). Indoor names stay.
* gps: coordinates of completed activities: `start_coords` of the terrain
  summary, `start_coords`/`end_coords` of climbs and descents, and any polyline
  or lat/lon key below an activity (latest.json recent_activities[],
  intervals.json entries, history.json). Distances, elevations and gradients
  stay. Planned routes keep their coordinates (routes.json): they are the
  course of a race or workout, not where the athlete has been.
* location: `athlete_profile.location` (city, state, country) -> null. The
  timezone stays: "today" and every date depend on it.
* birth_date: `athlete_profile.date_of_birth` -> null; `age` stays.
* notes: free text: `athlete_notes` -> null, and `description` and
  `chat_notes` (conversations, often with other people's words) are removed
  from recent_activities[], with the athlete and coach comments of an
  activity's `trainingpeaks` block. `coach_notes` (the leading "NOTE:" lines the
  athlete writes for the AI coach) stay: they are the protocol's instruction
  channel, not private notes. Planned-event names and descriptions stay too:
  they are the training plan.

latest.json records the effective policy in `metadata.privacy`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..privacy import CATEGORIES, DEFAULT_POLICY, PrivacyPolicy
from ..sports import OUTDOOR_TYPES

REDACTED = "REDACTED"
PRIVACY_NOTE = (
    "Fields of the redacted categories were removed, set to null or replaced by "
    "neutral labels on purpose by the athlete's privacy settings; they are not "
    "missing data."
)
# keys holding positions, wherever they appear below a completed activity
COORDINATE_KEYS = frozenset(
    {
        "start_coords",
        "end_coords",
        "coords",
        "polyline",
        "latlng",
        "start_latlng",
        "end_latlng",
        "lat",
        "lon",
        "lng",
        "latitude",
        "longitude",
    }
)
NOTE_KEYS = ("description", "chat_notes")  # free text removed from activity records
TP_KEY = "trainingpeaks"  # an activity's TrainingPeaks block
TP_NOTE_KEYS = ("athlete_comments", "coach_comments")  # its free text

Rule = Callable[[Mapping[str, Any]], dict]

_NEUTRAL_LABELS = {"EBikeRide": "E-Bike Ride"}


def neutral_activity_name(activity_type: str | None) -> str:
    """ "Outdoor <type in words>", e.g. MountainBikeRide -> "Outdoor Mountain Bike Ride"."""
    if not activity_type:
        return "Outdoor Activity"
    words = _NEUTRAL_LABELS.get(activity_type) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", activity_type)
    return f"Outdoor {words}"


def anonymize_activity_record(
    record: Mapping[str, Any], type_key: str = "type", name_key: str = "name"
) -> dict:
    """Copy of one activity record whose name is neutral when its type is outdoor.

    Works for recent_activities[] records and intervals.json entries alike.
    """
    out = dict(record)
    if out.get(type_key) in OUTDOOR_TYPES and name_key in out:
        out[name_key] = neutral_activity_name(out.get(type_key))
    return out


def strip_coordinates(value: Any) -> Any:
    """Copy of `value` without any COORDINATE_KEYS entry, at any depth."""
    if isinstance(value, Mapping):
        return {k: strip_coordinates(v) for k, v in value.items() if k not in COORDINATE_KEYS}
    if isinstance(value, list):
        return [strip_coordinates(v) for v in value]
    return value


def without_notes(record: Mapping[str, Any]) -> dict:
    """Copy of an activity record without its free-text description and chat
    (and the comments of its TrainingPeaks block, the same kind of text)."""
    out = {k: v for k, v in record.items() if k not in NOTE_KEYS}
    if isinstance(out.get(TP_KEY), Mapping):
        out[TP_KEY] = {k: v for k, v in out[TP_KEY].items() if k not in TP_NOTE_KEYS}
    return out


def _map_list(doc: Mapping[str, Any], key: str, fn: Callable[[Mapping[str, Any]], Any]) -> dict:
    """Copy of `doc` with `fn` applied to each mapping of the list `doc[key]`."""
    out = dict(doc)
    items = out.get(key)
    if isinstance(items, list):
        out[key] = [fn(item) if isinstance(item, Mapping) else item for item in items]
    return out


def _set_in(doc: Mapping[str, Any], block: str, key: str, value: Any) -> dict:
    """Copy of `doc` with doc[block][key] = value when that block has the key."""
    out = dict(doc)
    inner = out.get(block)
    if isinstance(inner, Mapping) and key in inner:
        out[block] = {**inner, key: value}
    return out


# ----------------------------------------------------------------- rules for latest.json


def redact_athlete_id(doc: Mapping[str, Any]) -> dict:
    out = dict(doc)
    if isinstance(out.get("metadata"), Mapping):
        out["metadata"] = {**out["metadata"], "athlete_id": REDACTED}
    return out


def outdoor_activity_names(doc: Mapping[str, Any]) -> dict:
    return _map_list(doc, "recent_activities", anonymize_activity_record)


def activity_coordinates(doc: Mapping[str, Any]) -> dict:
    return _map_list(doc, "recent_activities", strip_coordinates)


def profile_location(doc: Mapping[str, Any]) -> dict:
    return _set_in(doc, "athlete_profile", "location", None)


def profile_birth_date(doc: Mapping[str, Any]) -> dict:
    return _set_in(doc, "athlete_profile", "date_of_birth", None)


def free_text_notes(doc: Mapping[str, Any]) -> dict:
    out = _map_list(doc, "recent_activities", without_notes)
    if "athlete_notes" in out:
        out["athlete_notes"] = None
    return out


LATEST_CATEGORY_RULES: dict[str, Rule] = {
    "athlete_id": redact_athlete_id,
    "activity_names": outdoor_activity_names,
    "gps": activity_coordinates,
    "location": profile_location,
    "birth_date": profile_birth_date,
    "notes": free_text_notes,
}
assert set(LATEST_CATEGORY_RULES) == set(CATEGORIES)

# The two categories the reference once had (`anonymize_latest`'s default). The
# pipeline applies the run's whole policy with `protect_documents`.
LATEST_RULES: tuple[Rule, ...] = (redact_athlete_id, outdoor_activity_names)


def anonymize_latest(doc: Mapping[str, Any], rules: Sequence[Rule] = LATEST_RULES) -> dict:
    """latest.json with the given rules applied (input left unchanged)."""
    out = dict(doc)
    for rule in rules:
        out = rule(out)
    return out


# ----------------------------------------------------------------- one function per document


def protect_latest(doc: Mapping[str, Any], policy: PrivacyPolicy = DEFAULT_POLICY) -> dict:
    """latest.json under `policy`, with the policy recorded in metadata.privacy."""
    out = anonymize_latest(doc, [LATEST_CATEGORY_RULES[c] for c in CATEGORIES if policy.redacts(c)])
    if isinstance(out.get("metadata"), Mapping):
        out["metadata"] = {
            **out["metadata"],
            "privacy": {**policy.describe(), "note": PRIVACY_NOTE},
        }
    return out


def protect_intervals(doc: Mapping[str, Any], policy: PrivacyPolicy = DEFAULT_POLICY) -> dict:
    """intervals.json: outdoor entry names and any coordinates of an entry."""
    out = dict(doc)
    if policy.redacts("activity_names"):
        out = _map_list(out, "activities", anonymize_activity_record)
    if policy.redacts("gps"):
        out = _map_list(out, "activities", strip_coordinates)
    return out


def protect_history(doc: Mapping[str, Any], policy: PrivacyPolicy = DEFAULT_POLICY) -> dict:
    """history.json holds aggregates only; any coordinates are dropped all the same."""
    return strip_coordinates(doc) if policy.redacts("gps") else dict(doc)


def protect_routes(doc: Mapping[str, Any], policy: PrivacyPolicy = DEFAULT_POLICY) -> dict:
    """routes.json: planned routes keep names, polylines and coordinates (the plan)."""
    return dict(doc)


def protect_ftp_history(doc: Mapping[str, Any], policy: PrivacyPolicy = DEFAULT_POLICY) -> dict:
    """ftp_history.json: dates and watts only."""
    return dict(doc)


DOCUMENT_PROTECTORS: dict[str, Callable[[Mapping[str, Any], PrivacyPolicy], dict]] = {
    "latest.json": protect_latest,
    "intervals.json": protect_intervals,
    "history.json": protect_history,
    "routes.json": protect_routes,
    "ftp_history.json": protect_ftp_history,
}


def protect_documents(
    documents: Mapping[str, Any], policy: PrivacyPolicy = DEFAULT_POLICY
) -> dict[str, Any]:
    """Every document under `policy`, same names and order.

    A document without a protector is refused (ValueError): a new output file
    must say what it does with personal data before it can be written.
    """
    unknown = [name for name in documents if name not in DOCUMENT_PROTECTORS]
    if unknown:
        raise ValueError(
            f"no privacy rule for output document(s) {unknown}; "
            "add one to outputs.anonymize.DOCUMENT_PROTECTORS"
        )
    return {
        name: DOCUMENT_PROTECTORS[name](doc, policy) if isinstance(doc, Mapping) else doc
        for name, doc in documents.items()
    }
