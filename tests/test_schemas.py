"""The published data contract: schemas/*.schema.json, validation before writing,
and the generated data dictionary docs/fields.md (issue 6, part 1)."""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from section11 import pipeline, rebuild
from section11.errors import EXIT_OUTPUT_FAILED, OutputFailed
from section11.outputs import validate as validate_mod
from section11.outputs.history import SCHEMA_VERSION as HISTORY_SCHEMA_VERSION
from section11.outputs.intervals import SCHEMA_VERSION as INTERVALS_SCHEMA_VERSION
from section11.outputs.latest import LATEST_SCHEMA_VERSION
from section11.outputs.routes import ROUTES_SCHEMA_VERSION
from section11.outputs.validate import (
    ALL_SCHEMA_FILES,
    SCHEMA_DIR,
    SCHEMA_FILES,
    compile_schema,
    first_error,
    load_schema,
    validate_document,
    validate_documents,
)
from tests.kit.fast_client import use_fast_client
from tests.kit.replay import DemoReplay

from .helpers import run_cli

ROOT = Path(__file__).resolve().parent.parent
NAMES = list(SCHEMA_FILES)  # what one sync writes
ALL_NAMES = list(ALL_SCHEMA_FILES)  # and the coach mode's files
NOW = "2026-11-23T09:00:00+00:00"


def load_gen_fields():
    spec = importlib.util.spec_from_file_location("gen_fields", ROOT / "scripts" / "gen_fields.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ----------------------------------------------------------------- the schemas themselves


@pytest.mark.parametrize("name", ALL_NAMES)
def test_schema_is_valid_draft_2020_12(name):
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["title"] == name and schema["description"].strip()


def test_schemas_live_next_to_the_package():
    assert SCHEMA_DIR == ROOT / "schemas"
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json")) == sorted(
        ALL_SCHEMA_FILES.values()
    )


# Keywords whose subschemas define fields (and so must be described). if/then/else,
# not and contains only add constraints to fields defined elsewhere.
FIELD_MAPS = ("properties", "patternProperties", "$defs")
FIELD_SCHEMAS = ("items", "additionalProperties")
FIELD_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")


def undescribed(schema: dict) -> list[str]:
    """JSON pointers of field definitions without a non-empty description."""
    missing = []

    def described(node) -> bool:
        if not isinstance(node, dict):
            return True  # true/false schemas
        if isinstance(node.get("description"), str) and node["description"].strip():
            return True
        ref = node.get("$ref")
        if ref:
            target = schema
            for part in ref[2:].split("/"):
                target = target[part]
            return described(target)
        return False

    def walk(node, pointer):
        if not isinstance(node, dict):
            return
        for key in FIELD_MAPS:
            for name, sub in node.get(key, {}).items():
                if key != "$defs" and not described(sub):
                    missing.append(f"{pointer}/{key}/{name}")
                walk(sub, f"{pointer}/{key}/{name}")
        for key in FIELD_SCHEMAS:
            sub = node.get(key)
            if isinstance(sub, dict):
                if not described(sub):
                    missing.append(f"{pointer}/{key}")
                walk(sub, f"{pointer}/{key}")
        for key in FIELD_LISTS:
            for i, sub in enumerate(node.get(key, [])):
                walk(sub, f"{pointer}/{key}/{i}")

    walk(schema, "#")
    return missing


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_field_has_a_description(name):
    assert undescribed(load_schema(name)) == []


def test_description_walk_finds_a_missing_description():
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "description": "fine"},
            "b": {"type": "object", "description": "x", "properties": {"c": {"type": "number"}}},
            "d": {"$ref": "#/$defs/e"},
            "f": {"type": "array", "description": "x", "items": {"type": "object"}},
        },
        "$defs": {"e": {"type": "string", "description": " "}},
    }
    assert undescribed(schema) == [
        "#/properties/b/properties/c",
        "#/properties/d",
        "#/properties/f/items",
    ]


