"""Which part of a course file is analysed when it holds several courses.

A GPX file may hold several tracks (`trk`, each of segments) and routes
(`rte`); a TCX file several activities and courses. Joining them end to end
draws straight lines between pieces that were never travelled (a six-track
logger file read 1,367 km for 167 km recorded), and two planned routes are two
alternatives, not one course. The rule, stated in routes.json:

* "all_tracks": the recorded tracks (GPX `trk`, TCX `Activity`) are one
  outing split by the device; they are analysed together, segment by
  segment, and nothing bridges the gap between two segments.
* "longest_route": a file without a usable track is a plan; its longest route
  (GPX `rte`, TCX `Course`, with all its segments) is analysed.

A segment needs two points; a course needs one such segment. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .climbs import PointLike
from .terrain import segment_length_m

TRACK = "track"
ROUTE = "route"
MIN_SEGMENT_POINTS = 2
ALL_TRACKS = "all_tracks"
LONGEST_ROUTE = "longest_route"

COURSE_RULES = {
    ALL_TRACKS: (
        "the file's recorded tracks (GPX trk, TCX Activity) are analysed together, segment by "
        "segment; distance and climbing never bridge the gap between two segments"
    ),
    LONGEST_ROUTE: (
        "the file has no track, so its longest planned route (GPX rte, TCX Course) is analysed; "
        "the other routes are ignored"
    ),
}


class CourseLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def segments(self) -> Sequence[Sequence[PointLike]]: ...


@dataclass(frozen=True)
class CourseChoice:
    """The segments to analyse and how they were chosen."""

    segments: list[Sequence[PointLike]]
    courses: int  # usable tracks and routes in the file
    rule: str  # ALL_TRACKS or LONGEST_ROUTE

    def fields(self) -> dict[str, Any]:
        """The routes.json summary fields that state the choice."""
        return {"courses": self.courses, "segments": len(self.segments), "course_rule": self.rule}


def _usable(course: CourseLike) -> list[Sequence[PointLike]]:
    return [s for s in course.segments if len(s) >= MIN_SEGMENT_POINTS]


def choose_course(courses: Sequence[CourseLike]) -> CourseChoice | None:
    """The part of the file to analyse (module docstring), or None when no
    track or route has a segment of two points."""
    usable = [(c.kind, _usable(c)) for c in courses]
    usable = [(kind, segments) for kind, segments in usable if segments]
    tracks = [s for kind, segments in usable if kind == TRACK for s in segments]
    if tracks:
        return CourseChoice(tracks, len(usable), ALL_TRACKS)
    if not usable:
        return None
    longest = max(
        (segments for _kind, segments in usable),
        key=lambda segments: sum(segment_length_m(s) for s in segments),
    )
    return CourseChoice(longest, len(usable), LONGEST_ROUTE)
