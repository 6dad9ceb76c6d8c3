"""Session -> raw activity object (list endpoint shape, docs/architecture.md#api-client).

All summary numbers follow from the session's realised steps and the thresholds
in force that day: NP = IF x FTP, load = hours x IF^2 x 100, zone times from the
steps, heart rate from the intensity. A `Detail` keeps what the lazy endpoints
(streams, intervals, curves, messages) need to regenerate the same session.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from . import profile, story, workouts
from .gpx import Route, route_for
from .weather import NO_WEATHER, weather
from .workouts import CYCLING, OUTDOOR_RIDES, POWER_SPORTS, RUNS, Session, Step

STRAVA_NOTE = "STRAVA activities are not available via the API"
OUTDOOR = frozenset(
    {"Ride", "GravelRide", "MountainBikeRide", "Run", "TrailRun", "Walk", "Hike", "NordicSki"}
)
NO_DISTANCE = frozenset({"WeightTraining", "Yoga"})
ROW_THRESHOLD_WATTS = 235
HEAT_DRIFT, HEAT_DRIFT_FROM = 0.7, 23.0  # extra decoupling (% per °C) above 23 °C


def activity_id(day: date, k: int) -> str:
    return "i" + str(day.toordinal() * 10 + k)


def stub_id(day: date, k: int) -> str:
    return str(12_000_000_000 + day.toordinal() * 10 + k)


def event_id(day: date, slot: int) -> int:
    """int32 calendar event id; slots 0-9 pair with the day's sessions."""
    return 60_000_000 + (day.toordinal() - 700_000) * 20 + slot


def stamp(moment: datetime) -> str:
    """Audit timestamp style: 2026-07-21T07:38:58.448+00:00."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


@dataclass
class Detail:
    """Everything needed to regenerate one activity's per-sample data."""

    session: Session
    steps: list[Step]
    activity: dict[str, Any]
    ftp: int | None
    threshold: float  # watts (power sports) or m/s (runs, swims) at intensity 1.0
    has_power: bool
    has_hr: bool
    has_dfa: bool
    outdoor: bool
    hr_offset: float
    decoupling: float
    route: Route | None
    stops: tuple[tuple[float, int], ...] = ()  # (fraction of moving time, paused secs)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.session.day.isoformat()}:{self.session.k}"


class Clock:
    """Local wall clock -> UTC for the athlete's timezone (UTC if unknown)."""

    def __init__(self, tz_name: str):
        self.tz: tzinfo
        try:
            self.tz = ZoneInfo(tz_name)
        except Exception:  # unknown or malformed zone: the demo still builds
            self.tz = UTC

    def utc(self, day: date, secs: int) -> datetime:
        local = datetime.combine(day, time()) + timedelta(seconds=secs)
        return local.replace(tzinfo=self.tz).astimezone(UTC)


def local_iso(day: date, secs: int) -> str:
    moment = datetime.combine(day, time()) + timedelta(seconds=secs)
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


# ----------------------------------------------------------------- helpers


def _zone_index(value: float, bounds: Sequence[float]) -> int:
    for i, upper in enumerate(bounds):
        if value <= upper:
            return i
    return len(bounds) - 1


def _spread(total: list[float], zone: int, secs: float, core: float) -> None:
    """Put `core` of secs in `zone`, the rest in the neighbouring zones."""
    n = len(total)
    side = (1 - core) / 2
    total[zone] += secs * core
    total[max(zone - 1, 0)] += secs * side
    total[min(zone + 1, n - 1)] += secs * side


def _integers(values: list[float], target: int) -> list[int]:
    out = [int(v) for v in values]
    gap = target - sum(out)
    order = sorted(range(len(values)), key=lambda i: values[i] - out[i], reverse=True)
    for i in order[: max(gap, 0)]:
        out[i] += 1
    return out


