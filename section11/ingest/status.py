"""`metadata.sync_status` of each source, from the calls a run made.

Fixes weakness 9.1.13 (docs/architecture.md#reference-weaknesses): failures of optional sources are no
longer silent.
"""

from __future__ import annotations

from dataclasses import dataclass

OK = "ok"
KEPT_PREVIOUS = "kept_previous"  # a suspicious answer was refused, the stored copy kept


def source_status(failed: int, total: int, fallback: bool = False) -> str:
    """ "ok" | "partial: F of N failed" | "stale: refresh failed, stored copy used"
    (every call failed, an older stored answer stands in) | "unavailable"."""
    if failed <= 0:
        return OK
    if failed < total:
        return f"partial: {failed} of {total} failed"
    return "stale: refresh failed, stored copy used" if fallback else "unavailable"


@dataclass
class Tally:
    """The calls one source made this run: how many, how many failed, and how
    many of the failures an older stored copy covered."""

    calls: int = 0
    failed: int = 0
    covered: int = 0  # failures answered from the store instead

    def record(self, failed: bool, covered: bool = False) -> None:
        self.calls += 1
        if failed:
            self.failed += 1
            self.covered += covered

    @property
    def status(self) -> str:
        """The source's sync_status: stale only when every failure was covered."""
        fallback = self.failed > 0 and self.covered == self.failed
        return source_status(self.failed, self.calls, fallback=fallback)
