"""A fake GitHub REST API and a fake upstream file host, on 127.0.0.1.

For tests and demos of API publishing (section11.publish.github_api) and the
update check (section11.publish.updates); docs/architecture.md#publishing, docs/architecture.md#updates-and-manifest.

`FakeGitHub` implements just the endpoints section11 calls, under
`/repos/{owner}/{name}`: git refs (GET, PATCH with the fast-forward rule),
commits, trees (`base_tree`, recursive listing), blobs (base64, create and
read), and issues
(list with `state`/`labels`/pagination, create with labels). Objects live in
an in-memory store; blob ids are real git blob SHA-1s. Switches:

- `token`: the only accepted token (`Authorization: Bearer` or `token`);
  anything else is 401 "Bad credentials".
- `read_only`: every git write is 403 (a token without contents:write);
  `issues_read_only`: issue creation is 403.
- `protected`: PATCH of a ref is 422 "Protected branch update failed".
- `move_ref`: that many PATCH requests first see a foreign commit land on the
  branch (another writer between our GET and PATCH), so they fail as
  "not a fast forward" and the client must rebuild on the new base.
- `fail(method, path_regex, status, message, times, headers)`: canned errors
  (409, 422, 500, a 403 rate limit with `x-ratelimit-remaining: 0`, ...).

`FakeFileHost` serves static files (the upstream manifest.json and raw files)
with switches for a tampered file, a missing file, and any canned answer.
Neither server records request headers: the token never leaves the request.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from section11.demo.loopback import Loopback
from section11.publish.manifest import SCOPE, content_hash, render_manifest

FILE_MODE = "100644"
PER_PAGE_DEFAULT = 30
PER_PAGE_MAX = 100
DEFAULT_FILES = {"README.md": b"# data\n"}


def git_blob_sha(data: bytes) -> str:
    """The SHA-1 git gives a blob with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Request:
    """One request as a fake saw it; of the headers only harmless ones."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    accept: str | None = None  # the Accept header (never Authorization)
    api_version: str | None = None  # X-GitHub-Api-Version
    auth_scheme: str | None = None  # "Bearer" / "token" only, never the token


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    message: str
    remaining: int
    headers: dict[str, str]


class _Reply(Exception):
    def __init__(self, status: int, body: Any = None, headers: Mapping[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, dict(headers or {})


# ----------------------------------------------------------------- shared HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeGitHub/1.0"
    sys_version = ""
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def _serve(self) -> None:
        owner = self.server.fake  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        try:
            status, body, headers = owner._handle(
                self.command, unquote(split.path), query, raw, self.headers.get("Authorization")
            )
        except _Reply as reply:
            status, body, headers = reply.status, reply.body, reply.headers
        except Exception as exc:  # noqa: BLE001 - a fake must answer, not hang
            status, body, headers = 500, {"message": f"fake server bug: {type(exc).__name__}"}, {}
        scheme = (self.headers.get("Authorization") or "").partition(" ")[0] or None
        owner._record(
            Request(
                self.command,
                split.path,
                query,
                status,
                self.headers.get("Accept"),
                self.headers.get("X-GitHub-Api-Version"),
                scheme,
            )
        )
        if isinstance(body, (bytes, bytearray)):
            data, kind = bytes(body), "application/octet-stream"
        else:
            data, kind = json.dumps(body).encode("utf-8"), "application/json; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = do_HEAD = _serve


class _Loopback:
    """A threaded HTTP server on 127.0.0.1 with a request log; a context manager."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self._faults: list[_Fault] = []
        self._http = Loopback(_Handler, self)

    def start(self):
        self._http.start()
        return self

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self):
        return self.start() if self._http.server is None else self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self._http.url

    def _record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)

    def fail(
        self,
        method: str,
        path_regex: str,
        status: int,
        message: str = "injected",
        times: int = 1,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `times` matching requests with `status` and `message`."""
        with self.lock:
            self._faults.append(
                _Fault(
                    method.upper(),
                    re.compile(path_regex),
                    status,
                    message,
                    times,
                    dict(headers or {}),
                )
            )

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if (
                    fault.remaining > 0
                    and fault.method in (method, "*")
                    and fault.pattern.search(path)
                ):
                    fault.remaining -= 1
                    return fault
        return None

    def calls(self, method: str | None = None, contains: str = "") -> list[Request]:
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and contains in r.path
            ]

    def _handle(self, method, path, query, raw, auth):  # pragma: no cover - overridden
        raise NotImplementedError


# ----------------------------------------------------------------- fake GitHub


@dataclass
class FakeRepo:
    """One repository's object store, refs and issues."""

    blobs: dict[str, bytes] = field(default_factory=dict)
    trees: dict[str, dict[str, str]] = field(default_factory=dict)  # sha -> {path: blob sha}
    commits: dict[str, dict] = field(default_factory=dict)  # sha -> tree, parents, message
    refs: dict[str, str] = field(default_factory=dict)  # "heads/main" -> commit sha
    issues: list[dict] = field(default_factory=list)


class FakeGitHub(_Loopback):
    """A fake api.github.com; see the module docstring for the switches."""

    def __init__(
        self,
        token: str = "ghp_fake_token",
        repo: str = "me/data",
        files: Mapping[str, bytes] | None = DEFAULT_FILES,
        branch: str = "main",
    ):
        """`files`: the repository's initial commit; None = an empty repository."""
        super().__init__()
        self.token = token
        self.repos: dict[str, FakeRepo] = {}
        self.read_only = False
        self.issues_read_only = False
        self.protected = False
        self.move_ref = 0
        self._ids = itertools.count(1)
        self.add_repo(repo, files, branch)

    # --------------------------------------------------------- store helpers

    def add_repo(self, repo: str, files: Mapping[str, bytes] | None, branch: str = "main") -> None:
        """A repository with one initial commit holding `files` (None: no commits at all)."""
        with self.lock:
            self.repos[repo] = FakeRepo()
            if files is not None:
                tree = self._store_tree(
                    repo, {p: self._store_blob(repo, d) for p, d in files.items()}
                )
                self.repos[repo].refs[f"heads/{branch}"] = self._store_commit(
                    repo, tree, [], "Initial commit"
                )

    def _store_blob(self, repo: str, data: bytes) -> str:
        sha = git_blob_sha(data)
        self.repos[repo].blobs[sha] = data
        return sha

    def _store_tree(self, repo: str, entries: Mapping[str, str]) -> str:
        flat = dict(sorted(entries.items()))
        sha = hashlib.sha1(b"tree " + json.dumps(flat).encode()).hexdigest()
        self.repos[repo].trees[sha] = flat
        return sha

    def _store_commit(self, repo: str, tree: str, parents: list[str], message: str) -> str:
        record = {"tree": tree, "parents": list(parents), "message": message}
        serial = next(self._ids)
        sha = hashlib.sha1(b"commit %d " % serial + json.dumps(record).encode()).hexdigest()
        self.repos[repo].commits[sha] = record
        return sha

    def head(self, repo: str = "me/data", branch: str = "main") -> str | None:
        with self.lock:
            return self.repos[repo].refs.get(f"heads/{branch}")

    def files(self, repo: str = "me/data", branch: str = "main") -> dict[str, bytes]:
        """The branch head's files."""
        with self.lock:
            store = self.repos[repo]
            head = store.refs[f"heads/{branch}"]
            tree = store.trees[store.commits[head]["tree"]]
            return {path: store.blobs[sha] for path, sha in tree.items()}

    def history(self, repo: str = "me/data", branch: str = "main") -> list[dict]:
        """Commits reachable from the branch head by first parent, newest first."""
        with self.lock:
            store = self.repos[repo]
            sha = store.refs.get(f"heads/{branch}")
            chain = []
            while sha:
                commit = store.commits[sha]
                chain.append({"sha": sha, **commit})
                sha = commit["parents"][0] if commit["parents"] else None
            return chain

    def push_foreign(
        self, repo: str = "me/data", branch: str = "main", files: Mapping[str, bytes] | None = None
    ) -> str:
        """Another writer's commit on top of the branch (adds or changes `files`)."""
        with self.lock:
            store = self.repos[repo]
            head = store.refs[f"heads/{branch}"]
            entries = dict(store.trees[store.commits[head]["tree"]])
            n = len(store.commits)
            for path, data in (files or {f"other-{n}.txt": b"another writer %d\n" % n}).items():
                entries[path] = self._store_blob(repo, data)
            sha = self._store_commit(
                repo, self._store_tree(repo, entries), [head], "Commit from another writer"
            )
            store.refs[f"heads/{branch}"] = sha
            return sha

    def add_issue(
        self,
        title: str,
        labels: list[str] | tuple[str, ...] = (),
        state: str = "open",
        repo: str = "me/data",
        pull_request: bool = False,
    ) -> dict:
        with self.lock:
            store = self.repos[repo]
            issue = {
                "number": len(store.issues) + 1,
                "title": title,
                "body": "",
                "state": state,
                "labels": [{"name": n} for n in labels],
                "html_url": f"https://github.example/{repo}/issues/{len(store.issues) + 1}",
            }
            if pull_request:
                issue["pull_request"] = {"url": "https://github.example/pull"}
            store.issues.append(issue)
            return issue

    def issues(self, repo: str = "me/data") -> list[dict]:
        with self.lock:
            return [dict(i) for i in self.repos[repo].issues]

    def _is_ancestor(self, store: FakeRepo, ancestor: str, sha: str) -> bool:
        todo, seen = [sha], set()
        while todo:
            current = todo.pop()
            if current == ancestor:
                return True
            if current in seen or current not in store.commits:
                continue
            seen.add(current)
            todo.extend(store.commits[current]["parents"])
        return False

    # --------------------------------------------------------- routing

    def _handle(self, method, path, query, raw, auth):
        fault = self._take_fault(method, path)
        if fault is not None:
            raise _Reply(fault.status, {"message": fault.message}, fault.headers)
        scheme, _, value = (auth or "").partition(" ")
        if scheme.lower() not in ("bearer", "token") or value != self.token:
            raise _Reply(401, {"message": "Bad credentials"})
        match = re.fullmatch(r"/repos/([^/]+/[^/]+)(/.*)", path)
        if not match or match.group(1) not in self.repos:
            raise _Reply(404, {"message": "Not Found"})
        repo, rest = match.groups()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise _Reply(400, {"message": "Problems parsing JSON"}) from None
        with self.lock:
            return self._route(repo, method, rest, query, body)

    def _route(self, repo, method, rest, query, body):
        store = self.repos[repo]
        is_write = method in ("POST", "PATCH", "PUT", "DELETE")
        if rest.startswith("/git/") and is_write and self.read_only:
            raise _Reply(403, {"message": "Resource not accessible by personal access token"})
        if rest == "/issues" and method == "POST" and (self.issues_read_only or self.read_only):
            raise _Reply(403, {"message": "Resource not accessible by personal access token"})

        if (m := re.fullmatch(r"/git/ref/(heads/.+)", rest)) and method == "GET":
            sha = store.refs.get(m.group(1))
            if sha is None:
                raise _Reply(404, {"message": "Not Found"})
            return 200, {"ref": f"refs/{m.group(1)}", "object": {"sha": sha, "type": "commit"}}, {}
        if (m := re.fullmatch(r"/git/refs/(heads/.+)", rest)) and method == "PATCH":
            return self._update_ref(repo, m.group(1), body)
        if (m := re.fullmatch(r"/git/commits/([0-9a-f]{40})", rest)) and method == "GET":
            commit = store.commits.get(m.group(1))
            if commit is None:
                raise _Reply(404, {"message": "Not Found"})
            return (
                200,
                {
                    "sha": m.group(1),
                    "tree": {"sha": commit["tree"]},
                    "parents": [{"sha": p} for p in commit["parents"]],
                    "message": commit["message"],
                },
                {},
            )
        if (m := re.fullmatch(r"/git/trees/([0-9a-f]{40})", rest)) and method == "GET":
            tree = store.trees.get(m.group(1))
            if tree is None:
                raise _Reply(404, {"message": "Not Found"})
            entries = [
                {
                    "path": p,
                    "mode": FILE_MODE,
                    "type": "blob",
                    "sha": s,
                    "size": len(store.blobs[s]),
                }
                for p, s in tree.items()
            ]
            return 200, {"sha": m.group(1), "tree": entries, "truncated": False}, {}
        if (m := re.fullmatch(r"/git/blobs/([0-9a-f]{40})", rest)) and method == "GET":
            data = store.blobs.get(m.group(1))
            if data is None:
                raise _Reply(404, {"message": "Not Found"})
            return (
                200,
                {
                    "sha": m.group(1),
                    "size": len(data),
                    "encoding": "base64",
                    "content": base64.encodebytes(data).decode("ascii"),
                },
                {},
            )
        if rest == "/git/blobs" and method == "POST":
            return self._create_blob(repo, body)
        if rest == "/git/trees" and method == "POST":
            return self._create_tree(repo, body)
        if rest == "/git/commits" and method == "POST":
            return self._create_commit(repo, body)
        if rest == "/issues" and method == "GET":
            return self._list_issues(repo, store, query)
        if rest == "/issues" and method == "POST":
            return self._create_issue(repo, body)
        if m := re.fullmatch(r"/issues/(\d+)(/comments)?", rest):
            return self._issue_action(store, int(m.group(1)), bool(m.group(2)), method, body)
        raise _Reply(404, {"message": "Not Found"})

    def _issue_action(self, store, number, comment, method, body):
        """PATCH /issues/N (state) and POST /issues/N/comments."""
        if self.issues_read_only or self.read_only:
            raise _Reply(403, {"message": "Resource not accessible by personal access token"})
        issue = next((i for i in store.issues if i["number"] == number), None)
        if issue is None:
            raise _Reply(404, {"message": "Not Found"})
        if comment and method == "POST":
            issue.setdefault("comments_text", []).append(str(body.get("body", "")))
            return 201, {"body": body.get("body", "")}, {}
        if not comment and method == "PATCH":
            if body.get("state") in ("open", "closed"):
                issue["state"] = body["state"]
            return 200, dict(issue), {}
        raise _Reply(404, {"message": "Not Found"})

    def _create_blob(self, repo, body):
        content, encoding = body.get("content"), body.get("encoding", "utf-8")
        if not isinstance(content, str):
            raise _Reply(422, {"message": "Invalid request: content is missing"})
        try:
            data = (
                base64.b64decode(content, validate=True)
                if encoding == "base64"
                else content.encode("utf-8")
            )
        except ValueError:
            raise _Reply(422, {"message": "Invalid request: bad base64"}) from None
        sha = self._store_blob(repo, data)
        return 201, {"sha": sha, "url": f"/repos/{repo}/git/blobs/{sha}"}, {}

    def _create_tree(self, repo, body):
        store = self.repos[repo]
        base = body.get("base_tree")
        if base is not None and base not in store.trees:
            raise _Reply(422, {"message": "Invalid request: base_tree does not exist"})
        entries = dict(store.trees[base]) if base else {}
        for entry in body.get("tree") or []:
            path = entry.get("path")
            if not isinstance(path, str) or not path or entry.get("type", "blob") != "blob":
                raise _Reply(422, {"message": "Invalid request: bad tree entry"})
            if "content" in entry:
                entries[path] = self._store_blob(repo, str(entry["content"]).encode("utf-8"))
            elif entry.get("sha") is None:
                entries.pop(path, None)
            elif entry["sha"] in store.blobs:
                entries[path] = entry["sha"]
            else:
                raise _Reply(422, {"message": "Invalid request: blob does not exist"})
        sha = self._store_tree(repo, entries)
        return (
            201,
            {
                "sha": sha,
                "tree": [
                    {"path": p, "sha": s, "type": "blob", "mode": FILE_MODE}
                    for p, s in store.trees[sha].items()
                ],
            },
            {},
        )

    def _create_commit(self, repo, body):
        store = self.repos[repo]
        tree, parents = body.get("tree"), body.get("parents") or []
        if tree not in store.trees or any(p not in store.commits for p in parents):
            raise _Reply(422, {"message": "Invalid request: tree or parent does not exist"})
        sha = self._store_commit(repo, tree, parents, str(body.get("message", "")))
        return (
            201,
            {"sha": sha, "tree": {"sha": tree}, "parents": [{"sha": p} for p in parents]},
            {},
        )

    def _update_ref(self, repo, ref, body):
        store = self.repos[repo]
        if ref not in store.refs:
            raise _Reply(422, {"message": "Reference does not exist"})
        if self.move_ref > 0:
            self.move_ref -= 1
            self.push_foreign(repo, ref[len("heads/") :])
        if self.protected:
            raise _Reply(422, {"message": f"Protected branch update failed for refs/{ref}."})
        sha = body.get("sha")
        if sha not in store.commits:
            raise _Reply(422, {"message": "Object does not exist"})
        if not body.get("force") and not self._is_ancestor(store, store.refs[ref], sha):
            raise _Reply(422, {"message": "Update is not a fast forward"})
        store.refs[ref] = sha
        return 200, {"ref": f"refs/{ref}", "object": {"sha": sha, "type": "commit"}}, {}

    def _list_issues(self, repo, store, query):
        state = query.get("state", "open")
        wanted = {n for n in query.get("labels", "").split(",") if n}
        found = [
            i
            for i in store.issues
            if (state == "all" or i["state"] == state)
            and wanted <= {label["name"] for label in i["labels"]}
        ]
        found.sort(key=lambda i: -i["number"])
        per_page = min(max(int(query.get("per_page", PER_PAGE_DEFAULT)), 1), PER_PAGE_MAX)
        page = max(int(query.get("page", 1)), 1)
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(found):
            params = "&".join(f"{k}={v}" for k, v in {**query, "page": page + 1}.items())
            headers["Link"] = f'<{self.url}/repos/{repo}/issues?{params}>; rel="next"'
        return 200, chunk, headers

    def _create_issue(self, repo, body):
        title = body.get("title")
        if not isinstance(title, str) or not title.strip():
            raise _Reply(422, {"message": "Validation Failed: title is missing"})
        labels = [str(n) for n in body.get("labels") or []]
        issue = self.add_issue(title, labels, repo=repo)
        issue["body"] = str(body.get("body", ""))
        return 201, dict(issue), {}


# ----------------------------------------------------------------- fake upstream


class FakeFileHost(_Loopback):
    """Static files at `/{path}` (the upstream manifest.json and raw files).

    `tampered`: paths served with altered bytes; `missing`: paths answered 404.
    Set `files` directly (bytes by path); `release(files)` also serves a
    matching manifest.json built with section11's own hashing.
    """

    def __init__(self, files: Mapping[str, bytes] | None = None):
        super().__init__()
        self.files: dict[str, bytes] = dict(files or {})
        self.tampered: set[str] = set()
        self.missing: set[str] = set()

    def release(
        self,
        files: Mapping[str, bytes],
        descriptions: Mapping[str, str] | None = None,
        extra: Mapping[str, bytes] | None = None,
    ) -> dict:
        """Serve `files` plus a manifest.json listing them; returns the manifest.

        `extra` files are served but not listed.
        """
        manifest = {"scope": SCOPE, "files": {}}
        for path, data in files.items():
            entry = {"hash": content_hash(data)}
            if descriptions and path in descriptions:
                entry["description"] = descriptions[path]
            manifest["files"][path] = entry
        with self.lock:
            self.files = {
                **dict(files),
                **dict(extra or {}),
                "manifest.json": render_manifest(manifest),
            }
        return manifest

    @property
    def manifest_url(self) -> str:
        return f"{self.url}/manifest.json"

    def _handle(self, method, path, query, raw, auth):
        fault = self._take_fault(method, path)
        if fault is not None:
            raise _Reply(fault.status, fault.message.encode("utf-8"), fault.headers)
        if method not in ("GET", "HEAD"):
            raise _Reply(405, b"method not allowed")
        rel = path.lstrip("/")
        with self.lock:
            if rel in self.missing or rel not in self.files:
                raise _Reply(404, b"404: Not Found")
            data = self.files[rel]
            if rel in self.tampered:
                data = data + b"\n# tampered in transit\n"
        return 200, data, {}


__all__ = ["FakeGitHub", "FakeFileHost", "FakeRepo", "Request", "git_blob_sha"]
