"""`--setup` tests what it stores: one GET /athlete/{id} with the answers.

The outcome is one line for the user: the athlete's name and timezone when the
id and key work; a clear statement when Intervals.icu refused them (401/403:
the key, or a key that does not belong to this athlete; 404: no such athlete
id); otherwise that the test could not be made (network), so the answers are
kept untested. No secret is ever part of the line.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import SyncError, printable
from .sources.errors import AuthError, IntervalsError, NotFound
from .sources.intervals import IntervalsClient

CHECK_ATTEMPTS = 2  # one call, one retry of a transient failure


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool  # the credentials work
    rejected: bool  # Intervals.icu refused them (do not save)
    line: str


def _name(athlete: dict) -> str:
    name = athlete.get("name")
    if isinstance(name, str) and name.strip():
        return printable(name.strip())
    parts = [athlete.get(k) for k in ("firstname", "lastname")]
    joined = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
    return printable(joined) if joined else "(no name set)"


def check_credentials(athlete_id: str, api_key: str, base_url: str | None) -> CheckOutcome:
    """One call to the API with these credentials (see the module doc)."""
    try:
        with IntervalsClient(
            athlete_id, api_key, base_url=base_url, max_attempts=CHECK_ATTEMPTS
        ) as client:
            athlete = client.athlete()
    except AuthError as exc:
        return CheckOutcome(
            False,
            True,
            f"Intervals.icu refused the API key for athlete {athlete_id} (HTTP {exc.status}): "
            "check the key (Settings > Developer Settings) and that it belongs to this athlete",
        )
    except NotFound:
        return CheckOutcome(
            False,
            True,
            f"Intervals.icu has no athlete {athlete_id} for this key (HTTP 404): check the "
            "athlete id (Settings > Developer Settings, e.g. i123456)",
        )
    except (IntervalsError, SyncError) as exc:
        reason = getattr(exc, "message", None) or type(exc).__name__
        return CheckOutcome(
            False, False, f"could not test the credentials ({printable(str(reason))[:160]})"
        )
    timezone = athlete.get("timezone") if isinstance(athlete.get("timezone"), str) else None
    return CheckOutcome(
        True,
        False,
        f"Credentials work: athlete {_name(athlete)}, timezone {timezone or 'not set'}.",
    )


__all__ = ["CheckOutcome", "check_credentials"]
