"""Loop routes around the demo athlete's home, their elevation, and GPX/TCX files.

A route is a closed loop starting and ending at home with a deterministic shape
and an elevation profile of explicit climbs (each followed by its descent) on
top of gentle undulation. The same model feeds outdoor activity streams
(latlng/altitude) and the course files attached to race events
(docs/architecture.md#api-client; the pipeline parses them as in docs/metrics.md#routes).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .profile import HOME_LAT, HOME_LON

KM_PER_DEG_LAT = 111.32


@dataclass(frozen=True)
class Climb:
    start: float  # metres along the route
    length: float  # metres of climbing
    grade: float  # fraction (0.05 = 5 %)
    descent: float = 1.4  # descent length as a multiple of the climb length

    @property
    def height(self) -> float:
        return self.grade * self.length

    def at(self, x: float) -> float:
        x -= self.start
        if x <= 0:
            return 0.0
        if x <= self.length:
            return self.grade * x
        down = self.length * self.descent
        if x <= self.length + down:
            return self.height * (1 - (x - self.length) / down)
        return 0.0


class Route:
    """A closed loop of `length` metres through home with an elevation profile."""

    def __init__(
        self,
        key: str,
        length: float,
        climbs: tuple[Climb, ...],
        base: float = 55.0,
        undulation: tuple[float, float] = (7.0, 3.0),
    ):
        rng = random.Random(f"route-shape:{key}")
        self.length = max(float(length), 200.0)
        self.climbs = climbs
        self.base = base
        k1 = max(1, round(self.length / 7000))
        k2 = max(1, round(self.length / 2300))
        self._waves = (
            (undulation[0], k1, rng.uniform(0, 2 * math.pi)),
            (undulation[1], k2, rng.uniform(0, 2 * math.pi)),
        )
        self._shape = (
            rng.uniform(0.10, 0.28),
            rng.uniform(0, 2 * math.pi),
            rng.uniform(0.04, 0.14),
            rng.uniform(0, 2 * math.pi),
            rng.uniform(0.0, 0.07),
            rng.uniform(0, 2 * math.pi),
            rng.uniform(0, 2 * math.pi),
        )
        self._poly: tuple[list[float], list[float], list[float]] | None = None

    # ------------------------------------------------------------ elevation
    def elevation(self, s: float) -> float:
        s %= self.length
        value = self.base
        for amp, k, phase in self._waves:
            value += amp * math.sin(2 * math.pi * k * s / self.length + phase)
        for climb in self.climbs:
            value += climb.at(s)
        return value

    @property
    def gain(self) -> float:
        """Total ascent (climbs plus the rises of the undulation waves)."""
        return sum(c.height for c in self.climbs) + sum(2 * amp * k for amp, k, _ in self._waves)

    # ------------------------------------------------------------ geometry
    def _polyline(self) -> tuple[list[float], list[float], list[float]]:
        if self._poly is not None:
            return self._poly
        a1, p1, a2, p2, a3, p3, rot = self._shape
        n = int(min(900, max(120, self.length / 200)))
        xs, ys = [], []
        for i in range(n + 1):
            theta = 2 * math.pi * i / n
            r = (
                1
                + a1 * math.sin(theta + p1)
                + a2 * math.sin(2 * theta + p2)
                + a3 * math.sin(3 * theta + p3)
                + 0.015 * math.sin(23 * theta)
            )
            xs.append(r * math.cos(theta + rot))
            ys.append(r * math.sin(theta + rot))
        x0, y0 = xs[0], ys[0]
        xs = [x - x0 for x in xs]
        ys = [y - y0 for y in ys]
        perimeter = sum(math.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]) for i in range(n))
        scale = self.length / 1000 / perimeter  # unit loop -> km
        cos_lat = math.cos(math.radians(HOME_LAT))
        lats = [HOME_LAT + y * scale / KM_PER_DEG_LAT for y in ys]
        lons = [HOME_LON + x * scale / (KM_PER_DEG_LAT * cos_lat) for x in xs]
        cum = [0.0]
        for i in range(n):
            cum.append(cum[-1] + math.hypot(xs[i + 1] - xs[i], ys[i + 1] - ys[i]) * scale * 1000)
        self._poly = (lats, lons, cum)
        return self._poly

    def positions(self, distances: list[float]) -> tuple[list[float], list[float]]:
        """(lats, lons) at non-decreasing distances along the loop (wrapping around)."""
        lats, lons, cum = self._polyline()
        total = cum[-1]
        out_lat, out_lon = [], []
        j = 0
        last = -1.0
        for d in distances:
            s = (d / self.length * total) % total if total else 0.0
            if s < last:
                j = 0
            last = s
            while j < len(cum) - 2 and cum[j + 1] < s:
                j += 1
            seg = cum[j + 1] - cum[j]
            f = (s - cum[j]) / seg if seg > 0 else 0.0
            out_lat.append(lats[j] + (lats[j + 1] - lats[j]) * f)
            out_lon.append(lons[j] + (lons[j + 1] - lons[j]) * f)
        return out_lat, out_lon

    def trackpoints(self, spacing: float = 70.0) -> list[tuple[float, float, float, float]]:
        """(lat, lon, ele, distance) every `spacing` metres, closing the loop."""
        count = max(2, int(self.length // spacing))
        dists = [self.length * i / count for i in range(count + 1)]
        lats, lons = self.positions(dists[:-1])
        lats.append(lats[0])
        lons.append(lons[0])
        return [(la, lo, self.elevation(d), d) for la, lo, d in zip(lats, lons, dists)]


# ----------------------------------------------------------------- per activity

CLIMB_STYLE = {  # kind -> (metres of route per climb, length range, grade range)
    "ride": (24000, (800, 2400), (0.03, 0.072)),
    "gravel": (18000, (600, 2000), (0.03, 0.08)),
    "mtb": (5000, (250, 800), (0.05, 0.11)),
    "run": (9000, (300, 700), (0.02, 0.05)),
    "trail": (3500, (350, 900), (0.05, 0.10)),
    "hike": (4500, (1200, 2600), (0.07, 0.12)),
    "ski": (7000, (400, 1100), (0.03, 0.06)),
    "virtual": (14000, (900, 2800), (0.03, 0.07)),
    "flat": (10**9, (0, 0), (0, 0)),
}


def route_style(sport: str) -> str:
    return {
        "Ride": "ride",
        "GravelRide": "gravel",
        "MountainBikeRide": "mtb",
        "Run": "run",
        "TrailRun": "trail",
        "Hike": "hike",
        "NordicSki": "ski",
        "VirtualRide": "virtual",
    }.get(sport, "flat")


def route_for(key: str, sport: str, length: float) -> Route:
    """The deterministic loop an outdoor (or virtual) session followed."""
    rng = random.Random(f"route:{key}")
    per, (l_lo, l_hi), (g_lo, g_hi) = CLIMB_STYLE[route_style(sport)]
    count = int(length / per + rng.uniform(-0.4, 1.2)) if per < 10**9 else 0
    climbs = []
    if count > 0:
        slot = length / count
        for i in range(count):
            climb_len = rng.uniform(l_lo, l_hi)
            if climb_len * 2.5 > slot:
                climb_len = slot / 2.5
            start = i * slot + rng.uniform(0.05, 0.95) * (slot - climb_len * 2.45)
            climbs.append(Climb(start, climb_len, rng.uniform(g_lo, g_hi)))
    flat = sport in ("Walk", "Swim")
    return Route(
        key,
        length,
        tuple(climbs),
        base=rng.uniform(45, 75),
        undulation=(2.0, 1.0) if flat else (7.0, 3.0),
    )


# ----------------------------------------------------------------- course files


def race_route(seed: int) -> Route:
    """The RACE_A gran fondo loop: 104 km with six Limburg-style climbs."""
    climbs = (
        Climb(11500, 1800, 0.052),
        Climb(26800, 1100, 0.075),
        Climb(40200, 3200, 0.034),
        Climb(57900, 1400, 0.061),
        Climb(73600, 2200, 0.044),
        Climb(88400, 900, 0.078),
    )
    return Route(f"{seed}:race-a", 104000, climbs, base=52.0)


def gravel_route(seed: int) -> Route:
    """The RACE_B gravel course: 62 km, three climbs."""
    climbs = (Climb(9000, 1500, 0.048), Climb(27000, 900, 0.066), Climb(44000, 2100, 0.039))
    return Route(f"{seed}:race-b", 62000, climbs, base=61.0)


def gpx_bytes(route: Route, name: str, spacing: float = 70.0) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="section11 demo" xmlns="http://www.topografix.com/GPX/1/1">',
        f"  <metadata><name>{escape(name)}</name></metadata>",
        f"  <trk><name>{escape(name)}</name><trkseg>",
    ]
    for lat, lon, ele, _ in route.trackpoints(spacing):
        lines.append(f'    <trkpt lat="{lat:.6f}" lon="{lon:.6f}"><ele>{ele:.1f}</ele></trkpt>')
    lines += ["  </trkseg></trk>", "</gpx>", ""]
    return "\n".join(lines).encode("utf-8")


def tcx_bytes(route: Route, name: str, spacing: float = 90.0) -> bytes:
    points = route.trackpoints(spacing)
    first, last = points[0], points[-1]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
        'TrainingCenterDatabase/v2">',
        "  <Courses>",
        "    <Course>",
        f"      <Name>{escape(name[:15])}</Name>",
        "      <Lap>",
        f"        <TotalTimeSeconds>{route.length / 7.5:.0f}</TotalTimeSeconds>",
        f"        <DistanceMeters>{route.length:.1f}</DistanceMeters>",
        f"        <BeginPosition><LatitudeDegrees>{first[0]:.6f}</LatitudeDegrees>"
        f"<LongitudeDegrees>{first[1]:.6f}</LongitudeDegrees></BeginPosition>",
        f"        <EndPosition><LatitudeDegrees>{last[0]:.6f}</LatitudeDegrees>"
        f"<LongitudeDegrees>{last[1]:.6f}</LongitudeDegrees></EndPosition>",
        "        <Intensity>Active</Intensity>",
        "      </Lap>",
        "      <Track>",
    ]
    for lat, lon, ele, dist in points:
        lines.append(
            f"        <Trackpoint><Position><LatitudeDegrees>{lat:.6f}</LatitudeDegrees>"
            f"<LongitudeDegrees>{lon:.6f}</LongitudeDegrees></Position>"
            f"<AltitudeMeters>{ele:.1f}</AltitudeMeters>"
            f"<DistanceMeters>{dist:.1f}</DistanceMeters></Trackpoint>"
        )
    lines += ["      </Track>", "    </Course>", "  </Courses>", "</TrainingCenterDatabase>", ""]
    return "\n".join(lines).encode("utf-8")
