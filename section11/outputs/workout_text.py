"""One line of text for a structured workout (a `workout_doc` tree), for an AI reader.

Grammar (deterministic; every structured workout with a readable step gets one):

    summary  = total ": " items
    total    = summed step durations ("60 min"), reps multiplied; plus " + {distance}"
               for steps that only state a distance; a distance alone when no step has
               a duration ("1700 m")
    items    = item {", " item}
    item     = step | repeat
    repeat   = N " × " step " (r " step ")"   two steps, the second a recovery
             | N " × " step                   one step
             | N " × (" items ")"             anything else (nested repeats included)
    step     = amount [" ramp"] {" @ " target} [" free ride"] [" max effort"]
               [' "' text '"'] [" (until lap)"]
    amount   = duration ("45s", "8 min", "2 min 30s", "2h 15 min") or distance
               ("400 m", "5 km"; swims always in m)

Targets are printed as the workout states them: power "250W" / "90% FTP" / "Z2",
HR "150 bpm" / "75% HRmax" / "95% LTHR" / "HR Z2", "RPE 6", cadence "90 rpm";
a range as "a-b" ("55-65% FTP", "Z3-Z4"), a ramp with the word "ramp" before it.
Pace is printed as m:ss per km (per 100 m for swims) from the resolved `_pace`
(m/s), or from a %pace of the workout's `threshold_pace`; otherwise as stated
("85% pace", "pace Z2"). The text of a step is shown only when the step has no
target (strength work, free-text steps). Repetition written out step by step
(a block of 2-6 steps following itself back to back, e.g. eight 40/20s pairs)
is written as a repeat; consecutive identical steps are merged into one longer
step. A recovery step is the second step of a two-step repeat
that is marked rest/recovery, has no target while the first has, or has a lower
target of the same kind and units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..model import num
from ..sports import family_of

TIMES = "×"
TEXT_MAX = 60  # characters of a free-text step shown
MAX_PERIOD = 6  # longest written-out block folded into a repeat
RECOVERY_INTENSITIES = frozenset({"rest", "recovery"})
SWIM_PACE_UNITS = frozenset({"SECS_100M", "SECS_100Y"})


@dataclass(frozen=True)
class Units:
    """How a target in one unit is written: prefix + each number + suffix."""

    prefix: str
    number: str
    suffix: str


POWER_UNITS = {
    "w": Units("", "{}", "W"),
    "%ftp": Units("", "{}", "% FTP"),
    "%mmp": Units("", "{}", "% MMP"),
    "power_zone": Units("", "Z{}", ""),
}
HR_UNITS = {
    "bpm": Units("", "{}", " bpm"),
    "%hr": Units("", "{}", "% HRmax"),
    "%lthr": Units("", "{}", "% LTHR"),
    "hr_zone": Units("HR ", "Z{}", ""),
}
PACE_UNITS = {"%pace": Units("", "{}", "% pace"), "pace_zone": Units("pace ", "Z{}", "")}
RPE = Units("RPE ", "{}", "")
CADENCE = Units("", "{}", " rpm")
# target key -> (its unit table, the unit when none is stated)
TARGETS: dict[str, tuple[Mapping[str, Units], Units]] = {
    "power": (POWER_UNITS, POWER_UNITS["w"]),
    "hr": (HR_UNITS, HR_UNITS["bpm"]),
    "pace": (PACE_UNITS, PACE_UNITS["%pace"]),
    "rpe": ({"rpe": RPE}, RPE),
    "cadence": ({"rpm": CADENCE}, CADENCE),
}
LEVEL_KEYS = ("power", "hr", "pace", "rpe")  # intensity targets, in print order
RESOLVED = {"power": ("_power", POWER_UNITS["w"]), "hr": ("_hr", HR_UNITS["bpm"])}


@dataclass(frozen=True)
class Context:
    """What the step text needs from outside the step: sport and threshold pace."""

    swim: bool = False
    threshold_pace: float | None = None  # m/s


# ----------------------------------------------------------------- numbers


def fmt_number(value: float) -> str:
    rounded = round(value, 1)
    return str(int(rounded)) if float(rounded).is_integer() else str(rounded)


def fmt_duration(seconds: float) -> str:
    """ "45s", "8 min", "2 min 30s", "110 min"; from 2 hours "2h", "2h 15 min"."""
    total = int(round(seconds))
    if total < 60:
        return f"{total}s"
    if total < 7200:
        minutes, secs = divmod(total, 60)
        return f"{minutes} min" + (f" {secs}s" if secs else "")
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h"] + ([f"{minutes} min"] if minutes else []) + ([f"{secs}s"] if secs else [])
    return " ".join(parts)


def fmt_distance(metres: float, swim: bool) -> str:
    """ "400 m" (always metres for swims), "5 km", "1.5 km", "21.1 km"."""
    if swim or metres < 1000:
        return f"{int(round(metres))} m"
    km = round(metres / 1000, 2)
    return f"{int(km)} km" if km.is_integer() else f"{km:g} km"


# m/s, 2:46:40 per km: a slower "pace" target is no pace (it is shown as stated)
MIN_PACE_SPEED = 0.1


def fmt_pace(speed: float, swim: bool) -> str:
    """m:ss per km (per 100 m for swims) of a speed in m/s."""
    secs = int(round((100 if swim else 1000) / speed))
    return f"{secs // 60}:{secs % 60:02d}"


# ----------------------------------------------------------------- targets


def _bounds(target: Mapping[str, Any]) -> tuple[float, float] | None:
    """(low, high) as stated: a single value gives (v, v)."""
    value = num(target.get("value"))
    start, end = num(target.get("start")), num(target.get("end"))
    if start is not None and end is not None:
        return float(start), float(end)
    if value is not None:
        return float(value), float(value)
    return None


def _write(bounds: tuple[float, float], units: Units) -> str:
    low, high = (units.number.format(fmt_number(v)) for v in bounds)
    body = low if low == high else f"{low}-{high}"
    return f"{units.prefix}{body}{units.suffix}"


def _units_of(key: str, target: Mapping[str, Any]) -> Units:
    table, default = TARGETS[key]
    units = target.get("units")
    if not isinstance(units, str):
        return default
    return table.get(units.lower(), Units("", "{}", f" {units}"))


def _pace_speeds(step: Mapping[str, Any], ctx: Context) -> tuple[float, float] | None:
    """Pace target as speeds (m/s): the resolved `_pace`, else %pace of threshold pace."""
    raw = step.get("pace")
    raw = raw if isinstance(raw, Mapping) else {}
    resolved = step.get("_pace")
    if isinstance(resolved, Mapping):
        value = num(resolved.get("value"))
        single = value is not None and num(raw.get("value")) is not None
        bounds = (float(value), float(value)) if single and value else _bounds(resolved)
        if bounds and min(bounds) >= MIN_PACE_SPEED:
            return bounds
    stated = _bounds(raw)
    if stated and ctx.threshold_pace and str(raw.get("units", "")).lower() == "%pace":
        speeds = (stated[0] * ctx.threshold_pace / 100, stated[1] * ctx.threshold_pace / 100)
        return speeds if min(speeds) >= MIN_PACE_SPEED else None
    return None


def pace_label(step: Mapping[str, Any], ctx: Context) -> str | None:
    speeds = _pace_speeds(step, ctx)
    if speeds is not None:
        low, high = (fmt_pace(v, ctx.swim) for v in speeds)
        body = low if low == high else f"{low}-{high}"
        return f"{body}/100m" if ctx.swim else f"{body}/km"
    raw = step.get("pace")
    if isinstance(raw, Mapping) and (bounds := _bounds(raw)):
        return _write(bounds, _units_of("pace", raw))
    return None


def target_label(step: Mapping[str, Any], key: str, ctx: Context) -> str | None:
    """One target of a step as the workout states it, or None when absent."""
    if key == "pace":
        return pace_label(step, ctx)
    raw = step.get(key)
    if isinstance(raw, Mapping) and (bounds := _bounds(raw)):
        return _write(bounds, _units_of(key, raw))
    if key in RESOLVED:  # only the resolved absolute value is there
        resolved_key, units = RESOLVED[key]
        resolved = step.get(resolved_key)
        if isinstance(resolved, Mapping) and (bounds := _bounds(resolved)):
            return _write((float(round(bounds[0])), float(round(bounds[1]))), units)
    return None


def _level(step: Mapping[str, Any]) -> tuple[str, str, float] | None:
    """(target key, units, mid value) of the first intensity target, for comparisons."""
    for key in LEVEL_KEYS:
        raw = step.get(key)
        if isinstance(raw, Mapping) and (bounds := _bounds(raw)):
            return key, str(raw.get("units", "")).lower(), sum(bounds) / 2
    for resolved_key, _units in RESOLVED.values():
        resolved = step.get(resolved_key)
        if isinstance(resolved, Mapping) and (bounds := _bounds(resolved)):
            return resolved_key, "", sum(bounds) / 2
    return None


# ----------------------------------------------------------------- tree


@dataclass(frozen=True)
class Step:
    """A leaf step: its amount and everything after the amount."""

    seconds: float | None
    metres: float | None  # shown instead of the duration when stated
    what: str
    level: tuple[str, str, float] | None
    recovery: bool  # marked rest/recovery by the workout


@dataclass(frozen=True)
class Repeat:
    reps: int
    items: tuple[Step | Repeat, ...]


Node = Step | Repeat


def _positive(value: Any) -> float | None:
    value = num(value)
    return float(value) if value is not None and value > 0 else None


def _what(step: Mapping[str, Any], ctx: Context) -> str:
    out = " ramp" if step.get("ramp") is True else ""
    targets = [t for t in (target_label(step, k, ctx) for k in LEVEL_KEYS) if t]
    out += "".join(f" @ {t}" for t in targets)
    cadence = target_label(step, "cadence", ctx)
    out += f" @ {cadence}" if cadence else ""
    if step.get("freeride") is True:
        out += " free ride"
    if step.get("maxeffort") is True:
        out += " max effort"
    text = " ".join(str(step.get("text") or "").split())
    if text and not out:
        out += f' "{text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"}"'
    if step.get("until_lap_press") is True:
        out += " (until lap)"
    return out


def parse_step(step: Any, ctx: Context) -> Node | None:
    """A workout_doc step as a node; None when it states no amount (or no readable reps)."""
    if not isinstance(step, Mapping):
        return None
    if "reps" in step or isinstance(step.get("steps"), list):
        reps = num(step.get("reps"))
        children = step.get("steps")
        if reps is None or reps < 1 or not isinstance(children, list):
            return None
        items = parse_steps(children, ctx)
        return Repeat(int(reps), items) if items else None
    seconds, metres = _positive(step.get("duration")), _positive(step.get("distance"))
    if seconds is None and metres is None:
        return None
    recovery = str(step.get("intensity", "")).lower() in RECOVERY_INTENSITIES
    return Step(seconds, metres, _what(step, ctx), _level(step), recovery)


def _same_step(a: Node, b: Node) -> bool:
    return (
        isinstance(a, Step)
        and isinstance(b, Step)
        and a.what == b.what
        and (a.metres is None) == (b.metres is None)
        and (a.seconds is None) == (b.seconds is None)
    )


def _add(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a + b


def _run(nodes: Sequence[Node], start: int, period: int) -> int:
    """How many times nodes[start:start+period] repeats back to back from `start`."""
    block = list(nodes[start : start + period])
    count = 1
    while list(nodes[start + count * period : start + (count + 1) * period]) == block:
        count += 1
    return count


def fold_runs(nodes: Sequence[Node]) -> list[Node]:
    """Written-out repetition as repeats: a block of 2..MAX_PERIOD flat steps that
    follows itself back to back becomes one Repeat (its own inside folded the same
    way). At each position the block covering the most steps wins (the shorter
    block on a tie); a block of identical steps is left to merging."""
    out: list[Node] = []
    index = 0
    while index < len(nodes):
        best: tuple[int, int] | None = None  # (period, count)
        for period in range(2, MAX_PERIOD + 1):
            block = nodes[index : index + period]
            if (
                len(block) < period
                or any(isinstance(n, Repeat) for n in block)
                or all(n == block[0] for n in block)
            ):
                continue
            count = _run(nodes, index, period)
            if count >= 2 and (best is None or count * period > best[0] * best[1]):
                best = (period, count)
        if best is None:
            out.append(nodes[index])
            index += 1
            continue
        period, count = best
        out.append(Repeat(count, merge_steps(fold_runs(nodes[index : index + period]))))
        index += period * count
    return out


def merge_steps(nodes: Sequence[Node]) -> tuple[Node, ...]:
    """Consecutive identical steps merged into one longer step."""
    out: list[Node] = []
    for node in nodes:
        last = out[-1] if out else None
        if last is not None and _same_step(last, node):
            assert isinstance(last, Step) and isinstance(node, Step)
            out[-1] = replace(
                last,
                seconds=_add(last.seconds, node.seconds),
                metres=_add(last.metres, node.metres),
            )
        else:
            out.append(node)
    return tuple(out)


def parse_steps(steps: Sequence[Any], ctx: Context) -> tuple[Node, ...]:
    """Readable steps of a list: written-out repetition folded, identical steps merged."""
    nodes = [n for n in (parse_step(s, ctx) for s in steps) if n is not None]
    return merge_steps(fold_runs(nodes))


# ----------------------------------------------------------------- text


def step_text(step: Step, ctx: Context) -> str:
    amount = (
        fmt_distance(step.metres, ctx.swim)
        if step.metres is not None
        else fmt_duration(step.seconds or 0)
    )
    return amount + step.what


def _is_recovery(work: Node, rest: Node) -> bool:
    if not (isinstance(work, Step) and isinstance(rest, Step)):
        return False
    if rest.recovery:
        return True
    if work.level is None:
        return False
    if rest.level is None:
        return "@" not in rest.what
    return rest.level[:2] == work.level[:2] and rest.level[2] < work.level[2]


def node_text(node: Node, ctx: Context) -> str:
    if isinstance(node, Step):
        return step_text(node, ctx)
    head = f"{node.reps} {TIMES} "
    items = node.items
    if len(items) == 1:
        only = node_text(items[0], ctx)
        return head + (f"({only})" if isinstance(items[0], Repeat) else only)
    if len(items) == 2 and _is_recovery(items[0], items[1]):
        return head + f"{node_text(items[0], ctx)} (r {node_text(items[1], ctx)})"
    return head + "(" + ", ".join(node_text(n, ctx) for n in items) + ")"


def totals(nodes: Sequence[Node]) -> tuple[float, float]:
    """(seconds, metres): durations of all steps, reps multiplied; distances of the
    steps that state no duration."""
    seconds = metres = 0.0
    for node in nodes:
        if isinstance(node, Repeat):
            s, m = totals(node.items)
            seconds, metres = seconds + node.reps * s, metres + node.reps * m
        elif node.seconds is not None:
            seconds += node.seconds
        else:
            metres += node.metres or 0.0
    return seconds, metres


def total_text(nodes: Sequence[Node], ctx: Context) -> str:
    seconds, metres = totals(nodes)
    parts = ([fmt_duration(seconds)] if seconds else []) + (
        [fmt_distance(metres, ctx.swim)] if metres else []
    )
    return " + ".join(parts)


def context(doc: Mapping[str, Any], sport: str | None) -> Context:
    pace_units = doc.get("pace_units")
    swim = family_of(sport, None) == "swim" or (sport is None and pace_units in SWIM_PACE_UNITS)
    return Context(swim=swim, threshold_pace=_positive(doc.get("threshold_pace")))


def workout_summary(doc: Mapping[str, Any], sport: str | None = None) -> str | None:
    """The one-line summary of a workout_doc (see the module docstring).

    doc: a workout_doc (`steps`, optionally `threshold_pace` in m/s and
    `pace_units`); sport: the event's sport type (Run, Swim, ...).
    None when no step states a duration or a distance.
    """
    steps = doc.get("steps")
    ctx = context(doc, sport)
    nodes = parse_steps(steps, ctx) if isinstance(steps, list) else ()
    if not nodes:
        return None
    return f"{total_text(nodes, ctx)}: " + ", ".join(node_text(n, ctx) for n in nodes)
