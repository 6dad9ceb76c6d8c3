"""Validation of every output document against its JSON Schema before it is written.

The published data contract lives in `schemas/*.schema.json` (Draft 2020-12,
one file per output; docs/fields.md is generated from them). A sync builds
all documents, calls `validate_documents`, and only then writes: an invalid
document is never written, the previous files stay byte-identical and the run
fails with `OutputFailed` (exit code 7) naming the file and the JSON path of
the first bad field, e.g.

    latest.json: derived_metrics.acwr: 'x' is not of type 'number', 'null'

Validation is done by the `jsonschema` library (one compiled validator per
schema, built once per process) rather than by hand-written checks: it
implements the whole Draft 2020-12 vocabulary the schemas use ($ref, anyOf,
if/then, const, patterns) and is far better tested than anything we would
write here.

Schemas are read from `<checkout>/schemas/`, next to the `section11/`
package, so the same files serve the repo, an installed data-repo checkout
and the data dictionary generator.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

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

MAX_VALUE_CHARS = 80  # an offending value is quoted, but never at length


def schema_path(name: str) -> Path:
    """Path of the schema of output file `name` (e.g. "latest.json")."""
    try:
        return SCHEMA_DIR / SCHEMA_FILES[name]
    except KeyError:
        raise OutputFailed(f"{name}: no JSON Schema is defined for this file") from None


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema of output file `name`, read once per process."""
    path = schema_path(name)
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError) as exc:
        raise OutputFailed(f"{name}: cannot read its schema {path.name} "
                           f"({type(exc).__name__}); reinstall section11") from None


@lru_cache(maxsize=None)
def validator_for(name: str):
    """A compiled Draft 2020-12 validator for output file `name` (built once)."""
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        raise OutputFailed("the jsonschema package is missing, so the output files cannot be "
                           "validated; run: pip install -r requirements.txt") from None
    schema = load_schema(name)
    return Draft202012Validator(schema, format_checker=None)


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
        message = message.replace(instance, f"<{kind} {instance[:MAX_VALUE_CHARS // 2]}...>", 1)
    return message


def first_error(name: str, document: Any):
    """The most relevant validation error of a document, or None when it is valid."""
    from jsonschema.exceptions import best_match

    validator = validator_for(name)
    return best_match(validator.iter_errors(document))


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
