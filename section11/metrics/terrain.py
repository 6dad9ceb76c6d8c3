"""Terrain analysis of a track: distance, smoothed elevation, climbs, grades.

Implements docs/metrics.md#terrain-and-climbs-docs/metrics.md#terrain-and-climbs for planned routes (GPX/TCX attachments,
with a polyline) and docs/metrics.md#recent-activities for completed outdoor activities
(activity streams, no polyline). Pure: trackpoints in, a JSON-ready dict out,
in metric units (km, m, %) with no display blocks: `outputs.terrain` adds those
for the athlete's unit preferences.

Deliberate deviations (quirk 16, docs/deviations.md):
* Points without elevation in a track that has some elevation are filled by
  linear interpolation along the distance (nearest known value before the
  first / after the last known point) instead of being read as 0 m, which
  created fake drops of hundreds of metres. `elevation_coverage_pct` says how
  much of the track carried its own elevation when that is below 100 %.
* A track shorter than 100 m gets an explicit small summary
  (source "<source>_too_short") instead of null.
* A track is a list of segments (pieces of one file that were recorded or
  planned separately): distance, climbing, climbs and grades are taken within
  each segment; no straight line bridges two segments.
* Elevation is cleaned before it is smoothed: an elevation farther from the
  median of its neighbours than they vary among themselves is a spike (a
  logger's -672 m reading) and is treated as missing. The profile is smoothed
  over 200 m of distance, whatever the point spacing (the reference's 25 m
  window averaged nothing on a track with points 46 m apart), and the total
  ascent counts a rise only once it exceeds `GAIN_HYSTERESIS_M`, so GPS noise
  on a lake shore is not climbing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .climbs import (
    Point,
    PointLike,
    chunk_bounds,
    coords,
    detect_segments,
    grade_distribution,
    kept,
    steepest_grade,
)

EARTH_RADIUS_M = 6_371_000.0
SMOOTHING_WINDOW_M = 200.0  # the profile is averaged over this much distance around each point
SMOOTH_DECIMALS = 6
SPIKE_NEIGHBOURS = 7  # known elevations on each side a point is compared with
SPIKE_MIN_M = 25.0  # a point closer than this to its neighbours' median is never a spike
SPIKE_MAD_FACTOR = 5.0  # ... nor one within this many (normal-scaled) MADs of it
MAD_TO_SIGMA = 1.4826
GAIN_HYSTERESIS_M = 3.0  # a rise counts once it is this far above the last low
MIN_ANALYSIS_M = 100.0
POLYLINE_STEP_M = 500.0
MIN_STREAM_GPS_POINTS = 10
HARD_CATEGORIES = frozenset({"HC", "Cat 1", "Cat 2"})

TOO_SHORT_NOTE = "track shorter than 100 m: too short for gradient analysis"

# ----------------------------------------------------------------- geometry


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (R = 6,371,000 m)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, a)))


def cumulative_distance(points: Sequence[PointLike], start: float = 0.0) -> list[float]:
    """Metres along the track to each point, from `start` at the first (docs/metrics.md#terrain-and-climbs)."""
    cum = [start]
    for a, b in zip(points, points[1:]):
        cum.append(cum[-1] + haversine_m(a.lat, a.lon, b.lat, b.lon))
    return cum


def segment_length_m(points: Sequence[PointLike]) -> float:
    """Length of one segment along its points, m."""
    return cumulative_distance(points)[-1] if points else 0.0


def reject_spikes(elevations: Sequence[float | None]) -> list[float | None]:
    """Elevations with spikes set to None (a Hampel filter over known values).

    A known elevation is a spike when it lies more than max(SPIKE_MIN_M,
    SPIKE_MAD_FACTOR x 1.4826 x MAD) from the median of itself and up to
    SPIKE_NEIGHBOURS known elevations on each side. On a steady slope the
    median is the point itself; at a real summit the neighbours spread as much
    as the summit stands out, so only isolated readings are removed.
    """
    known = [(i, e) for i, e in enumerate(elevations) if e is not None]
    out = list(elevations)
    values = [e for _, e in known]
    for k, (i, e) in enumerate(known):
        window = sorted(values[max(0, k - SPIKE_NEIGHBOURS) : k + SPIKE_NEIGHBOURS + 1])
        median = window[len(window) // 2]
        off = abs(e - median)
        if off <= SPIKE_MIN_M:  # never a spike: skip the MAD
            continue
        mad = sorted([abs(v - median) for v in window])[len(window) // 2]
        if off > max(SPIKE_MIN_M, SPIKE_MAD_FACTOR * MAD_TO_SIGMA * mad):
            out[i] = None
    return out if any(e is not None for e in out) else list(elevations)


def fill_elevation(elevations: Sequence[float | None], cum: Sequence[float]) -> list[float]:
    """Missing elevations interpolated by distance between known neighbours.

    Before the first and after the last known value the nearest known value
    is held (quirk 16 fix). Needs at least one known value.
    """
    known = [(i, e) for i, e in enumerate(elevations) if e is not None]
    out = [0.0] * len(elevations)
    (first, first_ele), (last, last_ele) = known[0], known[-1]
    for i in range(first + 1):
        out[i] = first_ele
    for i in range(last, len(elevations)):
        out[i] = last_ele
    for (a, ea), (b, eb) in zip(known, known[1:]):
        out[a] = ea
        span = cum[b] - cum[a]
        for i in range(a + 1, b):
            f = (cum[i] - cum[a]) / span if span > 0 else 0.0
            out[i] = ea + (eb - ea) * f
    return out


def smooth(
    raw: Sequence[float], cum: Sequence[float], window: float = SMOOTHING_WINDOW_M
) -> list[float]:
    """At each point, the mean of the profile over `window` metres centred on
    it (cut at the ends of the segment).

    The profile is the straight line between consecutive points, so the mean
    is its area over the window divided by the window's length: points farther
    apart than the window still count by their share of it. Two pointers over
    a prefix area: O(n) however dense the track is. Means are kept to the
    micrometre so that the rounding noise of the prefix area does not make a
    flat stretch look like it still rises or falls.
    """
    n = len(raw)
    if n < 2 or cum[-1] <= cum[0]:
        return list(raw)
    area = [0.0]
    for j in range(n - 1):
        area.append(area[-1] + (cum[j + 1] - cum[j]) * (raw[j] + raw[j + 1]) / 2)

    def area_to(x: float, j: int) -> float:  # cum[j] <= x <= cum[j + 1]
        span = cum[j + 1] - cum[j]
        if span <= 0:
            return area[j]
        at_x = raw[j] + (raw[j + 1] - raw[j]) * (x - cum[j]) / span
        return area[j] + (x - cum[j]) * (raw[j] + at_x) / 2

    out = []
    lo_j = hi_j = 0
    half = window / 2
    for i in range(n):
        lo, hi = max(cum[0], cum[i] - half), min(cum[-1], cum[i] + half)
        while lo_j < n - 2 and cum[lo_j + 1] < lo:
            lo_j += 1
        while hi_j < n - 2 and cum[hi_j + 1] < hi:
            hi_j += 1
        mean = (area_to(hi, hi_j) - area_to(lo, lo_j)) / (hi - lo)
        out.append(round(mean, SMOOTH_DECIMALS))
    return out


def ascent(ele: Sequence[float], threshold: float = GAIN_HYSTERESIS_M) -> float:
    """Total ascent with hysteresis: a rise counts, in full from its low, once
    the profile is `threshold` above that low; it ends when the profile falls
    `threshold` below its high."""
    if not ele:
        return 0.0
    gain = 0.0
    low = high = ele[0]
    rising = False
    for e in ele[1:]:
        if rising:
            if e > high:
                high = e
            elif high - e >= threshold:
                gain += high - low
                rising, low = False, e
        elif e < low:
            low = e
        elif e - low >= threshold:
            rising, high = True, e
    return gain + (high - low if rising else 0.0)


# ----------------------------------------------------------------- summary


def course_character(elevation_per_km: float, climbs: Iterable[Mapping[str, Any]]) -> str:
    """mountain / hilly / rolling / flat by m per km, flat or rolling upgraded to
    hilly by any HC, Cat 1 or Cat 2 climb (docs/metrics.md#terrain-and-climbs)."""
    if elevation_per_km >= 30:
        return "mountain"
    if elevation_per_km >= 20:
        return "hilly"
    character = "rolling" if elevation_per_km >= 5 else "flat"
    if any(c.get("category") in HARD_CATEGORIES for c in climbs):
        return "hilly"
    return character


def _polyline(
    points: Sequence[PointLike], ele: Sequence[float], cum: Sequence[float]
) -> list[list[float | int]]:
    """[km, lat, lon, ele] at the start, every >= 500 m after the last emitted
    point, and at the end (docs/metrics.md#terrain-and-climbs)."""

    def row(i: int) -> list[float | int]:
        return [
            round(cum[i] / 1000, 1),
            round(points[i].lat, 5),
            round(points[i].lon, 5),
            round(ele[i]),
        ]

    rows = [row(0)]
    last_emitted = 0
    threshold = POLYLINE_STEP_M
    for i in range(1, len(points)):
        if cum[i] >= threshold:
            rows.append(row(i))
            last_emitted = i
            threshold = cum[i] + POLYLINE_STEP_M
    if last_emitted != len(points) - 1:
        rows.append(row(len(points) - 1))
    return rows


@dataclass(frozen=True)
class _Course:
    """Segments laid end to end: `cum` runs on across a gap without counting
    it; `ranges` are the (first, last) indices of each segment."""

    points: list[PointLike]
    cum: list[float]
    ranges: list[tuple[int, int]]


def _lay_out(segments: Sequence[Sequence[PointLike]]) -> _Course:
    points: list[PointLike] = []
    cum: list[float] = []
    ranges = []
    for segment in segments:
        first = len(points)
        points.extend(segment)
        cum.extend(cumulative_distance(segment, cum[-1] if cum else 0.0))
        ranges.append((first, len(points) - 1))
    return _Course(points, cum, ranges)


def _profile(course: _Course) -> tuple[list[float], int]:
    """(smoothed elevation per point, spikes removed): spikes rejected within
    each segment, gaps filled along the whole course, smoothing per segment."""
    raw = [p.ele for p in course.points]
    cleaned: list[float | None] = []
    for a, b in course.ranges:
        cleaned.extend(reject_spikes(raw[a : b + 1]))
    spikes = sum(1 for r, c in zip(raw, cleaned) if r is not None and c is None)
    filled = fill_elevation(cleaned, course.cum)
    ele: list[float] = []
    for a, b in course.ranges:
        ele.extend(smooth(filled[a : b + 1], course.cum[a : b + 1]))
    return ele, spikes


def _reduced(source: str, total_km: float, gain: int, note: str | None) -> dict[str, Any]:
    """The summary of a track without elevation (note None) or a too-short one."""
    out: dict[str, Any] = {
        "source": f"{source}_too_short" if note else f"{source}_no_elevation",
        "total_distance_km": total_km,
        "total_elevation_m": gain,
        "elevation_per_km": None if note else 0.0,
        "course_character": None if note else "flat",
        "climbs": [],
        "descents": [],
    }
    if note:
        out["note"] = note
    return out


def analyse_terrain(
    segments: Sequence[Sequence[PointLike]],
    source: str,
    *,
    polyline: bool = False,
) -> dict[str, Any] | None:
    """Terrain summary of a track made of segments (docs/metrics.md#terrain-and-climbs-docs/metrics.md#terrain-and-climbs).

    source: "gpx_attachment" or "activity_streams". Segments of fewer than two
    points are left out; None when none is left. See the module docstring for
    the deliberate deviations.
    """
    course = _lay_out([s for s in segments if len(s) >= 2])
    if not course.points:
        return None
    cum = course.cum
    total_m = cum[-1]
    total_km = round(total_m / 1000, 1)
    known = sum(1 for p in course.points if p.ele is not None)
    if known == 0:
        return _reduced(source, total_km, 0, None)
    ele, spikes = _profile(course)
    gain = round(sum(ascent(ele[a : b + 1]) for a, b in course.ranges))
    if total_m < MIN_ANALYSIS_M:
        return _reduced(source, total_km, gain, TOO_SHORT_NOTE)
    per_km = round(gain / total_km, 1)
    points = course.points
    climbs: list[dict[str, Any]] = []
    descents: list[dict[str, Any]] = []
    bounds: list[tuple[int, int]] = []
    for a, b in course.ranges:
        chunks = chunk_bounds(cum, a, b)
        climbs += [s for s in detect_segments(points, ele, cum, chunks, True) if kept(s)]
        descents += [s for s in detect_segments(points, ele, cum, chunks, False) if kept(s)]
        bounds += chunks
    grades = grade_distribution(ele, cum, bounds)
    max_grade = round(max(steepest_grade(ele, cum, a, b) for a, b in course.ranges), 1)
    out = {
        "source": source,
        "total_distance_km": total_km,
        "total_elevation_m": gain,
        "elevation_per_km": per_km,
        "course_character": course_character(per_km, climbs),
        "max_grade_pct": max_grade,
        "grade_distribution": grades,
        "start_coords": coords(points[0]),
        "climbs": climbs,
        "descents": descents,
    }
    if known < len(points):
        out["elevation_coverage_pct"] = round(known / len(points) * 100, 1)
    if spikes:
        out["elevation_spikes_removed"] = spikes
    if polyline:
        out["polyline"] = _polyline(points, ele, cum)
    return out


# ----------------------------------------------------------------- activity streams


def _stream(streams: Iterable[Any], kind: str) -> Mapping[str, Any] | None:
    for stream in streams:
        if isinstance(stream, Mapping) and stream.get("type") == kind:
            return stream
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _latlng_pairs(stream: Mapping[str, Any]) -> list[tuple[Any, Any]]:
    """(lat, lon) per sample: `data` holds latitudes and `data2` longitudes
    (docs/architecture.md#api-client, A15); a `data` list of [lat, lon] pairs is accepted too."""
    data = stream.get("data")
    data2 = stream.get("data2")
    if not isinstance(data, list):
        return []
    if isinstance(data2, list):
        return list(zip(data, data2))
    return [
        (d[0], d[1]) if isinstance(d, (list, tuple)) and len(d) == 2 else (None, None) for d in data
    ]


def terrain_from_streams(streams: Any) -> dict[str, Any]:
    """Terrain keys of a completed outdoor activity from its streams (docs/metrics.md#recent-activities).

    `{"terrain_summary": {...}}` (source "activity_streams", no polyline), or
    `{"terrain_status": "no_gps"}` without a latlng stream / with fewer than 10
    valid positions, or `{"terrain_status": "no_elevation"}` without altitude
    data. GPS dropouts (null lat or lon) are skipped; an altitude sample that
    is null is interpolated like any missing elevation.
    """
    streams = streams if isinstance(streams, list) else []
    latlng = _stream(streams, "latlng")
    if latlng is None:
        return {"terrain_status": "no_gps"}
    altitude = _stream(streams, "altitude")
    alt = altitude.get("data") if altitude is not None else None
    alt = alt if isinstance(alt, list) else []
    points = []
    for index, (lat, lon) in enumerate(_latlng_pairs(latlng)):
        lat, lon = _number(lat), _number(lon)
        if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
            continue
        ele = _number(alt[index]) if index < len(alt) else None
        points.append(Point(lat, lon, ele))
    if len(points) < MIN_STREAM_GPS_POINTS:
        return {"terrain_status": "no_gps"}
    if all(p.ele is None for p in points):
        return {"terrain_status": "no_elevation"}
    summary = analyse_terrain([points], "activity_streams", polyline=False)
    if summary is None:
        return {"terrain_status": "no_elevation"}
    return {"terrain_summary": summary}
