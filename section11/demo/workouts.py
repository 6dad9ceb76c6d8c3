"""Workout structures and their intensity maths for the demo athlete.

A session is a tuple of Steps (constant or ramping intensity, as a fraction of
the athlete's threshold) and Repeats. Load follows the TSS definition,
hours x IF^2 x 100, with IF from a 4th-power mean of a 30 s rolling intensity
(the normalised-power idea), so it never depends on the FTP value itself.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

# ----------------------------------------------------------------- structure


@dataclass(frozen=True)
class Step:
    """A stretch of constant (or linearly ramping) target intensity.

    `lo`/`hi` are fractions of the threshold: FTP for power sports, threshold pace
    for runs and swims (`hr_pct` holds the %LTHR target of HR-targeted run steps).
    """

    secs: int
    lo: float
    hi: float
    role: str = "steady"  # warmup | work | rest | cooldown | steady
    text: str | None = None
    hr_pct: int | None = None

    @property
    def mean(self) -> float:
        return (self.lo + self.hi) / 2

    @property
    def quartic(self) -> float:
        """Mean of intensity**4 over the step (exact for a linear ramp)."""
        if abs(self.hi - self.lo) < 1e-9:
            return self.lo**4
        return (self.hi**5 - self.lo**5) / (5 * (self.hi - self.lo))


@dataclass(frozen=True)
class Repeat:
    reps: int
    steps: tuple[Step, ...]
    text: str | None = None


Item = Step | Repeat


def flatten(items: tuple[Item, ...]) -> list[Step]:
    out: list[Step] = []
    for item in items:
        if isinstance(item, Repeat):
            for _ in range(item.reps):
                out.extend(item.steps)
        else:
            out.append(item)
    return out


@dataclass(frozen=True)
class Session:
    day: date
    k: int  # index within the day (activity id suffix)
    sport: str  # Intervals activity type
    kind: str
    start: int  # local seconds after midnight
    indoor: bool
    name: str
    items: tuple[Item, ...]  # workout structure (planned) or the ride's shape (unstructured)
    structured: bool = False
    target: str | None = None  # POWER | HR for planned structured workouts
    planned: str | None = None  # None | "doc" | "text": how its calendar event looks
    skipped: bool = False  # planned, but never done
    race: str | None = None  # RACE_A | RACE_B | RACE_C
    key: bool = False  # the week's guaranteed hard session
    flags: frozenset[str] = field(default_factory=frozenset)

    @property
    def steps(self) -> list[Step]:
        return flatten(self.items)

    @property
    def secs(self) -> int:
        return sum(s.secs for s in self.steps)


# Extra variability of the realised power beyond the block shape (NP/mean inflation).
VARIABILITY = {
    "VirtualRide": 1.006,
    "Ride": 1.012,
    "GravelRide": 1.04,
    "MountainBikeRide": 1.08,
    "VirtualRow": 1.01,
}
COASTING = {"Ride": 0.035, "GravelRide": 0.06, "MountainBikeRide": 0.10}  # share of zeros
POWER_SPORTS = frozenset({"Ride", "VirtualRide", "GravelRide", "MountainBikeRide", "VirtualRow"})
CYCLING = frozenset({"Ride", "VirtualRide", "GravelRide", "MountainBikeRide"})
OUTDOOR_RIDES = frozenset({"Ride", "GravelRide", "MountainBikeRide"})
RUNS = frozenset({"Run", "TrailRun"})


def variability(session: Session) -> float:
    base = VARIABILITY.get(session.sport, 1.0)
    return base + (0.03 if session.race else 0.0)


def realised(session: Session, seed: int) -> list[Step]:
    """What was actually ridden: planned steps with the athlete's small deviations."""
    steps = session.steps
    if not session.structured:
        return steps
    rng = random.Random(f"{seed}:{session.day.isoformat()}:{session.k}:real")
    bias = rng.uniform(-0.01, 0.025)
    out = []
    for s in steps:
        f = 1 + bias + rng.uniform(-0.008, 0.008)
        out.append(Step(s.secs, round(s.lo * f, 4), round(s.hi * f, 4), s.role, s.text, s.hr_pct))
    return out


