"""`sync.py --commit`: the workflow's single-writer commit step (docs/architecture.md#publishing, fixed per weakness 9.1.7 (docs/architecture.md#reference-weaknesses)).

The reference staged files, ran `git pull --rebase --autostash`, committed and
pushed from inline shell. When the remote had moved, autostash brought the data
files back unstaged and the commit held only the archive snapshot: the run's
data was silently dropped. Its README step pushed without pulling at all.

Here one run makes at most one commit, built without touching the index or the
working tree until the push has succeeded:

1. fetch the branch from the remote; the base is the remote tip (or the local
   branch when it is ahead);
2. compare every data file with the base by `content_fingerprint` (generation
   timestamps are not a change); nothing changed -> no commit;
3. otherwise write one commit on the base holding every data file, the archive
   snapshot policy (archive.py) and the README "Last successful sync" line,
   using a private temporary index;
4. push it. A non-fast-forward rejection means the remote moved: fetch and
   rebuild the commit on the new tip ("rebase" with fixed rules: the data files
   are this run's, so ours win; the README line is re-applied on the remote's
   README; the archive is re-planned), and push again;
5. after the push, move the local branch, index and working tree to the commit.

A failure before the push leaves the local repository as it was (only
unreferenced objects), so the next run starts clean. Git always runs with an
argument list; a token is handed to git through the environment
(GIT_CONFIG_COUNT), never on a command line, in a remote URL or in a message.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InvalidInput, OutputFailed
from ..outputs.picture_files import PICTURE_FILES
from .archive import ARCHIVE_DIR, ArchivePlan, parse_retention_days, plan_archive
from .files import read_data_file, write_files_atomic
from .git_runner import GitRunner, PublishFailed, classify_output
from .readme import set_last_sync_line
from .volatile import content_fingerprint, data_fingerprint

LATEST_NAME = "latest.json"
# every data file a sync writes besides latest.json: the JSON files, then the
# charts and the dashboard (committed under the same rules: regular files only)
OTHER_DATA_FILES = (
    "history.json",
    "intervals.json",
    "routes.json",
    "ftp_history.json",
    *PICTURE_FILES,
)
README_NAME = "README.md"
BOT_NAME = "github-actions[bot]"
BOT_EMAIL = "41898282+github-actions[bot]@users.noreply.github.com"
DEFAULT_REMOTE = "origin"
MAX_ATTEMPTS = 5
NETWORK_TIMEOUT = 120.0  # seconds for one fetch or push


@dataclass
class CommitResult:
    """What one `--commit` run did."""

    changed: list[str] = field(default_factory=list)  # data files whose content changed
    commit: str | None = None  # the commit made (None: no change)
    pushed: bool = False
    remote: str | None = None
    branch: str | None = None
    archived: str | None = None  # snapshot path added
    pruned: list[str] = field(default_factory=list)  # snapshot paths removed
    readme_updated: bool = False
    attempts: int = 0
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human summary for stdout."""
        if self.commit is None:
            return ["--commit: no data changed (timestamps aside); nothing to commit"]
        where = (
            f"pushed to {self.remote}/{self.branch}"
            if self.pushed
            else f"committed locally on {self.branch} (no remote {self.remote!r})"
        )
        lines = [f"--commit: {self.commit[:12]} {where}: {', '.join(self.changed)}"]
        if self.archived:
            lines.append(f"archived {self.archived}")
        if self.pruned:
            lines.append(f"pruned {len(self.pruned)} archive snapshot(s) past the retention")
        if self.attempts > 1:
            lines.append(
                f"the remote moved during the run; rebuilt on its tip ({self.attempts} attempts)"
            )
        return lines + [f"warning: {w}" for w in self.warnings]


# ----------------------------------------------------------------- pure helpers


def _regular_bytes(path: Path) -> bytes | None:
    """The bytes of `path` when it is a regular file (None when missing, a
    symlink or anything else): the checkout is never read through a link."""
    try:
        return read_data_file(path)
    except OutputFailed:
        return None


