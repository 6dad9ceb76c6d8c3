"""Sport-family tables and event categories (docs/metrics.md#sport-families)."""

from __future__ import annotations

SPORT_FAMILIES: dict[str, tuple[str, ...]] = {
    "cycling": ("Ride", "VirtualRide", "MountainBikeRide", "GravelRide", "EBikeRide"),
    "ski": ("VirtualSki", "NordicSki"),
    "walk": ("Walk", "Hike"),
    "run": ("Run", "VirtualRun", "TrailRun"),
    "swim": ("Swim",),
    "rowing": ("Rowing", "VirtualRow"),
    "strength": ("WeightTraining",),
    "other": ("Yoga", "Workout"),
}

TYPE_TO_FAMILY: dict[str, str] = {
    t: family for family, types in SPORT_FAMILIES.items() for t in types
}

INTERVAL_ELIGIBLE_FAMILIES = frozenset({"cycling", "run", "ski", "rowing", "swim"})
OUTDOOR_TYPES = frozenset(
    {
        "Ride",
        "MountainBikeRide",
        "GravelRide",
        "EBikeRide",
        "Run",
        "TrailRun",
        "NordicSki",
        "Walk",
        "Hike",
    }
)
INDOOR_CYCLING_TYPES = frozenset({"VirtualRide"})
EF_CYCLING_TYPES = frozenset({"Ride", "VirtualRide", "MountainBikeRide", "GravelRide"})
DFA_VALIDATED_FAMILIES = frozenset({"cycling"})

TRAINING_CATEGORIES = frozenset({"WORKOUT", "RACE_A", "RACE_B", "RACE_C"})
RACE_CATEGORIES = frozenset({"RACE_A", "RACE_B", "RACE_C"})
HEALTH_CATEGORIES = frozenset({"SICK", "INJURED"})

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def family_of(activity_type: str | None, default: str | None = "other") -> str | None:
    """Sport family of an activity type.

    The reference uses two lookups: most places map unknown types to "other",
    some (zone preference, hard days, history tiers) to None. Pass `default`.
    """
    if activity_type is None:
        return default
    return TYPE_TO_FAMILY.get(activity_type, default)


def is_outdoor(activity_type: str | None) -> bool:
    return activity_type in OUTDOOR_TYPES
