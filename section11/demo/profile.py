"""The demo athlete: thresholds over time, physiology models, raw athlete object.

Every threshold is a pure function of (seed, date) so that a day's records never
depend on the build's "today" (docs/architecture.md#api-client says where each value
lives in the real API; docs/architecture.md#api-client gives the athlete object shape).
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from typing import Any

ATHLETE_ID = "i500011"
DEMO_API_KEY = "demo-key-section11-not-a-real-key"
FIRSTNAME, LASTNAME = "Demo", "Athlete"
CITY, STATE, COUNTRY = "Maastricht", "Limburg", "Netherlands"
HOME_LAT, HOME_LON = 50.8514, 5.6910

REST_HR = 47
RIDE_LTHR, RIDE_MAX_HR = 172, 192
RUN_LTHR, RUN_MAX_HR = 178, 195
SWIM_LTHR, SWIM_MAX_HR = 160, 182
RUN_THRESHOLD_PACE = 4.0  # m/s (4:10 /km)
SWIM_THRESHOLD_PACE = 0.87  # m/s (1:55 /100 m)
POWER_ZONES = [55, 75, 90, 105, 120, 150, 999]  # % FTP upper bounds
SWEET_SPOT = (84, 97)
RIDE_HR_ZONES = [138, 153, 161, 171, 176, 182, 192]
RUN_HR_ZONES = [146, 160, 168, 177, 182, 188, 195]
SWIM_HR_ZONES = [130, 143, 150, 159, 165, 172, 182]
PACE_ZONES = [77.5, 87.7, 94.3, 100.0, 103.4, 111.5, 999.0]  # % threshold pace
FTP_GRID_DAYS = 28  # FTP is re-set every 4 weeks (on Mondays)

RIDE_TYPES = [
    "Ride",
    "VirtualRide",
    "MountainBikeRide",
    "GravelRide",
    "TrackRide",
    "Cyclocross",
    "EBikeRide",
]
RUN_TYPES = ["Run", "VirtualRun", "TrailRun"]
SWIM_TYPES = ["Swim", "OpenWaterSwim"]


# ----------------------------------------------------------------- thresholds


def _season_wave(day: date, peak_doy: int = 201) -> float:
    """cos wave over the year: +1 on the peak day of year, -1 half a year later."""
    return math.cos(2 * math.pi * (day.timetuple().tm_yday - peak_doy) / 365.25)


def _slow_wave(day: date, seed: int) -> float:
    """A bounded multi-year wave (so the history never drifts off to extremes)."""
    return math.sin(2 * math.pi * day.toordinal() / (3.1 * 365.25) + seed % 7)


def ftp_grid_start(day: date) -> date:
    """The Monday on the 28-day grid on which the FTP in force on `day` was set."""
    ordinal = day.toordinal()
    return date.fromordinal(ordinal - (ordinal - 1) % FTP_GRID_DAYS)


def ftp_outdoor(seed: int, day: date) -> int:
    """The user-set FTP in force on `day` (steps every 28 days, never equal twice in a row).

    Consecutive grid values differ in parity, so every grid point is a real change.
    """
    grid = ftp_grid_start(day)
    rng = random.Random(f"{seed}:ftp:{grid.isoformat()}")
    curve = 262 + 11 * _season_wave(grid) + 6 * _slow_wave(grid, seed) + rng.uniform(-4, 4)
    parity = ((grid.toordinal() - 1) // FTP_GRID_DAYS) % 2
    return 2 * int(round(curve / 2)) + parity


def ftp_indoor(seed: int, day: date) -> int:
    """Indoor FTP: a little lower than outdoor, set on the same days."""
    grid = ftp_grid_start(day)
    rng = random.Random(f"{seed}:ftp-indoor:{grid.isoformat()}")
    return ftp_outdoor(seed, day) - 10 - rng.randint(0, 4)


def eftp(seed: int, day: date) -> float:
    """Intervals' live eFTP estimate (smooth, daily)."""
    rng = random.Random(f"{seed}:eftp:{day.isoformat()}")
    value = 259 + 12 * _season_wave(day, 195) + 6 * _slow_wave(day, seed) + rng.uniform(-1.5, 1.5)
    return round(value, 1)


def w_prime(seed: int, day: date) -> float:
    return round(19200 + 700 * _season_wave(day, 180) + 150 * math.sin(day.toordinal() / 9), 0)


def p_max(seed: int, day: date) -> float:
    return round(1080 + 45 * _season_wave(day, 170) + 10 * math.sin(day.toordinal() / 5), 0)


def weight_trend(seed: int, day: date) -> float:
    """Body mass trend (kg): heavier in winter."""
    return 73.8 + 1.3 * _season_wave(day, 20) + 0.6 * _slow_wave(day, seed + 3)


# ----------------------------------------------------------------- physiology


def hr_for(rel: float, lthr: int, max_hr: int) -> float:
    """Steady-state heart rate at an intensity (fraction of threshold)."""
    rel = max(rel, 0.0)
    return min(max_hr - 2.0, REST_HR + (lthr - REST_HR) * rel**1.05)


