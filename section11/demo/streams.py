"""Lazy per-activity data: 1 Hz streams (docs/architecture.md#api-client/docs/architecture.md#api-client) and the intervals derived from them (docs/architecture.md#api-client).

Samples are generated from the activity's realised steps with a per-activity
random.Random, so the same activity always yields the same arrays. Intervals are
measured on those arrays: structured sessions get one interval per work step and
per merged recovery stretch, unstructured ones a single whole-session RECOVERY.
"""

from __future__ import annotations

import math
import random
from typing import Any

from . import profile
from .activities import Detail, cycling_speed
from .workouts import CYCLING, RUNS

VALUE_TYPES = {
    "time": "java.lang.Integer",
    "watts": "java.lang.Integer",
    "heartrate": "java.lang.Integer",
    "cadence": "java.lang.Integer",
    "distance": "java.lang.Float",
    "altitude": "java.lang.Float",
    "velocity_smooth": "java.lang.Float",
    "latlng": "java.lang.Float",
    "temp": "java.lang.Float",
    "dfa_a1": "java.lang.Float",
    "artifacts": "java.lang.Float",
}

_SPEED_TABLE: list[float] = []


def _speed_table() -> list[float]:
    """Flat-road cycling speed (m/s) at 0, 5, ..., 2000 W."""
    if not _SPEED_TABLE:
        _SPEED_TABLE.extend(cycling_speed(p, "Ride") / 0.93 for p in range(0, 2001, 5))
    return _SPEED_TABLE


def series(detail: Detail, seed: int) -> dict[str, Any]:
    """Raw per-sample arrays of one activity (empty dict for a zero-length entry).

    One random.Random draws every stream in a fixed order (effort, speed, GPS
    dropouts, HR, cadence, DFA), so the helpers below run in that order."""
    act = detail.activity
    n = int(act.get("moving_time") or 0)
    if n <= 0:
        return {}
    rng = random.Random(f"{seed}:{detail.key}:streams")
    grade = _grades(detail, n)
    watts, effort = _effort(detail, _relative(detail, n), grade, rng)

    out: dict[str, Any] = {}  # stream type -> values; "latlng" -> (lats, lons)
    if detail.has_power:
        powered = [w or 0 for w in watts]  # with power every second has a value
        target = act.get("icu_average_watts") or 0
        actual = sum(powered) / n
        if target and actual:  # calibrate to the summary average (coasting zeros stay zero)
            scale = target / actual
            watts = [int(w * scale) for w in powered]
        out["watts"] = watts
    if act.get("distance") is not None:
        out.update(_motion(detail, effort, grade, rng))
    if detail.has_hr:
        out["heartrate"] = _heartrate(detail, effort, rng)
    if detail.session.sport in CYCLING or detail.session.sport in RUNS:
        out["cadence"] = _cadence(detail, watts, effort, rng)
    if detail.outdoor and act.get("average_temp") is not None:
        t0 = act["average_temp"]
        out["temp"] = [round(t0 + 1.5 * math.sin(i / 900), 1) for i in range(n)]
    if detail.has_dfa:
        out["dfa_a1"], out["artifacts"] = _alpha_hrv(effort, rng)
    out["time"] = _clock(detail, n)
    return out


def _relative(detail: Detail, n: int) -> list[float]:
    """The planned intensity (fraction of threshold) of each of the n seconds."""
    rel: list[float] = []
    for s in detail.steps:
        if s.lo == s.hi:
            rel.extend([s.lo] * s.secs)
        else:
            step = (s.hi - s.lo) / s.secs
            rel.extend(s.lo + step * j for j in range(s.secs))
    return rel[:n] + [rel[-1]] * (n - len(rel))


def _grades(detail: Detail, n: int) -> list[float]:
    """Gradient along the expected position (uniform progress), per 10 s."""
    grade = [0.0] * n
    route, distance_total = detail.route, detail.activity.get("distance")
    if route is not None and distance_total:
        for i in range(0, n, 10):
            s = distance_total * i / n
            g = (route.elevation(s + 15) - route.elevation(s - 15)) / 30
            grade[i : i + 10] = [g] * len(grade[i : i + 10])
    return grade


