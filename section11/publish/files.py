"""Atomic output files (docs/architecture.md#writing-files, weakness 9.2 (docs/architecture.md#reference-weaknesses)).

The reference truncated and rewrote every file in place, so readers (AI
connectors, cloud-drive sync) saw half-written JSON and a crash lost data.
Here a set of files is written as one unit: every file goes to a temp file in
its target directory and is fsynced, then each temp file is renamed over its
target in the given order, then the directories are fsynced. Any failure
before the renames removes the temp files and leaves every target
byte-identical. A failing rename (rare; e.g. a file held open on Windows)
rolls the already-renamed targets back from hard-link backups where the
filesystem supports them.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import InvalidInput, OutputFailed
from .volatile import content_fingerprint

JSON_INDENT = 2
_REPLACE_RETRIES = 5  # Windows: scanners and sync clients hold files briefly
CRASH_AT_ENV = "SECTION11_CRASH_AT"  # test-only, see _crash_point
_crash_steps = 0


def _crash_point() -> None:
    """TEST-ONLY hook (tests/test_crash_safety.py): with SECTION11_CRASH_AT=n
    set, the process dies on the spot (os._exit, like a SIGKILL) at its n-th
    write step: each temp file written, the backups made, each rename, the
    backups removed. Inert when the variable is unset."""
    global _crash_steps
    target = os.environ.get(CRASH_AT_ENV)
    if target:
        _crash_steps += 1
        if target.strip() == str(_crash_steps):
            os._exit(86)


# ----------------------------------------------------------------- JSON


def _nonfinite_paths(obj: Any, where: str = "$") -> Iterator[str]:
    if isinstance(obj, float) and not math.isfinite(obj):
        yield where
    elif isinstance(obj, Mapping):
        for key, value in obj.items():
            yield from _nonfinite_paths(value, f"{where}.{key}")
    elif isinstance(obj, (list, tuple)):
        for index, value in enumerate(obj):
            yield from _nonfinite_paths(value, f"{where}[{index}]")


def dump_json(obj: Any, name: str = "document") -> bytes:
    """UTF-8 JSON, indent 2, non-ASCII kept, trailing newline (deviation P13).

    NaN and infinity are refused (they are not JSON): OutputFailed names the
    first offending field. Values json cannot encode are refused too, rather
    than stringified as the reference's default=str did.
    """
    try:
        text = json.dumps(obj, indent=JSON_INDENT, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        bad = next(_nonfinite_paths(obj), None)
        if bad is not None:
            raise OutputFailed(f"{name}: refusing to write NaN or infinity at {bad}") from None
        raise OutputFailed(f"{name}: cannot encode as JSON: {exc}") from None
    except (TypeError, RecursionError) as exc:
        raise OutputFailed(f"{name}: cannot encode as JSON: {exc}") from None
    try:
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:
        raise OutputFailed(f"{name}: text with invalid Unicode (lone surrogate)") from None


# ----------------------------------------------------------------- reading data files

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_data_file(path: str | os.PathLike) -> bytes | None:
    """The bytes of a data file, or None when it does not exist.

    A data file must be a regular file: it is opened without following a
    symbolic link (O_NOFOLLOW), so a link planted in the data repository (to
    the config file holding the API key, say) is never read, published or
    committed. OutputFailed names the file and the fix otherwise.
    """
    path = Path(path)
    if path.is_symlink():
        raise OutputFailed(
            f"{path} is a symbolic link; data files must be regular files inside the "
            "output folder (delete the link; the next sync writes the file)"
        )
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise OutputFailed(
                f"{path} is a symbolic link; data files must be regular files inside the "
                "output folder (delete the link; the next sync writes the file)"
            ) from None
        raise OutputFailed(f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OutputFailed(f"{path} is not a regular file; refusing to read it")
        return handle.read()


# ----------------------------------------------------------------- destination


def resolve_destination(
    output: str | os.PathLike | None, output_dir: str | os.PathLike | None
) -> tuple[Path, Path]:
    """(path of latest.json, directory for every other file).

    `--output PATH`: latest.json at PATH, the other files beside it (the
    reference put them in the working directory: deviation P10); PATH's
    directory must exist. `--output-dir DIR`: everything in DIR, created if
    missing.
    """
    if output:
        latest = Path(output)
        directory = latest.parent
        if latest.is_dir():
            raise InvalidInput(
                f"--output {latest} is a directory; give a file path "
                "such as latest.json, or use --output-dir"
            )
        if not directory.is_dir():
            raise InvalidInput(
                f"--output: directory {directory} does not exist; create it or choose another path"
            )
        return latest, directory
    if not output_dir:
        raise InvalidInput("no destination: use --output latest.json or --output-dir DIR")
    directory = Path(output_dir)
    if directory.exists() and not directory.is_dir():
        raise InvalidInput(f"--output-dir {directory} exists and is not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFailed(
            f"cannot create --output-dir {directory}: {exc.strerror or exc}"
        ) from None
    return directory / "latest.json", directory


def check_writable(directory: Path) -> None:
    """Raise OutputFailed (exit 7) when no file can be created in `directory`:
    called before fetching, so a read-only output folder costs no API call."""
    probe = _temp_name(directory / "latest.json")
    try:
        fd = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        raise OutputFailed(
            f"the output folder {directory} cannot be written ({_reason(exc)}): make it "
            "writable, or choose another folder with --output-dir"
        ) from None
    os.close(fd)
    _unlink_quietly(probe)


# ----------------------------------------------------------------- atomic write


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.urandom(4).hex()}.tmp")


def _write_temp(target: Path, data: bytes, mode: int | None) -> Path:
    """Write `data` to a fresh temp file beside `target`, fsync it; return its path."""
    parent = target.parent
    if not parent.is_dir():
        raise FileNotFoundError(2, f"directory {parent} does not exist")
    if target.is_dir():
        raise IsADirectoryError(21, "is a directory")
    # `mode` (e.g. 0o600 for secrets) is applied from creation on, so there is
    # never a moment where the file is readable by others; otherwise the
    # umask applies and an existing target's mode is kept.
    temp = _temp_name(target)
    fd = os.open(
        temp,
        os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0),
        0o600 if mode is not None else 0o666,
    )
    try:
        try:
            if hasattr(os, "fchmod"):
                if mode is not None:
                    os.fchmod(fd, mode)  # exact, whatever the umask
                elif target.exists():
                    os.fchmod(fd, target.stat().st_mode & 0o7777)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        _unlink_quietly(temp)
        raise
    return temp


def _replace(source: Path, target: Path) -> None:
    for attempt in range(_REPLACE_RETRIES):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == _REPLACE_RETRIES - 1:
                raise
            time.sleep(0.1 * (attempt + 1))


def _fsync_directory(directory: Path) -> None:
    if os.name == "nt":
        return  # directories cannot be opened for fsync there
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _backup(target: Path) -> tuple[bool, Path | None]:
    """(target existed, hard link to it for rollback or None)."""
    if not target.exists():
        return False, None
    backup = target.with_name(f".{target.name}.{os.urandom(4).hex()}.bak")
    try:
        os.link(target, backup)
    except (OSError, NotImplementedError, AttributeError):
        return True, None
    return True, backup


def _rollback(target: Path, existed: bool, backup: Path | None) -> bool:
    """Put the previous state of `target` back; False when that was impossible."""
    try:
        if not existed:
            os.unlink(target)
        elif backup is not None:
            os.replace(backup, target)
        else:
            return False
    except OSError:
        return False
    return True


STALE_TEMP_SECONDS = 60.0


def remove_stale_temps(target: Path, now: float | None = None) -> int:
    """Remove `.<name>.<hex>.tmp|.bak` files a killed earlier run left beside
    `target` (older than a minute, so a concurrent writer's are left alone)."""
    import time

    now = time.time() if now is None else now
    removed = 0
    try:
        candidates = list(target.parent.glob(f".{target.name}.*"))
    except OSError:
        return 0
    for path in candidates:
        middle = path.name[len(target.name) + 2 :]
        hexpart, _, suffix = middle.partition(".")
        if suffix not in ("tmp", "bak") or len(hexpart) != 8:
            continue
        try:
            if now - path.lstat().st_mtime > STALE_TEMP_SECONDS:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def write_files_atomic(files: Mapping[Path, bytes], *, mode: int | None = None) -> None:
    """Write every file of `files` as one unit (docs/architecture.md#writing-files).

    Files are renamed into place in the mapping's order (put caches before
    latest.json). Raises OutputFailed naming the path and the reason; on
    failure no target is changed and no temp file is left behind. Missing
    directories are not created. `mode`, when given, is the permission of
    every file from its creation on (0o600 for secrets).
    """
    items = [(Path(path), data) for path, data in files.items()]
    for target, _ in items:
        remove_stale_temps(target)
    temps: list[tuple[Path, Path]] = []
    current = None
    try:
        for target, data in items:
            current = target
            if not isinstance(data, (bytes, bytearray, memoryview)):
                raise TypeError(f"content must be bytes, not {type(data).__name__}")
            temps.append((_write_temp(target, bytes(data), mode), target))
            _crash_point()
    except BaseException as exc:
        for temp, _ in temps:
            _unlink_quietly(temp)
        if isinstance(exc, (OSError, TypeError)):
            raise OutputFailed(
                f"could not write {current}: {_reason(exc)}; no output file was changed"
            ) from None
        raise

    backups = [(target, *_backup(target)) for _, target in temps]
    _crash_point()
    done = 0
    try:
        for temp, target in temps:
            current = target
            _replace(temp, target)
            done += 1
            _crash_point()
    except BaseException as exc:
        for temp, _ in temps[done:]:
            _unlink_quietly(temp)
        kept: list[Path] = []
        for target, existed, backup in backups[:done]:
            if not _rollback(target, existed, backup) and backup is not None:
                kept.append(backup)  # restoring failed: keep the old bytes for the user
        for _, _, backup in backups[done:]:
            if backup is not None:
                _unlink_quietly(backup)
        if not isinstance(exc, OSError):
            raise
        if kept:
            state = "previous versions are kept as " + ", ".join(str(k) for k in kept)
        elif any(existed and backup is None for _, existed, backup in backups[:done]):
            state = f"{done} of {len(temps)} files were already replaced"
        else:
            state = "no output file was changed"
        raise OutputFailed(f"could not replace {current}: {_reason(exc)}; {state}") from None

    for _, _, backup in backups:
        if backup is not None:
            _unlink_quietly(backup)
    _crash_point()
    for directory in dict.fromkeys(target.parent for _, target in temps):
        _fsync_directory(directory)


def same_content(path: Path, data: bytes) -> bool:
    """True when the file at `path` holds `data`'s content, generation timestamps
    aside (`volatile.content_fingerprint`): such a file is not rewritten."""
    existing = read_data_file(path)
    return existing is not None and content_fingerprint(existing) == content_fingerprint(data)
