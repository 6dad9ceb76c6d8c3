"""The repository stands alone: no code, doc or script points outside it.

Spec section pointers (`§N`) and paths into a sibling `shared/` folder are not
allowed anywhere in the tree. The public real-world sample data beside the
repository is read by tests at run time (they skip when it is absent), and only
tests/kit/realworld.py knows where it lies (SECTION11_REALWORLD overrides it):
no other file names that folder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = [
    (re.compile("\u00a7"), "a pointer to a spec section outside the repository"),
    (re.compile(r"shared/(design|spec|seeds)\b|shared/design\.md"), "a path into ../shared"),
    (re.compile(r"/work/"), "an absolute path of the development machine"),
    (
        re.compile(r"\bspec/(metrics|pipeline|intervals_api|other_sources|ecosystem)\.md"),
        "the spec",
    ),
    (re.compile(r"\bdesign\.md\b"), "the design notes outside the repository"),
]
SAMPLE_DATA = re.compile(r"shared/realworld|/ \"shared\" /")  # the folder beside the repository
SAMPLE_DATA_HOME = Path("tests/kit/realworld.py")
TEXT_SUFFIXES = {".py", ".md", ".json", ".yml", ".yaml", ".toml", ".txt", ".cfg", ""}


def tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    return [ROOT / name.decode() for name in listed if name]


def test_no_pointer_leaves_the_repository():
    offenders = []
    for path in tracked_files():
        if path.suffix not in TEXT_SUFFIXES or not path.is_file():
            continue
        if path.name == "test_self_contained.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            for pattern, what in FORBIDDEN:
                if pattern.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {what}")
    assert not offenders, "\n".join(offenders[:50]) + f"\n({len(offenders)} in all)"


def test_only_the_kit_knows_where_the_sample_data_lies():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in tracked_files()
        if path.suffix in TEXT_SUFFIXES
        and path.is_file()
        and path.name != "test_self_contained.py"
        and path.relative_to(ROOT) != SAMPLE_DATA_HOME
        for number, line in enumerate(
            path.read_text(encoding="utf-8", errors="replace").splitlines(), 1
        )
        if SAMPLE_DATA.search(line)
    ]
    assert not offenders, "name the sample data through tests/kit/realworld.py: " + ", ".join(
        offenders
    )
    assert SAMPLE_DATA.search((ROOT / SAMPLE_DATA_HOME).read_text(encoding="utf-8"))


def test_the_check_sees_a_pointer(tmp_path):
    line = "see spec/metrics.md \u00a72.3"
    assert any(p.search(line) for p, _ in FORBIDDEN)
    assert not any(p.search("see docs/metrics.md#history-tiers") for p, _ in FORBIDDEN)