def power_zone_times(steps: list[Step], moving: int, coast: float, indoor: bool) -> list[dict]:
    bounds = [b / 100 for b in profile.POWER_ZONES]
    total = [0.0] * 7
    ss = 0.0
    core = 0.9 if indoor else 0.62
    for s in steps:
        _spread(total, _zone_index(s.mean, bounds), s.secs * (1 - coast), core)
        if profile.SWEET_SPOT[0] / 100 <= s.mean <= profile.SWEET_SPOT[1] / 100:
            ss += s.secs * (0.92 if indoor else 0.7) * (1 - coast)
    total[0] += sum(s.secs for s in steps) * coast
    secs = _integers(total, moving)
    out = [{"id": f"Z{i + 1}", "secs": v} for i, v in enumerate(secs)]
    out.append({"id": "SS", "secs": int(ss)})
    return out


def hr_zone_times(hrs: list[tuple[float, int]], zones: list[int], moving: int) -> list[int]:
    total = [0.0] * len(zones)
    for hr, secs in hrs:
        _spread(total, _zone_index(hr, zones), secs, 0.7)
    return _integers(total, moving)


def pace_zone_times(steps: list[Step], moving: int) -> list[int]:
    total = [0.0] * 7
    for s in steps:
        _spread(total, _zone_index(s.mean * 100, profile.PACE_ZONES), s.secs, 0.75)
    return _integers(total, moving)


def cycling_speed(watts: float, sport: str) -> float:
    """Average speed (m/s) for an average power on typical terrain for the bike."""
    v = 8.0
    for _ in range(20):  # Newton on 0.19 v^3 + 4.0 v = P
        f = 0.19 * v**3 + 4.0 * v - max(watts, 20.0)
        v -= f / (0.57 * v * v + 4.0)
    return v * {
        "Ride": 0.93,
        "VirtualRide": 0.97,
        "GravelRide": 0.80,
        "MountainBikeRide": 0.60,
    }.get(sport, 0.9)


def speed_for(session: Session, steps: list[Step], watts: float | None) -> float | None:
    sport = session.sport
    mean = workouts.mean_intensity(session, steps)
    if sport in NO_DISTANCE:
        return None
    if sport in CYCLING:
        return cycling_speed(watts if watts else mean * 250, sport)
    if sport in RUNS:
        return mean * profile.RUN_THRESHOLD_PACE * (0.93 if sport == "TrailRun" else 1.0)
    if sport == "Swim":
        return mean * profile.SWIM_THRESHOLD_PACE * 0.9
    return {
        "Walk": 1.45,
        "Hike": 1.12,
        "NordicSki": 3.7 * mean / 0.72,
        "VirtualRow": 3.9 * mean / 0.75,
    }.get(sport, 1.0)


def interval_summary(session: Session, steps: list[Step], threshold: float) -> list[str] | None:
    """["5x 4m 301w"]-style summary of the work steps of a structured session."""
    if not session.structured:
        return None
    groups: dict[tuple[int, int], int] = {}
    for s in steps:
        if s.role != "work":
            continue
        value = (
            int(round(s.mean * threshold))
            if session.target == "POWER"
            else int(round(profile.hr_for(s.mean, profile.RUN_LTHR, profile.RUN_MAX_HR)))
        )
        groups[(s.secs, value)] = groups.get((s.secs, value), 0) + 1
    out = []
    unit = "w" if session.target == "POWER" else "bpm"
    for (secs, value), count in groups.items():
        length = (
            f"{secs // 60}m"
            if secs % 60 == 0
            else (f"{secs}s" if secs < 60 else f"{secs // 60}m{secs % 60}s")
        )
        out.append(f"{count}x {length} {value}{unit}")
    return out or None


DESCRIPTIONS = [
    "NOTE: legs heavy early, fine after 30 min",
    "NOTE: windy, kept it honest on the climbs\nGood session overall.",
    "Felt strong today.",
    "NOTE: fuelled 60 g/h, no issues\nNOTE: new saddle height",
    "Rain for the last hour.",
]


# ----------------------------------------------------------------- builder


