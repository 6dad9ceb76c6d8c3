"""`sync.py --commit` from the command line: run the commit step (`git.CommitStep`)
on the output's folder, print its summary, and tell GitHub Actions what it did
($GITHUB_OUTPUT `committed=`, a Markdown step summary).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from .git import LATEST_NAME, CommitResult, CommitStep


def step_summary(result: CommitResult) -> str:
    """Markdown for $GITHUB_STEP_SUMMARY."""
    if result.commit is None:
        return "### Training data sync\n\nNo data changed since the last commit; nothing pushed.\n"
    rows = "\n".join(f"| `{name}` |" for name in result.changed)
    text = (
        f"### Training data sync\n\nCommit `{result.commit[:12]}` "
        f"{'pushed to' if result.pushed else 'made on'} `{result.branch}`"
        f" after {result.attempts or 1} attempt(s).\n\n| changed file |\n| --- |\n{rows}\n"
    )
    if result.archived:
        text += f"\nArchive snapshot: `{result.archived}`\n"
    if result.pruned:
        text += f"\nPruned {len(result.pruned)} snapshot(s) past the retention.\n"
    for warning in result.warnings:
        text += f"\n> warning: {warning}\n"
    return text


def append_actions_file(path: str | None, text: str) -> None:
    """Append to a GitHub Actions file ($GITHUB_OUTPUT) when it is set; best effort."""
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        print("warning: could not write the step output", file=sys.stderr)


def run_commit_mode(
    settings,
    retention_days: int | None,
    environ: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """`sync.py --commit [--output PATH | --output-dir DIR] [--archive-retention-days N]`."""
    out, err = out or sys.stdout, err or sys.stderr
    environ = os.environ if environ is None else environ
    if settings.output:
        data_dir, latest = Path(settings.output).parent, Path(settings.output).name
    else:
        data_dir, latest = Path(settings.output_dir or "."), LATEST_NAME
    step = CommitStep(
        data_dir,
        latest_name=latest,
        retention_days=retention_days,
        token=settings.github_token,
        now=settings.now,
        environ=environ,
    )
    result = step.run()
    for line in result.lines():
        print(line, file=err if line.startswith("warning:") else out)
    append_actions_file(
        environ.get("GITHUB_OUTPUT"), f"committed={str(result.commit is not None).lower()}\n"
    )
    summary = environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(step_summary(result))
        except OSError:
            print("warning: could not write the step summary", file=err)
    return 0
