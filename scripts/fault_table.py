#!/usr/bin/env python3
"""Print the fault table: every fault of tests/kit/faults.py on every
call it applies to, against the fake Intervals.icu on 127.0.0.1.

    python scripts/fault_table.py [--only TEXT] [--verbose]

Columns: fault, call, outcome ("completed, status=..." or "exit N"), files
intact. Exits 1 when a row is not intact or its outcome is not the expected
one (a core call that outlasts the retries must fail, everything else must
complete), 0 otherwise.

The fault machinery is test code (tests/kit/, not shipped to data
repositories): the script puts the repository root (its parent directory) on
sys.path, so `tests.kit` and `section11` import from a checkout whatever the
current directory.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# the checkout's root: section11/ and tests/kit/ import from it
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.kit.faults import format_table, run_scenarios, scenarios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
    selected = [
        s for s in scenarios() if needle in s.fault.name.lower() or needle in s.call.name.lower()
    ]
    started = time.perf_counter()

    def progress(row) -> None:
        if args.verbose:
            print(
                f"  {row.seconds:5.2f} s  {row.fault} / {row.call}: {row.outcome}",
                file=sys.stderr,
                flush=True,
            )

    rows = run_scenarios(selected, progress=progress)
    print(format_table(rows))
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
