"""Upstream updates: the update-notification issue and `--update`.

Implements docs/architecture.md#updates-and-manifest, fixed per weakness 9.3.5 (docs/architecture.md#reference-weaknesses), weakness 9.1.8 (docs/architecture.md#reference-weaknesses)
and weakness 9.6 (docs/architecture.md#reference-weaknesses):

- One route: the upstream manifest.json (URL: env SECTION11_MANIFEST_URL >
  config key `manifest_url` > the `source` recorded in the installed manifest
  by `--init`). There is no default: without a configured source the check is
  off and says so in one line. Raw files are fetched from the manifest URL's
  directory. Every call has timeouts and a size cap.
- The comparison with the local copies is `manifest.plan_update`.
- `check_for_updates` (after a data sync with a GitHub token and repo): at
  most once per 24 h (state file in the state directory, never the credentials
  config); opens ONE issue `Section 11 updates — <fingerprint>` labelled
  `update-notification`, deduplicated by listing open issues with that label
  (the reference searched, and a failing search opened a duplicate each sync).
  Every failure is a warning: the sync itself succeeded. One issue is open at
  a time: a new set of differences closes the older issue as superseded, and
  a check that finds nothing to update closes it as resolved. A change of the
  installed manifest (an `--update` was applied) makes the next run check at
  once, whatever the 24 h throttle.
- `run_update` downloads every changed/new file, verifies each against the
  manifest hash, and only when all verify replaces them in one atomic batch
  (the reference wrote unverified bytes). Removed files are listed, and
  deleted only when confirmed. In a data repository the README template is
  applied as README.md's managed block (publish/readme.py), keeping the
  user's text.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit, urlunsplit

import requests
import urllib3

from .. import __version__
from ..errors import ApiFailed, InvalidInput, SyncError
from ..sources.transport import (
    RUN_CLOCK,
    Watch,
    call_deadline,
    new_session,
    read_body,
    request_deadline,
    same_origin_redirect,
    secure_url_problem,
)
from .github_issues import close_issue, create_issue, list_issues
from .manifest import (
    MANIFEST_NAME,
    README_TEMPLATE,
    SOURCE_KEY,
    ManifestError,
    UpdatePlan,
    content_hash,
    describe,
    installed_manifest,
    parse_manifest,
    plan_update,
    read_local_manifest,
)
from .readme import merge
from .source import github_repo, remote_url

MANIFEST_URL_ENV = "SECTION11_MANIFEST_URL"
MANIFEST_URL_KEY = "manifest_url"
CHECK_ENV = "SECTION11_UPDATE_CHECK"  # "off" disables the check after a sync
LABEL = "update-notification"
TITLE_PREFIX = "Section 11 updates — "
STATE_NAME = "update_check.json"
README_NAME = "README.md"
CHECK_INTERVAL = timedelta(hours=24)
RETRY_INTERVAL = timedelta(hours=1)  # after a failed check
TIMEOUT = (5.0, 30.0)
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_FILE_BYTES = 8 * 1024 * 1024
REMEMBERED_FINGERPRINTS = 20
MAX_REDIRECTS = 3


class UpdateError(ApiFailed):
    """The upstream manifest or a file could not be fetched, parsed or verified."""


# ----------------------------------------------------------------- settings


NO_SOURCE_NOTICE = (
    "notice: update check off: no update source configured "
    "(`python sync.py --init` records one; or set SECTION11_MANIFEST_URL)"
)
UPDATE_COMMAND = (
    'python sync.py --update --yes && git add -A && git commit -m "Update section11" && git push'
)


def manifest_url(
    environ: Mapping[str, str],
    config: Mapping[str, Any] | None = None,
    installed: Mapping[str, Any] | None = None,
) -> str | None:
    """env SECTION11_MANIFEST_URL > config `manifest_url` > the installed
    manifest's `source`; None when none is configured (never a guess)."""
    value = (environ.get(MANIFEST_URL_ENV) or "").strip()
    if not value and config and isinstance(config.get(MANIFEST_URL_KEY), str):
        value = config[MANIFEST_URL_KEY].strip()
    if not value and installed and isinstance(installed.get(SOURCE_KEY), str):
        value = installed[SOURCE_KEY].strip()
    return value or None


def check_enabled(environ: Mapping[str, str]) -> bool:
    return (environ.get(CHECK_ENV) or "").strip().lower() not in ("0", "off", "false", "no")


def _shown(url: str) -> str:
    """host/path of a URL, without query or credentials (they may hold tokens)."""
    parts = urlsplit(url)
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.hostname or ''}{port}{parts.path}"