def _effort(
    detail: Detail, rel: list[float], grade: list[float], rng: random.Random
) -> tuple[list[int | None], list[float]]:
    """(watts, the intensity the body felt) per second: noise, climbs and coasting."""
    sport = detail.session.sport
    outside = sport not in ("VirtualRide", "VirtualRow") and detail.route is not None
    coast_rate = {"Ride": 0.004, "GravelRide": 0.005, "MountainBikeRide": 0.008}.get(sport, 0.0)
    thr = detail.threshold if detail.has_power else None
    gauss, chance, randint = rng.gauss, rng.random, rng.randint
    watts: list[int | None] = []
    effort: list[float] = []
    noise = 0.0
    coasting = 0
    for r, g in zip(rel, grade):
        if outside:
            r = max(0.0, r * (1 + 2.2 * g))
            noise = 0.88 * noise + gauss(0, 0.045)
            if coasting == 0 and (chance() < coast_rate or (g < -0.025 and chance() < 0.05)):
                coasting = randint(4, 25)
        else:
            noise = 0.5 * noise + gauss(0, 0.018)
        if coasting:
            coasting -= 1
            watts.append(0)
            effort.append(0.3)
            continue
        r = max(0.0, r * (1 + noise))
        effort.append(r)
        watts.append(int(r * thr) if thr is not None else None)
    return watts, effort


def _motion(
    detail: Detail, effort: list[float], grade: list[float], rng: random.Random
) -> dict[str, Any]:
    """velocity_smooth and distance, and on a route altitude and latlng."""
    sport = detail.session.sport
    distance_total = detail.activity["distance"]
    n = len(effort)
    vel = []
    smooth = effort[0]
    if sport in CYCLING:
        table = _speed_table()
        power = detail.threshold if detail.ftp else 250
        for e, g in zip(effort, grade):
            smooth += (e - smooth) * 0.1
            v = table[int(min(max(smooth * power, 0.0), 2000.0) / 5)]
            v = v / (1 + 11 * g) if g > 0 else v * (1 - 5 * g)
            vel.append(max(v, 0.3))
    elif sport in RUNS:
        thr = detail.threshold
        for e, g in zip(effort, grade):
            smooth += (e - smooth) * 0.1
            vel.append(max(smooth * thr * (1 - 4 * g), 0.3))
    else:
        mean = distance_total / n
        for g in grade:
            vel.append(max(mean * (1 - 5 * g) * (0.9 + 0.2 * rng.random()), 0.3))
    total = sum(vel)
    scale = distance_total / total if total > 0 else 0.0
    vel = [v * scale for v in vel]
    dist, acc = [], 0.0
    for v in vel:
        acc += v
        dist.append(round(acc, 1))
    out: dict[str, Any] = {"velocity_smooth": [round(v, 3) for v in vel], "distance": dist}
    route = detail.route
    if route is not None:
        out["altitude"] = [round(route.elevation(d), 1) for d in dist]
        if detail.outdoor:
            raw_lats, raw_lons = route.positions(dist)
            lats: list[float | None] = [round(v, 6) for v in raw_lats]
            lons: list[float | None] = [round(v, 6) for v in raw_lons]
            for _ in range(rng.randint(1, 4)):  # GPS dropouts
                a = rng.randrange(0, n)
                for j in range(a, min(n, a + rng.randint(3, 20))):
                    lats[j] = lons[j] = None
            out["latlng"] = (lats, lons)
    return out


def _heartrate(detail: Detail, effort: list[float], rng: random.Random) -> list[int]:
    """HR chasing the steady-state HR of the effort (faster up than down), drifting."""
    act = detail.activity
    n = len(effort)
    lthr, max_hr = profile.model_hr(detail.session.sport)
    drift_total = detail.decoupling / 100
    offset = detail.hr_offset
    h = 82.0 + offset
    ceiling = act.get("max_heartrate") or max_hr
    hr_for, jitter = profile.hr_for, rng.uniform
    hr = []
    for i, e in enumerate(effort):
        target = hr_for(e, lthr, max_hr) + offset
        target *= 1 + drift_total * i / n
        h += (target - h) * (1 / 22 if target > h else 1 / 38)
        hr.append(int(round(min(ceiling, h + jitter(-1.2, 1.2)))))
    return hr


def _cadence(
    detail: Detail, watts: list[int | None], effort: list[float], rng: random.Random
) -> list[int]:
    """Cadence around the sport's habit, higher when harder; 0 while coasting."""
    sport = detail.session.sport
    base = 86.0 if sport in RUNS else (77.0 if sport == "MountainBikeRide" else 88.0)
    gauss = rng.gauss
    cad = []
    for w, e in zip(watts, effort):
        if detail.has_power and w == 0:
            cad.append(0)
        else:
            cad.append(int(round(base + gauss(0, 2.5) + 6 * (e - 0.7))))
    return cad


