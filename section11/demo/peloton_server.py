"""A fake Peloton API (and its OAuth token endpoint) on loopback, over real HTTP.

`FakePeloton(view)` serves a `PelotonView`: `POST /oauth/token`
(grant_type=refresh_token; every answer rotates the refresh token and the old
one stops working, as Auth0's rotation does), `GET /api/me`,
`/api/user/{id}/workouts` (newest first, `limit` at most 100, 0-based `page`,
`page_count`), `/api/workout/{id}`, `/api/workout/{id}/performance_graph`
and `/api/ride/{id}/details`. Every API call needs a current access token.

Tests read `requests` (method, path, query, whether `Peloton-Platform: web`
was sent; never a header value) and add `hooks`: callables
`(method, path, query) -> (status, body[, headers]) | None` that answer before the API
does (fault helpers: tests/kit/peloton_faults.py). `page_shift` and
`extra_page` reproduce Peloton's paging quirks: items repeated across pages
and a page_count one too high (an empty extra page).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .json_handler import JsonHandler
from .loopback import Loopback
from .peloton_view import PelotonView

MAX_LIMIT = 100
Answer = tuple[int, Any] | tuple[int, Any, dict[str, str]]  # (status, body[, headers])
Hook = Callable[[str, str, dict[str, str]], Answer | None]


@dataclass(frozen=True)
class PelotonRequest:
    method: str
    path: str
    query: dict[str, str]
    platform_web: bool  # the Peloton-Platform: web header was sent
    status: int


class _Handler(JsonHandler):
    server_version = "FakePeloton/1.0"

    def serve(self, method: str, body: bytes) -> None:
        fake: FakePeloton = self.server.fake  # type: ignore[attr-defined]
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        status, payload, *extra = fake.answer(
            method, split.path, query, body, self.headers.get("Authorization") or ""
        )
        platform_web = self.headers.get("Peloton-Platform") == "web"
        fake.log(PelotonRequest(method, split.path, query, platform_web, status))
        self.send_json(status, payload, extra[0] if extra else None)


class FakePeloton:
    """The fake API; use as a context manager (`base_url` once started)."""

    def __init__(self, view: PelotonView, token_factory: Callable[[], str] | None = None):
        self.view = view
        counter = itertools.count(1)
        self._new_token = token_factory or (lambda: f"demo-peloton-token-{next(counter)}")
        self.refresh_tokens = {view.refresh_token}
        self.access_tokens: set[str] = set()
        self.hooks: list[Hook] = []
        self.requests: list[PelotonRequest] = []
        self.page_shift = 0  # items each later page repeats from the page before
        self.extra_page = False  # page_count one too high
        self._lock = threading.Lock()
        self._http = Loopback(_Handler, self)
        self.base_url = ""

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> FakePeloton:
        self.base_url = self._http.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.stop()

    # ------------------------------------------------------------ test helpers
    def log(self, request: PelotonRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def calls(self, path_regex: str) -> list[PelotonRequest]:
        return [r for r in self.requests if re.fullmatch(path_regex, r.path)]

    def expire_tokens(self) -> None:
        """Every access and refresh token stops working (the athlete signed out)."""
        with self._lock:
            self.refresh_tokens.clear()
            self.access_tokens.clear()

    # ------------------------------------------------------------ routing
    def answer(
        self, method: str, path: str, query: dict[str, str], body: bytes, authorization: str
    ) -> Answer:
        for hook in list(self.hooks):
            got = hook(method, path, query)
            if got is not None:
                return got
        if method == "POST" and path == "/oauth/token":
            return self._token(body)
        if method != "GET":
            return 405, {"status": 405, "message": "Method not allowed"}
        if authorization.removeprefix("Bearer ") not in self.access_tokens:
            return 401, {"status": 401, "message": "Login required", "error_code": 3030}
        return self._api(path, query)

    def _token(self, body: bytes) -> Answer:
        try:
            form = json.loads(body or b"{}")
        except ValueError:
            return 400, {"error": "invalid_request"}
        with self._lock:
            if (
                form.get("grant_type") != "refresh_token"
                or form.get("client_id") != self.view.client_id
                or form.get("refresh_token") not in self.refresh_tokens
            ):
                return 403, {
                    "error": "invalid_grant",
                    "error_description": "Unknown or invalid refresh token.",
                }
            self.refresh_tokens.discard(form["refresh_token"])
            access, rotated = self._new_token(), self._new_token()
            self.access_tokens.add(access)
            self.refresh_tokens.add(rotated)
        return 200, {
            "access_token": access,
            "refresh_token": rotated,
            "token_type": "Bearer",
            "expires_in": 172800,
        }

    def _api(self, path: str, query: dict[str, str]) -> Answer:
        view = self.view
        if path == "/api/me":
            return 200, view.user
        match = re.fullmatch(r"/api/user/([^/]+)/workouts", path)
        if match and match.group(1) == view.user["id"]:
            return 200, self._page(query)
        match = re.fullmatch(r"/api/workout/([^/]+)(/performance_graph)?", path)
        if match:
            table = view.graphs if match.group(2) else view.details
            found = table.get(match.group(1))
            if found is not None:
                return 200, found
        match = re.fullmatch(r"/api/ride/([^/]+)/details", path)
        if match and match.group(1) in view.rides:
            return 200, view.rides[match.group(1)]
        return 404, {"status": 404, "message": "Not found"}

    def _page(self, query: dict[str, str]) -> dict[str, Any]:
        limit = min(MAX_LIMIT, int(query.get("limit") or 20))
        page = int(query.get("page") or 0)
        items = self.view.workouts
        step = limit - self.page_shift
        data = items[page * step : page * step + limit]
        count = 0
        while items and (count == 0 or (count - 1) * step + limit < len(items)):
            count += 1
        if self.extra_page:
            count += 1
        return {
            "data": data,
            "page": page,
            "page_count": count,
            "total": len(items),
            "count": len(data),
            "limit": limit,
            "show_next": page + 1 < count,
            "show_previous": page > 0,
        }
