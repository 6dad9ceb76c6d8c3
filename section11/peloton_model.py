"""Peloton's raw answers -> small frozen records (the only place that knows its fields).

A stored bundle is `{"workout": <list item>, "detail": GET /api/workout/{id},
"graph": GET /api/workout/{id}/performance_graph[, "ride": the class]}`.
Metrics in the performance graph are looked up by `slug`, never by position
(the heart-rate metric is there only when a monitor was connected). Times are
epoch seconds; `total_work` is joules; the list and the detail carry
different field sets, so each value is read from whichever has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .model import Athlete, SportSetting, as_dict, as_list, num, text

DISCIPLINE_TYPES = {
    "cycling": "VirtualRide",
    "bike_bootcamp": "VirtualRide",
    "running": "VirtualRun",
    "walking": "Walk",
    "strength": "WeightTraining",
    "yoga": "Yoga",
}
OTHER_TYPE = "Workout"
CYCLING_TYPES = ("Ride", "VirtualRide")  # the sport settings the account's FTP applies to


@dataclass(frozen=True)
class PelotonWorkout:
    """One finished Peloton workout with what the mirror uses of it."""

    id: str
    start: datetime  # aware, UTC
    seconds: float  # end - start (the class length when the end is missing)
    discipline: str | None
    title: str | None = None
    instructor: str | None = None
    difficulty: float | None = None
    total_output_kj: float | None = None
    ftp: float | None = None  # ftp_info.ftp: the FTP in force for this workout
    ftp_source: str | None = None  # ftp_info.ftp_source
    sample_seconds: float = 1.0  # seconds per performance-graph sample
    power: tuple[float, ...] = ()  # W, per sample
    avg_power: float | None = None
    max_power: float | None = None
    avg_cadence: float | None = None
    avg_resistance: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    calories: float | None = None
    distance_m: float | None = None
    cadence_in_range_s: float | None = None
    resistance_in_range_s: float | None = None
    timezone: str | None = None  # the IANA zone the workout was done in

    @property
    def activity_type(self) -> str:
        return DISCIPLINE_TYPES.get(self.discipline or "", OTHER_TYPE)


def metric(graph: Mapping[str, Any], slug: str) -> dict[str, Any]:
    """The performance-graph metric with this slug ({} when absent)."""
    for item in as_list(graph.get("metrics")):
        if isinstance(item, dict) and item.get("slug") == slug:
            return item
    return {}


def summary(graph: Mapping[str, Any], slug: str) -> float | None:
    for item in as_list(graph.get("summaries")):
        if isinstance(item, dict) and item.get("slug") == slug:
            return num(item.get("value"))
    return None


def _samples(item: Mapping[str, Any]) -> tuple[float, ...]:
    values = [num(v) for v in as_list(item.get("values"))]
    return tuple(v if v is not None else 0.0 for v in values)


def _distance_m(graph: Mapping[str, Any]) -> float | None:
    for item in as_list(graph.get("summaries")):
        if isinstance(item, dict) and item.get("slug") == "distance":
            value, unit = num(item.get("value")), text(item.get("display_unit"))
            if value is None:
                return None
            return value * {"mi": 1609.344, "km": 1000.0}.get(unit or "km", 1000.0)
    return None


def _start(workout: Mapping[str, Any]) -> datetime | None:
    value = num(workout.get("start_time")) or num(workout.get("created_at"))
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _seconds(
    workout: Mapping[str, Any], ride: Mapping[str, Any], graph: Mapping[str, Any]
) -> float:
    start, end = num(workout.get("start_time")), num(workout.get("end_time"))
    if start is not None and end is not None and end > start:
        return end - start
    return num(graph.get("duration")) or num(ride.get("duration")) or 0.0


def _ride(bundle: Mapping[str, Any], workout: Mapping[str, Any]) -> dict[str, Any]:
    joined = as_dict(workout.get("ride")) or as_dict(as_dict(bundle.get("detail")).get("ride"))
    return {**joined, **as_dict(bundle.get("ride"))}


def _difficulty(ride: Mapping[str, Any]) -> float | None:
    value = num(ride.get("difficulty_estimate")) or num(ride.get("difficulty_rating_avg"))
    return round(value, 2) if value is not None else None


def workout_from_raw(bundle: Any) -> PelotonWorkout | None:
    """A stored bundle as a record; None without an id or a start time."""
    bundle = as_dict(bundle)
    workout = as_dict(bundle.get("workout"))
    detail = as_dict(bundle.get("detail"))
    graph = as_dict(bundle.get("graph"))
    wid, start = text(workout.get("id")), _start(workout)
    if wid is None or start is None:
        return None
    ride = _ride(bundle, workout)
    ftp_info = as_dict(detail.get("ftp_info"))
    output, cadence = metric(graph, "output"), metric(graph, "cadence")
    resistance, heart = metric(graph, "resistance"), metric(graph, "heart_rate")
    targets = as_dict(graph.get("target_performance_metrics"))
    work = num(detail.get("total_work")) or num(workout.get("total_work"))
    total_kj = summary(graph, "total_output")
    ftp = num(ftp_info.get("ftp"))
    return PelotonWorkout(
        id=wid,
        start=start,
        seconds=_seconds(workout, ride, graph),
        discipline=text(workout.get("fitness_discipline")),
        title=text(ride.get("title")),
        instructor=text(as_dict(ride.get("instructor")).get("name")),
        difficulty=_difficulty(ride),
        total_output_kj=total_kj if total_kj is not None else (work / 1000 if work else None),
        ftp=ftp if ftp else None,
        ftp_source=text(ftp_info.get("ftp_source")),
        sample_seconds=num(graph.get("every_n")) or 1.0,
        power=_samples(output),
        avg_power=num(output.get("average_value")),
        max_power=num(output.get("max_value")),
        avg_cadence=num(cadence.get("average_value")),
        avg_resistance=num(resistance.get("average_value")),
        avg_hr=num(heart.get("average_value")),
        max_hr=num(heart.get("max_value")),
        calories=summary(graph, "calories"),
        distance_m=_distance_m(graph),
        cadence_in_range_s=num(targets.get("cadence_time_in_range")),
        resistance_in_range_s=num(targets.get("resistance_time_in_range")),
        timezone=text(workout.get("timezone")),
    )


def workouts_from_raw(bundles: Any) -> list[PelotonWorkout]:
    """Records of the stored bundles, newest first."""
    found = [w for w in (workout_from_raw(b) for b in as_list(bundles)) if w is not None]
    return sorted(found, key=lambda w: w.start, reverse=True)


def account_ftp(me: Any) -> tuple[float | None, str | None]:
    """The account's cycling FTP from /api/me and where it came from."""
    me = as_dict(me)
    for key in ("cycling_ftp", "cycling_workout_ftp", "estimated_cycling_ftp"):
        value = num(me.get(key))
        if value:
            return value, f"peloton /api/me {key}"
    return None, None


def athlete_record(me: Any, workouts: list[PelotonWorkout]) -> Athlete:
    """The Peloton account as the athlete of a sync without Intervals.icu: its
    id, the timezone of its newest workout, and the cycling FTP and max HR
    as sport settings."""
    me = as_dict(me)
    ftp, _ = account_ftp(me)
    max_hr = num(me.get("customized_max_heart_rate")) or num(me.get("default_max_heart_rate"))
    zones = [w.timezone for w in workouts if w.timezone]
    settings = (SportSetting(types=CYCLING_TYPES, ftp=ftp, max_hr=max_hr),) if ftp or max_hr else ()
    return Athlete(
        id=text(me.get("id")), timezone=zones[0] if zones else None, sport_settings=settings
    )
