"""Seasonal context: hemisphere, phase and race calendar (metrics/season.py)."""

import pytest

from section11.metrics.season import NORTH, SOUTH, hemisphere, month_season, season_label


@pytest.mark.parametrize(
    ("timezone", "country", "side"),
    [
        ("Europe/Amsterdam", None, NORTH),
        ("America/New_York", "Australia", NORTH),  # the timezone wins over the country
        ("Australia/Sydney", None, SOUTH),
        ("Australia/Perth", None, SOUTH),
        ("Pacific/Auckland", None, SOUTH),
        ("America/Argentina/Buenos_Aires", None, SOUTH),
        ("America/Santiago", None, SOUTH),
        ("Africa/Johannesburg", None, SOUTH),
        ("Africa/Lagos", None, NORTH),
        (None, "New Zealand", SOUTH),
        (None, " south africa ", SOUTH),
        (None, "Spain", NORTH),
        ("UTC", "Chile", SOUTH),
        ("Etc/GMT+3", "Argentina", SOUTH),
        (None, None, NORTH),
    ],
)
def test_hemisphere(timezone, country, side):
    assert hemisphere(timezone, country) == side


@pytest.mark.parametrize(
    ("month", "north", "south"),
    [
        (1, "Early Base", "Peak Race Season"),  # south reads July
        (3, "Late Base / Build", "Late Season / Transition"),  # September
        (5, "Build / Early Race Season", "Off-season / Transition"),  # November
        (7, "Peak Race Season", "Early Base"),  # January
        (11, "Off-season / Transition", "Build / Early Race Season"),  # May
        (12, "Off-season / Transition", "Build / Early Race Season"),  # June
    ],
)
def test_month_table_per_hemisphere(month, north, south):
    assert month_season(month, NORTH) == north
    assert month_season(month, SOUTH) == south


@pytest.mark.parametrize(
    ("month", "side", "phase", "days", "label"),
    [
        # the demo's case: November, Taper, race in 10 days
        (11, NORTH, "Taper", 10, "Peak Race Season"),
        (11, NORTH, "Peak", None, "Peak Race Season"),
        (11, NORTH, "Base", 28, "Peak Race Season"),  # a race within 28 days
        (11, NORTH, "Base", 29, "Off-season / Transition"),
        (11, NORTH, "Build", 112, "Build / Early Race Season"),  # 16 weeks ahead
        (11, NORTH, "Build", 113, "Off-season / Transition"),
        (11, NORTH, "Build", None, "Off-season / Transition"),
        (7, NORTH, "Build", 60, "Peak Race Season"),  # the month already says race season
        (11, SOUTH, "Recovery", None, "Build / Early Race Season"),
        (11, NORTH, None, -1, "Off-season / Transition"),  # a past race does not count
    ],
)
def test_phase_and_race_override_the_month(month, side, phase, days, label):
    assert season_label(month, side, phase, days) == label
