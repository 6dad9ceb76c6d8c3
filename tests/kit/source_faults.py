"""The "sources" section of the fault table: the optional second sources fail.

Each row starts from a copy of a previous good run (faults.prepare_baseline),
puts one fault on the fake TrainingPeaks or the fake Peloton, and runs one
sync in this process against the fake Intervals.icu (with new activities
upstream) and that source. Rows: TrainingPeaks' expired cookie, token outage,
429 and a refused 90-day range; Peloton's 401, 403, 429, a bad page and items
duplicated across pages. Each must:

- exit 0, every previous file still there and valid, no file added;
- leave the Intervals.icu data complete (every `metadata.sync_status` entry
  `ok`, the new activities in `recent_activities`);
- say what happened in `sources_status.<source>` (the expected status, and on
  a failure a message that the run also printed);
- print and write no piece of the source's secrets (cookie, tokens brought
  or minted).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from section11.demo.peloton_server import FakePeloton
from section11.demo.peloton_view import build_peloton_view
from section11.demo.server import FakeIntervals
from section11.demo.tp_server import FakeTrainingPeaks
from section11.demo.tp_view import build_tp_view
from section11.ingest.peloton import KIND as PELOTON_KIND
from section11.ingest.store_file import open_store

from . import peloton_faults, tp_faults
from .faults import STATE_DIR, TODAY, Baseline, Row, run_sync, snapshot, strict_json

# distinctive: no 6-character run of these occurs in the outputs by chance
TP_COOKIE = "Hq4Wz8Nc2Xv6Rb9Lt3Km7Pd"
TP_TOKEN = "Zc5Vn1Qx7Mb3Wk9Rt2Hy6Jf"
PELOTON_REFRESH = "Fm8Tq2Wd6Kz4Xr9Nb3Vh7Lc"
PELOTON_MINTED = "Rj3Yp7Bw1Nd5Kx9Gq2Tm6Zs"  # + a counter: every minted token
SECRETS = (TP_COOKIE, TP_TOKEN, PELOTON_REFRESH, PELOTON_MINTED)
PIECE = 6

Fake = Any  # FakeTrainingPeaks | FakePeloton
Check = Callable[[dict, Path, Fake, Baseline], list[str]]


@dataclass(frozen=True)
class SourceFault:
    """`arrange(fake)` breaks the source; `status`: what sources_status must say;
    `check(latest, work, fake, baseline)`: row-specific problems."""

    name: str
    where: str  # "trainingpeaks" | "peloton": the sources_status key
    status: str
    arrange: Callable[[Fake], None]
    check: Check | None = None

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.where} {self.name}".lower()).strip("-")


# ----------------------------------------------------------------- the sources


@contextmanager
def trainingpeaks(baseline: Baseline) -> Iterator[tuple[FakeTrainingPeaks, dict[str, str]]]:
    view = dataclasses.replace(build_tp_view(baseline.after), cookie=TP_COOKIE)
    with FakeTrainingPeaks(view, token_factory=lambda: TP_TOKEN) as fake:
        yield fake, {"TP_AUTH_COOKIE": TP_COOKIE, "TRAININGPEAKS_BASE_URL": fake.base_url}


@contextmanager
def peloton(baseline: Baseline) -> Iterator[tuple[FakePeloton, dict[str, str]]]:
    view = build_peloton_view(baseline.after, "Europe/Amsterdam")
    view.refresh_token = PELOTON_REFRESH
    counter = itertools.count(1)
    with FakePeloton(view, token_factory=lambda: f"{PELOTON_MINTED}{next(counter)}") as fake:
        yield (
            fake,
            {
                "PELOTON_REFRESH_TOKEN": PELOTON_REFRESH,
                "PELOTON_CLIENT_ID": view.client_id,
                "PELOTON_BASE_URL": fake.base_url,
                "PELOTON_AUTH_URL": fake.base_url,
            },
        )


SOURCES = {"trainingpeaks": trainingpeaks, "peloton": peloton}


# ----------------------------------------------------------------- faults and checks


def _hook(hook: Any) -> Callable[[Fake], None]:
    return lambda fake: fake.hooks.append(hook)


def _duplicated(fake: FakePeloton) -> None:
    fake.page_shift = 7  # each later page repeats the last 7 items of the one before
    fake.extra_page = True  # and page_count promises one page too many


def _message_names(*words: str) -> Check:
    def check(latest: dict, _work: Path, _fake: Fake, _baseline: Baseline) -> list[str]:
        entry = latest["sources_status"]
        message = next((e.get("message", "") for e in entry.values() if "message" in e), "")
        return [f"the message does not name {w!r}" for w in words if w not in message]

    return check


def _not_called_expired(latest: dict, _work: Path, _fake: Fake, _baseline: Baseline) -> list[str]:
    message = latest["sources_status"]["trainingpeaks"].get("message", "")
    return ["an outage is reported as an expired cookie"] if "expired" in message else []


def _each_ride_once(latest: dict, work: Path, fake: FakePeloton, baseline: Baseline) -> list[str]:
    with open_store(work / STATE_DIR, baseline.after.athlete_id) as store:
        stored = [str(r["workout"]["id"]) for r in store.records(PELOTON_KIND)]
    problems = []
    if sorted(stored) != sorted(w["id"] for w in fake.view.workouts):
        problems.append(f"{len(stored)} rides stored for {len(fake.view.workouts)} workouts")
    ids = [a["id"] for a in latest["recent_activities"]]
    if len(ids) != len(set(ids)):
        problems.append("an activity is listed twice")
    return problems


RANGE_PATH = r"/workouts/\d{4}-\d\d-\d\d/\d{4}-\d\d-\d\d$"
RANGE_REFUSAL = (400, {}, {"message": "Date range cannot exceed 90 days"})

SOURCE_FAULTS: tuple[SourceFault, ...] = (
    SourceFault(
        "expired cookie",
        "trainingpeaks",
        "auth_expired",
        lambda fake: fake.expire_cookie(),
        _message_names("TP_AUTH_COOKIE", "tp auth"),
    ),
    SourceFault(
        "token outage (500)",
        "trainingpeaks",
        "outage",
        _hook(tp_faults.token_outage()),
        _not_called_expired,
    ),
    SourceFault(
        "429", "trainingpeaks", "rate_limited", _hook(tp_faults.rate_limited(r"/workouts/"))
    ),
    SourceFault(
        "90-day refusal",
        "trainingpeaks",
        "error",
        _hook(tp_faults.answering(RANGE_PATH, RANGE_REFUSAL)),
        _message_names("90 days"),
    ),
    SourceFault(
        "401",
        "peloton",
        "auth_expired",
        _hook(peloton_faults.unauthorized()),
        _message_names("PELOTON_REFRESH_TOKEN"),
    ),
    SourceFault(
        "403 (token refused)",
        "peloton",
        "auth_expired",
        _hook(peloton_faults.forbidden()),
        _message_names("PELOTON_REFRESH_TOKEN"),
    ),
    SourceFault(
        "429", "peloton", "rate_limited", _hook(peloton_faults.rate_limited(retry_after="0"))
    ),
    SourceFault("bad page", "peloton", "stale", _hook(peloton_faults.bad_page())),
    SourceFault("duplicated items", "peloton", "ok", _duplicated, _each_ride_once),
)


# ----------------------------------------------------------------- one row


def leaked(text: str) -> list[str]:
    """Every PIECE-character piece of a source secret found in `text`."""
    return [
        secret[i : i + PIECE]
        for secret in SECRETS
        for i in range(len(secret) - PIECE + 1)
        if secret[i : i + PIECE] in text
    ]


def _problems(
    fault: SourceFault,
    baseline: Baseline,
    before: dict[str, bytes],
    after: dict[str, bytes],
    printed: str,
) -> tuple[list[str], dict]:
    problems = [f"{name} is gone" for name in sorted(set(before) - set(after))]
    problems += [f"new file: {name}" for name in sorted(set(after) - set(before))]
    try:
        latest = strict_json(after["latest.json"])
    except (KeyError, ValueError) as exc:
        return problems + [f"latest.json unreadable: {exc}"], {}
    bad = {k: v for k, v in latest["metadata"]["sync_status"].items() if v != "ok"}
    if bad:
        problems.append(f"Intervals.icu incomplete: {bad}")
    shown = {a["id"] for a in latest["recent_activities"]}
    problems += [f"new activity {i} missing" for i in baseline.new_ids if i not in shown]
    entry = latest.get("sources_status", {}).get(fault.where, {})
    if entry.get("status") != fault.status:
        problems.append(f"sources_status.{fault.where} is {entry.get('status')!r}")
    if fault.status != "ok" and (not entry.get("message") or entry["message"] not in printed):
        problems.append("the status message was not printed")
    found = leaked(printed + "".join(d.decode("latin-1") for d in after.values()))
    if found:
        problems.append(f"secret pieces in the output: {sorted(set(found))[:3]}")
    return problems, latest


def run_source_fault(baseline: Baseline, fault: SourceFault, root: Path) -> Row:
    """One row: a copy of the baseline, the fault on its source, one sync."""
    started = time.perf_counter()
    work = root / fault.slug
    shutil.copytree(baseline.directory, work)
    try:
        before = snapshot(work)
        with (
            FakeIntervals(baseline.after, today=TODAY) as server,
            SOURCES[fault.where](baseline) as (fake, env),
        ):
            fault.arrange(fake)
            code, out, err = run_sync(server, work, extra_env=env)
            after = snapshot(work)
            problems, latest = _problems(fault, baseline, before, after, out + err)
            if code == 0 and latest and fault.check is not None:
                problems += fault.check(latest, work, fake, baseline)
        if code != 0:
            problems.insert(0, f"exit {code}: {err.strip()[-200:]}")
        status = latest.get("sources_status", {}).get(fault.where, {}).get("status")
        outcome = f"completed, {fault.where}={status}" if code == 0 else f"exit {code}"
        return Row(
            fault.name,
            fault.where,
            outcome,
            not problems,
            "complete",
            code,
            problems,
            time.perf_counter() - started,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
