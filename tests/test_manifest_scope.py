"""manifest.json distributes what a data repository runs and nothing of the test kit.

The shipped code is found by walking the imports (top-level and inside
functions) of section11/ starting from sync.py; every module reached must be
listed, and nothing under tests/ may be.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "section11"
TEST_KIT = ("fake_github", "faults", "fault_answers", "replay")


def listed_files() -> set[str]:
    return set(json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))["files"])


def module_file(name: str) -> Path | None:
    """The file of module `name` (dotted) in this checkout, or None if it is not ours."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(path: Path) -> set[str]:
    """Dotted names `path` imports, relative imports resolved; `from x import y`
    yields both x and x.y (y may be a submodule)."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def shipped_modules() -> set[Path]:
    """Every file of this checkout reachable by imports from sync.py."""
    seen: set[Path] = set()
    pending = [ROOT / "sync.py"]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in imported_names(path):
            parts = name.split(".")
            # a module's parent packages run too (their __init__.py)
            for i in range(1, len(parts) + 1):
                found = module_file(".".join(parts[:i]))
                if found is not None and found not in seen:
                    pending.append(found)
    return seen


def test_the_import_walk_reaches_the_package() -> None:
    # guards the walk itself: a broken walker would make the next test vacuous
    reached = {p.relative_to(ROOT).as_posix() for p in shipped_modules()}
    for expected in (
        "sync.py",
        "section11/cli.py",
        "section11/pipeline.py",
        "section11/demo/runner.py",
        "section11/demo/server.py",
        "section11/demo/fake_api.py",
        "section11/model.py",
    ):
        assert expected in reached


def test_every_module_the_shipped_code_imports_is_listed() -> None:
    listed = listed_files()
    missing = sorted(
        p.relative_to(ROOT).as_posix()
        for p in shipped_modules()
        if p.relative_to(ROOT).as_posix() not in listed
    )
    assert missing == []


def test_the_shipped_code_imports_nothing_from_tests() -> None:
    reached = {p.relative_to(ROOT).parts[0] for p in shipped_modules()}
    assert "tests" not in reached


def test_no_test_file_is_listed() -> None:
    listed = listed_files()
    assert sorted(p for p in listed if p.startswith("tests/")) == []
    for name in TEST_KIT:
        assert f"section11/demo/{name}.py" not in listed
        assert f"tests/kit/{name}.py" not in listed
        assert (ROOT / "tests" / "kit" / f"{name}.py").is_file()
