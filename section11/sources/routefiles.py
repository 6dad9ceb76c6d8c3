"""Route files attached to calendar events: GPX and TCX -> courses of trackpoints.

Implements the file side of docs/metrics.md#routes (format detection, GPX and
TCX parsing) with the hardening of weakness 9.3.6 (docs/architecture.md#reference-weaknesses): route files
are untrusted input downloaded from arbitrary URLs, so

* the size is capped (`MAX_ROUTE_BYTES`) before any parsing;
* XML is parsed with `defusedxml` with DTDs, entity declarations and external
  references forbidden, so a billion-laughs or external-entity document is
  refused instead of expanded;
* the document is streamed (iterparse) and every processed trackpoint element
  is cleared, so memory stays proportional to the points kept;
* non-finite or out-of-range coordinates are skipped.

The file's structure is kept: every track and route is a `Course` of
segments, so that nothing downstream joins two pieces of a file with a
straight line. Which course is analysed is `metrics.courses`' decision.

Every problem is a `RouteFileError` with a one-line message that names the
file. All errors raised here describe the bytes themselves, so they are
terminal (the same bytes fail the same way next time); the download layer may
raise non-terminal ones for transport failures.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

MAX_ROUTE_BYTES = 10 * 1024 * 1024  # ~100,000 GPX points; a 300 km course at 5 m spacing fits
MIN_ROUTE_BYTES = 50  # reference: fewer bytes than this is an error (docs/metrics.md#routes)
MIN_TRACKPOINTS = 2

SUPPORTED_EXTENSIONS = ("gpx", "tcx")
ROUTE_EXTENSIONS = ("gpx", "tcx", "fit")  # what the event scan picks up (docs/metrics.md#routes)

# Plausible elevations; anything outside is treated as missing, not as terrain.
MIN_ELEVATION_M = -1000.0
MAX_ELEVATION_M = 10000.0

FIT_CRC_HEADER = b"\x0e\x10\xd9\x07"  # 14-byte header, protocol 1.0, profile 20.09


TRACK = "track"  # recorded: GPX <trk>, TCX <Activity>
ROUTE = "route"  # planned: GPX <rte>, TCX <Course>


@dataclass(frozen=True)
class Trackpoint:
    lat: float
    lon: float
    ele: float | None = None


@dataclass(frozen=True)
class Course:
    """One track or route of a file: its segments in document order.

    kind: TRACK or ROUTE. A segment is a run of points joined by the recorded
    path (GPX <trkseg> or <rte>, TCX <Track>); two segments are not joined.
    """

    kind: str
    segments: tuple[tuple[Trackpoint, ...], ...]

    @property
    def points(self) -> int:
        return sum(len(segment) for segment in self.segments)


class RouteFileError(Exception):
    """A route file that cannot be turned into trackpoints.

    terminal: True when retrying cannot help (the content is the problem);
    False for transport failures a later sync may overcome.
    """

    def __init__(self, message: str, terminal: bool = True):
        super().__init__(message)
        self.message = message
        self.terminal = terminal


def file_label(filename: str | None) -> str:
    """The file name made safe for a one-line message (no control characters, capped)."""
    name = re.sub(r"[\x00-\x1f\x7f]", "?", filename or "") or "unnamed file"
    return name if len(name) <= 80 else name[:77] + "..."


def extension(filename: str | None) -> str:
    """Lower-case extension without the dot ('' when there is none)."""
    name = (filename or "").strip()
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def is_fit(data: bytes) -> bool:
    """FIT magic: '.FIT' at byte 8 of the file header, or the common 14-byte header."""
    return (len(data) >= 12 and data[8:12] == b".FIT") or data[:4] == FIT_CRC_HEADER


def _looks_like_xml(data: bytes) -> bool:
    head = data[:64]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.lstrip().startswith(b"<")


def parse_route(data: bytes, filename: str) -> list[Course]:
    """The tracks and routes of a GPX or TCX route file, in document order.

    Format by content first (FIT magic; XML root `gpx` or
    `TrainingCenterDatabase`), then by extension. GPX: every `trk` (its
    `trkseg` segments of `trkpt`) and every `rte` (one segment of `rtept`);
    TCX: every `Activity` and `Course` (its `Track` segments of `Trackpoint`
    with a `Position`). Raises RouteFileError, also when no track or route
    has a segment of two points.
    """
    label = file_label(filename)
    if not isinstance(data, (bytes, bytearray)):
        raise RouteFileError(f"{label}: no file content")
    size = len(data)
    if size > MAX_ROUTE_BYTES:
        raise RouteFileError(f"{label}: file too large ({size} bytes, limit {MAX_ROUTE_BYTES})")
    if size < MIN_ROUTE_BYTES:
        raise RouteFileError(f"{label}: file too small ({size} bytes)")
    ext = extension(filename)
    if is_fit(data):
        raise RouteFileError(f"{label}: FIT format not yet supported")
    if not _looks_like_xml(data):
        if ext == "fit":
            raise RouteFileError(f"{label}: FIT format not yet supported")
        if ext in SUPPORTED_EXTENSIONS:
            raise RouteFileError(f"{label}: invalid XML (not an XML document)")
        raise RouteFileError(
            f"{label}: unsupported file type {('.' + ext) if ext else '(no extension)'}"
        )
    courses, waypoints = _parse_xml(bytes(data), label, ext)
    if not any(len(seg) >= MIN_TRACKPOINTS for course in courses for seg in course.segments):
        raise RouteFileError(
            f"{label}: insufficient trackpoints ({_inventory(courses, waypoints)})"
        )
    return courses


def _inventory(courses: list[Course], waypoints: int) -> str:
    """What a file without a usable course holds, e.g. 'no track or route has
    2 points: 1 track point, 3 route points, 2 waypoints'."""

    def count(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    track = sum(c.points for c in courses if c.kind == TRACK)
    route = sum(c.points for c in courses if c.kind == ROUTE)
    found = [count(track, "track point"), count(route, "route point")]
    if waypoints:
        found.append(count(waypoints, "waypoint"))
    return f"no track or route has {MIN_TRACKPOINTS} points: " + ", ".join(found)


# ----------------------------------------------------------------- XML


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _finite(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except (ValueError, AttributeError):
        return None
    return number if math.isfinite(number) else None


def _point(lat: float | None, lon: float | None, ele: float | None) -> Trackpoint | None:
    if lat is None or lon is None or not (-90.0 <= lat <= 90.0) or not (-180.0 <= lon <= 180.0):
        return None
    if ele is not None and not (MIN_ELEVATION_M <= ele <= MAX_ELEVATION_M):
        ele = None
    return Trackpoint(lat, lon, ele)


def _child(element: Element, name: str) -> Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _gpx_point(element: Element) -> Trackpoint | None:
    ele_el = _child(element, "ele")
    return _point(
        _finite(element.get("lat")),
        _finite(element.get("lon")),
        _finite(ele_el.text) if ele_el is not None else None,
    )


def _tcx_point(element: Element) -> Trackpoint | None:
    position = _child(element, "Position")
    if position is None:
        return None
    lat_el = _child(position, "LatitudeDegrees")
    lon_el = _child(position, "LongitudeDegrees")
    alt_el = _child(element, "AltitudeMeters")
    return _point(
        _finite(lat_el.text) if lat_el is not None else None,
        _finite(lon_el.text) if lon_el is not None else None,
        _finite(alt_el.text) if alt_el is not None else None,
    )


def _events(data: bytes) -> Iterator[tuple[str, Element]]:
    return iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        forbid_dtd=True,
        forbid_entities=True,
        forbid_external=True,
    )


POINT_TAGS = {"gpx": ("trkpt", "rtept"), "tcx": ("Trackpoint",)}
COURSE_TAGS = {"gpx": {"trk": TRACK, "rte": ROUTE}, "tcx": {"Activity": TRACK, "Course": ROUTE}}
SEGMENT_TAGS = {"gpx": ("trkseg", "rte"), "tcx": ("Track",)}
WAYPOINT_TAG = "wpt"


class _Builder:
    """Courses as the stream goes: a point belongs to the open course's last
    segment (a point outside any course or segment opens one)."""

    def __init__(self) -> None:
        self.courses: list[tuple[str, list[list[Trackpoint]]]] = []
        self.open = False
        self.waypoints = 0

    def start_course(self, kind: str) -> None:
        self.courses.append((kind, []))
        self.open = True

    def start_segment(self) -> None:
        if not self.open:
            self.start_course(TRACK)
        self.courses[-1][1].append([])

    def add(self, point: Trackpoint) -> None:
        if not self.open or not self.courses[-1][1]:
            self.start_segment()
        self.courses[-1][1][-1].append(point)

    def result(self) -> list[Course]:
        return [
            Course(kind, tuple(tuple(segment) for segment in segments))
            for kind, segments in self.courses
        ]


def _parse_xml(data: bytes, label: str, ext: str) -> tuple[list[Course], int]:
    """(courses, waypoint count). Stream the document; every finished element
    outside a point is dropped from its parent at once, so memory stays flat
    whatever the file holds."""
    built = _Builder()
    kind = ""
    stack: list[Element] = []
    in_point = 0
    try:
        for event, element in _events(data):
            name = _local(element.tag)
            if event == "start":
                if not stack:
                    kind = _root_kind(name, ext, label)
                stack.append(element)
                in_point += name in POINT_TAGS[kind]
                if in_point == 0:
                    _open(built, kind, name)
                continue
            stack.pop()
            if name in POINT_TAGS[kind]:
                in_point -= 1
                point = _gpx_point(element) if kind == "gpx" else _tcx_point(element)
                if point is not None:
                    built.add(point)
            elif in_point == 0:
                built.open = built.open and name not in COURSE_TAGS[kind]
                built.waypoints += name == WAYPOINT_TAG and len(stack) == 1
            if in_point == 0 and stack:
                del stack[-1][:]
    except DefusedXmlException as exc:
        raise RouteFileError(
            f"{label}: refused XML with forbidden constructs ({type(exc).__name__})"
        ) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise RouteFileError(
            f"{label}: invalid or truncated XML (line {line}, column {column})"
        ) from None
    except RecursionError:
        raise RouteFileError(f"{label}: invalid XML (nested too deeply)") from None
    return built.result(), built.waypoints


def _root_kind(name: str, ext: str, label: str) -> str:
    """'gpx' or 'tcx' by the root element, else by the extension."""
    kind = {"gpx": "gpx", "TrainingCenterDatabase": "tcx"}.get(name)
    if kind is None and ext in SUPPORTED_EXTENSIONS:
        kind = ext
    if kind is None:
        raise RouteFileError(f"{label}: unsupported file type (XML root <{name[:40]}>)")
    return kind


def _open(built: _Builder, kind: str, name: str) -> None:
    """A course or segment starts at this element."""
    course = COURSE_TAGS[kind].get(name)
    if course is not None:
        built.start_course(course)
    if name in SEGMENT_TAGS[kind]:
        built.start_segment()
