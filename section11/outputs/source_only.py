"""`source_limits`: what a sync without Intervals.icu cannot say, and why (pure).

`add_source_limits(latest, source, limits)` adds

    "source_limits": {
        "source": "trainingpeaks",
        "unavailable": {"derived_metrics.eftp": "the eFTP power model comes from
                        Intervals.icu only", ...}
    }

listing only the fields that are null in this document (a field the source
did fill is not listed; a path ending in ".*" stands for every null field of
that block), and sets each one's entry in its block's
`null_reasons` to `source_unavailable`, so an AI coach reads the same machine
reason and a sentence it can repeat. `relabel` names the source where the
documents say where their data comes from.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from .null_reasons import KEY, SOURCE_UNAVAILABLE

INTERVALS_LABEL = "Intervals.icu API"


def relabel(documents: Mapping[str, Any], label: str) -> dict[str, Any]:
    """The documents with their "where the data comes from" texts naming
    `label` (e.g. "TrainingPeaks API") instead of Intervals.icu (a copy)."""
    out = copy.deepcopy(dict(documents))
    history = out.get("history.json")
    if isinstance(history, dict) and history.get("source") == INTERVALS_LABEL:
        history["source"] = label
    fitness = out.get("latest.json", {}).get("current_status", {}).get("fitness")
    if isinstance(fitness, dict) and isinstance(fitness.get("fitness_source"), str):
        fitness["fitness_source"] = fitness["fitness_source"].replace(INTERVALS_LABEL, label)
    return out


def _parent(doc: Mapping[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    *blocks, leaf = path.split(".")
    node: Any = doc
    for key in blocks:
        node = node.get(key) if isinstance(node, dict) else None
    return (node if isinstance(node, dict) else None), leaf


def add_source_limits(
    latest: Mapping[str, Any], source: str, limits: Mapping[str, str]
) -> dict[str, Any]:
    """latest.json with `source_limits` and the matching `null_reasons` (a copy)."""
    out = copy.deepcopy(dict(latest))
    listed: dict[str, str] = {}
    for pattern, reason in limits.items():
        block, leaf = _parent(out, pattern)
        if block is None:
            continue
        prefix = pattern[: -len(leaf)]
        for name in [k for k in block if k != KEY] if leaf == "*" else [leaf]:
            if name in block and block[name] is None:
                listed[prefix + name] = reason
                block.setdefault(KEY, {})[name] = SOURCE_UNAVAILABLE
    out["source_limits"] = {"source": source, "unavailable": listed}
    return out