def _short_run_quartic(run: list[Step]) -> float:
    """Sum of secs x intensity**4 over a run of short steps, after a 30 s rolling mean."""
    bins: list[float] = []
    for s in run:
        bins += [s.mean] * max(1, s.secs // 5)
    window, acc, total = 6, 0.0, 0.0
    for i, v in enumerate(bins):
        acc += v
        if i >= window:
            acc -= bins[i - window]
        total += (acc / min(i + 1, window)) ** 4
    return total * sum(s.secs for s in run) / len(bins)


def intensity_factor(session: Session, steps: list[Step]) -> float:
    """Normalised intensity (NP/FTP style: 4th-power mean of a 30 s rolling mean)."""
    total = sum(s.secs for s in steps)
    if total <= 0:
        return 0.0
    acc = 0.0
    run: list[Step] = []
    for s in steps:
        if s.secs < 60:
            run.append(s)
            continue
        if run:
            acc += _short_run_quartic(run)
            run = []
        acc += s.secs * s.quartic
    if run:
        acc += _short_run_quartic(run)
    coast = COASTING.get(session.sport, 0.0)  # coasting zeros lower NP a little, the mean a lot
    return (acc / total * (1 - coast)) ** 0.25 * variability(session)


def mean_intensity(session: Session, steps: list[Step]) -> float:
    total = sum(s.secs for s in steps)
    if total <= 0:
        return 0.0
    return sum(s.secs * s.mean for s in steps) / total * (1 - COASTING.get(session.sport, 0.0))


def session_load(session: Session, seed: int) -> int:
    """Training load (TSS-like): hours x IF^2 x 100, as an int. Independent of the FTP."""
    if session.skipped:
        return 0
    steps = realised(session, seed)
    return training_load(steps, intensity_factor(session, steps))


def training_load(steps: list[Step], factor: float) -> int:
    """Hours x IF^2 x 100 of realised steps whose intensity factor is known."""
    return int(round(sum(s.secs for s in steps) / 3600 * factor * factor * 100))


# ----------------------------------------------------------------- workouts


def pick_minutes(rng: random.Random, lo: int, hi: int, step: int = 5) -> int:
    """A session length in minutes, lo..hi in steps."""
    return rng.randrange(lo, hi + 1, step)


def start_at(rng: random.Random, hour: float, jitter_min: int = 20) -> int:
    """A start time (local seconds after midnight) around `hour`."""
    return int(hour * 3600) + rng.randint(-jitter_min, jitter_min) * 60 + rng.randint(0, 59)


def S(
    secs: int,
    lo: float,
    hi: float | None = None,
    role: str = "steady",
    text: str | None = None,
    hr_pct: int | None = None,
) -> Step:
    return Step(int(secs), round(lo, 3), round(lo if hi is None else hi, 3), role, text, hr_pct)


def _warmup() -> Step:
    return S(600, 0.50, 0.75, "warmup", "Warmup")


def _cooldown(secs: int = 480) -> Step:
    return S(secs, 0.50, role="cooldown", text="Cooldown")


def workout(kind: str, rng: random.Random, minutes: int = 0) -> tuple[str, tuple[Item, ...]]:
    """(name, structure) of a planned cycling workout."""
    if kind == "vo2":
        reps, work = rng.choice([(5, 240), (6, 180), (4, 300)])
        pct = rng.choice([1.15, 1.18, 1.20])
        main = Repeat(reps, (S(work, pct, role="work"), S(work, 0.50, role="rest")), "Main set")
        return (f"VO2max {reps}x{work // 60}", (_warmup(), S(300, 0.62), main, _cooldown()))
    if kind == "threshold":
        reps, work = rng.choice([(2, 1200), (3, 720), (4, 480)])
        pct = rng.choice([0.96, 0.98, 1.00])
        main = Repeat(reps, (S(work, pct, role="work"), S(300, 0.55, role="rest")), "Threshold")
        return (f"Threshold {reps}x{work // 60}", (_warmup(), main, _cooldown(600)))
    if kind == "sweetspot":
        reps, work = rng.choice([(3, 720), (3, 900), (2, 1200)])
        pct = rng.choice([0.88, 0.90, 0.92])
        main = Repeat(reps, (S(work, pct, role="work"), S(240, 0.55, role="rest")), "Sweet spot")
        return (f"Sweet Spot {reps}x{work // 60}", (_warmup(), main, _cooldown()))
    if kind == "tempo":
        work = rng.choice([1200, 1500, 1800])
        main = Repeat(
            2,
            (S(work, rng.choice([0.80, 0.83, 0.85]), role="work"), S(300, 0.55, role="rest")),
            "Tempo",
        )
        return (f"Tempo 2x{work // 60}", (_warmup(), main, _cooldown()))
    if kind == "thirty_fifteen":
        sets, reps = rng.choice([(3, 10), (2, 13), (3, 11)])
        work_pct = rng.choice([1.25, 1.28, 1.30])
        pairs: list[Step] = []
        for _ in range(reps):
            pairs += [S(30, work_pct, role="work"), S(15, 0.50, role="rest")]
        if rng.random() < 0.6:  # set recovery written as the first step of the repeat
            block = Repeat(
                sets, (S(240, 0.50, role="rest", text="Set recovery"), *pairs), "30/15 sets"
            )
            items: tuple[Item, ...] = (_warmup(), S(300, 0.65), block, _cooldown())
        else:
            block = Repeat(sets, tuple(pairs), "30/15 sets")
            items = (_warmup(), S(300, 0.65), block, S(300, 0.5, role="rest"), _cooldown())
        return (f"30/15 {sets}x{reps}", items)
    if kind == "flat_alt":
        reps = rng.choice([6, 8])
        flat: list[Step] = []
        for _ in range(reps):
            flat += [S(40, 1.50, role="work"), S(20, 0.50, role="rest")]
        return (
            f"40/20 {reps}x2",
            (_warmup(), S(300, 0.62), *flat, S(480, 0.55), *flat, _cooldown(600)),
        )
    if kind == "opener":
        main = Repeat(3, (S(60, 1.20, role="work"), S(180, 0.55, role="rest")), "Openers")
        return ("Openers 3x1", (_warmup(), main, S(900, 0.65), _cooldown(300)))
    if kind == "recovery":
        return ("Recovery spin", (S(max(minutes, 35) * 60, 0.50, text="Easy spin"),))
    # "steady": a plain endurance ride, no repeats
    endurance = max(minutes - 15, 40) * 60
    return (
        f"Endurance {minutes}min",
        (
            S(600, 0.55, role="warmup", text="Warmup"),
            S(endurance, rng.choice([0.66, 0.68, 0.70]), text="Endurance"),
            _cooldown(300),
        ),
    )


def run_workout(rng: random.Random) -> tuple[str, tuple[Item, ...]]:
    """Tempo run with %LTHR targets (pace fractions are what the legs did)."""
    reps = rng.choice([3, 4])
    main = Repeat(
        reps, (S(480, 0.95, role="work", hr_pct=95), S(180, 0.76, role="rest", hr_pct=83)), "Tempo"
    )
    return (
        f"Tempo run {reps}x8",
        (
            S(900, 0.76, role="warmup", text="Warmup", hr_pct=82),
            main,
            S(600, 0.74, role="cooldown", text="Cooldown", hr_pct=80),
        ),
    )


def free_ride(
    rng: random.Random, secs: int, mean: float, spread: float, surges: float = 0.0
) -> tuple[Step, ...]:
    """The shape of an unstructured session: random blocks around a mean intensity."""
    out: list[Step] = []
    left = int(secs)
    while left > 0:
        if surges and rng.random() < surges:
            length = rng.randint(40, 200)
            rel = rng.uniform(1.05, 1.45)
        else:
            length = rng.randint(240, 1080)
            rel = min(1.05, max(0.40, rng.gauss(mean, spread)))
        length = min(length, left)
        if left - length < 60:
            length = left
        out.append(S(length, rel))
        left -= length
    return tuple(out)
