"""FTP history, benchmark index and seasonal context (docs/metrics.md#benchmark-and-ftp-history).

Implements:
  docs/metrics.md#benchmark-and-ftp-history ftp_history.json maintenance: ``normalize_ftp_history`` (legacy flat
        file read as outdoor; anything else that is not the documented shape
        raises ValueError so the caller can quarantine the file instead of
        wiping it, weakness 9.6 (docs/architecture.md#reference-weaknesses)), ``update_ftp_history`` (append a
        dated entry when the observed FTP changes; never drops entries) and
        ``backfill_ftp_history`` (first run: the FTP changes the stored
        activities carry, before the first recorded entry),
  docs/metrics.md#benchmark-and-ftp-history ``benchmark_indoor`` / ``benchmark_outdoor``,
  docs/metrics.md#benchmark-and-ftp-history ``seasonal_context`` (label from ``season.py``: hemisphere, phase
        and race calendar), docs/metrics.md#benchmark-and-ftp-history ``seasonal_expected``,
  docs/metrics.md#benchmark-and-ftp-history block shapes and ``data_quality.ftp_history_days``.

Quirk 7 (docs/metrics.md#reference-quirks), fixed: the reference only found an 8-weeks-ago FTP when a
*change* had been recorded 49-63 days ago, so an FTP unchanged for months gave
a null index. Here the 8-weeks-ago FTP is the value in effect on today-56: the
latest ftp_history entry dated on or before that day (entries are the dates a
change was first observed, so the latest one before a day is the setting on
that day). When ftp_history is younger than 56 days, an optional
``ftp_timeline`` of (date, FTP in force) pairs (the caller passes the
``icu_ftp`` of cycling activities, indoor and outdoor separately) supplies the
value: its latest entry dated target-28 ... target. Field names and the
"+3.2%" string are unchanged.

Pure: the caller reads/writes ftp_history.json; nothing here touches files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from ..model import MAX_MAGNITUDE, Activity, num
from ..numbers import round_float
from ..sports import INDOOR_CYCLING_TYPES, family_of
from .season import NORTH, season_label

SERIES = ("indoor", "outdoor")
SOURCES_KEY = "sources"  # ftp_history.json: {series: {date: where the entry came from}}
SOURCE_SETTINGS = "settings"  # a sync saw the athlete's sport settings change
SOURCE_ACTIVITY = "activity"  # the first stored activity that carried the FTP (icu_ftp)
BENCHMARK_DAYS = 56  # 8 weeks
TIMELINE_MAX_AGE_DAYS = 28  # an activity's FTP older than this before the target is not "in effect"

# docs/metrics.md#benchmark-and-ftp-history: season label -> expected benchmark index band
SEASON_BANDS: dict[str, tuple[float, float]] = {
    "Off-season / Transition": (-0.05, -0.02),
    "Early Base": (-0.02, 0.01),
    "Late Base / Build": (0.02, 0.05),
    "Build / Early Race Season": (0.01, 0.04),
    "Peak Race Season": (0.01, 0.03),
    "Late Season / Transition": (-0.03, 0.00),
}


# ----------------------------------------------------------------- helpers


def _ftp(value: Any) -> float | int | None:
    """A usable FTP: a positive finite number (bools, strings, huge ints are not)."""
    value = num(value)
    return value if value is not None and value > 0 else None


def _stored(value: float | int) -> float | int:
    """FTPs are stored as ints when they are whole numbers (250.0 -> 250)."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_MAGNITUDE:
        return int(value)
    return value


def _day(key: Any) -> date | None:
    if not isinstance(key, str) or len(key) != 10:
        return None
    try:
        return date.fromisoformat(key)
    except ValueError:
        return None


def _dated(series: Mapping[str, Any] | None) -> list[tuple[date, float]]:
    """(date, ftp) pairs of one history series, oldest first; bad entries skipped."""
    out = []
    for key, value in (series or {}).items():
        day, ftp = _day(key), _ftp(value)
        if day is not None and ftp is not None:
            out.append((day, ftp))
    out.sort(key=lambda pair: pair[0])
    return out