def read_publishable(path: Path) -> bytes | None:
    """A data file to commit (None when missing): a regular file, never read
    through a symlink, and valid JSON when its name says .json."""
    try:
        data = read_data_file(path)
    except OutputFailed as exc:
        raise OutputFailed(f"--commit: {exc.message}") from None
    if data is not None and path.name.endswith(".json"):
        if content_fingerprint(data).startswith("raw:"):
            raise OutputFailed(f"--commit: {path} is not valid JSON; refusing to publish it")
    return data


# ----------------------------------------------------------------- the step


@dataclass
class _Plan:
    commit: str
    changed: list[str]
    written: dict[str, bytes]  # repo path -> bytes now in the commit
    data_paths: frozenset[str]  # the data files among them (read from the working tree)
    archived: str | None
    pruned: list[str]
    readme_updated: bool


class CommitStep:
    """One `--commit` run over the data files in `data_dir` (see module doc)."""

    def __init__(
        self,
        data_dir: Path | str,
        *,
        latest_name: str = LATEST_NAME,
        remote: str = DEFAULT_REMOTE,
        retention_days: int | None = None,
        token: str | None = None,
        now: datetime | None = None,
        environ: Mapping[str, str] | None = None,
        max_attempts: int = MAX_ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        before_push: Callable[[int, str], None] | None = None,
        timeout: float = NETWORK_TIMEOUT,
    ):
        self.data_dir = Path(data_dir)
        self.latest_name = latest_name
        self.remote = remote
        self.retention_days = parse_retention_days(retention_days)
        self.now = (now or datetime.now(UTC)).astimezone(UTC)
        self.environ = dict(os.environ if environ is None else environ)
        self.max_attempts = max(1, max_attempts)
        self.sleep = sleep
        self.before_push = before_push
        self.token = token
        self.timeout = timeout

    # ------------------------------------------------------------- setup

    def _locate(self) -> None:
        if not self.data_dir.is_dir():
            raise InvalidInput(f"--commit: data directory {self.data_dir} does not exist")
        probe = GitRunner(self.data_dir, self.environ, self.token, self.timeout)
        proc = probe.run("rev-parse", "--show-toplevel", check=False)
        if proc.returncode != 0:
            raise InvalidInput(
                f"--commit: {self.data_dir} is not inside a git working tree; "
                "run the sync in a clone of your data repository"
            )
        self.root = Path(proc.stdout.decode().strip())
        self.git = GitRunner(self.root, self.environ, self.token, self.timeout)
        rel = os.path.relpath(self.data_dir.resolve(), self.root.resolve())
        if rel.startswith(".."):
            raise InvalidInput(f"--commit: {self.data_dir} is outside the repository")
        self.prefix = "" if rel == "." else Path(rel).as_posix() + "/"
        self.git_dir = Path(self.git.out("rev-parse", "--absolute-git-dir"))
        proc = self.git.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
        if proc.returncode != 0:
            raise InvalidInput(
                "--commit: HEAD is detached; check out the branch to publish (e.g. git switch main)"
            )
        self.branch = proc.stdout.decode().strip()
        proc = self.git.run("rev-parse", "-q", "--verify", "HEAD^{commit}", check=False)
        self.head = proc.stdout.decode().strip() if proc.returncode == 0 else None
        self.has_remote = self.remote in self.git.out("remote").split()
        if self.has_remote:
            url = self.git.out("remote", "get-url", "--push", self.remote)
            own = (
                self.git.run(
                    "config", "--get-regexp", r"^http\..*\.extraheader$", check=False
                ).returncode
                == 0
            )
            self.git.use_token(url, own)

    def _read_files(self) -> dict[str, bytes]:
        latest = self.data_dir / self.latest_name
        if not latest.is_file() and not latest.is_symlink():
            raise InvalidInput(
                f"--commit: {latest} not found; run the sync first "
                "(python sync.py --output-dir DIR)"
            )
        files: dict[str, bytes] = {}
        for name in (self.latest_name, *OTHER_DATA_FILES):
            data = read_publishable(self.data_dir / name)
            if data is not None:
                files[self.prefix + name] = data
        return files

    def _identity_env(self) -> dict[str, str]:
        """Author/committer: SECTION11_GIT_NAME/EMAIL > git config (outside Actions) > bot."""
        in_actions = self.environ.get("GITHUB_ACTIONS") == "true"

        def pick(env_name: str, config_key: str, default: str) -> str:
            value = self.environ.get(env_name, "").strip()
            if value:
                return value
            if not in_actions:
                configured = self.git.out("config", "--get", config_key, check=False)
                if configured:
                    return configured
            return default

        name = pick("SECTION11_GIT_NAME", "user.name", BOT_NAME)
        email = pick("SECTION11_GIT_EMAIL", "user.email", BOT_EMAIL)
        date = f"@{int(self.now.timestamp())} +0000"
        return {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
            "GIT_COMMITTER_DATE": date,
        }

    # ------------------------------------------------------------- remote

    def _fetch(self) -> str | None:
        """Tip of the remote branch (None when the branch does not exist there)."""
        tracking = f"refs/remotes/{self.remote}/{self.branch}"
        proc = self.git.run(
            "fetch",
            "--quiet",
            "--no-tags",
            self.remote,
            f"+refs/heads/{self.branch}:{tracking}",
            network=True,
            check=False,
        )
        if proc.returncode != 0:
            if "couldn't find remote ref" in self.git.output(proc).lower():
                return None
            raise self._network_error("fetch from", proc)
        return self.git.out("rev-parse", "--verify", f"{tracking}^{{commit}}")

    def _network_error(self, verb: str, proc: subprocess.CompletedProcess) -> PublishFailed:
        kind = classify_output(self.git.output(proc))
        where = f"{self.remote}/{self.branch}"
        detail = self.git.message(proc)
        reasons = {
            "refused": f"the remote refused the push to {where} (branch protection or a "
            f"server hook): {detail}; allow this token to push to {self.branch}",
            "auth": f"{verb} {self.remote}: the credentials were rejected; set GITHUB_TOKEN to a "
            "token with Contents read and write on this repository",
            "permission": f"{verb} {self.remote}: no permission to write; give the token Contents "
            "read and write (workflow: Settings > Actions > Workflow permissions)",
            "not-found": f"{verb} {self.remote}: repository not found or not accessible with "
            "this token",
        }
        text = reasons.get(kind, f"git {verb} {self.remote} failed: {detail}")
        return PublishFailed(f"{text}; nothing was published, the next run retries")

    def _base(self, remote_tip: str | None) -> str | None:
        """The remote tip: the commit made is pushed alone, so local commits the
        user has not pushed are refused, never published with ours."""
        head = self.head
        if remote_tip is None or head == remote_tip:
            if remote_tip is None and head is not None and self.has_remote:
                raise PublishFailed(
                    f"branch {self.branch} does not exist on {self.remote}; push it yourself "
                    "once (git push -u), then rerun: --commit pushes only its own commit"
                )
            return head
        if head is None or self._is_ancestor(head, remote_tip):
            return remote_tip
        if self._is_ancestor(remote_tip, head):
            ahead = self.git.out("rev-list", "--count", f"{remote_tip}..{head}")
            raise PublishFailed(
                f"local branch {self.branch} has {ahead} commit(s) not on "
                f"{self.remote}/{self.branch}; push or drop them first (git push / git reset), "
                "then rerun: --commit pushes only its own commit"
            )
        raise PublishFailed(
            f"local branch {self.branch} and {self.remote}/{self.branch} have "
            "diverged; reconcile them (git pull --rebase) and rerun"
        )

    def _is_ancestor(self, older: str, newer: str) -> bool:
        return (
            self.git.run("merge-base", "--is-ancestor", older, newer, check=False).returncode == 0
        )

    # ------------------------------------------------------------- build

    def _tree_entries(self, base: str | None, paths: list[str]) -> dict[str, tuple[str, str]]:
        """{path: (mode, blob id)} of `paths` in `base`."""
        if base is None or not paths:
            return {}
        out = self.git.run("ls-tree", "-z", "--full-tree", base, "--", *paths).stdout
        entries = {}
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, oid = meta.decode().split()
            if kind == "blob":
                entries[path.decode("utf-8", "surrogateescape")] = (mode, oid)
        return entries

    @staticmethod
    def _mode(entries: dict[str, tuple[str, str]], path: str) -> str:
        """Mode of a written path: a regular file, executable only if it was
        (a symlink or submodule entry in the base becomes a regular file)."""
        return "100755" if entries.get(path, ("",))[0] == "100755" else "100644"

    def _blob(self, oid: str) -> bytes:
        # network: a blob-less (partial) clone fetches it on demand, with the token
        return self.git.run("cat-file", "blob", oid, network=True).stdout

    def _write_blob(self, data: bytes) -> str:
        return self.git.out("hash-object", "-w", "--stdin", stdin=data)

    def _build(self, base: str | None, files: dict[str, bytes]) -> _Plan | None:
        entries = self._tree_entries(base, [*files, README_NAME])
        before = {path: self._blob(entries[path][1]) for path in files if path in entries}
        changed = [
            path
            for path, data in files.items()
            if path not in before or content_fingerprint(before[path]) != content_fingerprint(data)
        ]
        if not any(
            path not in before
            or data_fingerprint(path, before[path]) != data_fingerprint(path, files[path])
            for path in changed
        ):
            return None  # nothing, or retry bookkeeping only: it waits for a data change
        written = dict(files)
        plans = self._archive_plans(base, files)
        added = [plan.add for plan in plans if plan.add]
        removed = [path for plan in plans for path in plan.remove]
        written.update(dict(added))
        readme_updated = False
        if README_NAME in entries:
            old = self._blob(entries[README_NAME][1])
            try:
                new = set_last_sync_line(old.decode("utf-8"), self.now).encode("utf-8")
            except UnicodeDecodeError:
                new = old  # not text: leave it alone
            if new != old:
                written[README_NAME] = new
                readme_updated = True

        index = self.git_dir / f"section11-commit-{os.getpid()}-{random.getrandbits(32):08x}.index"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            if base is None:
                self.git.run("read-tree", "--empty", env=env)
            else:
                self.git.run("read-tree", base, env=env)
            info = b"".join(
                f"{self._mode(entries, path)} {self._write_blob(data)}\t".encode()
                + path.encode("utf-8", "surrogateescape")
                + b"\0"
                for path, data in written.items()
            )
            self.git.run("update-index", "-z", "--index-info", stdin=info, env=env)
            if removed:
                self.git.run(
                    "update-index",
                    "-z",
                    "--force-remove",
                    "--stdin",
                    stdin=b"".join(p.encode() + b"\0" for p in removed),
                    env=env,
                )
            tree = self.git.out("write-tree", env=env)
        finally:
            try:
                index.unlink()
            except OSError:
                pass
        stamp = self.now.strftime("%Y-%m-%d %H:%M:%S UTC")
        message = [f"Sync training data {stamp}", "", f"Changed: {', '.join(changed)}"]
        message += [f"Archive: {path}" for path, _ in added]
        if removed:
            message.append(f"Pruned {len(removed)} archive snapshot(s) past the retention")
        parents = ["-p", base] if base else []
        commit = self.git.out(
            "commit-tree",
            tree,
            *parents,
            "-F",
            "-",
            stdin=("\n".join(message) + "\n").encode(),
            env=self._identity_env(),
        )
        return _Plan(
            commit,
            changed,
            written,
            frozenset(files),
            ", ".join(path for path, _ in added) or None,
            removed,
            readme_updated,
        )

    def _archive_plans(self, base: str | None, files: dict[str, bytes]) -> list[ArchivePlan]:
        """The archive decision of this run: one plan (the latest.json of `data_dir`)."""
        return [self._archive_plan(base, self.prefix, files[self.prefix + self.latest_name])]

    def _archive_plan(self, base: str | None, prefix: str, latest: bytes) -> ArchivePlan:
        """Snapshot and retention decision for the archive under `prefix`."""
        archive = prefix + ARCHIVE_DIR + "/"
        existing = []
        if base is not None:
            listing = self.git.run(
                "ls-tree", "-r", "-z", "--name-only", "--full-tree", base, "--", archive
            ).stdout
            existing = [p.decode("utf-8", "surrogateescape") for p in listing.split(b"\0") if p]

        def read(path: str) -> bytes | None:
            # network: in the workflow's sparse, blob-less checkout the snapshot
            # is fetched on demand, with the token
            proc = self.git.run("cat-file", "blob", f"{base}:{path}", check=False, network=True)
            return proc.stdout if proc.returncode == 0 else None

        return plan_archive(
            existing, read, latest, self.now, prefix=prefix, retention_days=self.retention_days
        )

    # ------------------------------------------------------------- local checkout

    def _update_checkout(self, plan: _Plan, result: CommitResult) -> None:
        """Move branch, index and working tree to the new commit, keeping local edits."""
        staged = []
        for path, data in plan.written.items():
            target = self.root / path
            try:
                current = _regular_bytes(target)
                if current != data:
                    if path in plan.data_paths:
                        continue  # rewritten since it was read (a newer sync): leave it
                    if path == README_NAME and current is not None and self.head is not None:
                        before = self.git.run(
                            "cat-file", "blob", f"{self.head}:{path}", check=False
                        ).stdout
                        if current != before:
                            continue  # a local edit: git will refuse and we warn below
                    target.parent.mkdir(parents=True, exist_ok=True)
                    # a random O_EXCL temp name beside it, renamed over the target
                    # (a symlink there is replaced, never followed)
                    write_files_atomic({target: data})
            except OSError as exc:
                result.warnings.append(f"could not write {path} locally: {exc.strerror or exc}")
                continue
            except OutputFailed as exc:
                result.warnings.append(f"could not write {path} locally: {exc.message}")
                continue
            staged.append(path)
        if staged:
            self.git.run(
                "update-index",
                "-z",
                "--add",
                "--stdin",
                stdin=b"".join(p.encode("utf-8", "surrogateescape") + b"\0" for p in staged),
                check=False,
            )
        self.git.run("update-index", "-q", "--refresh", check=False)
        trees = [self.head, plan.commit] if self.head else [plan.commit]
        proc = self.git.run("read-tree", "-m", "-u", *trees, check=False)
        if proc.returncode != 0:
            result.warnings.append(
                f"the data was published, but the local checkout was not moved to it "
                f"({self.git.message(proc)}); run `git pull` here"
            )
            return
        old = [self.head] if self.head else []
        self.git.run(
            "update-ref", "-m", "section11 --commit", f"refs/heads/{self.branch}", plan.commit, *old
        )

    # ------------------------------------------------------------- run

    def run(self) -> CommitResult:
        self._locate()
        files = self._read_files()
        result = CommitResult(remote=self.remote, branch=self.branch)
        if not self.has_remote:
            plan = self._build(self.head, files)
            if plan is not None:
                self._finish(plan, result, pushed=False)
            return result
        for attempt in range(1, self.max_attempts + 1):
            result.attempts = attempt
            plan = self._build(self._base(self._fetch()), files)
            if plan is None:
                return result
            if self.before_push is not None:
                self.before_push(attempt, plan.commit)
            proc = self.git.run(
                "push",
                "--porcelain",
                self.remote,
                f"{plan.commit}:refs/heads/{self.branch}",
                network=True,
                check=False,
            )
            if proc.returncode == 0:
                self._finish(plan, result, pushed=True)
                return result
            if classify_output(self.git.output(proc)) != "moved":
                raise self._network_error("push to", proc)
            if attempt < self.max_attempts:
                self.sleep(min(30.0, 2.0 ** (attempt - 1)) * (0.5 + random.random()))
        raise PublishFailed(
            f"push to {self.remote}/{self.branch} was rejected "
            f"{self.max_attempts} times because the remote kept moving; "
            "nothing was published, the next run retries"
        )

    def _finish(self, plan: _Plan, result: CommitResult, *, pushed: bool) -> None:
        result.commit, result.changed, result.pushed = plan.commit, plan.changed, pushed
        result.archived, result.pruned = plan.archived, plan.pruned
        result.readme_updated = plan.readme_updated
        self._update_checkout(plan, result)
