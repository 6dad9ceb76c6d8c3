"""`python sync.py tp ...`: TrainingPeaks from the command line (read only).

The commands of the TrainingPeaks skill, with the same meaning:

    tp auth <cookie>              store the Production_tpAuth cookie (0600 config) and check it
    tp auth-status                where the cookie comes from, whether it still works
    tp profile                    the account and its thresholds
    tp workouts <start> <end>     workouts in a range of at most 90 days
        [--filter all|planned|completed]
    tp workout <id>               one workout: description, comments, metrics
    tp fitness [--days N]         CTL / ATL / TSB, summary and the last 14 days
    tp peaks <Bike|Run> <type> [--days N]   ranked personal records

Tables by default, `--json` for the raw answer. The cookie comes from the
command (`tp auth`), then TP_AUTH_COOKIE, then the config file; when none is
set and the skill's ~/.trainingpeaks/cookie exists, the user is offered it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from .config import config_location, parse_now, read_config_file
from .errors import ApiFailed, AuthFailed, InvalidInput, MissingCredentials
from .sources import trainingpeaks as tp
from .sources.tp_errors import (
    PASTE_HINT,
    AuthExpired,
    BadCookie,
    RangeTooLong,
    TrainingPeaksError,
)

COOKIE_ENV = "TP_AUTH_COOKIE"
CONFIG_KEY = "tp_auth_cookie"
SKILL_COOKIE = Path(".trainingpeaks") / "cookie"
FITNESS_SEED_DAYS = 365  # TP seeds CTL at 0 on the first day: ask for a year at least
FITNESS_TABLE_DAYS = 14
DEFAULT_FITNESS_DAYS = 90
DEFAULT_PEAK_DAYS = 3650
FILTERS = ("all", "planned", "completed")

Ask = Callable[[str], str]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        raise InvalidInput(f"tp: {message}; see `python sync.py tp --help`")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sync.py tp", description="TrainingPeaks, read only.")
    parser.add_argument("--config", help="config file (as for a sync)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    auth = sub.add_parser("auth", help="store and check the Production_tpAuth cookie")
    auth.add_argument("cookie", help="the cookie value, or Production_tpAuth=<value>")
    sub.add_parser("auth-status", help="is the cookie set and still valid?")
    _with_json(sub.add_parser("profile", help="account and thresholds"))
    workouts = _with_json(sub.add_parser("workouts", help="workouts in a date range (<= 90 days)"))
    workouts.add_argument("start", help="YYYY-MM-DD")
    workouts.add_argument("end", help="YYYY-MM-DD")
    workouts.add_argument("--filter", choices=FILTERS, default="all")
    workout = _with_json(sub.add_parser("workout", help="one workout in full"))
    workout.add_argument("workout_id")
    fitness = _with_json(sub.add_parser("fitness", help="CTL / ATL / TSB"))
    fitness.add_argument("--days", type=int, default=DEFAULT_FITNESS_DAYS)
    peaks = _with_json(sub.add_parser("peaks", help="personal records"))
    peaks.add_argument("sport", help="Bike or Run")
    peaks.add_argument("pr_type", help="e.g. power20min, speed5K")
    peaks.add_argument("--days", type=int, default=DEFAULT_PEAK_DAYS)
    return parser


def _with_json(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--json", action="store_true", help="the raw API answer")
    return parser


# ----------------------------------------------------------------- entry point


def run_tp(
    argv: list[str],
    environ: Mapping[str, str],
    secrets: list[str],
    *,
    out: TextIO | None = None,
    ask: Ask | None = None,
) -> int:
    """Run one `tp` command; TrainingPeaks errors become SyncErrors (exit codes)."""
    out = out or sys.stdout
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else 0
    if args.command == "auth":
        secrets.append(args.cookie)
    failure: TrainingPeaksError | None = None
    try:
        return _COMMANDS[args.command](args, environ, secrets, out, ask or _prompt)
    except TrainingPeaksError as exc:
        failure = exc
    raise _as_sync_error(failure)


def _as_sync_error(failure: TrainingPeaksError) -> Exception:
    if isinstance(failure, (BadCookie, RangeTooLong)):
        return InvalidInput(failure.message)
    if isinstance(failure, AuthExpired):
        return AuthFailed(failure.message)
    return ApiFailed(failure.message)


def _prompt(question: str) -> str:
    if not sys.stdin.isatty():
        return ""
    try:
        return input(question)
    except EOFError:
        return ""


# ----------------------------------------------------------------- the cookie


def _today(environ: Mapping[str, str]) -> date:
    text = (environ.get("SECTION11_NOW") or "").strip()
    return (parse_now(text) if text else datetime.now(UTC)).astimezone().date()


def _home(environ: Mapping[str, str]) -> Path:
    return Path(environ.get("HOME") or Path.home())


def find_cookie(
    args: argparse.Namespace, environ: Mapping[str, str], out: TextIO, ask: Ask
) -> tuple[str, str]:
    """(cookie, where it came from): TP_AUTH_COOKIE, then the config file, then
    (offered, and copied into the config when accepted) the skill's file."""
    from_env = (environ.get(COOKIE_ENV) or "").strip()
    if from_env:
        return from_env, COOKIE_ENV
    path, _ = config_location(args.config, environ)
    if path is not None:
        stored = read_config_file(path).get(CONFIG_KEY)
        if isinstance(stored, str) and stored.strip():
            return stored.strip(), f"config file {path}"
    skill = _home(environ) / SKILL_COOKIE
    if skill.is_file():
        answer = ask(f"No TrainingPeaks cookie is set; use the one in {skill}? [y/N] ")
        if answer.strip().lower() in ("y", "yes"):
            cookie = skill.read_text(encoding="utf-8").strip()
            where = store_cookie(args, environ, tp.normalize_cookie(cookie))
            print(f"Copied it into {where} (mode 600).", file=out)
            return cookie, f"config file {where}"
    raise MissingCredentials(f"no TrainingPeaks cookie is set: {PASTE_HINT}")


