"""Privacy policy of a run: which categories of personal data are redacted.

Fixes README.md#privacy and weakness 9.3.7 (docs/architecture.md#reference-weaknesses): the reference published home
coordinates, location, date of birth, notes and chat messages in clear, with a
documented but non-existent `--no-anonymize` flag. Here every category is
redacted by default, and each one can be shared on purpose:

    --share gps,notes          command line (repeatable)
    SECTION11_SHARE=gps,notes  environment
    "share": ["gps", "notes"]  config file key (a list or a comma string)
    --no-anonymize             share every category

Precedence as for every setting: command line > environment > config file
(the first non-empty source wins; its list is not merged with the others).
`all` shares every category, `none` shares nothing (useful to override an
environment or config value from the command line).

The redaction itself happens at the output edge, one function per document
(`section11.outputs.anonymize`); this module only holds the option set.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput

# Every category, in the order they are documented and reported.
CATEGORIES: tuple[str, ...] = (
    "athlete_id",
    "activity_names",
    "gps",
    "location",
    "birth_date",
    "notes",
)
DESCRIPTIONS = {
    "athlete_id": "the Intervals.icu athlete id (metadata.athlete_id)",
    "activity_names": "names of completed outdoor activities (they often name a place)",
    "gps": "coordinates of completed activities (terrain start, climb and descent ends)",
    "location": "city, state and country (athlete_profile.location)",
    "birth_date": "date of birth (the age stays)",
    "notes": "free text: athlete notes, activity descriptions, activity chat messages",
}
ALL = "all"
NONE = "none"
SHARE_ENV = "SECTION11_SHARE"
SHARE_KEY = "share"


@dataclass(frozen=True)
class PrivacyPolicy:
    """The categories redacted in this run's output files (the rest is shared)."""

    redacted: frozenset[str] = frozenset(CATEGORIES)

    def __post_init__(self) -> None:
        unknown = set(self.redacted) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown privacy categories: {sorted(unknown)}")

    def redacts(self, category: str) -> bool:
        if category not in CATEGORIES:
            raise ValueError(f"unknown privacy category {category!r}")
        return category in self.redacted

    @property
    def shared(self) -> tuple[str, ...]:
        return tuple(c for c in CATEGORIES if c not in self.redacted)

    @property
    def anonymized(self) -> bool:
        """True when at least one category is redacted."""
        return bool(self.redacted)

    def describe(self) -> dict[str, Any]:
        """`metadata.privacy` of latest.json: the effective policy, in category order."""
        return {
            "redacted": [c for c in CATEGORIES if c in self.redacted],
            "shared": list(self.shared),
        }


DEFAULT_POLICY = PrivacyPolicy()
SHARE_EVERYTHING = PrivacyPolicy(frozenset())


def parse_share(value: Any, source: str = "--share") -> frozenset[str]:
    """Categories to share from "gps,notes", ["gps", "notes"], "all" or "none".

    Case and surrounding blanks are ignored; a list may hold comma strings (a
    repeated --share). Empty means nothing shared. An unknown name is
    InvalidInput naming the valid ones.
    """
    if value is None:
        return frozenset()
    if isinstance(value, str):
        items = [value]
    elif isinstance(value, (list, tuple, set, frozenset)) and all(
        isinstance(v, str) for v in value
    ):
        items = list(value)
    else:
        raise InvalidInput(
            f"{source} must be a comma-separated list of categories "
            f"({', '.join(CATEGORIES)}), or {ALL} or {NONE}"
        )
    names = [part.strip().lower() for item in items for part in item.split(",")]
    names = [n for n in names if n]
    unknown = sorted({n for n in names if n not in CATEGORIES and n not in (ALL, NONE)})
    if unknown:
        raise InvalidInput(
            f"{source}: unknown privacy categor{'ies' if len(unknown) > 1 else 'y'} "
            f"{', '.join(unknown)} (choose from {', '.join(CATEGORIES)}; "
            f"or {ALL} / {NONE})"
        )
    if NONE in names and len(set(names)) > 1:
        raise InvalidInput(f"{source}: '{NONE}' cannot be combined with other categories")
    if ALL in names:
        return frozenset(CATEGORIES)
    return frozenset(n for n in names if n != NONE)


def policy_from(anonymize: bool = True, share: Iterable[str] = ()) -> PrivacyPolicy:
    """The effective policy: --no-anonymize shares everything, else all but `share`."""
    if not anonymize:
        return SHARE_EVERYTHING
    shared = set(share)
    return PrivacyPolicy(frozenset(c for c in CATEGORIES if c not in shared))


def policy_of_settings(settings: Any) -> PrivacyPolicy:
    """The policy of a run's `config.Settings` (missing attributes mean the defaults)."""
    return policy_from(getattr(settings, "anonymize", True), getattr(settings, "share", ()) or ())
