"""Validation of every output document against its JSON Schema before it is written.

The published data contract lives in `schemas/*.schema.json` (Draft 2020-12,
one file per output; docs/fields.md is generated from them). A sync builds
all documents, calls `validate_documents`, and only then writes: an invalid
document is never written, the previous files stay byte-identical and the run
fails with `OutputFailed` (exit code 7) naming the file and the JSON path of
the first bad field, e.g.

    latest.json: derived_metrics.acwr: 'x' is not of type 'number', 'null'

Validation is done by the `jsonschema` library (one validator per schema,
built once per process from an equivalent compiled form of the schema) rather
than by hand-written checks: it implements the whole Draft 2020-12 vocabulary
the schemas use ($ref, anyOf, if/then, const, patterns) and is far better
tested than anything we would write here.

Schemas are read from `<checkout>/schemas/`, next to the `section11/`
package, so the same files serve the repo, an installed data-repo checkout
and the data dictionary generator.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import OutputFailed

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "schemas"

# output file name -> schema file name
SCHEMA_FILES: dict[str, str] = {
    "latest.json": "latest.schema.json",
    "history.json": "history.schema.json",
    "intervals.json": "intervals.schema.json",
    "routes.json": "routes.schema.json",
    "ftp_history.json": "ftp_history.schema.json",
}
# coach mode (README.md#coach-mode): athletes/index.json and each athlete's sync_status.json
COACH_SCHEMA_FILES: dict[str, str] = {
    "index.json": "index.schema.json",
    "sync_status.json": "sync_status.schema.json",
}
ALL_SCHEMA_FILES = {**SCHEMA_FILES, **COACH_SCHEMA_FILES}

MAX_VALUE_CHARS = 80  # an offending value is quoted, but never at length


def schema_path(name: str) -> Path:
    """Path of the schema of output file `name` (e.g. "latest.json")."""
    try:
        return SCHEMA_DIR / ALL_SCHEMA_FILES[name]
    except KeyError:
        raise OutputFailed(f"{name}: no JSON Schema is defined for this file") from None


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema of output file `name`, read once per process."""
    path = schema_path(name)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise OutputFailed(
            f"{name}: cannot read its schema {path.name} "
            f"({type(exc).__name__}); reinstall section11"
        ) from None


# ----------------------------------------------------------------- compilation

# Keywords that only annotate (no validation effect without a format checker).
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "format",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
NULL_SCHEMA = {"type": "null"}


def _merge_all_of(node: dict) -> dict:
    """An object schema whose allOf parts only add properties and required keys,
    with those parts folded in (same meaning, fewer subschemas to descend into)."""
    parts = node.get("allOf")
    if (
        not parts
        or node.get("type") != "object"
        or any(
            key in node
            for key in ("additionalProperties", "patternProperties", "unevaluatedProperties")
        )
    ):
        return node
    properties = dict(node.get("properties", {}))
    required = list(node.get("required", []))
    for part in parts:
        if (
            not isinstance(part, dict)
            or not set(part) <= {"type", "properties", "required"}
            or part.get("type", "object") != "object"
        ):
            return node
        for key, sub in part.get("properties", {}).items():
            if key in properties:
                return node
            properties[key] = sub
        required += [key for key in part.get("required", []) if key not in required]
    out = {k: v for k, v in node.items() if k != "allOf"}
    out["properties"] = properties
    out["required"] = required
    return out


def compile_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An equivalent, faster form of a schema for validation.

    Local `$ref`s are inlined (our schemas are not recursive), annotation
    keywords and `x-*` extensions are dropped, `anyOf [object schema, null]`
    becomes the object schema that also allows null, and allOf parts that only
    add properties are folded into their object. Validation results and error
    paths are unchanged; validation of the demo documents takes about half the
    time (tests/test_schemas.py checks both).
    """
    definitions = schema.get("$defs", {})

    def walk(node: Any, depth: int) -> Any:
        if depth > 64:
            raise OutputFailed("schema nesting too deep (a recursive $ref?)")
        if isinstance(node, list):
            return [walk(item, depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        node = {
            k: v
            for k, v in node.items()
            if k not in ANNOTATIONS and k != "$defs" and not k.startswith("x-")
        }
        ref = node.pop("$ref", None)
        if ref is not None:
            if not ref.startswith("#/$defs/"):
                raise OutputFailed(f"unsupported $ref {ref!r} in an output schema")
            target = walk(definitions[ref[len("#/$defs/") :]], depth + 1)
            if not node:
                return target
            node["allOf"] = [*node.get("allOf", []), target]
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties", "dependentSchemas"):
                out[key] = {name: walk(sub, depth + 1) for name, sub in value.items()}
            else:
                out[key] = walk(value, depth + 1)
        branches = out.get("anyOf")
        if (
            len(out) == 1
            and isinstance(branches, list)
            and len(branches) == 2
            and branches[1] == NULL_SCHEMA
            and isinstance(branches[0], dict)
            and branches[0].get("type") == "object"
        ):
            return {**branches[0], "type": ["object", "null"]}
        return _merge_all_of(out)

    return walk(schema, 0)


@cache
def validator_for(name: str):
    """A compiled Draft 2020-12 validator for output file `name` (built once)."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        raise OutputFailed(
            "the jsonschema package is missing, so the output files cannot be "
            "validated; run: pip install -r requirements.txt"
        ) from None
    return Draft202012Validator(compile_schema(load_schema(name)), format_checker=None)


def json_path(parts: Iterable[Any]) -> str:
    """A readable JSON path: keys joined with '.', list indexes as [i]; '$' for the root."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "$"


def _one_line(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 300 else text[:297] + "..."


def _shorten_values(error) -> str:
    """The error message with a long offending value abbreviated (a whole
    activity record or note text would make the line unreadable)."""
    message = error.message
    instance = repr(error.instance)
    if len(instance) > MAX_VALUE_CHARS and instance in message:
        kind = type(error.instance).__name__
        message = message.replace(instance, f"<{kind} {instance[: MAX_VALUE_CHARS // 2]}...>", 1)
    return message


def first_error(name: str, document: Any):
    """The first validation error of a document (schema order, which follows the
    file's key order), or None when it is valid. An anyOf failure is narrowed to
    the most relevant error inside it, so the path points at the bad field."""
    from jsonschema.exceptions import best_match

    error = next(validator_for(name).iter_errors(document), None)
    return None if error is None else best_match([error])


def error_line(name: str, error) -> str:
    """'<file>: <json path>: <message>' on one line."""
    return _one_line(f"{name}: {json_path(error.absolute_path)}: {_shorten_values(error)}")


def validate_document(name: str, document: Any) -> None:
    """Raise OutputFailed when `document` does not match the schema of `name`."""
    error = first_error(name, document)
    if error is not None:
        raise OutputFailed(error_line(name, error))


def validate_documents(documents: Mapping[str, Any]) -> None:
    """Validate every document (by output file name) before anything is written.

    Raises OutputFailed with a one-line message naming the file and the JSON
    path of the first bad field; files are checked in the order given.
    """
    for name, document in documents.items():
        validate_document(name, document)