def thresholds_for(sport: str) -> tuple[int | None, int | None, list[int] | None]:
    """(lthr, max_hr, hr_zones) that Intervals applies to an activity type."""
    if sport in RIDE_TYPES:
        return RIDE_LTHR, RIDE_MAX_HR, RIDE_HR_ZONES
    if sport in RUN_TYPES:
        return RUN_LTHR, RUN_MAX_HR, RUN_HR_ZONES
    if sport in SWIM_TYPES:
        return SWIM_LTHR, SWIM_MAX_HR, SWIM_HR_ZONES
    return None, None, None  # the "Other" group has no thresholds


def model_hr(sport: str) -> tuple[int, int]:
    """(lthr, max_hr) used to simulate heart rate (also for the "Other" sports)."""
    lthr, max_hr, _ = thresholds_for(sport)
    return (lthr or RIDE_LTHR, max_hr or RIDE_MAX_HR)


def capability_model(seed: int, day: date, indoor: bool = False):
    """The athlete's mean-maximal power curve on `day` (3-parameter CP model), as a function."""
    cp = 0.965 * eftp(seed, day)
    wp = w_prime(seed, day)
    pmax = p_max(seed, day)
    scale = ftp_indoor(seed, day) / ftp_outdoor(seed, day) if indoor else 1.0

    def power(secs: float) -> float:
        value = cp + wp / (secs + wp / (pmax - cp))
        if secs > 3600:
            value *= 1 - 0.055 * math.log(secs / 3600)
        return value * scale

    return power


def capability(seed: int, day: date, secs: float, indoor: bool = False) -> float:
    return capability_model(seed, day, indoor)(secs)


# ----------------------------------------------------------------- athlete object


def _stamp(day: date, hour: int, minute: int, second: int, millis: int) -> str:
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}+00:00"


def activated_date(today: date) -> date:
    return min(date(2019, 3, 2), today - timedelta(days=1160))


def _ride_settings(seed: int, today: date, created: str, updated: str) -> dict[str, Any]:
    ftp, indoor = ftp_outdoor(seed, today), ftp_indoor(seed, today)
    return {
        "id": 500101,
        "athlete_id": ATHLETE_ID,
        "types": list(RIDE_TYPES),
        "warmup_time": 1200,
        "cooldown_time": 600,
        "ftp": ftp,
        "indoor_ftp": indoor,
        "w_prime": int(w_prime(seed, today)),
        "p_max": int(p_max(seed, today)),
        "power_zones": list(POWER_ZONES),
        "power_zone_names": [
            "Active Recovery",
            "Endurance",
            "Tempo",
            "Threshold",
            "VO2 Max",
            "Anaerobic",
            "Neuromuscular",
        ],
        "sweet_spot_min": SWEET_SPOT[0],
        "sweet_spot_max": SWEET_SPOT[1],
        "power_spike_threshold": 30,
        "ftp_est_min_secs": 300,
        "after_kj0": None,
        "after_kj1": None,
        "power_field": None,
        "lthr": RIDE_LTHR,
        "max_hr": RIDE_MAX_HR,
        "hr_zones": list(RIDE_HR_ZONES),
        "hr_zone_names": [
            "Recovery",
            "Aerobic",
            "Tempo",
            "SubThreshold",
            "SuperThreshold",
            "Aerobic Capacity",
            "Anaerobic",
        ],
        "hr_load_type": "HR_ZONES",
        "hrrc_min_percent": 100,
        "threshold_pace": None,
        "pace_units": None,
        "pace_zones": None,
        "pace_zone_names": None,
        "pace_load_type": "RUN",
        "gap_model": "NONE",
        "elevation_correction": "NO",
        "use_gap_zone_times": False,
        "best_effort_distances": [400, 800, 1500, 1609.34, 3000, 5000, 10000, 21097.5, 42195],
        "load_order": "POWER_HR_PACE",
        "tiz_order": "POWER_HR_PACE",
        "workout_order": "POWER_HR_PACE",
        "interval_display": "POWER_HR_PACE",
        "default_gear_id": "b500011",
        "default_indoor_gear_id": "b500012",
        "created": created,
        "updated": updated,
        "mmp_model": {
            "type": "FFT_CURVES",
            "criticalPower": int(0.965 * eftp(seed, today)),
            "wPrime": int(w_prime(seed, today)),
            "pMax": int(p_max(seed, today)),
            "inputPointIndexes": [91],
            "ftp": int(eftp(seed, today)),
        },
        "other": False,
        "eFTPSupported": True,
        "use_distance_for_intervals": False,
    }


