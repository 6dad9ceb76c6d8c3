"""The coach workflow's publish step: every athlete's folder and the index in one commit.

Same rules as `sync.py --commit` (git.py): one commit only when some data
changed (generation timestamps aside), built on the remote tip without
touching the index or working tree, rebuilt when the remote moved, the README
"Last successful sync" line set. The data files are each athlete's files
under `athletes/<folder>/` (an athlete whose sync never succeeded has only its
`sync_status.json`) and `athletes/index.json`; each athlete folder keeps its
own archive of latest.json snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import OutputFailed
from .archive import ArchivePlan
from .git import LATEST_NAME, OTHER_DATA_FILES, CommitStep, read_publishable

ATHLETES_DIR = "athletes"
INDEX_NAME = "index.json"
STATUS_NAME = "sync_status.json"
ATHLETE_FILES = (LATEST_NAME, *OTHER_DATA_FILES, STATUS_NAME)


class CoachCommitStep(CommitStep):
    """One commit for the athletes in `folders` (names under `data_dir/athletes/`)."""

    def __init__(self, data_dir: Path | str, folders: Sequence[str], **options: Any):
        super().__init__(data_dir, **options)
        self.folders = tuple(folders)

    def _read_files(self) -> dict[str, bytes]:
        base = self.data_dir / ATHLETES_DIR
        index = read_publishable(base / INDEX_NAME)
        if index is None:
            raise OutputFailed(
                f"--commit: {base / INDEX_NAME} not found; run the coach sync first "
                "(python sync.py --athletes all --output-dir DIR)"
            )
        files = {f"{self.prefix}{ATHLETES_DIR}/{INDEX_NAME}": index}
        for folder in self.folders:
            for name in ATHLETE_FILES:
                data = read_publishable(base / folder / name)
                if data is not None:
                    files[f"{self.prefix}{ATHLETES_DIR}/{folder}/{name}"] = data
        return files

    def _archive_plans(self, base: str | None, files: dict[str, bytes]) -> list[ArchivePlan]:
        plans = []
        for folder in self.folders:
            prefix = f"{self.prefix}{ATHLETES_DIR}/{folder}/"
            latest = files.get(prefix + LATEST_NAME)
            if latest is not None:
                plans.append(self._archive_plan(base, prefix, latest))
        return plans