def build_activity(seed: int, session: Session, clock: Clock) -> Detail:
    """The raw activity object (and its Detail) of one completed session."""
    day = session.day
    rng = random.Random(f"{seed}:{day.isoformat()}:{session.k}:activity")
    flags = session.flags
    steps = workouts.realised(session, seed)
    sport = session.sport
    moving = sum(s.secs for s in steps)
    outdoor = sport in OUTDOOR
    indoor_power = sport == "VirtualRide"
    ftp = None
    threshold = 1.0
    if sport in CYCLING:
        ftp = profile.ftp_indoor(seed, day) if indoor_power else profile.ftp_outdoor(seed, day)
        threshold = float(ftp)
    elif sport == "VirtualRow":
        threshold = float(ROW_THRESHOLD_WATTS)
    elif sport in RUNS:
        threshold = profile.RUN_THRESHOLD_PACE
    elif sport == "Swim":
        threshold = profile.SWIM_THRESHOLD_PACE
    has_power = sport in POWER_SPORTS and "no_power" not in flags
    has_hr = "no_hr" not in flags
    factor = workouts.intensity_factor(session, steps)
    mean = workouts.mean_intensity(session, steps)
    coast = workouts.COASTING.get(sport, 0.0)
    load = workouts.training_load(steps, factor)

    lthr, max_hr, hr_zones = profile.thresholds_for(sport)
    m_lthr, m_max = profile.model_hr(sport)
    extra_heat = story.heat_anomaly(seed, day) if "heat" in flags else 0.0
    w = (
        weather(seed, day, session.start, moving, rng, extra_heat)
        if outdoor
        else dict(NO_WEATHER, has_weather=False)
    )
    temp = w.get("average_weather_temp") or 18
    heat = max(0.0, temp - 22) * 0.6
    hr_offset = rng.gauss(0, 2.2) + heat
    if session.kind == "steady_long":  # even pacing: a tight spread
        dec = rng.gauss(2.4, 1.2)
    else:
        dec = rng.gauss(2.6, 2.4) if session.structured else rng.gauss(3.4, 2.8)
    dec += HEAT_DRIFT * max(0.0, temp - HEAT_DRIFT_FROM)  # cardiac drift in the heat
    if "decoupling_zero" in flags:
        dec = 0.0
    hrs = [(profile.hr_for(s.mean, m_lthr, m_max) + hr_offset, s.secs) for s in steps]
    avg_hr = sum(h * t for h, t in hrs) / max(moving, 1) * (1 + dec / 200)
    peak = max(profile.hr_for(s.hi, m_lthr, m_max) for s in steps) + hr_offset
    max_hr_session = min(m_max - 1, peak * (1 + max(dec, 0.0) / 100) + rng.uniform(3, 8))

    hr_reported = int(round(avg_hr)) if has_hr else None
    np_w = avg_w = None
    if has_power:
        np_w = int(round(factor * threshold))
        avg_w = int(round(mean * threshold))
    speed = speed_for(session, steps, avg_w)
    route = None
    distance = None
    gain = None
    if speed is not None:
        distance = round(speed * moving, 1)
        if outdoor or sport == "VirtualRide":
            route = route_for(f"{seed}:{day.isoformat()}:{session.k}", sport, max(distance, 500.0))
            gain = round(route.gain, 1)
        else:
            gain = 0.0

    stops: tuple[tuple[float, int], ...] = ()
    if outdoor:
        stops = tuple(
            sorted((rng.uniform(0.1, 0.95), rng.randint(15, 260)) for _ in range(rng.randint(0, 4)))
        )
    elapsed = (
        moving + sum(p for _, p in stops) + (rng.randint(5, 60) if outdoor else rng.randint(0, 8))
    )
    if "zero_time" in flags:
        moving = elapsed = 0

    joules = int(avg_w * moving) if avg_w else None
    calories: int | None
    if joules:
        calories = int(joules / 1000 * 1.04)
    else:
        calories = int(moving / 60 * ((avg_hr - 60) * 0.1 + 2.2)) if moving else None
    cho = min(0.95, max(0.2, 0.2 + 1.1 * (factor - 0.5)))
    carbs_used = int(calories * cho / 4) if calories else None
    carbs_in = None
    if sport in CYCLING and moving >= 4500:
        carbs_in = int(rng.choice([40, 50, 60, 70, 80]) * moving / 3600)
    elif moving >= 3000 and rng.random() < 0.2:
        carbs_in = 0

    utc_start = clock.utc(day, session.start)
    synced = utc_start + timedelta(
        seconds=elapsed + rng.randint(90, 400), milliseconds=rng.randint(0, 999)
    )
    if "edited" in flags:
        synced = synced + timedelta(hours=rng.randint(14, 30))
    hr_ok = has_hr and moving > 0
    rpe = None
    if rng.random() < 0.75:
        rpe = int(
            min(
                10,
                max(
                    1,
                    round(
                        1
                        + 9 * min(1.0, max(0.0, (factor - 0.45) / 0.6))
                        + rng.choice([-1, 0, 0, 1])
                    ),
                ),
            )
        )
    feel = rng.choice([1, 2, 2, 2, 3, 3, 4]) if rng.random() < 0.7 else None
    hrr = None
    if hr_ok and (sport in CYCLING or sport in RUNS) and rng.random() < 0.6:
        start_bpm = int(max_hr_session - rng.uniform(3, 12))
        drop = rng.randint(22, 46)
        hrr = {
            "start_index": moving - 61,
            "end_index": moving - 1,
            "start_time": elapsed - 61,
            "end_time": elapsed - 1,
            "start_bpm": start_bpm,
            "end_bpm": start_bpm - drop,
            "average_watts": int(0.45 * threshold) if has_power else None,
            "hrr": drop,
        }
    zone_times = None
    if has_power and ftp and moving > 0 and "null_zones" not in flags:
        zone_times = power_zone_times(steps, moving, coast, indoor_power)
    hr_times = None
    if hr_ok and hr_zones and "null_hr_zones" not in flags:
        hr_times = hr_zone_times(hrs, hr_zones, moving)
    stream_types = ["time"]
    if has_power:
        stream_types += ["watts", "fixed_watts"]
    if has_hr:
        stream_types.append("heartrate")
    if sport in CYCLING or sport in RUNS:
        stream_types.append("cadence")
    if distance is not None:
        stream_types += ["distance", "velocity_smooth"]
    if route is not None:
        stream_types.append("altitude")
    if outdoor and route is not None:
        stream_types += ["latlng", "temp"]
    has_dfa = sport in CYCLING and has_hr and "no_dfa" not in flags and moving > 0
    if has_dfa:
        stream_types += ["hrv", "respiration"]  # RR intervals: the API derives dfa_a1
    decoupling = round(dec, 2) if hr_ok and (has_power or sport in RUNS) else None
    eftp = profile.eftp(seed, day)
    gear = None
    if sport in CYCLING:
        gear_id, gear_name = {
            "VirtualRide": ("b500012", "Trainer bike"),
            "Ride": ("b500011", "Road bike"),
        }.get(sport, ("b500013", "Gravel bike (no power meter)"))
        if "no_power" in flags:
            gear_id, gear_name = "b500013", "Gravel bike (no power meter)"
        gear = {
            "id": gear_id,
            "name": gear_name,
            "distance": 9_000_000.0 + day.toordinal() % 997 * 1000,
            "primary": gear_id == "b500011",
        }
    elif sport in RUNS:
        gear = {"id": "g500021", "name": "Trail shoes", "distance": 1_100_000.0, "primary": True}
    source, device = _source(sport, flags)
    description = rng.choice(DESCRIPTIONS) if rng.random() < 0.12 else None
    hours = moving / 3600
    act: dict[str, Any] = {
        "id": activity_id(day, session.k),
        "icu_athlete_id": profile.ATHLETE_ID,
        "start_date_local": local_iso(day, session.start),
        "start_date": utc_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": None,
        "type": sport,
        "sub_type": "RACE" if session.race else "NONE",
        "name": session.name,
        "description": description,
        "source": source,
        "external_id": str(10_000_000_000 + day.toordinal() * 13 + session.k)
        if source != "MANUAL"
        else None,
        "device_name": device,
        "trainer": sport in ("VirtualRide", "VirtualRow"),
        "commute": False,
        "race": bool(session.race),
        "moving_time": moving,
        "elapsed_time": elapsed,
        "icu_recording_time": elapsed,
        "coasting_time": int(moving * coast),
        "distance": distance,
        "icu_distance": distance,
        "total_elevation_gain": gain,
        "total_elevation_loss": gain,
        "average_speed": round(speed, 3) if speed is not None and moving else 0.0,
        "max_speed": round(speed * rng.uniform(1.6, 2.3), 2)
        if speed is not None and moving
        else None,
        "pace": round(speed, 6) if speed is not None and moving else None,
        "gap": round(speed * 1.02, 4) if speed is not None and sport in RUNS else None,
        "average_cadence": _cadence(sport, rng) if sport in CYCLING or sport in RUNS else None,
        "average_stride": round(rng.uniform(1.0, 1.2), 2) if sport in RUNS else None,
        "calories": calories,
        "icu_joules": joules,
        "icu_joules_above_ftp": (
            int(sum(max(0.0, s.mean - 1) * threshold * s.secs for s in steps))
            if has_power and ftp
            else None
        ),
        "icu_training_load": load,
        "power_load": load if has_power and ftp else None,
        "hr_load": int(round(load * rng.uniform(0.9, 1.08))) if hr_ok else None,
        "pace_load": load if sport in RUNS else None,
        "hr_load_type": "HR_ZONES" if hr_zones else None,
        "icu_training_load_data": load,
        "trimp": round(hours * (avg_hr - profile.REST_HR) * 1.1, 1) if hr_ok else None,
        "strain_score": round(load * 0.93, 1),
        "session_rpe": int(rpe * moving / 60) if rpe else None,
        "icu_ctl": None,
        "icu_atl": None,
        "icu_ftp": ftp,
        "icu_average_watts": avg_w,
        "icu_weighted_avg_watts": np_w,
        "icu_intensity": round(factor * 100, 5) if (has_power and ftp) or sport in RUNS else None,
        "icu_variability_index": round(np_w / avg_w, 4) if np_w and avg_w else None,
        "icu_efficiency_factor": round(np_w / hr_reported, 4)
        if np_w and hr_ok and hr_reported and ftp
        else None,
        "icu_power_hr": round(avg_w / hr_reported, 4) if avg_w and hr_ok and hr_reported else None,
        "icu_w_prime": int(profile.w_prime(seed, day)) if ftp else None,
        "p_max": int(profile.p_max(seed, day)) if ftp else None,
        "icu_max_wbal_depletion": (
            int(
                min(
                    profile.w_prime(seed, day),
                    sum(max(0.0, s.mean - 0.97) * threshold * s.secs for s in steps),
                )
            )
            if has_power and ftp
            else None
        ),
        "icu_rolling_ftp": int(round(eftp)) if sport in CYCLING else None,
        "icu_rolling_ftp_delta": 0 if sport in CYCLING else None,
        "icu_rolling_cp": round(0.965 * eftp, 1) if sport in CYCLING else None,
        "icu_rolling_w_prime": profile.w_prime(seed, day) if sport in CYCLING else None,
        "icu_rolling_p_max": profile.p_max(seed, day) if sport in CYCLING else None,
        "device_watts": has_power or None,
        "avg_lr_balance": round(rng.uniform(48.5, 51.5), 1)
        if has_power and sport in OUTDOOR_RIDES
        else None,
        "average_heartrate": hr_reported if hr_ok else None,
        "max_heartrate": int(round(max_hr_session)) if hr_ok else None,
        "has_heartrate": hr_ok,
        "lthr": lthr,
        "athlete_max_hr": max_hr,
        "icu_resting_hr": profile.REST_HR,
        "icu_weight": round(profile.weight_trend(seed, day), 1),
        "decoupling": decoupling,
        "icu_hrr": hrr,
        "icu_power_zones": list(profile.POWER_ZONES) if ftp else None,
        "icu_sweet_spot_min": profile.SWEET_SPOT[0] if ftp else 0,
        "icu_sweet_spot_max": profile.SWEET_SPOT[1] if ftp else 0,
        "icu_hr_zones": list(hr_zones) if hr_zones else None,
        "pace_zones": list(profile.PACE_ZONES) if sport in RUNS or sport == "Swim" else None,
        "threshold_pace": threshold if sport in RUNS or sport == "Swim" else None,
        "icu_zone_times": zone_times,
        "icu_hr_zone_times": hr_times,
        "pace_zone_times": pace_zone_times(steps, moving) if sport in RUNS and moving else None,
        "gap_zone_times": None,
        "polarization_index": round(rng.uniform(0.4, 1.3), 2) if zone_times else 0.0,
        "icu_rpe": rpe,
        "feel": feel,
        "interval_summary": interval_summary(session, steps, threshold),
        "icu_lap_count": len(steps) if session.structured else max(1, int(moving // 1800)),
        "icu_intervals_edited": "edited" in flags,
        "lock_intervals": False,
        "stream_types": stream_types,
        "has_segments": outdoor,
        "carbs_used": carbs_used,
        "carbs_ingested": carbs_in,
        "gear": gear,
        "tags": ["race"] if session.race else [],
        "attachments": [],
        "paired_event_id": event_id(day, session.k) if session.planned or session.race else None,
        "compliance": _compliance(seed, session) if session.planned or session.race else None,
        "route_id": None,
        "icu_sync_date": stamp(synced),
        "analyzed": stamp(synced + timedelta(seconds=3, milliseconds=rng.randint(0, 999))),
        "created": stamp(synced - timedelta(seconds=4)),
        "analysis_issues": None,
        "custom_zones": None,
    }
    act.update(w)
    if route is not None and outdoor:
        low = route.base - 10
        act.update(
            average_altitude=round(route.base + 25, 1),
            min_altitude=round(low, 1),
            max_altitude=round(low + 30 + max((c.height for c in route.climbs), default=0), 1),
        )
    return Detail(
        session,
        steps,
        act,
        ftp,
        threshold,
        has_power,
        hr_ok,
        has_dfa and hr_ok,
        outdoor,
        hr_offset,
        dec,
        route,
        stops,
    )


def _compliance(seed: int, session: Session) -> float:
    """% of the planned workout achieved (own random stream: the rest of the day stays put)."""
    rng = random.Random(f"{seed}:{session.day.isoformat()}:{session.k}:compliance")
    return round(min(100.0, rng.gauss(93, 6)), 5)


def _cadence(sport: str, rng: random.Random) -> float:
    if sport in RUNS:
        return round(rng.uniform(82, 89), 1)
    if sport == "MountainBikeRide":
        return round(rng.uniform(72, 80), 1)
    return round(rng.uniform(84, 93), 1)


def _source(sport: str, flags: frozenset[str]) -> tuple[str, str | None]:
    if "zero_time" in flags:
        return "MANUAL", None
    if sport == "VirtualRide":
        return "ZWIFT", "Zwift"
    if sport == "VirtualRow":
        return "CONCEPT2", "Concept2 PM5"
    if sport in OUTDOOR_RIDES:
        return "GARMIN_CONNECT", "Garmin Edge 840"
    if sport == "Yoga":
        return "UPLOAD", "Apple Watch"
    return "GARMIN_CONNECT", "Garmin Forerunner 965"


def strava_stub(session: Session) -> dict[str, Any]:
    return {
        "id": stub_id(session.day, session.k),
        "icu_athlete_id": profile.ATHLETE_ID,
        "start_date_local": local_iso(session.day, session.start),
        "source": "STRAVA",
        "_note": STRAVA_NOTE,
    }
