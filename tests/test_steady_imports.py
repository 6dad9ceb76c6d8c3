"""A steady run imports only what it uses (issue 13): the real `sync.py` in a child
process against the fake API, with the modules it loaded listed at exit. A run
whose inputs did not change never loads the rebuild (metrics, documents, the
validator and jsonschema, the pictures) nor the publish and other-source code;
the same run on the next day (a change) loads them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .test_sync_e2e import NOW, env_for

ROOT = Path(__file__).resolve().parent.parent
NEXT_DAY = "2026-11-24T09:00:00+00:00"

# runs sync.py (argv[2:]) and writes the names in sys.modules at exit to argv[1]
PROBE = """
import atexit, json, runpy, sys
from pathlib import Path
record, script = Path(sys.argv[1]), sys.argv[2]
sys.argv = sys.argv[2:]
sys.path.insert(0, str(Path(script).parent))
atexit.register(lambda: record.write_text(json.dumps(sorted(sys.modules))))
runpy.run_path(script, run_name="__main__")
"""

NOT_ON_A_STEADY_RUN = (
    "jsonschema",
    "section11.rebuild",
    "section11.outputs.charts",
    "section11.outputs.sections",
    "section11.outputs.history",
    "section11.outputs.latest",
    "section11.publish.git",
    "section11.publish.commit_mode",
    "section11.publish.github_api",
    "section11.publish.github_client",
    "section11.publish.github_issues",
    "section11.publish.source_issues",
    "section11.publish.updates",
    "section11.publish.update_install",
    "section11.publish.upstream",
    "section11.source_sync",
    "section11.tp_merge",
    "section11.ingest.trainingpeaks",
    "section11.demo",
    "section11.coach",
)
# the metrics the fetch stage itself uses: the curve request plan (curve ids,
# sustainability types) and the route files and terrain streams it reduces
FETCH_METRICS = {
    "section11.metrics",
    "section11.metrics.curves",
    "section11.metrics.sustainability",
    "section11.metrics.terrain",
    "section11.metrics.climbs",
    "section11.metrics.courses",
}


def modules_of_sync(server, tmp_path: Path, now: str) -> set[str]:
    """The modules a `sync.py --output-dir out` process had loaded when it exited."""
    record = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), str(ROOT / "sync.py")]
        + ["--output-dir", str(tmp_path / "out")],
        env=env_for(server, SECTION11_NOW=now),
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(record.read_text()))


def loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(f"{name}.") for m in modules)


def test_a_steady_run_imports_only_the_fetch_and_the_skip(fake_api, tmp_path):
    modules_of_sync(fake_api, tmp_path, NOW)  # first run: writes everything

    steady = modules_of_sync(fake_api, tmp_path, NOW)
    assert len(fake_api.requests) > 0 and "section11.pipeline" in steady
    assert [name for name in NOT_ON_A_STEADY_RUN if loaded(steady, name)] == []
    assert {m for m in steady if m.startswith("section11.metrics")} <= FETCH_METRICS

    changed = modules_of_sync(fake_api, tmp_path, NEXT_DAY)  # a new day: rebuilt
    for name in ("jsonschema", "section11.rebuild", "section11.outputs.charts"):
        assert loaded(changed, name), name
    assert {m for m in changed if m.startswith("section11.metrics")} > FETCH_METRICS
