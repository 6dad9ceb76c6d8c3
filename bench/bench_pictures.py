#!/usr/bin/env python3
"""Benchmark: what the charts and dashboard add to a sync.

It runs the demo sync (fake API, 3 years of data) into one directory several
times and times:
  steady  - the pictures step of each sync after the first (render every
            picture, compare with the file on disk; nothing may be rewritten)
  import  - importing the charts package in a fresh interpreter, after the
            modules every sync imports anyway (the documents and metrics)
and lists the third-party modules the charts import (each would lengthen the
install step of an Actions run).

Usage: python bench/bench_pictures.py [--today 2026-11-23] [--repeat 5]
Targets (issue 15): steady <= 50 ms; install time added <= 5 s.
"""

from __future__ import annotations

import argparse
import ast
import io
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from section11 import rebuild  # noqa: E402
from section11.config import Settings  # noqa: E402
from section11.demo.runner import run_demo  # noqa: E402

CHARTS_DIR = ROOT / "section11" / "outputs" / "charts"


def steady_times(today: date, repeat: int) -> list[float]:
    """Seconds the pipeline spends on the pictures in steady demo syncs (the first
    demo sync writes them; each later one must leave every picture alone)."""
    times: list[float] = []
    original = rebuild.changed_pictures

    def timed(*args: Any) -> dict[str, str]:
        start = time.perf_counter()
        changed = original(*args)
        times.append(time.perf_counter() - start)
        return changed

    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC).replace(hour=9)
    rebuild.changed_pictures = timed
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(output_dir=tmp, now=now)
            run_demo(settings, out=io.StringIO())
            written = _stamps(Path(tmp))
            for _ in range(repeat):
                run_demo(settings, out=io.StringIO())
                assert _stamps(Path(tmp)) == written, "a steady sync rewrote a picture"
    finally:
        rebuild.changed_pictures = original
    return times[1:]


def _stamps(directory: Path) -> dict[Path, int]:
    pictures = [*directory.glob("charts/*.svg"), directory / "dashboard.html"]
    return {p: p.stat().st_mtime_ns for p in pictures}


def import_time() -> float:
    code = (
        "import time, section11.context, section11.outputs.sections; "
        "s = time.perf_counter(); import section11.outputs.charts; "
        "print(time.perf_counter() - s)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return float(done.stdout)


def third_party_imports() -> set[str]:
    """Top-level modules the charts import that are neither stdlib nor section11."""
    found = set()
    for path in CHARTS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "section11"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    times = steady_times(args.today, args.repeat)
    print(
        f"steady sync, pictures rendered and compared, nothing written: "
        f"median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms"
    )
    print(f"import of section11.outputs.charts on top of the sync's: {import_time() * 1000:.0f} ms")
    extra = sorted(third_party_imports())
    print(f"third-party modules the charts import: {', '.join(extra) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