# ----------------------------------------------------------------- docs/metrics.md#benchmark-and-ftp-history


def _normalize_series(name: str, raw: Any) -> dict[str, float | int]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError(f"ftp history: the {name} series is not an object")
    out: dict[str, float | int] = {}
    for key, value in raw.items():
        if _day(key) is None:
            raise ValueError(f"ftp history: a {name} key is not a YYYY-MM-DD date")
        ftp = _ftp(value)
        if ftp is None:
            raise ValueError(f"ftp history: the {name} entry of {key} is not a positive number")
        out[key] = _stored(ftp)
    return dict(sorted(out.items()))


def _normalize_sources(raw: Any, series: Mapping[str, Mapping[str, Any]]) -> dict[str, dict]:
    """The ``sources`` map for exactly the dates of each series: a known source
    is kept, a date without one is a settings entry (the reference's only kind)."""
    if not isinstance(raw, dict) or not all(
        isinstance(raw.get(name), dict | None) for name in SERIES
    ):
        raise ValueError("ftp history: sources is not an object of series")
    out: dict[str, dict[str, str]] = {}
    for name in SERIES:
        given = raw.get(name) or {}
        out[name] = {
            day: given[day] if given.get(day) == SOURCE_ACTIVITY else SOURCE_SETTINGS
            for day in series[name]
        }
    return out


def normalize_ftp_history(raw: Any) -> dict[str, dict[str, Any]]:
    """Parsed ftp_history.json -> {"indoor": {date: ftp}, "outdoor": {date: ftp}}
    (docs/metrics.md#benchmark-and-ftp-history), plus {"sources": {series: {date: "settings"|"activity"}}} when
    the file has that map (written by this version after its first run).

    A legacy flat {date: ftp} object is the outdoor series. A null series is
    empty. Anything else (not an object, unknown top-level keys next to
    indoor/outdoor, keys that are not dates, FTPs that are not positive
    numbers) raises ValueError: the caller quarantines such a file rather
    than overwrite it.
    """
    if not isinstance(raw, dict):
        raise ValueError("ftp history: the file is not a JSON object")
    if "indoor" in raw or "outdoor" in raw:
        unknown = set(raw) - set(SERIES) - {SOURCES_KEY}
        if unknown:
            raise ValueError("ftp history: unexpected top-level keys next to indoor/outdoor")
        out: dict[str, dict[str, Any]] = {
            name: _normalize_series(name, raw.get(name)) for name in SERIES
        }
        if SOURCES_KEY in raw:
            out[SOURCES_KEY] = _normalize_sources(raw[SOURCES_KEY], out)
        return out
    return {"indoor": {}, "outdoor": _normalize_series("outdoor", raw)}


def activity_ftp_timelines(
    activities: Iterable[Activity],
) -> tuple[list[tuple[date, float]], list[tuple[date, float]]]:
    """(indoor, outdoor) [(date, icu_ftp)] of cycling activities, oldest first:
    what FTP was in force on each date (indoor: an indoor cycling type or a
    trainer ride)."""
    indoor: list[tuple[date, float]] = []
    outdoor: list[tuple[date, float]] = []
    for a in activities:
        if a.date is None or a.ftp is None or family_of(a.type) != "cycling":
            continue
        (indoor if a.type in INDOOR_CYCLING_TYPES or a.trainer else outdoor).append((a.date, a.ftp))
    return sorted(indoor), sorted(outdoor)


def ftp_change_points(timeline: Sequence[tuple[date, Any]]) -> list[tuple[date, float | int]]:
    """The first date of each run of equal FTPs in a (date, ftp) timeline sorted
    by date; unusable FTPs are skipped."""
    out: list[tuple[date, float | int]] = []
    for day, value in timeline:
        ftp = _ftp(value)
        if ftp is not None and (not out or out[-1][1] != ftp):
            out.append((day, _stored(ftp)))
    return out


