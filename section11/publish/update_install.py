"""`--update`: download every changed or new runtime file from the update
source, verify each against the upstream manifest's hash, and only when all
verify replace them and the installed manifest.json in one atomic batch (the
reference wrote unverified bytes; weakness 9.3.5,
docs/architecture.md#reference-weaknesses). Removed files are listed, and
deleted only when confirmed. In a data repository the README template goes
into README.md's managed block (publish/readme.py), keeping the user's text.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

import requests

from ..errors import InvalidInput
from .manifest import (
    MANIFEST_NAME,
    README_TEMPLATE,
    SOURCE_KEY,
    UpdatePlan,
    content_hash,
    installed_manifest,
    plan_update,
    read_local_manifest,
)
from .readme import merge
from .source import github_repo, remote_url
from .upstream import UpdateError, fetch, fetch_manifest, file_url, shown

README_NAME = "README.md"


def _confirm(question: str, yes: bool, input_fn: Callable[[str], str], out: TextIO) -> bool:
    if yes:
        return True
    try:
        answer = input_fn(f"{question} [y/N] ")
    except EOFError:
        print("", file=out)
        return False
    return answer.strip().lower() in ("y", "yes")


def _print_plan(plan: UpdatePlan, out: TextIO) -> None:
    for path in plan.changed:
        note = "  (edited here: your changes will be replaced)" if path in plan.conflicts else ""
        print(f"  changed  {path}{note}", file=out)
    for path in plan.new:
        print(f"  new      {path}", file=out)
    for path in plan.removed:
        print(f"  removed  {path}  (no longer part of section11)", file=out)
    for path in plan.kept:
        print(f"  kept     {path}  (edited here; unchanged upstream)", file=out)


def _remove_files(root: Path, paths: tuple[str, ...], out: TextIO) -> None:
    for rel in paths:
        target = root / rel
        try:
            target.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            print(f"  could not delete {rel}: {exc.strerror or exc}", file=out)
            continue
        parent = target.parent
        while parent != root and root in parent.parents:
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
            parent = parent.parent
        print(f"  deleted  {rel}", file=out)


def download_verified(
    plan: UpdatePlan, url: str, session: requests.Session | None = None
) -> dict[str, bytes]:
    """Every pending file, each verified against its manifest hash; UpdateError otherwise."""
    files = plan.upstream["files"]
    fetched: dict[str, bytes] = {}
    for path in plan.pending:
        data = fetch(file_url(url, path), what=path, session=session)
        expected, got = files[path]["hash"], content_hash(data)
        if got != expected:
            raise UpdateError(
                f"{path} does not match the upstream manifest (expected SHA-256 "
                f"{expected[:12]}…, got {got[:12]}…); nothing was changed"
            )
        fetched[path] = data
    return fetched


def _readme_batch(root: Path, template: bytes, source: str | None) -> dict[Path, bytes]:
    """README.md with its managed block replaced by `template`'s (user text kept)."""
    readme = root / README_NAME
    try:
        current = readme.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise UpdateError(f"cannot read {readme} to update its section11 block: {exc}") from None
    repo = github_repo(remote_url(root))
    merged = merge(current, template.decode("utf-8", "replace"), repo, source)
    return {} if merged == current else {readme: merged.encode("utf-8")}


def install(
    root: Path, fetched: Mapping[str, bytes], manifest_bytes: bytes, source: str | None = None
) -> None:
    """Replace the verified files and the installed manifest.json as one atomic batch.

    In a data repository (no DATA_REPO_README.md of its own) the README
    template goes into README.md's managed block instead of a file of its own.
    """
    from .files import write_files_atomic

    fetched = dict(fetched)
    batch: dict[Path, bytes] = {}
    if README_TEMPLATE in fetched and not (root / README_TEMPLATE).is_file():
        batch.update(_readme_batch(root, fetched.pop(README_TEMPLATE), source))
    created: list[Path] = []
    for rel in fetched:
        parent = (root / rel).parent
        missing = [d for d in [parent, *parent.parents] if root in d.parents and not d.exists()]
        for directory in reversed(missing):
            directory.mkdir()
            created.append(directory)
    batch.update({root / rel: data for rel, data in sorted(fetched.items())})
    batch[root / MANIFEST_NAME] = manifest_bytes
    try:
        write_files_atomic(batch)
    except BaseException:
        for directory in reversed(created):
            try:
                directory.rmdir()
            except OSError:
                pass
        raise


def _manifest_to_install(
    plan: UpdatePlan, local: Mapping[str, Any] | None, root: Path, source: str, keep: bool
) -> bytes:
    """The installed manifest after the update: upstream's runtime entries and
    the source; with `keep`, also the removed files the user chose to keep, so
    a later `--update` still lists them."""
    kept: dict[str, str] = {}
    if keep:
        installed = (local or {}).get("files") or {}
        for path in plan.removed:
            entry = installed.get(path)
            kept[path] = entry["hash"] if entry else content_hash((root / path).read_bytes())
    return installed_manifest(plan.upstream, source, kept)


def run_update(
    root: str | os.PathLike,
    url: str | None,
    *,
    yes: bool = False,
    input_fn: Callable[[str], str] = input,
    out: TextIO | None = None,
    session: requests.Session | None = None,
) -> int:
    """`--update` (docs/architecture.md#updates-and-manifest, fixed per weakness 9.3.5 (docs/architecture.md#reference-weaknesses)). Returns 0; raises SyncError on failure.

    Both questions are asked first (`yes` answers them). Nothing is replaced
    unless every download matches the manifest; the files and manifest.json
    are then replaced as one atomic batch, and only after that are confirmed
    removals deleted. Declining the update (or EOF at the prompt) changes
    nothing. `url` None: no update source is configured (an InvalidInput).
    """
    out = out or sys.stdout
    root = Path(root)
    local = read_local_manifest(root)
    if url is None:
        raise InvalidInput(
            "--update: no update source configured; pass --update-source URL (the "
            "upstream manifest.json) or set SECTION11_MANIFEST_URL"
        )
    source = (local or {}).get(SOURCE_KEY) or url
    print(f"Checking {shown(url)} for updates to {root} ...", file=out)
    upstream, _ = fetch_manifest(url, session)
    plan = plan_update(root, upstream, local)
    _print_plan(plan, out)
    if not plan.has_updates:
        manifest_bytes = _manifest_to_install(plan, local, root, source, keep=False)
        if not (root / MANIFEST_NAME).is_file() or (
            (root / MANIFEST_NAME).read_bytes() != manifest_bytes
        ):
            install(root, {}, manifest_bytes)  # record the installed version
        print("section11 is up to date.", file=out)
        return 0
    if plan.pending and not _confirm(
        f"Download and install {len(plan.pending)} file(s)?", yes, input_fn, out
    ):
        print("Nothing was changed.", file=out)
        return 0
    remove = bool(plan.removed) and _confirm(
        f"Delete {len(plan.removed)} file(s) that are no longer part of section11?",
        yes,
        input_fn,
        out,
    )
    fetched = download_verified(plan, url, session)
    keep = bool(plan.removed) and not remove
    install(root, fetched, _manifest_to_install(plan, local, root, source, keep), source)
    if fetched:
        print(f"Updated {len(fetched)} file(s); every one matched the upstream manifest.", file=out)
    if remove:
        _remove_files(root, plan.removed, out)
    elif plan.removed:
        print(
            f"Kept {len(plan.removed)} file(s) that upstream removed; "
            "`python sync.py --update --yes` deletes them.",
            file=out,
        )
    print(
        'Commit the result: git add -A && git commit -m "Update section11" && git push',
        file=out,
    )
    return 0
