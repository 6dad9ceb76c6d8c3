"""The Peloton entry of latest.json's `sources_status` (pure).

`sources_status` says, per source, whether its data is current, so a coach
knows when Peloton rides may be missing: ok, auth_expired, rate_limited,
stale (a read failed; the stored rides are used) or disabled, with the date
of the last complete read and, on a failure, the one-line fix. Intervals.icu
is always ok when a file is written (its failure ends the run).
"""

from __future__ import annotations

from typing import Any

from ..ingest.peloton import PelotonRaw


def peloton_status(raw: PelotonRaw) -> dict[str, Any]:
    entry: dict[str, Any] = {"status": raw.status, "last_good_data": raw.last_good}
    if raw.message:
        entry["message"] = raw.message
    return entry


def add_peloton_status(
    latest: dict[str, Any], raw: PelotonRaw, alone: bool = False
) -> dict[str, Any]:
    """latest.json with `sources_status.peloton` set (the block is created when
    absent; a disabled Peloton adds nothing to a file without the block).
    `alone`: there is no Intervals.icu account."""
    if raw.status == "disabled" and "sources_status" not in latest:
        return latest
    icu = "not_configured" if alone else "ok"
    block = dict(latest.get("sources_status") or {"intervals_icu": {"status": icu}})
    block["peloton"] = peloton_status(raw)
    return {**latest, "sources_status": block}
