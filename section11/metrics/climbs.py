"""Climbs, descents and grades of a smoothed elevation profile.

Implements docs/metrics.md#terrain-and-climbs (climb / descent detection on 200 m chunks
with trimming, categories, max gradient) and docs/metrics.md#terrain-and-climbs (grade distribution and
max grade). Used by `terrain.analyse_terrain`; pure. Segments carry metric
values only (km, m, %); `outputs.terrain` adds the display blocks.

Deliberate deviation: every grade is taken over at least 100 m. The reference
graded the last chunk of a track however short it was (a 30 m end chunk gave
a 153.8 % maximum grade); here a last chunk under `MIN_GRADE_RUN_M` joins the
chunk before it, and a piece of track shorter than that is not graded.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple, Protocol

CHUNK_M = 200.0
MIN_GRADE_RUN_M = 100.0  # no grade is taken over less
START_GRADE_PCT = 1.0
STOP_DROP_M = 50.0
TRIM_LOOKAHEAD_M = 2000.0
TRIM_GRADE_PCT = 2.5
MIN_SEGMENT_M = 500.0
MIN_SEGMENT_GAIN_M = 50.0
MIN_AVG_GRADE_PCT = 1.5
KEEP_ELEVATION_M = 100
KEEP_GRADE_PCT = 3.0
CATEGORIES = ((1000, "HC"), (650, "Cat 1"), (400, "Cat 2"), (200, "Cat 3"), (100, "Cat 4"))


class PointLike(Protocol):
    @property
    def lat(self) -> float: ...
    @property
    def lon(self) -> float: ...
    @property
    def ele(self) -> float | None: ...


class Point(NamedTuple):
    """A track position in degrees with its elevation in metres (None = unknown)."""

    lat: float
    lon: float
    ele: float | None = None


def coords(point: PointLike) -> list[float]:
    """[lat, lon] rounded to 5 decimals."""
    return [round(point.lat, 5), round(point.lon, 5)]


def chunk_bounds(
    cum: Sequence[float], first: int = 0, last: int | None = None, size: float = CHUNK_M
) -> list[tuple[int, int]]:
    """(start, end) index pairs of consecutive ~200 m chunks of cum[first..last]
    (docs/metrics.md#terrain-and-climbs).

    Each chunk ends at the first point at least `size` metres after its start
    (or at the last point); the next chunk starts where this one ends. A last
    chunk shorter than `MIN_GRADE_RUN_M` joins the one before; a stretch
    shorter than that has no chunk.
    """
    last = len(cum) - 1 if last is None else last
    out: list[tuple[int, int]] = []
    ci = first
    while ci < last:
        cj = ci + 1
        while cj < last and cum[cj] - cum[ci] < size:
            cj += 1
        out.append((ci, cj))
        ci = cj
    if out and cum[out[-1][1]] - cum[out[-1][0]] < MIN_GRADE_RUN_M:
        out.pop()
        if out:
            out[-1] = (out[-1][0], last)
    return out


# ----------------------------------------------------------------- grades


def grade_distribution(
    ele: Sequence[float], cum: Sequence[float], bounds: Sequence[tuple[int, int]]
) -> dict[str, float]:
    """{flat_pct, gentle_pct, moderate_pct, steep_pct} (docs/metrics.md#terrain-and-climbs).

    Absolute chunk grade: < 1 % flat, < 3 % gentle, < 6 % moderate, else steep;
    each bucket's share of the graded distance (the chunks' total). Without a
    chunk everything is flat.
    """
    total = sum(cum[b] - cum[a] for a, b in bounds)
    if total <= 0:
        return {"flat_pct": 100.0, "gentle_pct": 0.0, "moderate_pct": 0.0, "steep_pct": 0.0}
    buckets = [0.0, 0.0, 0.0, 0.0]
    for a, b in bounds:
        run = cum[b] - cum[a]
        g = abs(ele[b] - ele[a]) / run * 100
        buckets[0 if g < 1 else 1 if g < 3 else 2 if g < 6 else 3] += run
    names = ("flat_pct", "gentle_pct", "moderate_pct", "steep_pct")
    return {name: round(m / total * 100, 1) for name, m in zip(names, buckets)}


# ----------------------------------------------------------------- climbs


def category(elevation_m: int) -> str | None:
    """Climb category by elevation gain (docs/metrics.md#terrain-and-climbs)."""
    for floor, name in CATEGORIES:
        if elevation_m >= floor:
            return name
    return None


def steepest_grade(ele: Sequence[float], cum: Sequence[float], start: int, end: int) -> float:
    """Steepest |grade| from any point in [start, end) to the first point m <= end
    at least 200 m ahead (two pointers); 0 when no point is that far ahead.
    The summary's `max_grade_pct` and each climb's `max_gradient_pct`."""
    best = 0.0
    m = start
    for k in range(start, end):
        if m <= k:
            m = k + 1
        while m <= end and cum[m] - cum[k] < CHUNK_M:
            m += 1
        if m > end:
            break
        best = max(best, abs(ele[m] - ele[k]) / (cum[m] - cum[k]) * 100)
    return best


def detect_segments(
    points: Sequence[PointLike],
    ele: Sequence[float],
    cum: Sequence[float],
    bounds: Sequence[tuple[int, int]],
    ascending: bool,
) -> list[dict[str, Any]]:
    """Climbs (ascending) or descents of the smoothed profile (docs/metrics.md#terrain-and-climbs), before the
    keep filter of docs/metrics.md#terrain-and-climbs."""
    sign = 1.0 if ascending else -1.0
    grads = []
    for a, b in bounds:
        run = cum[b] - cum[a]
        grads.append((ele[b] - ele[a]) / run * 100)
    segments: list[dict[str, Any]] = []
    i = 0
    while i < len(bounds):
        if sign * grads[i] < START_GRADE_PCT:
            i += 1
            continue
        start = bounds[i][0]
        mark = sign * ele[start]  # climbs track the high, descents the low
        mark_chunk = i
        for j in range(i, len(bounds)):
            e = sign * ele[bounds[j][1]]
            if e > mark:
                mark, mark_chunk = e, j
            elif mark - e > STOP_DROP_M:
                break
        end = bounds[mark_chunk][1]
        for t in range(i, mark_chunk):
            ts = bounds[t][0]
            p = bisect_left(cum, cum[ts] + TRIM_LOOKAHEAD_M, ts, end + 1)
            if (
                p <= end
                and cum[p] > cum[ts]
                and sign * (ele[p] - ele[ts]) / (cum[p] - cum[ts]) * 100 >= TRIM_GRADE_PCT
            ):
                start = ts
                break
        dist = cum[end] - cum[start]
        rise = ele[end] - ele[start]
        if dist >= MIN_SEGMENT_M and abs(rise) >= MIN_SEGMENT_GAIN_M:
            avg = rise / dist * 100
            if sign * avg >= MIN_AVG_GRADE_PCT:
                segments.append(_segment(points, ele, cum, start, end, rise, avg, ascending))
        i = mark_chunk + 1
    return segments


def _segment(
    points: Sequence[PointLike],
    ele: Sequence[float],
    cum: Sequence[float],
    start: int,
    end: int,
    rise: float,
    avg: float,
    ascending: bool,
) -> dict[str, Any]:
    sign = 1 if ascending else -1
    elevation_m = sign * round(abs(rise))
    avg_pct = sign * round(abs(avg), 1)
    seg: dict[str, Any] = {
        "position_km": round(cum[start] / 1000, 1),
        "distance_km": round((cum[end] - cum[start]) / 1000, 1),
        "elevation_m": elevation_m,
        "avg_gradient_pct": avg_pct,
    }
    if ascending:
        steepest = round(steepest_grade(ele, cum, start, end), 1)
        seg["max_gradient_pct"] = steepest or avg_pct
        seg["category"] = category(elevation_m)
    seg["start_coords"] = coords(points[start])
    seg["end_coords"] = coords(points[end])
    return seg


def kept(seg: Mapping[str, Any]) -> bool:
    return (
        abs(seg["elevation_m"]) >= KEEP_ELEVATION_M
        or abs(seg["avg_gradient_pct"]) >= KEEP_GRADE_PCT
    )