def _clock(detail: Detail, n: int) -> list[int]:
    """Elapsed seconds at each moving sample (pauses shift the clock)."""
    pauses = sorted((int(f * n), p) for f, p in detail.stops)
    time, shift, k = [], 0, 0
    for i in range(n):
        while k < len(pauses) and pauses[k][0] <= i:
            shift += pauses[k][1]
            k += 1
        time.append(i + shift)
    return time


def _alpha_hrv(effort: list[float], rng: random.Random) -> tuple[list, list]:
    """AlphaHRV-style DFA a1 (~1.3 easy, ~0.75 at LT1, ~0.5 at LT2) and artifact %."""
    n = len(effort)
    base_art = rng.uniform(0.3, 2.2)
    gauss, chance, uniform, exp = rng.gauss, rng.random, rng.uniform, math.exp
    x = effort[0]
    dfa: list[float | None] = []
    art: list[float] = []
    spike = 0
    for e in effort:
        x += (e - x) / 60
        a = 0.3 + 1.1 / (1 + exp((x - 0.80) / 0.065)) + gauss(0, 0.05)
        if spike == 0 and chance() < 0.0005:
            spike = rng.randint(15, 90)
        if spike:
            spike -= 1
            artifact = uniform(5.5, 14.0)
            a += gauss(0, 0.25)
        else:
            artifact = max(0.0, base_art + gauss(0, 0.5))
        art.append(round(artifact, 2))
        dfa.append(round(min(1.8, max(0.12, a)), 3))
    dfa[0] = 0.0  # AlphaHRV's leading artefact
    for i in range(1, min(n, 30)):
        dfa[i] = None  # the window is still filling
    for _ in range(n // 900):
        dfa[rng.randrange(0, n)] = None
    return dfa, art


def stream_list(data: dict[str, list]) -> list[dict[str, Any]]:
    """The API's list of stream objects (latlng: lats in data, lons in data2)."""
    order = [
        "time",
        "watts",
        "heartrate",
        "cadence",
        "distance",
        "altitude",
        "velocity_smooth",
        "latlng",
        "temp",
        "dfa_a1",
        "artifacts",
    ]
    out = []
    for kind in order:
        if kind not in data:
            continue
        values = data[kind]
        data1, data2 = values if kind == "latlng" else (values, None)
        out.append(
            {
                "type": kind,
                "name": None,
                "data": data1,
                "data2": data2,
                "valueType": VALUE_TYPES[kind],
                "valueTypeIsArray": False,
                "anomalies": None,
                "custom": kind in ("dfa_a1", "artifacts"),
                "allNull": False,
            }
        )
    return out


# ----------------------------------------------------------------- intervals


def _mean(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def _np(values: list[int]) -> float:
    if len(values) < 30:
        return sum(values) / max(len(values), 1)
    acc, total = sum(values[:30]), 0.0
    count = 0
    for i in range(30, len(values) + 1):
        total += (acc / 30) ** 4
        count += 1
        if i < len(values):
            acc += values[i] - values[i - 30]
    return (total / count) ** 0.25


def _ranges(detail: Detail, n: int) -> list[tuple[int, int, str, int | None]]:
    """(start, end_exclusive, type, planned watts of a work step) of each interval."""
    if not detail.session.structured:
        return [(0, n, "RECOVERY", None)]
    out: list[tuple[int, int, str, int | None]] = []
    pos = 0
    for step in detail.steps:
        end = min(n, pos + step.secs)
        if step.role == "work":
            planned = int(round(step.mean * detail.threshold)) if detail.has_power else None
            out.append((pos, end, "WORK", planned))
        elif out and out[-1][2] == "RECOVERY":
            out[-1] = (out[-1][0], end, "RECOVERY", None)
        else:
            out.append((pos, end, "RECOVERY", None))
        pos = end
    return [r for r in out if r[1] > r[0]]


def intervals(detail: Detail, data: dict[str, list], seed: int) -> list[dict[str, Any]]:
    act = detail.activity
    n = len(data.get("time", []))
    if n == 0:
        return []
    time = data["time"]
    watts = data.get("watts")
    hr = data.get("heartrate")
    cad = data.get("cadence")
    dist = data.get("distance")
    alt = data.get("altitude")
    dfa = data.get("dfa_a1")
    ftp = detail.ftp
    cp = act.get("icu_rolling_cp") or (0.965 * ftp if ftp else None)
    w_prime = act.get("icu_w_prime") or 19000
    wbal_at = [float(w_prime)] * (n + 1)
    if watts is not None and cp:
        wbal = float(w_prime)
        for i, p in enumerate(watts):
            wbal_at[i] = wbal
            p = p or 0
            if p > cp:
                wbal -= p - cp
            else:
                wbal += (cp - p) * (w_prime - wbal) / w_prime
        wbal_at[n] = wbal
    bounds = [b * ftp / 100 for b in profile.POWER_ZONES] if ftp else None
    hr_zones = act.get("icu_hr_zones")
    cadence_label = int(round(act.get("average_cadence") or 0))
    out: list[dict[str, Any]] = []
    for idx, (a, b, kind, planned) in enumerate(_ranges(detail, n), start=1):
        item: dict[str, Any] = {
            "id": idx,
            "type": kind,
            "label": None,
            "group_id": None,
            "start_index": a,
            "end_index": b - 1,
            "start_time": time[a],
            "end_time": time[b - 1] + 1,
            "elapsed_time": time[b - 1] + 1 - time[a],
            "moving_time": b - a,
        }
        if detail.session.flags and "edited" in detail.session.flags and kind == "WORK":
            item["label"] = f"Rep {sum(1 for o in out if o['type'] == 'WORK') + 1}"
        if dist is not None:
            start_d = dist[a - 1] if a > 0 else 0.0
            item["distance"] = round(dist[b - 1] - start_d, 1)
            item["average_speed"] = round(item["distance"] / (b - a), 3)
        if alt is not None:
            gain = sum(max(0.0, alt[i] - alt[i - 1]) for i in range(max(a, 1), b))
            item["total_elevation_gain"] = round(gain, 1)
            if dist is not None and item["distance"] > 0:
                item["average_gradient"] = round((alt[b - 1] - alt[a]) / item["distance"] * 100, 2)
        if watts is not None:
            seg = [w or 0 for w in watts[a:b]]
            avg = sum(seg) / len(seg)
            np_w = _np(seg)
            item.update(
                average_watts=int(round(avg)),
                min_watts=min(seg),
                max_watts=max(seg),
                weighted_average_watts=int(round(np_w)),
                joules=int(sum(seg)),
            )
            weight = act.get("icu_weight")
            if weight:
                item["average_watts_kg"] = round(avg / weight, 2)
            if ftp and bounds is not None:
                zone = 0
                while zone < 6 and avg > bounds[zone]:
                    zone += 1
                item.update(
                    intensity=int(round(np_w / ftp * 100)),
                    training_load=round((b - a) / 3600 * (np_w / ftp) ** 2 * 100, 1),
                    joules_above_ftp=int(sum(max(0, w - ftp) for w in seg)),
                    zone=zone + 1,
                    zone_min_watts=int(bounds[zone - 1]) + 1 if zone > 0 else 0,
                    zone_max_watts=int(bounds[zone]) if zone < 6 else None,
                    wbal_start=int(wbal_at[a]),
                    wbal_end=int(wbal_at[b]),
                )
            if kind == "WORK" and planned is not None:
                item["group_id"] = f"{b - a}s@{planned}w{cadence_label}rpm"
        if hr is not None:
            seg_hr = hr[a:b]
            avg_hr = sum(seg_hr) / len(seg_hr)
            item.update(
                average_heartrate=int(round(avg_hr)),
                min_heartrate=min(seg_hr),
                max_heartrate=max(seg_hr),
            )
            if watts is None and hr_zones:
                item["zone"] = next(
                    (i + 1 for i, z in enumerate(hr_zones) if avg_hr <= z), len(hr_zones)
                )
            if kind == "WORK" and planned is None and watts is None:
                item["group_id"] = f"{b - a}s@{int(round(avg_hr))}bpm"
            if (b - a) >= 1200 and watts is not None:
                half = (a + b) // 2
                first = _ratio(watts[a:half], hr[a:half])
                second = _ratio(watts[half:b], hr[half:b])
                if first and second:
                    item["decoupling"] = round((first - second) / first * 100, 1)
        if cad is not None:
            moving_cad = [c for c in cad[a:b] if c]
            item["average_cadence"] = (
                round(sum(moving_cad) / len(moving_cad), 1) if moving_cad else None
            )
        if dfa is not None:
            vals = [v for v in dfa[a:b] if v]
            item["average_dfa_a1"] = round(sum(vals) / len(vals), 3) if vals else None
        out.append(item)
    return out


def _ratio(watts: list, hr: list) -> float | None:
    p = _mean(watts)
    h = _mean(hr)
    return p / h if p and h else None
