"""athlete_profile and current_status.thresholds (docs/metrics.md#thresholds-and-profile).

Profile fields come from the allow-listed `model.Athlete` only; the raw
athlete object (which holds the API key, e-mail, tokens) is never serialized.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..model import Athlete, SportSetting, parse_date
from ..sports import family_of
from ..units import to_display, unit_preferences


def whole_years(start: date | None, today: date) -> int | None:
    """Completed years from `start` to `today` (birthday rule); None if unknown or future."""
    if start is None:
        return None
    years = today.year - start.year
    if (today.month, today.day) < (start.month, start.day):
        years -= 1
    return years if years >= 0 else None


def location(athlete: Athlete) -> str | None:
    parts = [p.strip() for p in (athlete.city, athlete.state, athlete.country) if p and p.strip()]
    return ", ".join(parts) if parts else None


def athlete_profile(
    athlete: Athlete, today: date, units: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`athlete_profile` block (docs/metrics.md#thresholds-and-profile)."""
    units = units if units is not None else unit_preferences(athlete)
    dob = parse_date(athlete.date_of_birth)
    activated = athlete.activated[:10] if athlete.activated else None
    return {
        "date_of_birth": athlete.date_of_birth,
        "age": whole_years(dob, today),
        "height_m": athlete.height_m,
        "display": {"height": to_display(athlete.height_m, "height", units)},
        "display_preferences": dict(units),
        "sex": athlete.sex,
        "location": location(athlete),
        "timezone": athlete.timezone,
        "platform_activated": activated,
        "years_on_platform": whole_years(parse_date(activated), today),
    }


def power_settings(setting: SportSetting) -> dict[str, Any]:
    """Sweet-spot bounds (% FTP) and the fitted power model of a sport with an FTP."""
    model = setting.mmp_model
    has_ftp = bool(setting.ftp or setting.indoor_ftp)
    return {
        "sweet_spot_min_pct": setting.sweet_spot_min if has_ftp else None,
        "sweet_spot_max_pct": setting.sweet_spot_max if has_ftp else None,
        "power_model": None
        if model is None
        else {
            "type": model.type,
            "critical_power": model.critical_power,
            "w_prime": model.w_prime,
            "p_max": model.p_max,
            "ftp": model.ftp,
        },
    }


def thresholds_sports(athlete: Athlete) -> dict[str, dict[str, Any]]:
    """Per-family thresholds from the athlete's sport settings (docs/metrics.md#thresholds-and-profile).

    Each activity type of each setting is a candidate for its family (unknown
    types skipped). A family keeps the candidate with the most non-null fields;
    ties go to the alphabetically smallest activity type.
    """
    best: dict[str, tuple[int, str, dict]] = {}
    for setting in athlete.sport_settings:
        pace = setting.threshold_pace or None
        entry = {
            "lthr": setting.lthr,
            "max_hr": setting.max_hr,
            "threshold_pace": pace,
            "pace_units": setting.pace_units if pace is not None else None,
            "ftp": setting.ftp or None,
            "ftp_indoor": setting.indoor_ftp or None,
        }
        populated = sum(v is not None for v in entry.values())
        entry.update(power_settings(setting))
        for sport_type in setting.types:
            family = family_of(sport_type, None)
            if family is None:
                continue
            current = best.get(family)
            if (
                current is None
                or populated > current[0]
                or (populated == current[0] and sport_type < current[1])
            ):
                best[family] = (populated, sport_type, entry)
    return {family: dict(entry) for family, (_, _, entry) in best.items()}


def thresholds_block(athlete: Athlete, power: Mapping[str, Any]) -> dict[str, Any]:
    """`current_status.thresholds` = power model values + per-family sports (docs/metrics.md#thresholds-and-profile, docs/metrics.md#fitness)."""
    return {
        "eftp": power.get("eftp"),
        "w_prime": power.get("w_prime"),
        "w_prime_kj": power.get("w_prime_kj"),
        "p_max": power.get("p_max"),
        "vo2max": power.get("vo2max"),
        "vo2max_date": power.get("vo2max_date"),
        "sports": thresholds_sports(athlete),
    }
