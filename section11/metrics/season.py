"""Seasonal context: the season label of today for this athlete (docs/metrics.md#benchmark-and-ftp-history).

The reference reads a Northern-hemisphere month table, so an athlete in
Sydney was told "Peak Race Season" in August, and an athlete tapering for a
race in ten days was told "Off-season / Transition" in November. Here
(deviation, docs/deviations.md):

1. Hemisphere: southern when the athlete's timezone is a southern one
   (``SOUTHERN_TIMEZONES`` / ``SOUTHERN_TIMEZONE_PREFIXES``); another
   "Region/City" timezone is northern; without one (or "UTC", "Etc/...") the
   profile's country decides (``SOUTHERN_COUNTRIES``); northern otherwise. In the south the month table is read six months on.
2. The race calendar and the phase override the month: phase Taper or Peak,
   or a race within ``RACE_SEASON_DAYS``, is "Peak Race Season"; phase Build
   with a race within ``BUILD_RACE_DAYS`` is "Build / Early Race Season"
   (unless the month already says a race season).

The labels stay the reference's six, so ``seasonal_expected`` keeps its bands.
Pure: today, the timezone, the country, the phase and the days to the next
race are arguments.
"""

from __future__ import annotations

NORTH, SOUTH = "north", "south"
RACE_SEASON_DAYS = 28  # a race this close makes it race season whatever the month
BUILD_RACE_DAYS = 112  # 16 weeks: a Build phase aimed at a race this close

OFF_SEASON = "Off-season / Transition"
EARLY_BASE = "Early Base"
LATE_BASE = "Late Base / Build"
BUILD_EARLY_RACE = "Build / Early Race Season"
PEAK_RACE = "Peak Race Season"
LATE_SEASON = "Late Season / Transition"

# Northern-hemisphere month -> season label (docs/metrics.md#benchmark-and-ftp-history)
SEASON_BY_MONTH: dict[int, str] = {
    11: OFF_SEASON,
    12: OFF_SEASON,
    1: EARLY_BASE,
    2: EARLY_BASE,
    3: LATE_BASE,
    4: LATE_BASE,
    5: BUILD_EARLY_RACE,
    6: BUILD_EARLY_RACE,
    7: PEAK_RACE,
    8: PEAK_RACE,
    9: LATE_SEASON,
    10: LATE_SEASON,
}
RACE_SEASONS = frozenset({BUILD_EARLY_RACE, PEAK_RACE})
PEAK_PHASES = frozenset({"Taper", "Peak"})
BUILD_PHASE = "Build"

SOUTHERN_TIMEZONE_PREFIXES = ("Australia/", "America/Argentina/", "Antarctica/")
SOUTHERN_TIMEZONES = frozenset(
    {
        "Pacific/Auckland",
        "Pacific/Chatham",
        "Pacific/Fiji",
        "Pacific/Noumea",
        "Pacific/Tongatapu",
        "Pacific/Efate",
        "Pacific/Tahiti",
        "Pacific/Easter",
        "NZ",
        "America/Buenos_Aires",
        "America/Santiago",
        "America/Punta_Arenas",
        "America/Montevideo",
        "America/Asuncion",
        "America/Sao_Paulo",
        "America/La_Paz",
        "America/Lima",
        "Atlantic/Stanley",
        "Africa/Johannesburg",
        "Africa/Maputo",
        "Africa/Harare",
        "Africa/Lusaka",
        "Africa/Windhoek",
        "Africa/Gaborone",
        "Africa/Maseru",
        "Africa/Mbabane",
        "Indian/Antananarivo",
        "Indian/Mauritius",
        "Indian/Reunion",
    }
)
SOUTHERN_COUNTRIES = frozenset(
    {
        "australia",
        "new zealand",
        "argentina",
        "chile",
        "uruguay",
        "paraguay",
        "south africa",
        "lesotho",
        "eswatini",
        "namibia",
        "botswana",
        "zimbabwe",
        "mozambique",
        "madagascar",
        "mauritius",
        "fiji",
        "new caledonia",
    }
)


def hemisphere(timezone: str | None, country: str | None = None) -> str:
    """NORTH or SOUTH from a geographic IANA timezone ("Region/City"), else (no
    timezone, "UTC", "Etc/...") from the profile country; NORTH when neither tells."""
    if timezone in SOUTHERN_TIMEZONES or (timezone or "").startswith(SOUTHERN_TIMEZONE_PREFIXES):
        return SOUTH
    if timezone and "/" in timezone and not timezone.startswith("Etc/"):
        return NORTH
    if country and country.strip().lower() in SOUTHERN_COUNTRIES:
        return SOUTH
    return NORTH


def month_season(month: int, side: str = NORTH) -> str:
    """The month table's label, read six months on in the southern hemisphere."""
    return SEASON_BY_MONTH[(month + 5) % 12 + 1 if side == SOUTH else month]


def season_label(
    month: int,
    side: str = NORTH,
    phase: str | None = None,
    days_to_race: int | None = None,
) -> str:
    """``seasonal_context``: the month's label for the hemisphere, overridden by
    the phase and the next race (module docstring, rule 2)."""
    by_month = month_season(month, side)
    race_near = days_to_race is not None and 0 <= days_to_race <= RACE_SEASON_DAYS
    if phase in PEAK_PHASES or race_near:
        return PEAK_RACE
    race_ahead = days_to_race is not None and 0 <= days_to_race <= BUILD_RACE_DAYS
    if phase == BUILD_PHASE and race_ahead and by_month not in RACE_SEASONS:
        return BUILD_EARLY_RACE
    return by_month
