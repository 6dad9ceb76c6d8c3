"""planned_workouts[], the workout_doc one-line renderer and its counters (spec/metrics.md §27).

The renderer turns a structured workout (`workout_doc.steps`) into a line such
as "3×12m @234W / 4m rec" so an AI reader sees the main set at a glance:

* pattern A: repeat blocks ({"reps": n, "steps": [...]}) rendered directly; a
  repeat holding a written-out alternating series (30/15s inside one block) is
  recognised by the nested-alternating detector;
* pattern B: a flat list of alternating work/rest steps (no repeat blocks)
  is folded into "{n}×{work} / {rest} rec" blocks.
Plain steady workouts get no summary (null); their description says enough.

Deviations from the reference (docs/deviations.md, quirk 14):
* a step that only has a relative target (e.g. power 90 %FTP, no resolved
  `_power`) is rendered "90% FTP" instead of "90W";
* pattern B continues right after a trailing lone repetition, so a following
  cool-down is no longer swallowed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..model import Event, num
from ..sports import TRAINING_CATEGORIES
from .activities import split_coach_notes
from .units import format_duration

TIMES = "×"
DESCRIPTION_DAYS = 7  # days 0..7 carry the full description
PREVIEW_LINES = 3

# relative target units -> label template ({v} = the number)
POWER_LABELS = {"w": "{v}W", "%ftp": "{v}% FTP", "%mmp": "{v}% MMP", "power_zone": "Z{v}"}
HR_LABELS = {"bpm": "{v}bpm", "%lthr": "{v}% LTHR", "%hr": "{v}% max HR", "hr_zone": "HR Z{v}"}


# ----------------------------------------------------------------- step access


@dataclass(frozen=True)
class Target:
    """A step target: the number used for comparisons and its rendered label."""

    value: float
    label: str


def _fmt_number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return str(round(value, 1))


def _target(
    step: Mapping[str, Any],
    resolved_key: str,
    raw_key: str,
    absolute_suffix: str,
    labels: Mapping[str, str],
) -> Target | None:
    """Resolved absolute target (`_power` watts / `_hr` bpm) first, else the raw target."""
    resolved = step.get(resolved_key)
    if isinstance(resolved, Mapping):
        value = num(resolved.get("value"))
        if value:
            return Target(value, f"{round(value)}{absolute_suffix}")
    raw = step.get(raw_key)
    if isinstance(raw, Mapping):
        value = num(raw.get("value"))
        if value:
            units = raw.get("units")
            units = units.lower() if isinstance(units, str) else None
            if units is None:
                return Target(value, f"{round(value)}{absolute_suffix}")
            template = labels.get(units, "{v} " + units)
            return Target(value, template.format(v=_fmt_number(value)))
    return None


def step_power(step: Mapping[str, Any]) -> Target | None:
    """Power of a step: resolved `_power.value` (W), else `power.value` in its own units."""
    return _target(step, "_power", "power", "W", POWER_LABELS)


def step_hr(step: Mapping[str, Any]) -> Target | None:
    return _target(step, "_hr", "hr", "bpm", HR_LABELS)


def step_duration(step: Mapping[str, Any]) -> float | None:
    """Duration in seconds when numeric and non-zero."""
    value = num(step.get("duration"))
    return value if value else None


def _reps(step: Mapping[str, Any]) -> int | None:
    value = num(step.get("reps"))
    return int(value) if value and value > 0 else None


def render_flat(step: Mapping[str, Any]) -> str | None:
    """ "{dur} @{power}" | "{dur} @{bpm}bpm" | "{dur}"; None without a duration."""
    duration = step_duration(step)
    if duration is None:
        return None
    target = step_power(step) or step_hr(step)
    text = format_duration(duration)
    return f"{text} @{target.label}" if target else text


def merge_parts(parts: Sequence[str]) -> str:
    """Collapse runs of identical neighbours into "{k} × {part}" and join with " | "."""
    runs: list[list[Any]] = []
    for part in parts:
        if runs and runs[-1][0] == part:
            runs[-1][1] += 1
        else:
            runs.append([part, 1])
    return " | ".join(p if k == 1 else f"{k} {TIMES} {p}" for p, k in runs)


def _separated(work: float, rest: float) -> bool:
    """Work clearly above rest: work > rest and gap ≥ max(10, 5 % of work)."""
    return work > rest and work - rest >= max(10, 0.05 * work)


# ----------------------------------------------------------------- pattern A


@dataclass(frozen=True)
class _Pair:
    work_dur: float
    work_power: int
    rest_dur: float
    rest_power: int


def nested_alternating(outer_reps: int, steps: Sequence[Mapping[str, Any]]) -> str | None:
    """A repeat block whose steps are a written-out work/rest series (§27.2).

    e.g. 2 × [3m set recovery, 30s @400W, 15s @150W, ×8 ...] ->
    "2 sets × 8×30s @400W / 15s rec (3m set rec)". None when the series is
    not regular enough.
    """
    steps = list(steps)
    set_rec: float | None = None
    if len(steps) >= 5:
        first, second = steps[0], steps[1]
        p1, p2 = step_power(first), step_power(second)
        d1, d2 = step_duration(first), step_duration(second)
        if p1 and p2 and d1 and d2 and p1.value <= p2.value and d1 > d2:
            set_rec = d1
            steps = steps[1:]
    if len(steps) < 6:
        return None
    pairs: list[_Pair] = []
    index = 0
    while index + 1 < len(steps):
        work, rest = steps[index], steps[index + 1]
        wp, rp = step_power(work), step_power(rest)
        wd, rd = step_duration(work), step_duration(rest)
        if not (wp and rp and wd and rd):
            return None
        if not _separated(round(wp.value), round(rp.value)):
            return None
        pairs.append(_Pair(wd, round(wp.value), rd, round(rp.value)))
        index += 2
    reps = len(pairs)
    ref = pairs[0]
    if index < len(steps):  # one leftover step: a trailing rep without its rest
        last = steps[index]
        lp, ld = step_power(last), step_duration(last)
        if not (lp and ld and ld == ref.work_dur and abs(round(lp.value) - ref.work_power) <= 2):
            return None
        reps += 1
    if reps < 3:
        return None
    if any(p.work_dur != ref.work_dur for p in pairs):
        return None
    if any(
        abs(p.work_power - ref.work_power) > 2 or abs(p.rest_power - ref.rest_power) > 2
        for p in pairs
    ):
        return None
    if any(p.rest_dur != ref.rest_dur for p in pairs[:-1]):
        return None
    label = step_power(steps[0]).label  # type: ignore[union-attr]
    inner = (
        f"{reps}{TIMES}{format_duration(ref.work_dur)} @{label} / "
        f"{format_duration(ref.rest_dur)} rec"
    )
    text = f"{outer_reps} sets {TIMES} {inner}" if outer_reps > 1 else inner
    if set_rec is not None:
        text += f" ({format_duration(set_rec)} set rec)"
    return text


def render_step(step: Mapping[str, Any]) -> str | None:
    """Pattern A rendering of one top-level step (repeat block or flat step)."""
    nested = step.get("steps")
    if "reps" in step and isinstance(nested, list):
        reps = _reps(step)
        nested = [s for s in nested if isinstance(s, Mapping)]
        if reps is None:
            return None
        if len(nested) == 2:
            work, rest = nested
            work_text = render_flat(work)
            if work_text is None:
                return None
            rest_dur = step_duration(rest)
            if rest_dur is None:
                return f"{reps}{TIMES}{work_text}"
            return f"{reps}{TIMES}{work_text} / {format_duration(rest_dur)} rec"
        if len(nested) >= 3:
            return nested_alternating(reps, nested)
        return None
    return render_flat(step)


def pattern_a(steps: Sequence[Mapping[str, Any]]) -> str | None:
    """Main path: render each top-level step; needs at least one repeat (§27.2)."""
    parts = [p for p in (render_step(s) for s in steps) if p is not None]
    if not any(TIMES in p or "sets" in p for p in parts):
        return None
    return merge_parts(parts)


# ----------------------------------------------------------------- pattern B


def _flat_block(steps: Sequence[Mapping[str, Any]], start: int) -> tuple[str, int] | None:
    """An alternating work/rest block starting at `start`: (text, index after it)."""
    n = len(steps)
    if start + 1 >= n:
        return None
    work, rest = steps[start], steps[start + 1]
    wp, rp = step_power(work), step_power(rest)
    wd, rd = step_duration(work), step_duration(rest)
    if not (wp and rp and wd and rd):
        return None
    work_power, rest_power = round(wp.value), round(rp.value)
    if not _separated(work_power, rest_power):
        return None

    def work_matches(step: Mapping[str, Any]) -> bool:
        p, d = step_power(step), step_duration(step)
        return bool(p and d and abs(d - wd) <= 1 and abs(round(p.value) - work_power) <= 2)

    def rest_power_matches(step: Mapping[str, Any]) -> bool:
        p = step_power(step)
        return bool(p and step_duration(step) and abs(round(p.value) - rest_power) <= 2)

    count, j = 1, start + 2
    while j + 1 < n:
        w2, r2 = steps[j], steps[j + 1]
        if not (work_matches(w2) and rest_power_matches(r2)):
            break
        r2_dur = step_duration(r2)
        if abs(r2_dur - rd) <= 2:
            count, j = count + 1, j + 2
            continue
        # the rest breaks the duration rule: a set break (or a last long rest)
        # still closes the block as its final pair; otherwise stop before it
        if r2_dur >= 1.5 * rd or not (j + 2 < n and work_matches(steps[j + 2])):
            count, j = count + 1, j + 2
        break
    # a trailing lone work step (not followed by a rest of this block)
    if j < n and work_matches(steps[j]) and not (j + 1 < n and rest_power_matches(steps[j + 1])):
        count, j = count + 1, j + 1
    if count < 3:
        return None
    text = f"{count}{TIMES}{format_duration(wd)} @{wp.label} / {format_duration(rd)} rec"
    return text, j


def pattern_b(steps: Sequence[Mapping[str, Any]]) -> str | None:
    """Fallback for flat alternating workouts without repeat blocks (§27.2)."""
    if len(steps) < 6 or any(_reps(s) for s in steps):
        return None
    parts: list[str] = []
    blocks = 0
    index = 0
    while index < len(steps):
        block = _flat_block(steps, index)
        if block is not None:
            text, index = block
            parts.append(text)
            blocks += 1
            continue
        flat = render_flat(steps[index])
        if flat is not None:
            parts.append(flat)
        index += 1
    return merge_parts(parts) if blocks else None


def render_workout(steps: Sequence[Mapping[str, Any]]) -> tuple[str | None, str | None]:
    """(one-line summary, "A" | "B" | None) of a workout_doc step list (§27.2)."""
    steps = [s for s in steps if isinstance(s, Mapping)]
    if not steps:
        return None, None
    summary = pattern_a(steps)
    if summary is not None:
        return summary, "A"
    summary = pattern_b(steps)
    if summary is not None:
        return summary, "B"
    return None, None


# ----------------------------------------------------------------- entries


def terrain_event_ids(route_entries: Iterable[Mapping[str, Any]]) -> set[str]:
    """Event ids of routes.json entries with a real terrain summary (§31.1).

    Fixes quirk 16: an entry whose terrain_summary is an {"error": ...} dict
    does not count.
    """
    ids = set()
    for entry in route_entries:
        summary = entry.get("terrain_summary")
        if isinstance(summary, Mapping) and summary and "error" not in summary:
            if entry.get("event_id") is not None:
                ids.add(str(entry["event_id"]))
    return ids


def new_stats() -> dict[str, int]:
    return {
        "attempted": 0,
        "success": 0,
        "patternA": 0,
        "patternB": 0,
        "bail_no_workout_doc": 0,
        "bail_no_match": 0,
    }


def _start_time(start_local: str | None) -> str | None:
    if not start_local or len(start_local) < 16:
        return None
    hhmm = start_local[11:16]
    return None if hhmm == "00:00" else hhmm


def planned_entry(
    event: Event, today: date, summary: str | None, routes_with_terrain: Iterable[str] = frozenset()
) -> dict[str, Any]:
    """One planned_workouts[] entry (§27.1)."""
    notes, cleaned = split_coach_notes(event.description)
    days_ahead = (event.date - today).days if event.date else 0
    out: dict[str, Any] = {
        "id": event.id,
        "date": event.date.isoformat() if event.date else None,
        "name": event.name,
        "type": event.category,
        "sport_type": event.type,
        "planned_tss": event.load,
        "duration_hours": round(event.moving_time / 3600, 2)
        if event.moving_time is not None
        else None,
        "duration_formatted": format_duration(event.moving_time)
        if event.moving_time is not None
        else None,
        "workout_summary": summary,
        "has_terrain": event.id is not None and event.id in set(routes_with_terrain),
    }
    if notes:
        out["coach_notes"] = notes
    start = _start_time(event.start_local)
    if start:
        out["start_time"] = start
    if event.indoor is True:
        out["indoor"] = True
    if days_ahead <= DESCRIPTION_DAYS:
        out["description"] = cleaned
    elif summary is None:
        lines = [line.strip() for line in cleaned.splitlines() if line.strip()]
        out["description_preview"] = "\n".join(lines[:PREVIEW_LINES]) if lines else None
    return out


def planned_workouts(
    events: Iterable[Event],
    today: date,
    routes_with_terrain: Iterable[str] = frozenset(),
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """(planned_workouts[], workout_summary_stats) for the calendar entries given (§27).

    `events` are today … today+42, all categories, in API order
    (`SyncInputs.near_future_events`). routes_with_terrain: event ids with a
    terrain summary (see `terrain_event_ids`).
    """
    terrain_ids = set(routes_with_terrain)
    stats = new_stats()
    entries = []
    for event in events:
        summary = None
        if event.steps:
            stats["attempted"] += 1
            summary, pattern = render_workout(event.steps)
            if summary is None:
                stats["bail_no_match"] += 1
            else:
                stats["success"] += 1
                stats["pattern" + pattern] += 1  # type: ignore[operator]
        elif (event.description or "").strip() and event.category in TRAINING_CATEGORIES:
            stats["bail_no_workout_doc"] += 1
        entries.append(planned_entry(event, today, summary, terrain_ids))
    return entries, stats
