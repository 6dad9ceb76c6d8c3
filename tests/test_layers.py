"""The package's layers, enforced: no import cycle, no import that runs up the layers.

Bottom to top (a module may import from its own layer and the layers below it):

    base      section11/__init__, errors, windows, sports, numbers
    sources   section11/sources/      HTTP client, Intervals.icu endpoints, route files
    ingest    section11/ingest/       list refresh, per-activity resources, store
    model     model.py, *_model.py, context.py, units.py   raw dicts -> dataclasses; inputs; units
    metrics   section11/metrics/      pure functions
    outputs   section11/outputs/, privacy.py
    publish   section11/publish/
    app       pipeline, steady, cli, config, lock, localfiles, section11/coach/ (coach mode)
    demo      section11/demo/         above everything; only cli (for --demo) and tests import it

The imports are read from the source with `ast` (function-level imports count
too), so the test sees what a reader sees.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "section11"

LAYERS = ["base", "sources", "ingest", "model", "metrics", "outputs", "publish", "app", "demo"]
TOP_LEVEL = {
    "__init__": "base",
    "errors": "base",
    "windows": "base",
    "sports": "base",
    "numbers": "base",
    "units": "model",  # unit preferences read the athlete record
    "model": "model",
    "event_model": "model",  # calendar events and planned workouts -> records
    "wellness_model": "model",  # wellness rows -> records
    "curve_model": "model",  # best-effort curves -> records
    "context": "model",
    "origins": "model",  # planned workouts copied by tp2intervals
    "tp_model": "model",  # TrainingPeaks records -> dataclasses
    "peloton_model": "model",  # Peloton workouts -> activities
    "source_only": "model",  # another source's records -> SyncInputs (no Intervals.icu)
    "tp_merge": "model",  # TrainingPeaks merged into the inputs, or standing alone
    "peloton_alone": "metrics",  # a Peloton account as the whole mirror (loads, CTL/ATL)
    "privacy": "outputs",
    "pipeline": "app",
    "steady": "app",
    "rebuild": "app",
    "cli": "app",
    "setup_wizard": "app",  # --setup's questions
    "synclog": "app",  # the program's own sync.log
    "tp_cli": "app",  # `sync.py tp ...` commands
    "source_sync": "app",  # a sync without Intervals.icu
    "config": "app",
    "lock": "app",
    "localfiles": "app",
    "credentials_check": "app",
    "progress": "app",
    "install_check": "app",
}
PACKAGES = {
    "sources": "sources",
    "ingest": "ingest",
    "metrics": "metrics",
    "outputs": "outputs",
    "publish": "publish",
    "demo": "demo",
    "coach": "app",  # coach mode: many athletes, the index, the workflow's plan and publish
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 2:
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in PACKAGES:
        return PACKAGES[parts[1]]
    key = parts[1] if len(parts) >= 2 else "__init__"
    if key not in TOP_LEVEL:
        raise AssertionError(f"{module}: not assigned to a layer in tests/test_layers.py")
    return TOP_LEVEL[key]


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports_of(module: str, path: Path, known: set[str]) -> set[str]:
    """The section11 modules `module` imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            # `from pkg import mod` depends on pkg.mod; `from pkg import name` on pkg
            targets = [
                f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in known else prefix
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target in known:
                found.add(target)
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {name: imports_of(name, path, known) for name, path in mods.items()}


GRAPH = import_graph()


def test_every_module_has_a_layer():
    for name in GRAPH:
        layer_of(name)


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_runs_up_the_layers(module):
    rank = LAYERS.index(layer_of(module))
    upward = sorted(
        f"{target} ({layer_of(target)})"
        for target in GRAPH[module]
        if LAYERS.index(layer_of(target)) > rank
        and not (module == "section11.cli" and layer_of(target) == "demo")  # --demo
    )
    assert not upward, f"{module} ({layer_of(module)}) imports from a higher layer: {upward}"


def test_only_cli_imports_demo():
    offenders = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        for target in targets
        if layer_of(target) == "demo" and layer_of(name) != "demo" and name != "section11.cli"
    )
    assert not offenders


def test_metrics_import_nothing_from_io_layers():
    forbidden = {"sources", "ingest", "outputs", "publish", "app", "demo"}
    offenders = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if layer_of(name) == "metrics"
        for target in targets
        if layer_of(target) in forbidden
    )
    assert not offenders


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules, or None (iterative DFS)."""
    state: dict[str, int] = {}
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(child) == 1:
                return path[path.index(child) :] + [child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(sorted(graph[child]))))
    return None


def test_no_import_cycle():
    assert find_cycle(GRAPH) is None, " -> ".join(find_cycle(GRAPH) or [])


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
