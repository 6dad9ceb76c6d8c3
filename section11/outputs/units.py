"""Duration strings of the output documents.

Unit preferences and the `display` blocks live in ``section11.units`` (metrics use them too).
"""

from __future__ import annotations


def format_duration(seconds: float | None) -> str:
    """ "{h}h{m}m{s}s" with zero parts left out; "0s" for 0, negative or None (docs/metrics.md#units)."""
    if seconds is None or seconds <= 0:
        return "0s"
    total = int(seconds)
    if total <= 0:
        return "0s"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if secs:
        parts.append(f"{secs}s")
    return "".join(parts)


def format_minutes(seconds: float | None) -> str:
    """format_duration of the seconds truncated to whole minutes (`*_formatted` totals)."""
    if seconds is None or seconds <= 0:
        return "0s"
    return format_duration(int(seconds) // 60 * 60)
