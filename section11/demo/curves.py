"""Best-effort curves: each activity's hidden mean-maximal power, HR and pace
profile, and the power-curves / hr-curves / pace-curves element built from them
(docs/architecture.md#api-client).

An activity's best power for a duration is what its step structure allows (the
best window of its realised steps), lifted by terrain and sprints outdoors, and
never above the athlete's 3-parameter CP model for that day. Heart-rate bests
follow the intensity of the same windows, capped by the session's max HR. A
run's best time for a distance comes from its best mean speed over each
duration (the same step windows, scaled to the run's average speed, a little
faster over the first minute for strides), the shortest time covering it.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable
from datetime import date
from typing import Any

from . import profile
from .activities import Detail
from .workouts import RUNS, Step

CURVE_SECS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 300, 600, 1200, 1800, 2700, 3600, 5400, 7200]
PACE_DISTANCES = [400, 800, 1000, 1609, 3000, 5000, 10000, 15000, 21097, 30000, 42195]  # m
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def window_best(steps: list[Step], durations: Iterable[int]) -> dict[int, float]:
    """Best mean intensity over any window of each duration (ramps taken at their mean).

    For a piecewise-constant profile the best window has an end on a step boundary,
    so windows starting or ending at each boundary are enough.
    """
    bounds = [0]
    prefix = [0.0]
    for s in steps:
        bounds.append(bounds[-1] + s.secs)
        prefix.append(prefix[-1] + s.secs * s.mean)
    total = bounds[-1]

    def integral(t: float) -> float:
        if t <= 0:
            return 0.0
        if t >= total:
            return prefix[-1]
        i = bisect.bisect_right(bounds, t) - 1
        return prefix[i] + (t - bounds[i]) * steps[i].mean

    out = {}
    for w in durations:
        if w > total:
            continue
        best = 0.0
        for b in bounds:
            for a in (b, b - w):
                if 0 <= a and a + w <= total:
                    best = max(best, (integral(a + w) - integral(a)) / w)
        out[w] = best
    return out


def _non_increasing(values: dict[int, float]) -> dict[int, int]:
    out, ceiling = {}, math.inf
    for secs in sorted(values):
        ceiling = min(ceiling, values[secs])
        out[secs] = int(round(ceiling))
    return out


def power_profile(detail: Detail, seed: int) -> dict[int, int]:
    """Hidden best watts by duration for one activity ({} without power)."""
    moving = int(detail.activity.get("moving_time") or 0)
    if not detail.has_power or moving <= 0:
        return {}
    session = detail.session
    rng = random.Random(f"{seed}:{detail.key}:mmp")
    durations = [s for s in CURVE_SECS if s <= moving]
    best = window_best(detail.steps, durations)
    indoor = session.sport in ("VirtualRide", "VirtualRow")
    scale = detail.threshold / profile.ftp_outdoor(seed, session.day)
    if session.race:
        sprint = rng.uniform(0.85, 0.98)
    elif session.kind == "zwift_race":
        sprint = rng.uniform(0.7, 0.9)
    elif session.sport == "MountainBikeRide":
        sprint = rng.uniform(0.7, 0.95)
    elif not indoor and not session.structured:
        sprint = rng.uniform(0.55, 0.9)
    else:
        sprint = rng.uniform(0.35, 0.55)
    terrain = 0.0 if indoor else rng.uniform(0.15, 0.4)
    model = profile.capability_model(seed, session.day)
    values = {}
    for secs in durations:
        cap = model(secs) * (scale if indoor else 1.0)
        win = best[secs] * detail.threshold * (1 + terrain * math.exp(-secs / 500))
        burst = sprint * cap * (1.0 if secs <= 30 else math.exp(-(secs - 30) / 150))
        values[secs] = min(max(win, burst) * (1 + rng.uniform(-0.01, 0.01)), cap * 0.995)
    return _non_increasing(values)


def _hr_trace(detail: Detail, lthr: int, max_hr: int) -> list[float]:
    """Noise-free heart rate in 10 s bins: the streams' lag model on the realised steps."""
    moving = sum(s.secs for s in detail.steps) or 1
    rise, fall = 1 - math.exp(-10 / 22), 1 - math.exp(-10 / 38)
    h = 82.0 + detail.hr_offset
    out, t = [], 0
    for step in detail.steps:
        for j in range(0, step.secs, 10):
            x = step.lo + (step.hi - step.lo) * j / step.secs
            target = (profile.hr_for(x, lthr, max_hr) + detail.hr_offset) * (
                1 + detail.decoupling / 100 * t / moving
            )
            h += (target - h) * (rise if target > h else fall)
            out.append(h)
            t += 10
    return out