def test_shared_definitions_are_identical_in_every_schema():
    """latest.json and routes.json share the terrain definitions, latest.json and
    history.json the wellness ones: a $def of the same name must not drift."""
    seen: dict[str, tuple[str, dict]] = {}
    shared = set()
    for name in ALL_NAMES:
        for key, definition in load_schema(name).get("$defs", {}).items():
            if key in seen:
                assert definition == seen[key][1], (
                    f"$defs/{key} differs in {name} and {seen[key][0]}"
                )
                shared.add(key)
            else:
                seen[key] = (name, definition)
    assert {"terrain_summary", "terrain_segment", "wellness_fields", "display_weight"} <= shared


def test_schema_versions_agree_with_the_code_and_the_changelog():
    versions = {
        "latest.json": (
            LATEST_SCHEMA_VERSION,
            load_schema("latest.json")["properties"]["metadata"]["properties"]["schema_version"][
                "const"
            ],
        ),
        "history.json": (
            HISTORY_SCHEMA_VERSION,
            load_schema("history.json")["properties"]["schema_version"]["const"],
        ),
        "intervals.json": (
            INTERVALS_SCHEMA_VERSION,
            load_schema("intervals.json")["properties"]["schema_version"]["const"],
        ),
        "routes.json": (
            ROUTES_SCHEMA_VERSION,
            load_schema("routes.json")["properties"]["schema_version"]["const"],
        ),
    }
    for name, (in_code, in_schema) in versions.items():
        assert in_code == in_schema == load_schema(name)["x-schema-version"], name
    # ftp_history.json carries no version key (reference shape): only the schema has it
    assert "schema_version" not in load_schema("ftp_history.json")["properties"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    for name in ALL_NAMES:
        version = load_schema(name)["x-schema-version"]
        assert f"{name} schema_version {version}" in changelog, name


# ----------------------------------------------------------------- data dictionary


def test_fields_md_is_generated_from_the_schemas():
    gen = load_gen_fields()
    assert (ROOT / "docs" / "fields.md").read_text(encoding="utf-8") == gen.render(), (
        "docs/fields.md is out of date: run python3 scripts/gen_fields.py"
    )
    assert gen.main(["--check"]) == 0


def test_fields_md_lists_fields_with_type_presence_and_description():
    text = (ROOT / "docs" / "fields.md").read_text(encoding="utf-8")
    for row in (
        "| `metadata.schema_version` | always 2 | yes |",
        "| `derived_metrics.acwr` | number or null | yes | Live acute:chronic workload ratio",
        '| `recent_activities[].terrain_summary.climbs[].category` | one of "HC", "Cat 1"',
        "| `summary.by_activity_type.<activity type>.count` | integer | yes |",
        "| `weekly_180d[].acwr` | number or null | yes |",
        "| `outdoor.<YYYY-MM-DD>` | number | no | FTP in effect from that date on, W. |",
        "| `events[].terrain_summary.polyline[]` | array of number | yes |",
    ):
        assert row in text, row
    for name in ALL_NAMES:
        assert f"## {name}" in text


def test_generator_renders_refs_enums_maps_and_arrays():
    gen = load_gen_fields()
    schema = gen.Schema(
        {
            "type": "object",
            "required": ["a", "m"],
            "properties": {
                "a": {"$ref": "#/$defs/kind", "description": "used here"},
                "m": {
                    "type": "object",
                    "description": "map",
                    "x-key": "<id>",
                    "additionalProperties": {"$ref": "#/$defs/rec"},
                },
                "n": {"anyOf": [{"$ref": "#/$defs/rec"}, {"type": "null"}], "description": "maybe"},
                "t": {
                    "type": "array",
                    "description": "tags",
                    "items": {"enum": ["x", "y"], "description": "tag"},
                },
            },
            "$defs": {
                "kind": {"enum": ["p", None], "description": "shared"},
                "rec": {
                    "type": "object",
                    "description": "a record",
                    "required": ["v"],
                    "properties": {"v": {"type": ["integer", "null"], "description": "v | w"}},
                },
            },
        }
    )
    assert gen.rows(schema) == [
        ("a", 'one of "p", null', "yes", "used here"),
        ("m", "object", "yes", "map"),
        ("m.<id>", "object", "no", "a record"),
        ("m.<id>.v", "integer or null", "yes", "v | w"),
        ("n", "object or null", "no", "maybe"),
        ("n.v", "integer or null", "yes", "v | w"),
        ("t", 'array of ("x", "y")', "no", "tags"),
    ]
    assert gen._cell("v | w") == "v \\| w"


# ----------------------------------------------------------------- demo documents validate


def schema_for_key(schema: dict, node: dict, value, key: str):
    """The subschema describing `value[key]`, or None when the schema does not
    mention the key (following $ref, allOf and the matching anyOf branch)."""
    for view in views(schema, node, value):
        if key in view.get("properties", {}):
            return view["properties"][key]
        for pattern, sub in view.get("patternProperties", {}).items():
            if re.search(pattern, key):
                return sub
        if isinstance(view.get("additionalProperties"), dict):
            return view["additionalProperties"]
    return None


def resolve(schema: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
    return node


def views(schema: dict, node, value) -> list[dict]:
    node = resolve(schema, node)
    out = [node]
    for sub in node.get("allOf", []):
        out += views(schema, sub, value)
    for sub in node.get("anyOf", []):
        branch = dict(resolve(schema, sub), **{"$defs": schema.get("$defs", {})})
        if Draft202012Validator(branch).is_valid(value):
            out += views(schema, sub, value)
            break
    return out


def undocumented_keys(schema: dict, document) -> set[str]:
    """Paths of keys present in `document` that its schema does not describe."""
    found = set()

    def walk(node, value, path):
        if isinstance(value, dict):
            for key, sub_value in value.items():
                sub = schema_for_key(schema, node, value, key)
                if sub is None:
                    found.add(f"{path}.{key}")
                else:
                    walk(sub, sub_value, f"{path}.{key}")
        elif isinstance(value, list):
            items = next((v["items"] for v in views(schema, node, value) if "items" in v), None)
            if items is not None:
                for sub_value in value:
                    walk(items, sub_value, f"{path}[]")

    walk(schema, document, "$")
    return found


@pytest.fixture(autouse=True)
def fast_client(monkeypatch):
    use_fast_client(monkeypatch, read_timeout=2)


def env_for(server) -> dict[str, str]:
    return {
        "ATHLETE_ID": server.data.athlete_id,
        "INTERVALS_KEY": server.data.api_key,
        "INTERVALS_BASE_URL": server.base_url,
        "SECTION11_NOW": NOW,
        "HOME": "/nonexistent",
        "XDG_CONFIG_HOME": "/nonexistent",
    }


def output_files(directory: Path) -> dict[str, bytes]:
    return {name: (directory / name).read_bytes() for name in NAMES if (directory / name).is_file()}


@pytest.mark.parametrize("extra", [[], ["--no-anonymize", "--days", "10"]])
def test_demo_sync_documents_validate_and_every_key_is_documented(
    fake_api, tmp_path, capsys, extra
):
    code, _, err = run_cli(
        ["--output-dir", str(tmp_path), *extra], env_for(fake_api), capsys, tmp_path
    )
    assert code == 0, err
    documents = {name: json.loads(raw) for name, raw in output_files(tmp_path).items()}
    assert sorted(documents) == sorted(NAMES)
    validate_documents(documents)
    for name, document in documents.items():
        assert undocumented_keys(load_schema(name), document) == set(), name
    assert documents["latest.json"]["metadata"]["schema_version"] == 2
    # the demo exercises the nested shapes, not just empty lists
    latest = documents["latest.json"]
    assert any("terrain_summary" in a for a in latest["recent_activities"])
    assert latest["derived_metrics"]["capability"]["dfa_a1_profile"] is not None
    assert documents["intervals.json"]["activities"] and documents["routes.json"]["events"]


def test_replayed_demo_days_validate(demo_data, demo_today):
    """Three years of the demo athlete, replayed without HTTP: every document of a
    spread of days (with several display windows) matches its schema."""
    replay = DemoReplay(demo_data)
    checked = 0
    for back, days in [(0, 7), (1, 1), (3, 35), (9, 7), (20, 14)] + [
        (n, 7) for n in range(40, 1095, 45)
    ]:
        day = demo_today - timedelta(days=back)
        documents = rebuild.build_documents(replay.inputs(day, days=days, curves=True))
        for name, document in documents.items():
            error = first_error(name, document)
            assert error is None, f"{day}: {validate_mod.error_line(name, error)}"
            assert undocumented_keys(load_schema(name), document) == set(), (day, name)
            checked += 1
    assert checked >= 4 * 28


def test_compiled_schemas_judge_like_the_published_ones(demo_documents):
    """compile_schema (inlined $refs, no annotations) accepts and rejects exactly
    what the schema files do, with the error at the same path."""
    cases = [(name, doc) for name, doc in demo_documents.items()]
    latest = demo_documents["latest.json"]
    for change in (
        lambda d: d["recent_activities"][0]["display"].__setitem__("distance", "12 km"),
        lambda d: d["recent_activities"][0]["display"].__setitem__("elevation", None),
        lambda d: d["current_status"]["current_metrics"].pop("steps"),
        lambda d: d["current_status"]["current_metrics"].__setitem__("steps", "many"),
        lambda d: d["derived_metrics"].__setitem__("seiler_tid_7d_primary", None),
        lambda d: d["derived_metrics"].__setitem__("seiler_tid_28d_primary", {"z1_seconds": 1}),
        lambda d: d["race_calendar"].__setitem__("next_race", 3),
    ):
        doc = copy.deepcopy(latest)
        change(doc)
        cases.append(("latest.json", doc))
    history = demo_documents["history.json"]
    for change in (
        lambda d: d["daily_90d"][0].pop("readiness"),
        lambda d: d["monthly_1y"][0].__setitem__("z3_pct", "low"),
    ):
        doc = copy.deepcopy(history)
        change(doc)
        cases.append(("history.json", doc))
    verdicts = []
    for name, doc in cases:
        published = best_match(Draft202012Validator(load_schema(name)).iter_errors(doc))
        compiled = first_error(name, doc)
        assert (published is None) == (compiled is None), name
        if published is not None:
            assert list(compiled.absolute_path) == list(published.absolute_path), name
        verdicts.append(compiled is None)
    assert verdicts.count(True) == len(demo_documents) + 2  # the valid ones stay valid
    assert compile_schema(load_schema("latest.json")) == compile_schema(load_schema("latest.json"))
    assert "$defs" in load_schema("latest.json")  # the cached original is not modified


# ----------------------------------------------------------------- invalid documents


@pytest.fixture(scope="module")
def demo_documents(demo_data, demo_today):
    replay = DemoReplay(demo_data)
    return rebuild.build_documents(replay.inputs(demo_today, curves=True))


def tampered(documents, name, change):
    doc = copy.deepcopy(documents[name])
    change(doc)
    return doc


@pytest.mark.parametrize(
    "name,change,message",
    [
        (
            "latest.json",
            lambda d: d["derived_metrics"].__setitem__("acwr", "x"),
            "latest.json: derived_metrics.acwr: 'x' is not of type 'number', 'null'",
        ),
        (
            "latest.json",
            lambda d: d["recent_activities"][2]["display"]["distance"].__setitem__(
                "unit", "furlong"
            ),
            "latest.json: recent_activities[2].display.distance.unit: 'furlong' is not one of "
            "['km', 'mi']",
        ),
        (
            "latest.json",
            lambda d: d["derived_metrics"]["capability"]["durability"].__setitem__(
                "trend", "better"
            ),
            "latest.json: derived_metrics.capability.durability.trend: 'better' is not one of "
            "['improving', 'stable', 'declining', None]",
        ),
        (
            "latest.json",
            lambda d: d["metadata"].pop("schema_version"),
            "latest.json: metadata: 'schema_version' is a required property",
        ),
        (
            "latest.json",
            lambda d: d.pop("alerts"),
            "latest.json: $: 'alerts' is a required property",
        ),
        (
            "latest.json",
            lambda d: d["wellness_data"][0].pop("injury"),
            "latest.json: wellness_data[0]: 'injury' is a required property",
        ),
        (
            "history.json",
            lambda d: d["weekly_180d"][5].pop("total_tss"),
            "history.json: weekly_180d[5]: 'total_tss' is a required property",
        ),
        (
            "history.json",
            lambda d: d.__setitem__("schema_version", 1),
            "history.json: schema_version: 2 was expected",
        ),
        ("routes.json", lambda d: d["events"].append({"event_id": "1"}), None),
        (
            "ftp_history.json",
            lambda d: d["outdoor"].__setitem__("2026-11-01", -5),
            "ftp_history.json: outdoor.2026-11-01: -5 is less than or equal to the minimum of 0",
        ),
        (
            "ftp_history.json",
            lambda d: d.__setitem__("2026-11-01", 250),
            "ftp_history.json: $: Additional properties are not allowed ('2026-11-01' was unexpected)",
        ),
    ],
)
def test_tampered_documents_fail_with_file_and_path(demo_documents, name, change, message):
    documents = dict(demo_documents)
    if "ftp_history.json" not in documents:
        documents["ftp_history.json"] = {"indoor": {"2026-01-05": 240}, "outdoor": {}}
    bad = tampered(documents, name, change)
    with pytest.raises(OutputFailed) as exc:
        validate_documents({**documents, name: bad})
    text = exc.value.message
    assert "\n" not in text
    assert exc.value.exit_code == EXIT_OUTPUT_FAILED
    if message is None:  # routes.json: the appended entry lacks its required keys
        assert text.startswith("routes.json: events[") and "is a required property" in text
    else:
        assert text == message


def test_documents_are_checked_in_order_and_the_first_bad_file_is_named(demo_documents):
    bad_latest = tampered(
        demo_documents, "latest.json", lambda d: d["summary"].__setitem__("total_activities", -1)
    )
    bad_routes = tampered(demo_documents, "routes.json", lambda d: d.__setitem__("events", {}))
    with pytest.raises(OutputFailed, match=r"^routes\.json: events: \{\} is not of type 'array'$"):
        validate_documents({"routes.json": bad_routes, "latest.json": bad_latest})
    with pytest.raises(OutputFailed, match=r"^latest\.json: summary\.total_activities: -1 is less"):
        validate_documents({"latest.json": bad_latest, "routes.json": bad_routes})


def test_the_first_bad_field_in_file_order_is_named(demo_documents):
    def two_faults(doc):
        doc["derived_metrics"]["acwr"] = "x"
        doc["metadata"]["data_range_days"] = 0
        doc["planned_workouts"][0]["has_terrain"] = "no"

    bad = tampered(demo_documents, "latest.json", two_faults)
    with pytest.raises(OutputFailed) as exc:
        validate_document("latest.json", bad)
    assert exc.value.message == (
        "latest.json: metadata.data_range_days: 0 is less than the minimum of 1"
    )


def test_long_offending_values_are_abbreviated(demo_documents):
    bad = tampered(
        demo_documents,
        "latest.json",
        lambda d: d.__setitem__("athlete_notes", {"text": "x" * 5000}),
    )
    with pytest.raises(OutputFailed) as exc:
        validate_document("latest.json", bad)
    text = exc.value.message
    assert text.startswith("latest.json: athlete_notes: <dict {'text': 'xxx")
    assert len(text) < 300 and "is not of type 'string', 'null'" in text


@pytest.mark.parametrize(
    "section",
    [
        "alerts",
        "readiness_decision",
        "health_context",
        "history",
        "derived_metrics",
        "race_calendar",
    ],
)
def test_every_computed_section_is_required(demo_documents, section):
    doc = tampered(demo_documents, "latest.json", lambda d: d.pop(section))
    with pytest.raises(OutputFailed, match=f"'{section}' is a required property"):
        validate_document("latest.json", doc)


def test_unknown_file_and_missing_library_are_one_line_errors(monkeypatch):
    with pytest.raises(OutputFailed, match=r"^notes\.json: no JSON Schema is defined"):
        validate_documents({"notes.json": {}})
    validate_mod.validator_for.cache_clear()
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # as if not installed
    try:
        with pytest.raises(OutputFailed, match="pip install -r requirements.txt"):
            validate_documents({"ftp_history.json": {"indoor": {}, "outdoor": {}}})
    finally:
        monkeypatch.undo()
        validate_mod.validator_for.cache_clear()
    validate_documents({"ftp_history.json": {"indoor": {}, "outdoor": {}}})


def test_schemas_load_from_any_working_directory(tmp_path):
    code = (
        "from section11.outputs.validate import validate_documents as v; "
        "v({'ftp_history.json': {'indoor': {}, 'outdoor': {'2026-01-01': 250}}}); print('ok')"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


# ----------------------------------------------------------------- nothing is written


def break_latest(monkeypatch):
    """compute_sections with derived_metrics.capability.hrrc.mean_hrrc_7d made a string."""
    real = rebuild.compute_sections

    def broken(*args, **kwargs):
        result = real(*args, **kwargs)
        result.derived["capability"]["hrrc"]["mean_hrrc_7d"] = "fast"
        return result

    monkeypatch.setattr(rebuild, "compute_sections", broken)
    return (
        "latest.json: derived_metrics.capability.hrrc.mean_hrrc_7d: 'fast' is not of type "
        "'number', 'null'"
    )


def break_history(monkeypatch):
    """build_history with the first weekly row missing its required total_tss."""
    real = rebuild.build_history

    def broken(*args, **kwargs):
        doc = real(*args, **kwargs)
        del doc["weekly_180d"][0]["total_tss"]
        return doc

    monkeypatch.setattr(rebuild, "build_history", broken)
    return "history.json: weekly_180d[0]: 'total_tss' is a required property"


@pytest.mark.parametrize("breaker", [break_latest, break_history])
def test_an_invalid_document_is_never_written(fake_api, tmp_path, capsys, monkeypatch, breaker):
    env = env_for(fake_api)
    code, _, err = run_cli(["--output-dir", str(tmp_path)], env, capsys, tmp_path)
    assert code == 0, err
    before = output_files(tmp_path)
    assert sorted(before) == sorted(NAMES)

    expected = breaker(monkeypatch)
    # the next day: the documents are rebuilt (a run with nothing new skips the build)
    env = {**env, "SECTION11_NOW": "2026-11-24T09:00:00+00:00"}
    code, out, err = run_cli(["--output-dir", str(tmp_path)], env, capsys, tmp_path)
    assert code == EXIT_OUTPUT_FAILED, err
    assert err.strip() == f"error: {expected}"
    assert output_files(tmp_path) == before  # every previous file byte-identical
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".") and p.suffix == ".tmp"]


def test_validation_runs_before_the_first_write(fake_api, tmp_path, monkeypatch):
    """sync() raises before write_outputs is reached (no partial set of files)."""
    from section11.config import Settings

    calls = []
    monkeypatch.setattr(rebuild, "write_outputs", lambda docs, settings: calls.append(docs) or [])
    break_latest(monkeypatch)
    settings = Settings(
        athlete_id=fake_api.data.athlete_id,
        intervals_key=fake_api.data.api_key,
        base_url=fake_api.base_url,
        output_dir=str(tmp_path),
        now=datetime.fromisoformat(NOW),
    )
    with pytest.raises(OutputFailed, match=r"^latest\.json: derived_metrics\.capability\.hrrc"):
        pipeline.sync(settings)
    assert calls == []