def store_cookie(args: argparse.Namespace, environ: Mapping[str, str], cookie: str) -> Path:
    """Write the cookie into the config file (created 0600), other keys kept."""
    from .publish.files import dump_json, write_files_atomic

    path, _ = config_location(args.config, environ, for_writing=True)
    assert path is not None
    data = read_config_file(path) if path.exists() else {}
    data[CONFIG_KEY] = cookie
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    write_files_atomic({path: dump_json(data, name=str(path))}, mode=0o600)
    return path


def _client(cookie: str, environ: Mapping[str, str]) -> tp.TrainingPeaksClient:
    return tp.TrainingPeaksClient(cookie, environ.get(tp.BASE_URL_ENV) or None)


def _open(args, environ, secrets, out, ask) -> tp.TrainingPeaksClient:
    cookie, _ = find_cookie(args, environ, out, ask)
    secrets.append(cookie)
    return _client(cookie, environ)


# ----------------------------------------------------------------- formatting


def _num(value: Any, digits: int = 0, unit: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "-"
    return f"{value:.{digits}f}{unit}"


def _hours(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        return "-"
    minutes = round(value * 60)
    return f"{minutes // 60}:{minutes % 60:02d}"


def _km(meters: Any) -> str:
    return _num(meters / 1000, 1, " km") if isinstance(meters, (int, float)) else "-"


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain left-aligned text table."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(line.rstrip() for line in lines)


def _dump(value: Any, out: TextIO) -> int:
    print(json.dumps(value, indent=2, ensure_ascii=False), file=out)
    return 0


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"tp: {what} must be a date as YYYY-MM-DD") from None


def _positive(days: int) -> int:
    if days < 1:
        raise InvalidInput("tp: --days must be at least 1")
    return days


# ----------------------------------------------------------------- commands


def cmd_auth(args, environ, secrets, out, ask) -> int:
    cookie = tp.normalize_cookie(args.cookie)
    with _client(cookie, environ) as client:
        client.exchange()
        user = client.user()
        athlete = client.athlete_id()
        minutes = round(client.token_seconds_left / 60)
    where = store_cookie(args, environ, cookie)
    print("✓ Authenticated.", file=out)
    print(f"Account: {user.get('username') or '-'}", file=out)
    print(f"Athlete ID: {athlete}", file=out)
    print(f"Token expires in: {minutes} min", file=out)
    print(f"Cookie saved in {where} (mode 600).", file=out)
    return 0


def cmd_auth_status(args, environ, secrets, out, ask) -> int:
    cookie, where = find_cookie(args, environ, out, ask)
    secrets.append(cookie)
    print(f"Cookie: set ({where})", file=out)
    with _client(cookie, environ) as client:
        client.exchange()
        print(f"Token: valid ({round(client.token_seconds_left / 60)} min left)", file=out)
        print(f"Athlete ID: {client.athlete_id()}", file=out)
    print("✓ Ready", file=out)
    return 0


def cmd_profile(args, environ, secrets, out, ask) -> int:
    with _open(args, environ, secrets, out, ask) as client:
        user = client.user()
        athlete = client.athlete_id()
    if args.json:
        return _dump(user, out)
    first = (user.get("athletes") or [{}])[0] or {}
    name = " ".join(str(p) for p in (user.get("firstName"), user.get("lastName")) if p)
    rows = [
        ("Name", name or "-"),
        ("Email", user.get("username") or "-"),
        ("Athlete ID", str(athlete)),
        ("Account", user.get("accountType") or "-"),
        ("Bike FTP", _num(first.get("cyclingFtp"), 0, " W")),
        ("Run FTP", _num(first.get("runningFtp"), 2)),
        ("Weight", _num(first.get("weight"), 1, " kg")),
    ]
    print("Profile\n" + "=" * 40, file=out)
    for label, value in rows:
        print(f"{label + ':':<12} {value}", file=out)
    return 0


def _status(w: dict[str, Any]) -> bool:
    return (
        bool(w.get("completed"))
        or isinstance(w.get("totalTime"), (int, float))
        and w["totalTime"] > 0
    )


def cmd_workouts(args, environ, secrets, out, ask) -> int:
    start, end = _day(args.start, "start"), _day(args.end, "end")
    if end < start:
        raise InvalidInput("tp: the end date is before the start date")
    with _open(args, environ, secrets, out, ask) as client:
        rows = client.workouts_checked(start, end)
    if args.filter != "all":
        rows = [w for w in rows if _status(w) == (args.filter == "completed")]
    if args.json:
        return _dump(rows, out)
    body = [
        [
            (w.get("workoutDay") or "")[:10],
            str(w.get("title") or "-"),
            tp.sport_name(w.get("workoutTypeValueId")) or "-",
            "✓" if _status(w) else "○",
            _hours(w.get("totalTimePlanned")),
            _hours(w.get("totalTime")),
            _num(w.get("tssActual") if _status(w) else w.get("tssPlanned")),
            _km(w.get("distance") if _status(w) else w.get("distancePlanned")),
        ]
        for w in rows
    ]
    headers = ["Date", "Title", "Sport", "Status", "Planned", "Actual", "TSS", "Distance"]
    print(table(headers, body), file=out)
    print(f"{len(rows)} workouts", file=out)
    return 0


def cmd_workout(args, environ, secrets, out, ask) -> int:
    with _open(args, environ, secrets, out, ask) as client:
        w = client.workout(args.workout_id)
    if args.json:
        return _dump(w, out)
    print(f"Workout: {w.get('title') or '-'}\n" + "=" * 50, file=out)
    fields = [
        ("Date", (w.get("workoutDay") or "")[:10]),
        ("Sport", tp.sport_name(w.get("workoutTypeValueId")) or "-"),
        ("Status", "completed ✓" if _status(w) else "planned ○"),
        ("Planned", _hours(w.get("totalTimePlanned"))),
        ("Actual", _hours(w.get("totalTime"))),
        ("TSS", f"{_num(w.get('tssActual'))} (planned {_num(w.get('tssPlanned'))})"),
        ("IF", f"{_num(w.get('if'), 2)} (planned {_num(w.get('ifPlanned'), 2)})"),
        ("Distance", _km(w.get("distance") or w.get("distancePlanned"))),
        ("Avg power", _num(w.get("powerAverage"), 0, " W")),
        ("NP", _num(w.get("normalizedPowerActual"), 0, " W")),
        ("Avg HR", _num(w.get("heartRateAverage"), 0, " bpm")),
        ("Feeling", _num(w.get("feeling"))),
        ("RPE", _num(w.get("rpe"))),
    ]
    for label, value in fields:
        print(f"{label + ':':<11} {value}", file=out)
    for label, key in (
        ("Description", "description"),
        ("Coach comments", "coachComments"),
        ("Athlete comments", "athleteComments"),
    ):
        if w.get(key):
            print(f"\n{label}:\n{w[key]}", file=out)
    return 0


def form_label(tsb: float) -> str:
    """A plain-words reading of TSB (the skill's convention, not TrainingPeaks')."""
    if tsb > 25:
        return "very fresh (detraining risk)"
    if tsb > 5:
        return "fresh"
    if tsb >= -10:
        return "neutral"
    if tsb >= -30:
        return "tired (productive training)"
    return "very tired (overreaching risk)"


def cmd_fitness(args, environ, secrets, out, ask) -> int:
    days = _positive(args.days)
    end = _today(environ)
    start = end - timedelta(days=max(days, FITNESS_SEED_DAYS) - 1)
    with _open(args, environ, secrets, out, ask) as client:
        rows = client.fitness(start, end)[-days:]
    if args.json:
        return _dump(rows, out)
    if not rows:
        print("No fitness data in that range.", file=out)
        return 0
    last = rows[-1]
    tsb = last.get("tsb")
    print(f"Fitness on {(last.get('workoutDay') or '')[:10]}", file=out)
    print(
        f"CTL {_num(last.get('ctl'), 1)}  ATL {_num(last.get('atl'), 1)}  "
        f"TSB {_num(tsb, 1)}" + (f"  ({form_label(tsb)})" if isinstance(tsb, (int, float)) else ""),
        file=out,
    )
    body = [
        [
            (r.get("workoutDay") or "")[:10],
            _num(r.get("tssActual")),
            _num(r.get("ctl"), 1),
            _num(r.get("atl"), 1),
            _num(r.get("tsb"), 1),
        ]
        for r in rows[-FITNESS_TABLE_DAYS:]
    ]
    print(table(["Date", "TSS", "CTL", "ATL", "TSB"], body), file=out)
    return 0


def cmd_peaks(args, environ, secrets, out, ask) -> int:
    if args.pr_type not in tp.PR_TYPES.get(args.sport, ()):
        raise InvalidInput(tp.invalid_pr_message(args.sport, args.pr_type))
    end = _today(environ)
    start = end - timedelta(days=_positive(args.days))
    with _open(args, environ, secrets, out, ask) as client:
        rows = client.peaks(args.sport, args.pr_type, start, end)
    if args.json:
        return _dump(rows, out)
    unit = (
        " W"
        if args.pr_type.startswith("power")
        else (" bpm" if args.pr_type.startswith("hR") else " m/s")
    )
    digits = 2 if unit == " m/s" else 0
    body = [
        [
            str(r.get("rank", "-")),
            _num(r.get("value"), digits, unit),
            (r.get("workoutDate") or "")[:10],
            str(r.get("workoutTitle") or "-"),
        ]
        for r in rows
    ]
    print(f"{args.sport} {args.pr_type}, last {args.days} days", file=out)
    print(table(["Rank", "Value", "Date", "Workout"], body), file=out)
    return 0


_COMMANDS = {
    "auth": cmd_auth,
    "auth-status": cmd_auth_status,
    "profile": cmd_profile,
    "workouts": cmd_workouts,
    "workout": cmd_workout,
    "fitness": cmd_fitness,
    "peaks": cmd_peaks,
}