def file_url(manifest_url_: str, path: str) -> str:
    """The raw URL of `path`: the manifest's directory + path."""
    parts = urlsplit(manifest_url_)
    base = parts.path.rsplit("/", 1)[0]
    return urlunsplit((parts.scheme, parts.netloc, f"{base}/{quote(path)}", "", ""))


# ----------------------------------------------------------------- fetching


def fetch(
    url: str,
    *,
    what: str,
    max_bytes: int = MAX_FILE_BYTES,
    session: requests.Session | None = None,
    timeout=TIMEOUT,
) -> bytes:
    """GET `url` (no auth) under the request deadline, with `max_bytes` decoded
    bytes at most; UpdateError with a one-line reason on any failure.

    The URL must be https (plain http only to a loopback host). Redirects are
    followed only on the same scheme, host and port: this is code the user
    will run, so neither a downgrade nor another host is accepted."""
    problem = secure_url_problem(url)
    if problem:
        raise UpdateError(f"{what}: the URL {problem}")
    getter = session or new_session(f"section11/{__version__}", cookies=False)
    deadline = call_deadline(request_deadline())
    failure, body = None, b""
    with Watch(deadline) as watch:
        for _hop in range(MAX_REDIRECTS + 1):
            RUN_CLOCK.check(f"{_shown(url)} ({what})")
            failure, body, location = _get_once(getter, url, timeout, max_bytes, deadline, watch)
            if location is None:
                break
            target = same_origin_redirect(url, location)
            if target is None:
                failure = "redirected to another host or scheme (not followed)"
                break
            url, failure = target, "too many redirects"
    if failure is not None:
        raise UpdateError(f"{what} unavailable from {_shown(url)}: {failure}")
    return body


def _get_once(
    getter, url: str, timeout, max_bytes: int, deadline: float, watch: Watch
) -> tuple[str | None, bytes, str | None]:
    """(failure, body, redirect location)."""
    try:
        response = getter.get(url, timeout=timeout, stream=True, allow_redirects=False)
    except requests.RequestException as exc:
        if watch.expired:
            return "too slow (request deadline)", b"", None
        if isinstance(exc, requests.Timeout):
            return "timed out", b"", None
        if isinstance(exc, requests.ConnectionError):
            return "could not connect", b"", None
        return f"request failed ({type(exc).__name__})", b"", None
    try:
        location = response.headers.get("location")
        if response.status_code in (301, 302, 303, 307, 308) and location:
            return None, b"", location
        if response.status_code != 200:
            return f"HTTP {response.status_code}", b"", None
        try:
            read = read_body(response, max_bytes=max_bytes, deadline=deadline)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError):
            return (
                ("too slow (request deadline)" if watch.expired else "connection lost"),
                b"",
                None,
            )
    finally:
        response.close()
    if read.failure == "too_large":
        return f"larger than {max_bytes // 1024} KiB", b"", None
    if read.failure == "deadline" or watch.fired:
        return "too slow (request deadline)", b"", None
    if read.failure is not None:
        return "undecodable compressed body", b"", None
    return None, read.data, None


def fetch_manifest(url: str, session: requests.Session | None = None) -> tuple[dict, bytes]:
    """(validated manifest, raw bytes) of the upstream manifest."""
    data = fetch(url, what="upstream manifest", max_bytes=MAX_MANIFEST_BYTES, session=session)
    try:
        return parse_manifest(data, f"upstream manifest ({_shown(url)})"), data
    except ManifestError as exc:
        raise UpdateError(str(exc)) from None


def issue_title(plan: UpdatePlan) -> str:
    return f"{TITLE_PREFIX}{plan.fingerprint()}"


def issue_body(plan: UpdatePlan, url: str, superseded: list[int] | None = None) -> str:
    files = plan.upstream["files"]

    def line(path: str) -> str:
        note = files.get(path, {}).get("description")
        return f"- `{path}`" + (f" — {note}" if note else "")

    lines = [
        f"The upstream section11 project has updates ({describe(plan)}) "
        f"compared with the files in this repository.",
        "",
    ]
    for title, paths in (
        ("Changed", plan.changed),
        ("New", plan.new),
        ("Removed upstream (delete them when you update)", plan.removed),
    ):
        if paths:
            lines += [f"### {title}", *[line(p) for p in paths], ""]
    lines += [
        "To update, run in a clone of this repository:",
        "",
        "```sh",
        UPDATE_COMMAND,
        "```",
        "",
        "Every download is checked against the upstream manifest's SHA-256 hashes; "
        "your text in README.md outside the section11 block is kept. The next sync "
        "closes this issue.",
        "",
        f"Manifest: {_shown(url)}",
    ]
    if superseded:
        lines += ["", "Supersedes " + ", ".join(f"#{n}" for n in superseded) + "."]
    lines += [
        "",
        f"_Opened by section11 {__version__}. One update issue is open at a time: a "
        "new set of differences replaces this one._",
    ]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------- state (throttle)