def hr_profile(detail: Detail, seed: int) -> dict[int, int]:
    """Hidden best sustained heart rate by duration for one activity ({} without HR)."""
    act = detail.activity
    moving = int(act.get("moving_time") or 0)
    peak = act.get("max_heartrate")
    if not detail.has_hr or moving <= 0 or not peak:
        return {}
    trace = _hr_trace(detail, *profile.model_hr(detail.session.sport))
    prefix = [0.0]
    for v in trace:
        prefix.append(prefix[-1] + v)
    values = {}
    for secs in CURVE_SECS:
        if secs > moving:
            break
        width = max(1, secs // 10)
        if width > len(trace):
            break
        best = max(prefix[i + width] - prefix[i] for i in range(len(trace) - width + 1)) / width
        values[secs] = min(float(peak), best + (peak - max(trace)) * 10 / (10 + secs))
    return _non_increasing(values)


def pace_profile(detail: Detail, seed: int) -> dict[int, int]:
    """Hidden best time (s) by distance (m) for one run ({} for other sports)."""
    act = detail.activity
    moving = int(act.get("moving_time") or 0)
    distance = float(act.get("distance") or 0.0)
    if detail.session.sport not in RUNS or moving <= 0 or distance <= 0:
        return {}
    durations = sorted({*(s for s in CURVE_SECS if s < moving), moving})
    best = window_best(detail.steps, durations)
    full = best[moving] or 1.0
    strides = random.Random(f"{seed}:{detail.key}:pace").uniform(0.08, 0.25)
    covered = [
        (secs, best[secs] / full * distance / moving * (1 + strides * math.exp(-secs / 40)) * secs)
        for secs in durations
    ]
    out: dict[int, int] = {}
    for metres in PACE_DISTANCES:
        if metres > distance:
            break
        secs = _time_to_cover(covered, metres)
        if out:  # a longer best is never at a faster pace than a shorter one
            shorter = max(out)
            secs = max(secs, out[shorter] * metres / shorter)
        out[metres] = math.ceil(secs)
    return out


def _time_to_cover(covered: list[tuple[int, float]], metres: float) -> float:
    """The shortest duration whose best distance reaches `metres` (linear in between)."""
    before = (0.0, 0.0)
    for secs, dist in covered:
        if dist >= metres:
            (t0, d0), (t1, d1) = before, (float(secs), dist)
            return t0 + (t1 - t0) * (metres - d0) / (d1 - d0) if d1 > d0 else t1
        before = (float(secs), dist)
    return float(covered[-1][0])


def label(start: date, end: date) -> str:
    return f"{MONTHS[start.month - 1]} {start.day} - {MONTHS[end.month - 1]} {end.day}"


def build_curve(
    kind: str,
    details: list[Detail],
    profiles: list[dict[int, int]],
    start: date,
    end: date,
    curve_id: str,
    weight: float | None,
) -> dict[str, Any]:
    """One element of the curves `list`: bests over the given activities (the
    highest power or HR by duration, the shortest time by distance for pace)."""
    pace = kind == "pace"
    secs_out, values, ids = [], [], []
    for secs in PACE_DISTANCES if pace else CURVE_SECS:
        best, best_id = None, None
        for detail, prof in zip(details, profiles):
            value = prof.get(secs)
            if value is not None and (best is None or (value < best if pace else value > best)):
                best, best_id = value, detail.activity["id"]
        if best is None:
            continue
        secs_out.append(secs)
        values.append(best)
        ids.append(best_id)
    curve: dict[str, Any] = {
        "id": curve_id,
        "label": label(start, end),
        "start_date_local": f"{start.isoformat()}T00:00:00",
        "end_date_local": f"{end.isoformat()}T00:00:00",
        "days": (end - start).days + 1,
        "weight": weight,
        "moving_time": sum(int(d.activity.get("moving_time") or 0) for d in details),
        "training_load": sum(int(d.activity.get("icu_training_load") or 0) for d in details),
        ("distance" if pace else "secs"): secs_out,
        "values": values,
        "activity_id": ids,
    }
    if kind == "power":
        curve["watts"] = list(values)
        curve["watts_per_kg"] = [round(v / weight, 2) for v in values] if weight else None
    return curve