def sport_settings(seed: int, today: date) -> list[dict[str, Any]]:
    created = _stamp(activated_date(today), 9, 12, 44, 210)
    updated = _stamp(ftp_grid_start(today), 6, 41, 3, 877)
    run = {
        "id": 500102,
        "athlete_id": ATHLETE_ID,
        "types": list(RUN_TYPES),
        "warmup_time": 900,
        "cooldown_time": 600,
        "ftp": None,
        "indoor_ftp": None,
        "w_prime": None,
        "p_max": None,
        "power_zones": None,
        "lthr": RUN_LTHR,
        "max_hr": RUN_MAX_HR,
        "hr_zones": list(RUN_HR_ZONES),
        "hr_zone_names": ["Zone 1", "Zone 2", "Zone 3", "Zone 4", "Zone 5a", "Zone 5b", "Zone 5c"],
        "hr_load_type": "HRSS",
        "threshold_pace": RUN_THRESHOLD_PACE,
        "pace_units": "MINS_KM",
        "pace_zones": list(PACE_ZONES),
        "pace_zone_names": [
            "Zone 1",
            "Zone 2",
            "Zone 3",
            "Zone 4",
            "Zone 5a",
            "Zone 5b",
            "Zone 5c",
        ],
        "pace_load_type": "RUN",
        "gap_model": "STRAVA_RUN",
        "use_gap_zone_times": False,
        "best_effort_distances": [400, 800, 1500, 1609.34, 3000, 5000, 10000, 21097.5, 42195],
        "created": created,
        "updated": created,
        "mmp_model": None,
        "other": False,
        "eFTPSupported": False,
        "use_distance_for_intervals": False,
    }
    swim = {
        "id": 500103,
        "athlete_id": ATHLETE_ID,
        "types": list(SWIM_TYPES),
        "ftp": None,
        "indoor_ftp": None,
        "power_zones": None,
        "lthr": SWIM_LTHR,
        "max_hr": SWIM_MAX_HR,
        "hr_zones": list(SWIM_HR_ZONES),
        "hr_load_type": "HR_ZONES",
        "threshold_pace": SWIM_THRESHOLD_PACE,
        "pace_units": "SECS_100M",
        "pace_zones": list(PACE_ZONES),
        "pace_load_type": "SWIM",
        "created": created,
        "updated": created,
        "other": False,
        "eFTPSupported": False,
        "use_distance_for_intervals": True,
    }
    other = {
        "id": 500104,
        "athlete_id": ATHLETE_ID,
        "types": ["Other"],
        "ftp": None,
        "indoor_ftp": None,
        "w_prime": None,
        "p_max": None,
        "power_zones": None,
        "lthr": None,
        "max_hr": None,
        "hr_zones": None,
        "threshold_pace": None,
        "pace_units": None,
        "pace_zones": None,
        "created": created,
        "updated": created,
        "other": True,
        "eFTPSupported": False,
    }
    return [_ride_settings(seed, today, created, updated), run, swim, other]


def athlete_object(seed: int, today: date, timezone: str, api_key: str) -> dict[str, Any]:
    """Raw `GET /athlete/{id}` object (docs/architecture.md#api-client), secrets included on purpose."""
    weight = round(weight_trend(seed, today), 1)
    invite = random.Random(f"{seed}:invite").getrandbits(64)
    return {
        "id": ATHLETE_ID,
        "name": f"{FIRSTNAME} {LASTNAME}",
        "firstname": FIRSTNAME,
        "lastname": LASTNAME,
        "profile_medium": None,
        "sex": "M",
        "city": CITY,
        "state": STATE + " ",
        "country": COUNTRY,  # trailing space: real-world mess
        "timezone": timezone,
        "locale": "en",
        "measurement_preference": "meters",
        "weight_pref_lb": False,
        "fahrenheit": False,
        "wind_speed": "KMH",
        "rain": "MM",
        "weight": weight,
        "icu_weight": weight,
        "icu_resting_hr": REST_HR,
        "icu_date_of_birth": "1987-05-14",
        "height": 1.79,
        "height_units": "CM",
        "icu_activated": _stamp(activated_date(today), 9, 12, 44, 210),
        "icu_last_seen": _stamp(today, 5, 58, 12, 403),
        "status": "ACTIVE",
        "plan": "SUPPORTER",
        "visibility": "PRIVATE",
        "icu_form_as_percent": False,
        "icu_wellness_keys": [
            "weight",
            "restingHR",
            "hrv",
            "sleepSecs",
            "sleepScore",
            "readiness",
            "soreness",
            "fatigue",
            "mood",
            "motivation",
        ],
        "icu_api_key": api_key,
        "icu_friend_invite_token": f"demo-invite-{invite:016x}",
        "email": "demo.athlete@example.invalid",
        "icu_notes": (
            "Achilles niggle most Junes: keep run volume low then. "
            "Responds well to 3:1 blocks; long rides outdoors at weekends."
        ),
        "bikes": [
            {"id": "b500011", "name": "Road bike", "distance": 21450871.0, "primary": True},
            {"id": "b500012", "name": "Trainer bike", "distance": 9034512.0, "primary": False},
            {
                "id": "b500013",
                "name": "Gravel bike (no power meter)",
                "distance": 4120833.0,
                "primary": False,
            },
        ],
        "shoes": [{"id": "g500021", "name": "Trail shoes", "distance": 1203344.0, "primary": True}],
        "training_availability": None,
        "sportSettings": sport_settings(seed, today),
        "custom_items": [],
    }
