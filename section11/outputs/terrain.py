"""Display blocks of a terrain summary (routes.json, latest.json activities).

`metrics.terrain` computes a summary in metric units (km, m, %); the store and
the previous routes.json keep it that way. These functions add a `display`
block to the summary and to each climb and descent for the athlete's unit
preferences, so a change of preference shows up without recomputing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..units import to_display


def segment_display(seg: Mapping[str, Any], units: Mapping[str, str] | None) -> dict[str, Any]:
    """A climb's or descent's position, length and elevation for display."""
    return {
        "position": to_display(seg.get("position_km"), "distance", units),
        "distance": to_display(seg.get("distance_km"), "distance", units),
        "elevation": to_display(seg.get("elevation_m"), "elevation", units),
    }


def summary_display(summary: Mapping[str, Any], units: Mapping[str, str] | None) -> dict[str, Any]:
    """A summary's total distance, elevation and elevation per distance for display."""
    return {
        "total_distance": to_display(summary.get("total_distance_km"), "distance", units),
        "total_elevation": to_display(summary.get("total_elevation_m"), "elevation", units),
        "elevation_per_distance": to_display(
            summary.get("elevation_per_km"), "elevation_per_distance", units
        ),
    }


def with_display(summary: Mapping[str, Any], units: Mapping[str, str] | None) -> dict[str, Any]:
    """The summary with every `display` block (re-)derived from its metric fields
    for `units` (docs/metrics.md#recent-activities, docs/architecture.md#caching): the summary's block sits before the
    polyline (last when there is none), each segment's block last."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if key == "display":
            continue
        if key == "polyline" and "total_distance_km" in summary:
            out["display"] = summary_display(summary, units)
        if key in ("climbs", "descents") and isinstance(value, list):
            value = [
                dict(s, display=segment_display(s, units)) if isinstance(s, Mapping) else s
                for s in value
            ]
        out[key] = value
    if "total_distance_km" in out and "display" not in out:
        out["display"] = summary_display(out, units)
    return out


def refresh_display(
    summary: Mapping[str, Any] | None, units: Mapping[str, str] | None
) -> dict[str, Any] | None:
    """`with_display` of a summary that may be missing (None stays None)."""
    return with_display(summary, units) if isinstance(summary, Mapping) else None


def terrain_fields(
    fields: Mapping[str, Any] | None, units: Mapping[str, str] | None
) -> dict[str, Any] | None:
    """An activity's stored terrain keys (`terrain_summary` or `terrain_status`)
    with the summary's display blocks for `units`."""
    if not isinstance(fields, Mapping):
        return None
    out = dict(fields)
    if isinstance(out.get("terrain_summary"), Mapping):
        out["terrain_summary"] = with_display(out["terrain_summary"], units)
    return out
