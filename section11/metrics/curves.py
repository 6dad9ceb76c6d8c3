"""Power-curve and HR-curve deltas between two 28-day windows (docs/metrics.md#curve-deltas).

Pure functions. The pipeline asks the API for exactly the curve ids that
`curve_windows(today)` names (power: `type=Ride`; HR: no type filter), turns the
response into `{id: Curve}` with `curve_model.curves_from_raw`, and passes that
mapping here. Curves are matched by id, never by their position in the answer.
A mapping of `None` means the fetch failed; the block is then null with a note.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from ..curve_model import Curve
from ..numbers import finite, round_float

WINDOW_DAYS = 28
MIN_VALID_ANCHORS = 3  # per window

POWER_ANCHORS: tuple[int, ...] = (5, 60, 300, 1200, 3600)
HR_ANCHORS: tuple[int, ...] = (60, 300, 1200, 3600)
# rotation = mean(short pct changes) - mean(long pct changes); 300 s is in neither
POWER_ROTATION = ((5, 60), (1200, 3600))
HR_ROTATION = ((60, 300), (1200, 3600))

POWER_NOTE = (
    "Best power at fixed durations over the last 28 days compared with the 28 days "
    "before (Ride curves). pct_change is the change of each anchor in percent. "
    "rotation_index = mean change at 5s and 60s minus mean change at 1200s and 3600s: "
    "positive means the short end improved more (sprint-biased change), negative "
    "means the long end improved more (endurance-biased change). Best efforts depend "
    "on what was ridden: a missing maximal effort lowers a value without any loss "
    "of fitness."
)
HR_NOTE = (
    "Highest heart rate sustained for fixed durations over the last 28 days compared "
    "with the 28 days before (all sports). rotation_index = mean change at 60s and "
    "300s minus mean change at 1200s and 3600s. Informational only: a higher sustained "
    "HR can mean better fitness or tolerance, but also fatigue, heat, dehydration or "
    "simply a harder session; read it together with power and wellness."
)


def curve_id(start: date, end: date) -> str:
    """Intervals.icu explicit-range curve id `r.{start}.{end}` (both inclusive, docs/metrics.md#curve-deltas)."""
    return f"r.{start.isoformat()}.{end.isoformat()}"


def curve_windows(today: date) -> dict[str, dict[str, str]]:
    """The two 28-day windows of docs/metrics.md#curve-deltas with their curve ids.

    current = today-27 .. today, previous = today-55 .. today-28 (inclusive).
    Returns {"current": {start, end, id}, "previous": {start, end, id}} with ISO dates.
    """
    windows = {}
    for name, end_back in (("current", 0), ("previous", WINDOW_DAYS)):
        end = today - timedelta(days=end_back)
        start = end - timedelta(days=WINDOW_DAYS - 1)
        windows[name] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "id": curve_id(start, end),
        }
    return windows


def delta_curve_ids(today: date) -> list[str]:
    """The two curve ids to request for docs/metrics.md#curve-deltas, current window first."""
    windows = curve_windows(today)
    return [windows["current"]["id"], windows["previous"]["id"]]


# ----------------------------------------------------------------- helpers


def _pct_change(current: float | None, previous: float | None) -> float | None:
    """round((cur - prev) / prev * 100, 1); None if either is missing (docs/metrics.md#curve-deltas)."""
    if current is None or previous is None or previous <= 0:
        return None
    change = finite((current - previous) / previous * 100)
    return round(change, 1) + 0.0 if change is not None else None  # no -0.0


def _rotation(pcts: Mapping[int, float | None], groups) -> float | None:
    """mean(short pcts) - mean(long pcts), round 1; None unless all four exist."""
    (s1, s2), (l1, l2) = groups
    a, b, c, d = pcts.get(s1), pcts.get(s2), pcts.get(l1), pcts.get(l2)
    if a is None or b is None or c is None or d is None:
        return None
    return round_float((a + b) / 2 - (c + d) / 2, 1)


def _delta_block(
    curves: Mapping[str, Curve] | None,
    today: date,
    anchors: Iterable[int],
    groups,
    unit: str,
    kind: str,
    note: str,
) -> dict:
    """Shared body of the power and HR deltas (docs/metrics.md#curve-deltas)."""
    anchors = tuple(anchors)
    windows = curve_windows(today)
    block = {
        "window_days": WINDOW_DAYS,
        "current_window": {"start": windows["current"]["start"], "end": windows["current"]["end"]},
        "previous_window": {
            "start": windows["previous"]["start"],
            "end": windows["previous"]["end"],
        },
        "anchors": None,
        "rotation_index": None,
        "note": note,
    }
    if not curves:
        why = "could not be fetched" if curves is None else "returned no data"
        block["note"] = f"No {kind} curve data: the {kind}-curve request {why}."
        return block
    current = curves.get(windows["current"]["id"])
    previous = curves.get(windows["previous"]["id"])
    missing = [
        name for name, curve in (("current", current), ("previous", previous)) if curve is None
    ]
    if current is None or previous is None:
        block["note"] = (
            f"No {kind} curve for the {' and '.join(missing)} 28-day window "
            "(no recorded efforts in that period); no comparison possible."
        )
        return block
    cur_values = {d: current.at(d) for d in anchors}
    prev_values = {d: previous.at(d) for d in anchors}
    n_cur = sum(v is not None for v in cur_values.values())
    n_prev = sum(v is not None for v in prev_values.values())
    if n_cur < MIN_VALID_ANCHORS or n_prev < MIN_VALID_ANCHORS:
        block["note"] = (
            f"Too few {kind} curve anchors to compare: current window "
            f"{n_cur}/{len(anchors)}, previous window {n_prev}/{len(anchors)} "
            f"(at least {MIN_VALID_ANCHORS} needed in each)."
        )
        return block
    pcts = {d: _pct_change(cur_values[d], prev_values[d]) for d in anchors}
    block["anchors"] = {
        f"{d}s": {
            f"current_{unit}": cur_values[d],
            f"previous_{unit}": prev_values[d],
            "pct_change": pcts[d],
        }
        for d in anchors
    }
    block["rotation_index"] = _rotation(pcts, groups)
    return block


# ----------------------------------------------------------------- metrics


def power_curve_delta(curves: Mapping[str, Curve] | None, today: date) -> dict:
    """`capability.power_curve_delta` (docs/metrics.md#curve-deltas): Ride best-power change, 28 d vs prior 28 d.

    `curves` maps curve id -> Curve (None = the fetch failed). Anchors 5/60/300/
    1200/3600 s; each window needs >= 3 positive anchors, else a null block.
    """
    return _delta_block(curves, today, POWER_ANCHORS, POWER_ROTATION, "watts", "power", POWER_NOTE)


def hr_curve_delta(curves: Mapping[str, Curve] | None, today: date) -> dict:
    """`capability.hr_curve_delta` (docs/metrics.md#curve-deltas): best sustained HR change, all sports.

    Anchors 60/300/1200/3600 s (no 5 s); >= 3 positive anchors per window.
    """
    return _delta_block(curves, today, HR_ANCHORS, HR_ROTATION, "bpm", "HR", HR_NOTE)
