"""Power and HR curves: the raw answers, cached for a few hours.

Which curve ids and sport types to ask for is a metric decision (the 28-day
deltas of docs/metrics.md#curve-deltas, the 42-day sustainability profile of docs/metrics.md#sustainability,
the power and pace chart's windows); the pipeline passes it in as a
`CurvePlan`. One power call per sport type carries every window it needs, one
pace call (runners only) the chart's windows; answers are cached under a key
that holds the ids, which move with the date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..sources.intervals import IntervalsClient
from .calls import cached_optional
from .status import Tally
from .store import Store

CURVES_TTL_SECONDS = 6 * 3600
RIDE = "Ride"


@dataclass(frozen=True)
class CurvePlan:
    """The curves to request: the delta ids (Ride power and all-sport HR) and
    the sustainability window id for each of `types`."""

    delta_ids: tuple[str, ...]
    window_id: str
    types: tuple[str, ...] = ()
    chart_ids: tuple[str, ...] = ()  # the chart's windows: with the Ride power call, and pace
    pace_type: str | None = None  # the run type whose pace curves are drawn; None: no call


@dataclass
class RawCurves:
    """The raw curve answers of `plan`; a missing key or None is a call that failed."""

    plan: CurvePlan
    power_by_type: dict[str, Any] = field(default_factory=dict)  # sport type -> answer
    hr_delta: Any = None  # all-sport HR answer for the delta ids
    hr_by_type: dict[str, Any] = field(default_factory=dict)
    pace: Any = None  # pace curves of plan.pace_type for the chart ids (drawn only)


def fetch_curves(
    client: IntervalsClient,
    store: Store,
    curve_plan: CurvePlan,
    now: datetime,
    warnings: list[str],
    status: dict[str, str],
) -> RawCurves:
    """The curves of `curve_plan`; `status` gets power_curves and hr_curves."""
    delta_ids = list(curve_plan.delta_ids)
    chart_ids = [i for i in curve_plan.chart_ids if i not in delta_ids]
    window_id = curve_plan.window_id
    power, hr = Tally(), Tally()

    def cached(key: str, what: str, tally: Tally, fn: Callable[..., Any], *args: Any) -> Any:
        return cached_optional(
            store, key, CURVES_TTL_SECONDS, what, warnings, tally, fn, *args, now=now.timestamp()
        )

    out = RawCurves(curve_plan)
    for sport_type in dict.fromkeys([RIDE, *curve_plan.types]):
        ids = [*delta_ids, *chart_ids, window_id] if sport_type == RIDE else [window_id]
        raw = cached(
            f"power:{sport_type}:{','.join(ids)}",
            f"{sport_type} power curves",
            power,
            client.power_curves,
            ids,
            sport_type,
        )
        if raw is not None:
            out.power_by_type[sport_type] = raw
    out.hr_delta = cached(
        f"hr:all:{','.join(delta_ids)}", "HR curves", hr, client.hr_curves, delta_ids
    )
    for sport_type in curve_plan.types:
        raw = cached(
            f"hr:{sport_type}:{window_id}",
            f"{sport_type} HR curves",
            hr,
            client.hr_curves,
            [window_id],
            sport_type,
        )
        if raw is not None:
            out.hr_by_type[sport_type] = raw
    if curve_plan.pace_type:  # drawn only: failures are warnings, not a sync_status
        ids = list(curve_plan.chart_ids)
        out.pace = cached(
            f"pace:{curve_plan.pace_type}:{','.join(ids)}",
            f"{curve_plan.pace_type} pace curves",
            Tally(),
            client.pace_curves,
            ids,
            curve_plan.pace_type,
        )
    status.update(power_curves=power.status, hr_curves=hr.status)
    return out
