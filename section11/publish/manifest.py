"""manifest.json: the distributable files of this project with their hashes.

Implements docs/architecture.md#updates-and-manifest and the manifest format of docs/architecture.md#updates-and-manifest
(`{"scope": str, "files": {posix path: {"hash": sha256 hex, "description"?}}}`,
paths sorted, indent 2, trailing newline), fixed per weakness 9.6 (docs/architecture.md#reference-weaknesses):

- Hashes are taken over the bytes with CRLF line endings turned into LF in
  text files (files without a NUL byte). The reference hashed raw bytes, so a
  Windows checkout with `core.autocrlf` showed every text file as changed.
- Which files are distributable is an allow-list (the reference walked the
  whole directory, data files included): see `is_distributable`. In a git
  checkout only tracked files count (`git ls-files`); elsewhere the directory
  is walked with the reference's exclusions (hidden entries, `__pycache__`,
  `node_modules`, `.DS_Store`, manifest.json itself).
- Manifests read from elsewhere are validated (`parse_manifest`): every path
  must be a plain relative POSIX path inside the project, so a malformed or
  hostile manifest can never name a file outside it.
- Every entry says whether a data repository runs it (`"runtime": true`:
  sync.py, section11/, schemas/, requirements.txt, the workflow and the data
  repository's README template) or only the project needs it (docs, the
  changelog, the project README, requirements-dev.txt). `--init` copies the
  runtime files and the update check compares only them.
- `plan_update` compares the upstream runtime files with the local copies
  (docs/architecture.md#updates-and-manifest step 3) and the installed manifest.json, so a file the user edited
  while upstream kept it unchanged is not reported, and one the user edited
  that upstream changed too is flagged. The README template is compared with
  the installed manifest only: in a data repository it lives as the managed
  block of README.md (publish/readme.py).
- An installed manifest may carry `source`: the upstream manifest URL recorded
  by `--init` (the update source; there is no default).
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
SCOPE = (
    "Distributable files of section11 (sync.py, section11/, requirements, READMEs, "
    "the auto-sync workflow, docs/, schemas/). hash = SHA-256 of the file's bytes "
    "with CRLF line endings converted to LF in text files (files without NUL bytes), "
    "so Windows checkouts compare equal. runtime = a data repository runs the file "
    "(python sync.py --init copies these; the update check compares only these)."
)

INCLUDE_FILES = frozenset(
    {
        "sync.py",
        "README.md",
        "SECURITY.md",
        "DATA_REPO_README.md",
        "CHANGELOG.md",
        ".github/workflows/auto-sync.yml",
        ".github/workflows/coach-sync.yml",
    }
)
INCLUDE_ROOT_GLOBS = ("requirements*.txt",)
INCLUDE_DIRS = ("section11/", "docs/", "schemas/")
EXCLUDED_PARTS = frozenset({"__pycache__", "node_modules", ".DS_Store"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".tmp", ".bak", ".swp")
GIT_TIMEOUT = 20  # seconds

# What a data repository runs; everything else distributable is the project's.
RUNTIME_FILES = frozenset(
    {
        "sync.py",
        "requirements.txt",
        ".github/workflows/auto-sync.yml",
        ".github/workflows/coach-sync.yml",  # idle unless the variable SECTION11_COACH is true
        "DATA_REPO_README.md",
    }
)
RUNTIME_DIRS = ("section11/", "schemas/")
README_TEMPLATE = "DATA_REPO_README.md"  # becomes README.md's managed block in a data repo
SOURCE_KEY = "source"

_HEX64 = re.compile(r"[0-9a-f]{64}")
_DRIVE = re.compile(r"^[A-Za-z]:")


class ManifestError(ValueError):
    """A manifest that is not valid JSON or not in the expected shape."""


# ----------------------------------------------------------------- hashing


def normalized_bytes(data: bytes) -> bytes:
    """CRLF -> LF for text (no NUL byte); binary files unchanged (weakness 9.6 (docs/architecture.md#reference-weaknesses))."""
    if b"\0" in data:
        return data
    return data.replace(b"\r\n", b"\n")


def content_hash(data: bytes) -> str:
    """SHA-256 hex of the normalized bytes: the manifest's `hash`."""
    return hashlib.sha256(normalized_bytes(data)).hexdigest()


def file_hash(path: str | os.PathLike) -> str:
    return content_hash(Path(path).read_bytes())


# ----------------------------------------------------------------- which files


def safe_relpath(path: Any) -> bool:
    """True for a plain relative POSIX path that stays inside the project."""
    if not isinstance(path, str) or not path or len(path) > 400:
        return False
    if "\\" in path or "\0" in path or path.startswith("/") or _DRIVE.match(path):
        return False
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return False
    if parts[0].lower() == ".git" or any(ord(ch) < 32 for ch in path):
        return False
    return True


def is_distributable(path: str) -> bool:
    """Is this project-relative POSIX path part of a distribution?

    Included: sync.py, section11/**, requirements*.txt, README.md,
    DATA_REPO_README.md, the two workflows (auto-sync.yml, coach-sync.yml), docs/**,
    schemas/**.
    Excluded inside those: hidden entries, caches, temp files, manifest.json.
    Tests, data files (latest.json, archive/, ...) and local state are never
    included because they are not on the list.
    """
    if not safe_relpath(path) or path == MANIFEST_NAME:
        return False
    if path in INCLUDE_FILES:
        return True
    parts = path.split("/")
    if any(p in EXCLUDED_PARTS or p.startswith(".") for p in parts):
        return False
    if path.endswith(EXCLUDED_SUFFIXES):
        return False
    if len(parts) == 1:
        return any(fnmatch.fnmatchcase(path, g) for g in INCLUDE_ROOT_GLOBS)
    return path.startswith(INCLUDE_DIRS)


def is_runtime(path: str) -> bool:
    """Does a data repository run this distributable file?"""
    return path in RUNTIME_FILES or path.startswith(RUNTIME_DIRS)


def entry_is_runtime(path: str, entry: Mapping[str, Any]) -> bool:
    """The entry's `runtime` flag; manifests without flags fall back to `is_runtime`."""
    flag = entry.get("runtime")
    return flag if isinstance(flag, bool) else is_runtime(path)


def runtime_files(manifest: Mapping[str, Any]) -> dict[str, dict]:
    """The runtime entries of a manifest, by path."""
    return {p: dict(e) for p, e in manifest["files"].items() if entry_is_runtime(p, e)}


def _git_tracked(root: Path) -> list[str] | None:
    """Tracked paths when `root` is the top of a git work tree, else None."""
    try:
        top = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
        if top.returncode != 0:
            return None
        if Path(os.fsdecode(top.stdout.strip())).resolve() != root.resolve():
            return None
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached"],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if listed.returncode != 0:
        return None
    return [os.fsdecode(p) for p in listed.stdout.split(b"\0") if p]


def _walk(root: Path) -> Iterable[str]:
    for directory, dirs, files in os.walk(root):
        # hidden directories are skipped, except .github (for the workflow file)
        dirs[:] = sorted(
            d for d in dirs if d not in EXCLUDED_PARTS and (d == ".github" or not d.startswith("."))
        )
        rel_dir = Path(directory).relative_to(root).as_posix()
        for name in files:
            yield name if rel_dir == "." else f"{rel_dir}/{name}"


def distributable_files(root: str | os.PathLike) -> list[str]:
    """Sorted project-relative paths of the distributable regular files in `root`."""
    root = Path(root)
    candidates = _git_tracked(root)
    if candidates is None:
        candidates = list(_walk(root))
    found = set()
    for rel in candidates:
        if not is_distributable(rel):
            continue
        path = root / rel
        if path.is_symlink() or not path.is_file():
            continue  # deleted in the work tree, or not a plain file
        found.add(rel)
    return sorted(found)


# ----------------------------------------------------------------- build / render


def build_manifest(root: str | os.PathLike, previous: Mapping[str, Any] | None = None) -> dict:
    """The manifest of `root`; descriptions of `previous` are kept (docs/architecture.md#updates-and-manifest)."""
    root = Path(root)
    old_files = (previous or {}).get("files") or {}
    files: dict[str, dict[str, Any]] = {}
    for rel in distributable_files(root):
        entry: dict[str, Any] = {"hash": file_hash(root / rel), "runtime": is_runtime(rel)}
        old = old_files.get(rel)
        if isinstance(old, Mapping) and isinstance(old.get("description"), str):
            entry["description"] = old["description"]
        files[rel] = entry
    return {"scope": SCOPE, "files": files}


def render_manifest(manifest: Mapping[str, Any]) -> bytes:
    """Indent 2, paths sorted, trailing newline (the reference's layout)."""
    files = manifest.get("files") or {}
    ordered: dict[str, Any] = {"scope": manifest.get("scope", SCOPE)}
    if isinstance(manifest.get(SOURCE_KEY), str):
        ordered[SOURCE_KEY] = manifest[SOURCE_KEY]
    ordered["files"] = {path: dict(files[path]) for path in sorted(files)}
    return (json.dumps(ordered, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def parse_manifest(data: bytes, source: str = MANIFEST_NAME) -> dict:
    """Validate a manifest's bytes; ManifestError names `source` and the problem."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise ManifestError(f"{source} is not valid JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("files"), dict):
        raise ManifestError(f'{source} has no "files" object')
    if not document["files"]:
        raise ManifestError(f"{source} lists no files")
    files: dict[str, dict[str, Any]] = {}
    for path, entry in document["files"].items():
        if not safe_relpath(path) or path == MANIFEST_NAME:
            raise ManifestError(f"{source} lists an unsafe path {path[:80]!r}")
        digest = entry.get("hash") if isinstance(entry, dict) else None
        if not isinstance(digest, str) or not _HEX64.fullmatch(digest.lower()):
            raise ManifestError(f"{source}: {path} has no valid SHA-256 hash")
        clean: dict[str, Any] = {"hash": digest.lower()}
        if isinstance(entry.get("runtime"), bool):
            clean["runtime"] = entry["runtime"]
        if isinstance(entry.get("description"), str):
            clean["description"] = entry["description"]
        files[path] = clean
    scope = document.get("scope")
    parsed: dict[str, Any] = {"scope": scope if isinstance(scope, str) else "", "files": files}
    if isinstance(document.get(SOURCE_KEY), str):
        parsed[SOURCE_KEY] = document[SOURCE_KEY]
    return parsed


def read_local_manifest(root: str | os.PathLike) -> dict | None:
    """The installed manifest.json of `root`, or None when missing or invalid."""
    path = Path(root) / MANIFEST_NAME
    try:
        return parse_manifest(path.read_bytes(), str(path))
    except (OSError, ManifestError):
        return None


def write_manifest(root: str | os.PathLike) -> tuple[Path, int]:
    """`--generate-manifest`: write root/manifest.json atomically; (path, file count)."""
    from .files import write_files_atomic

    root = Path(root)
    previous = None
    path = root / MANIFEST_NAME
    if path.exists():
        try:
            previous = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError):
            previous = None
    manifest = build_manifest(root, previous if isinstance(previous, dict) else None)
    write_files_atomic({path: render_manifest(manifest)})
    return path, len(manifest["files"])


# ----------------------------------------------------------------- comparing

# Without an installed manifest only the code can be "removed": a user's own
# files are never offered for deletion.
CODE_FILES = ("sync.py",)
CODE_DIRS = ("section11/",)


@dataclass(frozen=True)
class UpdatePlan:
    """How the local copies differ from the upstream manifest.

    changed: upstream has other bytes; new: missing locally; removed: no
    longer upstream (listed in the installed manifest, else sync.py or a file
    under section11/); conflicts: changed upstream AND edited locally (also in
    `changed`); kept: edited locally while upstream is unchanged since the
    installed manifest, or, with no installed manifest, a README or doc that
    differs (ignored).
    """

    upstream: Mapping[str, Any]
    changed: tuple[str, ...] = ()
    new: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    @property
    def pending(self) -> tuple[str, ...]:
        """Files to download: changed and new."""
        return tuple(sorted(self.changed + self.new))

    @property
    def has_updates(self) -> bool:
        return bool(self.changed or self.new or self.removed)

    def fingerprint(self) -> str:
        """8 hex digits identifying this set of differences (the issue title)."""
        files = self.upstream["files"]
        lines = [f"changed {p} {files[p]['hash']}" for p in self.changed]
        lines += [f"new {p} {files[p]['hash']}" for p in self.new]
        lines += [f"removed {p}" for p in self.removed]
        return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()[:8]


def plan_update(
    root: str | os.PathLike, upstream: Mapping[str, Any], local: Mapping[str, Any] | None = None
) -> UpdatePlan:
    """Compare `root`'s runtime files with the upstream manifest (docs/architecture.md#updates-and-manifest step 3, fixed).

    Only runtime files count (docs and the project's README are not updates
    of a data repository). The README template is compared with the installed
    manifest alone when `root` has no copy of it (a data repository keeps it as
    the managed block of its README.md).
    """
    root = Path(root)
    installed = runtime_files(local) if local is not None else {}
    changed: list[str] = []
    new: list[str] = []
    conflicts: list[str] = []
    kept: list[str] = []
    for path, entry in sorted(runtime_files(upstream).items()):
        was = (installed.get(path) or {}).get("hash")
        target = root / path
        if path == README_TEMPLATE and not target.is_file():
            if was != entry["hash"]:
                (changed if was else new).append(path)
            continue
        if not target.is_file():
            new.append(path)
            continue
        try:
            have = content_hash(target.read_bytes())
        except OSError:
            new.append(path)
            continue
        if have == entry["hash"]:
            continue
        if was == entry["hash"]:
            kept.append(path)  # edited here; upstream unchanged since install
            continue
        changed.append(path)
        if was is not None and was != have:
            conflicts.append(path)
    candidates = (
        list(installed)
        if local is not None
        else [p for p in distributable_files(root) if p in CODE_FILES or p.startswith(CODE_DIRS)]
    )
    removed = [
        p
        for p in sorted(candidates)
        if p not in upstream["files"] and safe_relpath(p) and (root / p).is_file()
    ]
    return UpdatePlan(
        upstream, tuple(changed), tuple(new), tuple(removed), tuple(conflicts), tuple(kept)
    )


def installed_manifest(
    upstream: Mapping[str, Any], source: str | None, hashes: Mapping[str, str] | None = None
) -> bytes:
    """The manifest a data repository keeps: the upstream runtime entries (with
    `hashes` overriding, for files copied from a working tree) and the source."""
    files = runtime_files(upstream)
    for path, digest in (hashes or {}).items():
        files[path] = {**files.get(path, {}), "hash": digest, "runtime": True}
    manifest: dict[str, Any] = {"scope": upstream.get("scope") or SCOPE, "files": files}
    if source:
        manifest[SOURCE_KEY] = source
    return render_manifest(manifest)


def describe(plan: UpdatePlan) -> str:
    parts = [
        f"{len(x)} {name}"
        for x, name in ((plan.changed, "changed"), (plan.new, "new"), (plan.removed, "removed"))
        if x
    ]
    return ", ".join(parts) or "no changes"


def install_root() -> Path:
    """The directory holding sync.py and the section11 package being run."""
    return Path(__file__).resolve().parent.parent.parent


__all__ = [
    "MANIFEST_NAME",
    "SCOPE",
    "ManifestError",
    "normalized_bytes",
    "content_hash",
    "file_hash",
    "safe_relpath",
    "is_distributable",
    "distributable_files",
    "build_manifest",
    "render_manifest",
    "parse_manifest",
    "read_local_manifest",
    "write_manifest",
    "install_root",
    "UpdatePlan",
    "plan_update",
    "describe",
    "is_runtime",
    "entry_is_runtime",
    "runtime_files",
    "installed_manifest",
    "README_TEMPLATE",
    "SOURCE_KEY",
]
