"""Headline weather of outdoor activities, as Intervals adds it from Open-Meteo (docs/architecture.md#api-client).

A Maastricht-like climate: monthly mean temperature, a per-day anomaly and wind
drawn from random.Random(f"{seed}:{day}:weather") (shared by the day's
activities), a diurnal swing by the hour of the session.
"""

from __future__ import annotations

import math
import random
from datetime import date
from typing import Any

MONTHLY_TEMP = [3.0, 3.6, 6.6, 9.8, 13.8, 16.6, 18.7, 18.3, 15.0, 11.0, 6.8, 3.9]  # °C


def weather(
    seed: int, day: date, start: int, secs: int, rng: random.Random, extra_heat: float = 0.0
) -> dict[str, Any]:
    """Open-Meteo style headline weather of an outdoor activity (docs/architecture.md#api-client); `extra_heat`
    (°C) is a heat wave on top of the day's usual anomaly."""
    wrng = random.Random(f"{seed}:{day.isoformat()}:weather")
    anomaly = wrng.gauss(0, 3.0) + extra_heat
    wind = max(0.6, wrng.gauss(4.2 if day.month in (1, 2, 3, 10, 11, 12) else 3.3, 1.4))
    clouds = wrng.randint(0, 100)
    rain = round(max(0.0, wrng.gauss(-0.3, 0.8)) * (clouds / 60), 1)
    mid_hour = (start + secs / 2) / 3600
    temp = MONTHLY_TEMP[day.month - 1] + anomaly + 3.2 * math.sin(math.pi * (mid_hour - 9) / 12)
    swing = 1.0 + secs / 3600
    feels = temp - (0.7 * wind if temp < 12 else 0.0) + (1.5 if temp > 24 else 0.0)
    head = round(rng.uniform(28, 48), 1)
    return {
        "has_weather": True,
        "average_weather_temp": round(temp, 1),
        "min_weather_temp": round(temp - swing, 1),
        "max_weather_temp": round(temp + swing, 1),
        "average_feels_like": round(feels, 1),
        "min_feels_like": round(feels - swing - 0.5, 1),
        "max_feels_like": round(feels + swing, 1),
        "average_wind_speed": round(wind, 1),
        "average_wind_gust": round(wind * 1.7 + 0.5, 1),
        "prevailing_wind_deg": wrng.randint(0, 359),
        "headwind_percent": head,
        "tailwind_percent": round(rng.uniform(25, 95 - head), 1),
        "average_clouds": clouds,
        "max_rain": rain,
        "max_snow": round(wrng.uniform(0, 0.6), 1) if temp < 1 and clouds > 70 else 0.0,
        "average_temp": round(temp + rng.uniform(1.0, 4.0), 1),
        "min_temp": int(temp - swing),
        "max_temp": int(math.ceil(temp + swing + 3)),
    }


NO_WEATHER = {
    k: None
    for k in (
        "average_weather_temp",
        "min_weather_temp",
        "max_weather_temp",
        "average_feels_like",
        "min_feels_like",
        "max_feels_like",
        "average_wind_speed",
        "average_wind_gust",
        "prevailing_wind_deg",
        "headwind_percent",
        "tailwind_percent",
        "average_clouds",
        "max_rain",
        "max_snow",
        "average_temp",
        "min_temp",
        "max_temp",
    )
}
