#!/usr/bin/env python3
"""Print the fault table: every fault of tests/kit/faults.py on every
call it applies to, against the fake Intervals.icu on 127.0.0.1.

    python scripts/fault_table.py [--section api|hostile|local|sources|all] [--only TEXT]
                                  [--verbose]

Four sections: "api" (a well-behaved server that fails: every fault of
tests/kit/faults.py on every call it applies to), "hostile" (a server that
misbehaves: tests/kit/hostile_faults.py), "local" (broken local state:
tests/kit/local_faults.py) and "sources" (TrainingPeaks or Peloton fails:
tests/kit/source_faults.py). Columns: fault, call (or where), outcome
("completed, status=..." or "exit N"), files intact. Exits 1 when a row is
not intact or its outcome is not the expected one, 0 otherwise.

The fault machinery is test code (tests/kit/, not shipped to data
repositories): the script puts the repository root (its parent directory) on
sys.path, so `tests.kit` and `section11` import from a checkout whatever the
current directory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

# the checkout's root: section11/ and tests/kit/ import from it
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.faults import Row, format_table, prepare_baseline, run_scenarios, scenarios
from tests.kit.hostile_faults import HOSTILE_FAULTS, run_hostile_fault
from tests.kit.local_faults import LOCAL_FAULTS, run_local_fault
from tests.kit.source_faults import SOURCE_FAULTS, run_source_fault

SECTIONS = ("api", "hostile", "local", "sources")
FAULT_SECTIONS = {
    "hostile": (HOSTILE_FAULTS, run_hostile_fault),
    "local": (LOCAL_FAULTS, run_local_fault),
    "sources": (SOURCE_FAULTS, run_source_fault),
}


def run_section(section: str, needle: str, progress) -> list[Row]:
    """The rows of one section whose fault or call contains `needle`."""
    if section == "api":
        selected = [
            s
            for s in scenarios()
            if needle in s.fault.name.lower() or needle in s.call.name.lower()
        ]
        return run_scenarios(selected, progress=progress) if selected else []
    faults, run = FAULT_SECTIONS[section]
    chosen = [f for f in faults if needle in f.name.lower() or needle in f.where.lower()]
    if not chosen:
        return []
    rows = []
    with tempfile.TemporaryDirectory(prefix="section11-faults-") as tmp:
        baseline = prepare_baseline(Path(tmp))
        for fault in chosen:
            row = run(baseline, fault, Path(tmp))  # type: ignore[arg-type]
            rows.append(row)
            progress(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--section", choices=(*SECTIONS, "all"), default="all", help="which section (default all)"
    )
    parser.add_argument(
        "--only", default="", help="run only the rows whose fault or call contains TEXT"
    )
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print each row as it finishes, and the problems of failed rows",
    )
    args = parser.parse_args(argv)
    needle = args.only.lower()
    started = time.perf_counter()

    def progress(row) -> None:
        if args.verbose:
            print(
                f"  {row.seconds:5.2f} s  {row.fault} / {row.call}: {row.outcome}",
                file=sys.stderr,
                flush=True,
            )

    tables = {}
    for section in SECTIONS if args.section == "all" else (args.section,):
        found = run_section(section, needle, progress)
        if found:
            tables[section] = found
    for section, found in tables.items():
        if len(tables) > 1:
            print(f"\n## {section}\n")
        print(format_table(found))
    rows = [row for found in tables.values() for row in found]
    bad = [r for r in rows if not r.intact or not r.as_expected]
    for row in bad:
        reasons = row.problems or [f"expected the run to {row.expected}"]
        print(f"FAILED: {row.fault} / {row.call}: {'; '.join(reasons)}", file=sys.stderr)
    print(
        f"\n{len(rows)} scenarios, {len(rows) - len(bad)} as expected and intact, "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