def read_state(path: Path) -> dict:
    """A small JSON state file of the state directory ({} when missing or unreadable)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def write_state(path: Path, state: Mapping[str, Any], warn: Callable[[str], None]) -> None:
    """Write a state file atomically; a failure is a warning (the sync succeeded)."""
    from .files import dump_json, write_files_atomic

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_files_atomic({path: dump_json(dict(state), name=str(path))})
    except (OSError, SyncError) as exc:
        warn(f"could not save {path.name} in {path.parent}: {getattr(exc, 'message', None) or exc}")


def _when(state: Mapping[str, Any], key: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(state.get(key)))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


# ----------------------------------------------------------------- check after a sync


@dataclass
class CheckResult:
    """Outcome of `check_for_updates`: status is one of skipped, failed,
    up-to-date, available, already-open, dismissed, opened."""

    status: str
    message: str = ""
    plan: UpdatePlan | None = None
    issue: dict | None = None


def check_for_updates(
    root: str | os.PathLike,
    state_dir: str | os.PathLike,
    url: str,
    *,
    now: datetime | None = None,
    github=None,
    session: requests.Session | None = None,
    warn: Callable[[str], None] | None = None,
) -> CheckResult:
    """The throttled update check (docs/architecture.md#updates-and-manifest, fixed per weakness 9.6 (docs/architecture.md#reference-weaknesses)); never raises a SyncError.

    With `github` (a GitHubClient) an issue is opened unless one with the same
    title is open (or this state already opened one that was closed since).
    Without it the result says whether updates are available.
    """
    warn = warn or (lambda message: print(f"warning: {message}", file=sys.stderr))
    now = (now or datetime.now(UTC)).astimezone(UTC)
    state_path = Path(state_dir) / STATE_NAME
    state = read_state(state_path)
    installed = _installed_hash(Path(root))
    if state.get("installed") != installed:  # an update was applied: check now
        state = {k: v for k, v in state.items() if k not in ("last_check", "last_attempt")}
    last_check, last_attempt = _when(state, "last_check"), _when(state, "last_attempt")
    if last_check and timedelta(0) <= now - last_check < CHECK_INTERVAL:
        return CheckResult("skipped", "checked less than 24 h ago")
    if last_attempt and timedelta(0) <= now - last_attempt < RETRY_INTERVAL:
        return CheckResult("skipped", "the last check failed less than 1 h ago")

    def failed(message: str) -> CheckResult:
        failed_state = {**state, "last_attempt": now.isoformat(), "installed": installed}
        write_state(state_path, failed_state, warn)
        return CheckResult("failed", f"update check skipped: {message}")

    try:
        upstream, _ = fetch_manifest(url, session)
        plan = plan_update(root, upstream, read_local_manifest(root))
    except SyncError as exc:
        return failed(exc.message)
    except OSError as exc:
        return failed(f"cannot read the local files ({exc.strerror or exc})")
    result = _notify(plan, url, github, state)
    if result.status == "failed":
        return failed(result.message)
    state = {
        **state,
        "last_check": now.isoformat(),
        "last_attempt": now.isoformat(),
        "installed": installed,
    }
    if result.status == "opened":
        seen = [f for f in state.get("notified", []) if isinstance(f, str)]
        state["notified"] = (seen + [plan.fingerprint()])[-REMEMBERED_FINGERPRINTS:]
    write_state(state_path, state, warn)
    return result


def _installed_hash(root: Path) -> str | None:
    """Hash of the installed manifest.json (None when there is none)."""
    try:
        return content_hash((root / MANIFEST_NAME).read_bytes())
    except OSError:
        return None


def _update_issues(open_issues: list[dict]) -> list[dict]:
    return [
        i
        for i in open_issues
        if str(i.get("title", "")).startswith(TITLE_PREFIX) and isinstance(i.get("number"), int)
    ]


def _close_all(github, issues: list[dict], comment: str) -> list[int]:
    for issue in issues:
        close_issue(github, issue["number"], comment)
    return [i["number"] for i in issues]


def _notify(plan: UpdatePlan, url: str, github, state: Mapping[str, Any]) -> CheckResult:
    title = issue_title(plan)
    summary = f"section11 updates available ({describe(plan)})"
    if github is None:
        if not plan.has_updates:
            return CheckResult("up-to-date", "section11 is up to date", plan)
        return CheckResult("available", f"{summary}; run `python sync.py --update`", plan)
    try:
        ours = _update_issues(list_issues(github, LABEL, state="open"))
        if not plan.has_updates:
            closed = _close_all(
                github, ours, "Resolved: this repository now runs the upstream version."
            )
            note = f"; closed issue(s) {', '.join(f'#{n}' for n in closed)}" if closed else ""
            return CheckResult("up-to-date", f"section11 is up to date{note}", plan)
        current = [i for i in ours if i.get("title") == title]
        if current:
            keep = max(i["number"] for i in current)
            others = [i for i in ours if i["number"] != keep]
            _close_all(github, others, f"Superseded by #{keep}.")
            return CheckResult(
                "already-open", f"{summary}; issue #{keep} is already open", plan, current[0]
            )
        if plan.fingerprint() in (state.get("notified") or []):
            return CheckResult("dismissed", f"{summary}; its issue was closed, not reopening", plan)
        superseded = sorted(i["number"] for i in ours)
        issue = create_issue(github, title, issue_body(plan, url, superseded), [LABEL])
        _close_all(github, ours, f"Superseded by #{issue.get('number')}.")
    except SyncError as exc:
        return CheckResult("failed", f"could not update the update issue: {exc.message}", plan)
    number = issue.get("number")
    return CheckResult("opened", f"{summary}; opened issue #{number} in {github.repo}", plan, issue)


def after_sync(
    settings,
    directory: str | os.PathLike,
    environ: Mapping[str, str],
    out: TextIO | None = None,
    err: TextIO | None = None,
    config: Mapping[str, Any] | None = None,
) -> CheckResult | None:
    """CLI glue: the update check after a successful data sync.

    `config`: the settings file's values (for `manifest_url`), read by the CLI.

    Runs only with a GitHub token and repo (the workflow / API mode; a local
    sync without them makes no call to GitHub) and unless SECTION11_UPDATE_CHECK
    is off. State: `<state dir>/update_check.json` (default `<output
    directory>/.section11`). Never raises a SyncError: the sync succeeded.
    """
    from .github_client import API_URL_ENV, GitHubClient
    from .manifest import install_root

    out, err = out or sys.stdout, err or sys.stderr
    if not (settings.github_token and settings.github_repo) or not check_enabled(environ):
        return None

    def warn(message: str) -> None:
        print(f"warning: {message}", file=err)

    root = install_root()
    url = manifest_url(environ, config or {}, read_local_manifest(root))
    if url is None:
        print(NO_SOURCE_NOTICE, file=out)
        return CheckResult("skipped", NO_SOURCE_NOTICE)
    try:
        client = GitHubClient(
            settings.github_token,
            settings.github_repo,
            api_url=(environ.get(API_URL_ENV) or "").strip() or None,
        )
    except SyncError as exc:
        warn(f"update check skipped: {exc.message}")
        return None
    state_dir = Path(settings.state_dir) if settings.state_dir else Path(directory) / ".section11"
    try:
        result = check_for_updates(
            root,
            state_dir,
            url,
            now=settings.now,
            github=client,
            warn=warn,
        )
    except Exception as exc:  # noqa: BLE001 - the sync succeeded; a bug here must not fail it
        warn(f"update check failed unexpectedly ({type(exc).__name__})")
        return None
    if result.status == "failed":
        warn(result.message)
    elif result.status == "opened" or "closed issue" in result.message or settings.debug:
        print(result.message, file=out)
    return result


# ----------------------------------------------------------------- --update


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
    print(f"Checking {_shown(url)} for updates to {root} ...", file=out)
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


__all__ = [
    "UpdateError",
    "UpdatePlan",
    "CheckResult",
    "plan_update",
    "check_for_updates",
    "run_update",
    "after_sync",
    "fetch_manifest",
    "download_verified",
    "install",
    "issue_title",
    "issue_body",
    "manifest_url",
    "check_enabled",
    "file_url",
    "describe",
    "NO_SOURCE_NOTICE",
    "UPDATE_COMMAND",
    "MANIFEST_URL_ENV",
    "LABEL",
    "TITLE_PREFIX",
    "STATE_NAME",
]
