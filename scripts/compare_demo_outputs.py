#!/usr/bin/env python3
"""Snapshot the demo athlete's output files and compare two snapshots.

A refactor that must not change any number proves it with this script:

    python scripts/compare_demo_outputs.py snapshot /tmp/before   # on the old code
    python scripts/compare_demo_outputs.py snapshot /tmp/after    # on the new code
    python scripts/compare_demo_outputs.py compare /tmp/before /tmp/after

`snapshot` runs the demo twice at a fixed clock (a cold run into an empty
folder, then a steady run over the same folder) and keeps both sets of files.
`compare` reports every difference except timestamps (keys that record when a
file was written or fetched) and exits 1 when there is one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-03-15T09:30:00+01:00"
FILES = ("latest.json", "history.json", "intervals.json", "routes.json", "ftp_history.json")
# Keys whose value is the wall-clock time of the run, not data.
TIMESTAMP_KEYS = {
    "generated_at",
    "last_updated",
    "last_sync",
    "fetched_at",
    "synced_at",
    "generated",
    "timestamp",
    "updated_at",
    "last_fetch",
}


def run_demo(out_dir: Path) -> None:
    env = dict(os.environ, SECTION11_NOW=NOW, SECTION11_UPDATE_CHECK="off")
    subprocess.run(
        [sys.executable, str(ROOT / "sync.py"), "--demo", "--output-dir", str(out_dir)],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def snapshot(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "out"
        for phase in ("cold", "steady"):
            run_demo(work)
            target = dest / phase
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir()
            for name in FILES:
                if (work / name).exists():
                    shutil.copy2(work / name, target / name)
    print(f"snapshot written to {dest}")


def _diff(a, b, path: str, out: list[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key in TIMESTAMP_KEYS:
                continue
            if key not in a or key not in b:
                out.append(f"{path}/{key}: only in {'after' if key in b else 'before'}")
            else:
                _diff(a[key], b[key], f"{path}/{key}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items before, {len(b)} after")
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]", out)
    elif a != b or type(a) is not type(b):
        out.append(f"{path}: {a!r} -> {b!r}")


def compare(before: Path, after: Path) -> int:
    problems: list[str] = []
    for phase in ("cold", "steady"):
        for name in FILES:
            a, b = before / phase / name, after / phase / name
            if a.exists() != b.exists():
                problems.append(
                    f"{phase}/{name}: present {'after' if b.exists() else 'before'} only"
                )
                continue
            if not a.exists():
                continue
            diffs: list[str] = []
            _diff(json.loads(a.read_text()), json.loads(b.read_text()), "", diffs)
            problems += [f"{phase}/{name}{d}" for d in diffs]
    for line in problems[:200]:
        print(line)
    print(f"{len(problems)} difference(s)" if problems else "identical (timestamps aside)")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "snapshot":
        snapshot(Path(argv[1]))
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
