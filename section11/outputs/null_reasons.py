"""`null_reasons`: why a value of latest.json is null, next to it.

A null can mean three different things to an AI coach, and it should never
have to guess which:

- ``not_applicable``: the value does not apply (no race ahead, no dossier, no
  workout planned in the window);
- ``not_enough_data``: the inputs exist but are too few or too short for the
  metric (fewer qualifying sessions than its gate, a window without load);
- ``source_unavailable``: the source did not provide it (not recorded in
  wellness, not set in the sport settings, no power model from Intervals.icu).

`annotate_nulls` adds ``null_reasons: {field: reason}`` to each block of
``BLOCKS`` that holds at least one null field (the block's direct fields;
nested blocks have their own entry). A block without nulls gets no key. The
reason of a field is fixed per block (``BLOCKS``): each of these blocks
produces its nulls for one reason, named once here. Pure: the document is
copied, not modified.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

KEY = "null_reasons"
NOT_APPLICABLE = "not_applicable"
NOT_ENOUGH_DATA = "not_enough_data"
SOURCE_UNAVAILABLE = "source_unavailable"

POWER_MODEL_FIELDS = ("eftp", "w_prime", "w_prime_kj", "p_max")
_UNAVAILABLE = dict.fromkeys(
    (*POWER_MODEL_FIELDS, "vo2max", "vo2max_date", "latest_hrv", "latest_rhr"),
    SOURCE_UNAVAILABLE,
)

# block path in latest.json -> (reason of its nulls, reasons of named fields)
BLOCKS: dict[tuple[str, ...], tuple[str, Mapping[str, str]]] = {
    ("current_status", "fitness"): (SOURCE_UNAVAILABLE, {}),
    ("current_status", "thresholds"): (SOURCE_UNAVAILABLE, {}),
    ("current_status", "current_metrics"): (SOURCE_UNAVAILABLE, {}),
    ("derived_metrics",): (
        NOT_ENOUGH_DATA,
        {**_UNAVAILABLE, "consistency_index": NOT_APPLICABLE},
    ),
    ("derived_metrics", "capability", "durability"): (NOT_ENOUGH_DATA, {}),
    ("derived_metrics", "capability", "efficiency_factor"): (NOT_ENOUGH_DATA, {}),
    ("derived_metrics", "capability", "hrrc"): (NOT_ENOUGH_DATA, {}),
    ("derived_metrics", "capability", "tid_comparison"): (NOT_ENOUGH_DATA, {}),
    ("derived_metrics", "phase_detection"): (
        NOT_ENOUGH_DATA,
        {"dossier_declared": NOT_APPLICABLE, "dossier_agreement": NOT_APPLICABLE},
    ),
    ("race_calendar",): (NOT_APPLICABLE, {}),
}


def null_reasons(block: Mapping[str, Any], default: str, named: Mapping[str, str]) -> dict:
    """{field: reason} of the block's null fields, in the block's order."""
    return {key: named.get(key, default) for key, value in block.items() if value is None}


def _block(doc: Any, path: tuple[str, ...]) -> dict | None:
    for key in path:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc if isinstance(doc, dict) else None


def annotate_nulls(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the latest.json document with `null_reasons` next to the nulls
    of every block of BLOCKS."""
    out = copy.deepcopy(dict(doc))
    for path, (default, named) in BLOCKS.items():
        block = _block(out, path)
        if block is None:
            continue
        reasons = null_reasons(block, default, named)
        if reasons:
            block[KEY] = reasons
    return out