def backfill_ftp_history(
    history: Mapping[str, Mapping[str, Any]] | None,
    indoor_timeline: Sequence[tuple[date, Any]],
    outdoor_timeline: Sequence[tuple[date, Any]],
) -> tuple[dict[str, dict[str, Any]], bool]:
    """First run of this version (the history has no ``sources`` map yet): add
    the FTP changes of the stored activities dated before each series' first
    entry, marked "activity"; every existing entry is kept and marked
    "settings". Returns (new history with ``sources``, changed). A history that
    already has ``sources`` comes back as it is, so the backfill runs once.
    """
    history = history or {}
    out: dict[str, dict[str, Any]] = {name: dict(history.get(name) or {}) for name in SERIES}
    if SOURCES_KEY in history:
        out[SOURCES_KEY] = {name: dict(history[SOURCES_KEY].get(name) or {}) for name in SERIES}
        return out, False
    sources: dict[str, dict[str, str]] = {
        name: dict.fromkeys(out[name], SOURCE_SETTINGS) for name in SERIES
    }
    for name, timeline in (("indoor", indoor_timeline), ("outdoor", outdoor_timeline)):
        dated = _dated(out[name])
        first = dated[0][0] if dated else None
        for day, ftp in ftp_change_points(timeline):
            if first is None or day < first:
                out[name][day.isoformat()] = ftp
                sources[name][day.isoformat()] = SOURCE_ACTIVITY
        out[name] = dict(sorted(out[name].items()))
        sources[name] = dict(sorted(sources[name].items()))
    out[SOURCES_KEY] = sources
    return out, True


def update_ftp_history(
    history: Mapping[str, Mapping[str, Any]] | None, today: date, indoor_ftp: Any, outdoor_ftp: Any
) -> tuple[dict[str, dict[str, Any]], bool]:
    """Record today's FTPs when they changed (docs/metrics.md#benchmark-and-ftp-history). Returns (new history, changed).

    Per series: when the current FTP is a positive number and the series is
    empty or its latest-dated value differs, {today: ftp} is added (a change
    on the same day overwrites today's entry), marked "settings" in ``sources``
    when the history has that map. Every existing entry is kept;
    the input is not modified. Dates are sync dates (when a change was first
    observed), not test dates.
    """
    history = history or {}
    out: dict[str, dict[str, Any]] = {name: dict(history.get(name) or {}) for name in SERIES}
    sources = history.get(SOURCES_KEY)
    if sources is not None:
        out[SOURCES_KEY] = {name: dict(sources.get(name) or {}) for name in SERIES}
    changed = False
    for name, current in (("indoor", indoor_ftp), ("outdoor", outdoor_ftp)):
        ftp = _ftp(current)
        if ftp is None:
            continue
        series = out[name]
        dated = _dated(series)
        if dated and dated[-1][1] == ftp:
            continue
        series[today.isoformat()] = _stored(ftp)
        out[name] = dict(sorted(series.items()))
        if sources is not None:
            out[SOURCES_KEY][name][today.isoformat()] = SOURCE_SETTINGS
            out[SOURCES_KEY][name] = dict(sorted(out[SOURCES_KEY][name].items()))
        changed = True
    return out, changed


def ftp_history_days(history: Mapping[str, Mapping[str, Any]] | None) -> dict[str, int]:
    """``data_quality.ftp_history_days``: per series, days from the oldest to the
    newest entry when it has at least two entries, else 0 (docs/metrics.md#benchmark-and-ftp-history)."""
    out = {}
    for name in SERIES:
        dated = _dated((history or {}).get(name))
        out[name] = (dated[-1][0] - dated[0][0]).days if len(dated) >= 2 else 0
    return out


# ----------------------------------------------------------------- docs/metrics.md#benchmark-and-ftp-history


