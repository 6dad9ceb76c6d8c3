"""The "no Intervals.icu" path: a sync built from another source alone.

A source that can stand in for Intervals.icu (TrainingPeaks today; Peloton
can plug in the same way) turns its answers into the model's own records and
hands them over as one `SourceRecords`:

    SourceRecords(
        source="trainingpeaks",      # its key in sources_status and source_limits
        label="TrainingPeaks API",   # where the documents say the data comes from
        athlete=Athlete(...),        # id, name, timezone, weight, sport_settings (FTP)
        activities=(Activity, ...),  # completed sessions, any order; `load` is the
                                     # session's TSS, which every load metric needs
        wellness=(Wellness, ...),    # one per day, any order; ctl/atl when the
                                     # source has its own fitness series
        events=(Event, ...),         # calendar: WORKOUT, RACE_A/B/C, NOTE entries
        unavailable={"derived_metrics.zone_distribution_7d":
                     "zone times are not available from TrainingPeaks", ...},
    )

`inputs_without_intervals(records, now=..., days=..., ...)` returns the same
`SyncInputs` the Intervals.icu path builds, so the pipeline's
`build_documents` computes every metric with the same code and writes the
same five files under the same schemas. What only Intervals.icu provides
(power and HR curves, interval analyses, route files, terrain, chat
messages, Strava stubs) stays empty; each metric that depends on it comes out
null, and `outputs.source_only.add_source_limits` writes `source_limits`
(the readable reasons of `unavailable`) and marks those nulls
`source_unavailable` in `null_reasons`.

Pure: no I/O, no clock ("now" is an argument).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .context import SyncInputs
from .event_model import Event
from .model import Activity, Athlete
from .wellness_model import Wellness
from .windows import EXTENDED_DAYS

# What no source but Intervals.icu provides, whatever the source (field path
# in latest.json -> reason). A source adds its own to these.
INTERVALS_ONLY: dict[str, str] = {
    "derived_metrics.eftp": "the eFTP power model comes from Intervals.icu only",
    "derived_metrics.w_prime": "the W' power model comes from Intervals.icu only",
    "derived_metrics.w_prime_kj": "the W' power model comes from Intervals.icu only",
    "derived_metrics.p_max": "the power model comes from Intervals.icu only",
    "derived_metrics.vo2max": "VO2max estimates come from Intervals.icu only",
    "derived_metrics.vo2max_date": "VO2max estimates come from Intervals.icu only",
}


@dataclass(frozen=True)
class SourceRecords:
    """One source's records in the model's shapes (see the module docstring)."""

    source: str
    label: str
    athlete: Athlete
    activities: tuple[Activity, ...] = ()
    wellness: tuple[Wellness, ...] = ()
    events: tuple[Event, ...] = ()
    unavailable: Mapping[str, str] = field(default_factory=dict)

    @property
    def limits(self) -> dict[str, str]:
        """Every field the source cannot fill, with its reason."""
        return {**INTERVALS_ONLY, **self.unavailable}


def _newest_first(activities: Iterable[Activity]) -> list[Activity]:
    return sorted(activities, key=lambda a: a.start_local or "", reverse=True)


def inputs_without_intervals(
    records: SourceRecords,
    *,
    now: datetime,
    days: int,
    week_start: int = 0,
    zone_preference: Mapping[str, str] | None = None,
    version: str = "",
) -> SyncInputs:
    """The SyncInputs of a sync from `records` alone (`now`: aware, in the
    athlete's timezone; `days`: the display window)."""
    today = now.date()
    oldest = today - timedelta(days=max(days, EXTENDED_DAYS) - 1)
    history = [a for a in _newest_first(records.activities) if a.date and a.date <= today]
    wellness = sorted((w for w in records.wellness if w.date <= today), key=lambda w: w.date)
    return SyncInputs(
        today=today,
        now=now,
        days=days,
        athlete=records.athlete,
        activities=tuple(a for a in history if a.date and a.date >= oldest),
        wellness=tuple(w for w in wellness if w.date >= oldest),
        events=tuple(sorted(records.events, key=lambda e: (e.date or today, e.id or ""))),
        week_start=week_start,
        zone_preference=dict(zone_preference or {}),
        version=version,
        history_activities=tuple(history),
        history_wellness=tuple(wellness),
        sync_status={records.source: "ok", "intervals_icu": "not_configured"},
    )
