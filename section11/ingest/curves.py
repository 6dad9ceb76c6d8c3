"""Power and HR curves: the raw answers, cached for a few hours.

Which curve ids and sport types to ask for is a metric decision (the 28-day
deltas of docs/metrics.md#curve-deltas, the 42-day sustainability profile of docs/metrics.md#sustainability); the pipeline passes
it in as a `CurvePlan`. One power call per sport type carries every window it
needs; answers are cached under a key that holds the ids, which move with the
date.
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
    extra_ids: tuple[str, ...] = ()  # more Ride power curves (the charts'), same request

    def ride_power_ids(self) -> list[str]:
        """Every curve asked of Ride power, all in one request."""
        return list(dict.fromkeys([*self.delta_ids, self.window_id, *self.extra_ids]))


@dataclass
class RawCurves:
    """The raw curve answers of `plan`; a missing key or None is a call that failed."""

    plan: CurvePlan
    power_by_type: dict[str, Any] = field(default_factory=dict)  # sport type -> answer
    hr_delta: Any = None  # all-sport HR answer for the delta ids
    hr_by_type: dict[str, Any] = field(default_factory=dict)


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
    window_id = curve_plan.window_id
    power, hr = Tally(), Tally()

    def cached(key: str, what: str, tally: Tally, fn: Callable[..., Any], *args: Any) -> Any:
        return cached_optional(
            store, key, CURVES_TTL_SECONDS, what, warnings, tally, fn, *args, now=now.timestamp()
        )

    out = RawCurves(curve_plan)
    for sport_type in dict.fromkeys([RIDE, *curve_plan.types]):
        ids = curve_plan.ride_power_ids() if sport_type == RIDE else [window_id]
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
    status.update(power_curves=power.status, hr_curves=hr.status)
    return out