def ftp_in_effect(
    series: Mapping[str, Any] | None,
    day: date,
    ftp_timeline: Sequence[tuple[date, Any]] | None = None,
) -> float | int | None:
    """The FTP in force on ``day`` (quirk 7 fix, docs/metrics.md#benchmark-and-ftp-history).

    The latest ftp_history entry dated on or before ``day``; when the series
    has none that old, the latest ``ftp_timeline`` entry dated within
    TIMELINE_MAX_AGE_DAYS before ``day`` (same-date ties: the last one listed).
    None when neither knows.
    """
    before = [ftp for d, ftp in _dated(series) if d <= day]
    if before:
        return before[-1]
    oldest = day - timedelta(days=TIMELINE_MAX_AGE_DAYS)
    best_day, best = None, None
    for entry in ftp_timeline or ():
        try:
            when, value = entry
        except (TypeError, ValueError):
            continue
        ftp = _ftp(value)
        if not isinstance(when, date) or ftp is None or not oldest <= when <= day:
            continue
        if best_day is None or when >= best_day:
            best_day, best = when, ftp
    return best


def seasonal_context(today: date, season: str | None = None) -> str:
    """``seasonal_context``: the given label (``season.season_label``: hemisphere,
    phase and race calendar), else the Northern-hemisphere label of today's month
    (docs/metrics.md#benchmark-and-ftp-history)."""
    return season if season is not None else season_label(today.month, NORTH)


def seasonal_expected(index: float | None, today: date, season: str | None = None) -> bool | None:
    """``seasonal_expected``: low <= index <= high for the season's band (docs/metrics.md#benchmark-and-ftp-history);
    None when the index is None."""
    if index is None:
        return None
    low, high = SEASON_BANDS[seasonal_context(today, season)]
    return low <= index <= high


def benchmark_percentage(index: float | None) -> str | None:
    """Signed percent with one decimal, e.g. 0.032 -> "+3.2%", -0.01 -> "-1.0%" (docs/metrics.md#benchmark-and-ftp-history)."""
    if index is None:
        return None
    return f"{index * 100 + 0.0:+.1f}%"


def benchmark_block(
    current_ftp: Any,
    series: Mapping[str, Any] | None,
    today: date,
    ftp_timeline: Sequence[tuple[date, Any]] | None = None,
    season: str | None = None,
) -> dict:
    """One ``benchmark_indoor`` / ``benchmark_outdoor`` block (docs/metrics.md#benchmark-and-ftp-history).

    benchmark_index = round(current / ftp_8_weeks_ago - 1, 3), where
    ftp_8_weeks_ago is the FTP in effect on today-56 (``ftp_in_effect``).
    Without a current FTP or a known 8-weeks-ago FTP the derived fields are None.
    """
    current = _ftp(current_ftp)
    then = (
        ftp_in_effect(series, today - timedelta(days=BENCHMARK_DAYS), ftp_timeline)
        if current is not None
        else None
    )
    index = round_float(current / then - 1, 3) if current is not None and then is not None else None
    return {
        "current_ftp": current,
        "ftp_8_weeks_ago": then if index is not None else None,
        "benchmark_index": index,
        "benchmark_percentage": benchmark_percentage(index),
        "seasonal_expected": seasonal_expected(index, today, season),
    }


def benchmark_metrics(
    ftp_history: Mapping[str, Mapping[str, Any]] | None,
    today: date,
    indoor_ftp: Any,
    outdoor_ftp: Any,
    indoor_timeline: Sequence[tuple[date, Any]] | None = None,
    outdoor_timeline: Sequence[tuple[date, Any]] | None = None,
    season: str | None = None,
) -> dict:
    """derived_metrics ``seasonal_context``, ``benchmark_indoor``, ``benchmark_outdoor``
    in emitted order (docs/metrics.md#output-layout, docs/metrics.md#benchmark-and-ftp-history).

    ``indoor_ftp`` / ``outdoor_ftp`` are thresholds.sports.cycling ftp_indoor /
    ftp; ``ftp_history`` is the (updated) normalized history; ``season`` the
    label of ``season.season_label`` (None: the Northern month table).
    """
    history = ftp_history or {}
    return {
        "seasonal_context": seasonal_context(today, season),
        "benchmark_indoor": benchmark_block(
            indoor_ftp, history.get("indoor"), today, indoor_timeline, season
        ),
        "benchmark_outdoor": benchmark_block(
            outdoor_ftp, history.get("outdoor"), today, outdoor_timeline, season
        ),
    }
