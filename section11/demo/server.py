"""A fake Intervals.icu API on loopback (docs/architecture.md#api-client–docs/architecture.md#api-client, checklist docs/architecture.md#demo-and-test-kit).

`FakeIntervals(data).start()` serves a `DemoData` over real HTTP/1.1 on
127.0.0.1 (routes and their semantics: fake_api.py), so the real client, the
demo, the integration tests and the benchmark speak to it exactly as to
intervals.icu. Tests may mutate `data` between requests, read the request log,
add latency, rate-limit (token bucket -> 429 + Retry-After) and inject faults.

Keep-alive: HTTP/1.1 with a Content-Length on every reply, so one
`requests.Session` reuses one connection (`connections` counts accepts).
The `truncate` fault promises the full Content-Length, sends the first half of
the real body and closes the connection (the client sees a short read); the
`reset` fault closes with SO_LINGER 0 (a TCP reset) without answering.
Nothing logs headers: the Authorization header never leaves the request.
"""

from __future__ import annotations

import argparse
import math
import re
import signal
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from .dataset import DemoData
from .fake_api import API, JSON, FakeApi, Reply, error_body, json_reply

DEMO_TIMEZONE = "Europe/Amsterdam"
BROKEN_PAGE = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
IDLE_TIMEOUT = 60.0  # seconds an idle keep-alive connection is kept open


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (never its headers: they hold the key)."""

    method: str
    path: str  # URL path without the query string
    query: dict[str, str]  # last value per parameter
    status: int | None  # None: the connection was reset without an answer
    duration: float  # seconds, including latency and injected delays
    fault: str | None = None  # the injected fault that shaped the answer


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    remaining: int
    status: int | None
    retry_after: str | None
    body: bytes | None
    delay: float | None
    truncate: bool
    invalid_json: bool
    reset: bool
    null_body: bool

    @property
    def name(self) -> str:
        parts = [f"status:{self.status}" if self.status is not None else ""]
        parts += [
            n
            for n, on in (
                ("delay", self.delay),
                ("reset", self.reset),
                ("truncate", self.truncate),
                ("invalid_json", self.invalid_json),
                ("null_body", self.null_body),
                ("body", self.body is not None and self.status is None),
            )
            if on
        ]
        return "+".join(p for p in parts if p) or "none"


# ----------------------------------------------------------------- HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every reply carries Content-Length
    server_version = "FakeIntervals/1.0"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def do_GET(self) -> None:
        self._serve("GET")

    def _other(self) -> None:
        self._serve(self.command)

    do_POST = do_PUT = do_DELETE = do_PATCH = _other

    def _serve(self, method: str) -> None:
        """latency -> fault (delay, reset, canned answer) -> rate limit -> API.
        The request is logged just before its answer goes out, so a client
        that has its response always finds the request in the log."""
        fake: FakeIntervals = self.server.fake  # type: ignore[attr-defined]
        started = time.perf_counter()
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        fault: _Fault | None = None

        def record(status: int | None) -> None:
            fake._record(
                RequestRecord(
                    method,
                    split.path,
                    query,
                    status,
                    time.perf_counter() - started,
                    fault.name if fault else None,
                )
            )

        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > 0:
                self.rfile.read(length)
            if fake.latency > 0:
                fake._wait(fake.latency)
            fault = fake._take_fault(split.path)
            if fault is not None and fault.delay:
                fake._wait(fault.delay)
            if fault is not None and fault.reset:
                record(None)
                self._reset()
                return
            reply = (
                fake._fault_reply(fault)
                or fake._rate_check()
                or fake._api.dispatch(method, split.path, query, self.headers.get("Authorization"))
            )
            record(reply.status)
            self._send(reply, truncate=bool(fault and fault.truncate))
        except (OSError, ValueError):  # client went away, or a garbled Content-Length
            self.close_connection = True

    def _send(self, reply: Reply, truncate: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.ctype)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in (reply.headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if truncate:  # promise everything, send half, hang up
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(reply.body)

    def _reset(self) -> None:
        """Close without answering; SO_LINGER 0 makes it a TCP reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], fake: FakeIntervals, listener: socket.socket | None
    ):
        self.fake = fake
        super().__init__(address, _Handler, bind_and_activate=listener is None)
        if listener is not None:  # bound and listening already
            self.socket.close()
            self.socket = listener
            self.server_address = listener.getsockname()

    def process_request(self, request, client_address):  # noqa: ANN001
        self.fake._opened(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # noqa: ANN001
        self.fake._closed(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):  # noqa: ANN001 - no tracebacks
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            sys.stderr.write(f"fake Intervals.icu: {type(exc).__name__} while serving a request\n")


class FakeIntervals:
    """Intervals.icu on 127.0.0.1 serving `data`; also a context manager."""

    def __init__(
        self,
        data: DemoData,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        today: date | None = None,
        listener: socket.socket | None = None,
    ):
        """`listener`: a socket already listening on loopback, served instead
        of binding `host`:`port` (the demo binds it before forking the server)."""
        if listener is not None:
            host, port = listener.getsockname()[:2]
        if host != "localhost" and not host.startswith("127."):
            raise ValueError("the fake Intervals.icu server only listens on loopback")
        self.data = data
        self.host = host
        self.port = port
        self._listener = listener
        self.today = today  # default for events/curves; else data.today, else athlete-local now
        self.base_url = ""
        self.latency = 0.0
        self.rate_limit: tuple[float, int] | None = None
        self.rate_limit_retry_after = True  # send Retry-After with rate-limit 429s
        self.connections = 0  # TCP connections accepted (keep-alive check)
        self._api = FakeApi(self)
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._faults: list[_Fault] = []
        self._open: set[socket.socket] = set()
        self._bucket: tuple[tuple[float, int] | None, float, float] = (None, 0.0, 0.0)
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> str:
        if self._httpd is not None:
            return self.base_url
        self._stopping.clear()
        self._httpd = _Server((self.host, self.port), self, self._listener)
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-intervals",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:  # wake handlers parked on idle keep-alive connections
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeIntervals:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------ test controls

    @property
    def requests(self) -> list[RequestRecord]:
        """A snapshot of the request log, oldest first."""
        with self._lock:
            return list(self._log)

    def requests_matching(self, path_regex: str) -> list[RequestRecord]:
        pattern = re.compile(path_regex)
        return [r for r in self.requests if pattern.search(r.path)]

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    def inject(
        self,
        path_regex: str,
        *,
        status: int | None = None,
        times: int = 1,
        retry_after: str | None = None,
        body: bytes | None = None,
        delay: float | None = None,
        truncate: bool = False,
        invalid_json: bool = False,
        reset: bool = False,
        null_body: bool = False,
    ) -> None:
        """The next `times` requests whose URL path matches `path_regex`
        (re.search, no query string) get the fault. `status` answers that
        status with `{"status", "error"}` (or `body`) and `Retry-After` if
        given; `retry_after` alone implies 429; `body` alone is a 200 with
        that body. `delay` sleeps first and combines with any other kind."""
        if times < 1:
            raise ValueError("times must be >= 1")
        if status is None and retry_after is not None:
            status = 429
        fault = _Fault(
            re.compile(path_regex),
            int(times),
            status,
            retry_after,
            body,
            delay,
            truncate,
            invalid_json,
            reset,
            null_body,
        )
        with self._lock:
            self._faults.append(fault)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def current_today(self) -> date:
        if self.today is not None:
            return self.today
        today = getattr(self.data, "today", None)
        if isinstance(today, date):
            return today
        try:
            zone = ZoneInfo(str((self.data.athlete or {}).get("timezone") or "UTC"))
        except (ValueError, KeyError, OSError):
            zone = ZoneInfo("UTC")
        return datetime.now(zone).date()

    # ------------------------------------------------------------ used by the handler

    def _wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.pattern.search(path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    @staticmethod
    def _fault_reply(fault: _Fault | None) -> Reply | None:
        if fault is None:
            return None
        if fault.status is not None:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else None
            if fault.body is not None:
                return Reply(fault.status, fault.body, JSON, headers)
            return json_reply(fault.status, error_body(fault.status), headers)
        if fault.invalid_json:
            return Reply(200, BROKEN_PAGE, "text/html; charset=utf-8")
        if fault.null_body:
            return Reply(200, b"null")
        if fault.body is not None:
            return Reply(200, fault.body)
        return None

    def _rate_check(self) -> Reply | None:
        """Token bucket (rate/s, burst) -> 429 once empty (docs/architecture.md#api-client)."""
        with self._lock:
            config = self.rate_limit
            if not config:
                return None
            rate, burst = float(config[0]), int(config[1])
            now = time.monotonic()
            seen, tokens, last = self._bucket
            tokens = float(burst) if seen != config else min(burst, tokens + (now - last) * rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._bucket = (config, tokens, now)
        if allowed:
            return None
        wait = (1.0 - tokens) / rate if rate > 0 else 1.0
        headers = (
            {"Retry-After": str(max(1, math.ceil(wait)))} if self.rate_limit_retry_after else None
        )
        return json_reply(429, error_body(429), headers)

    def _record(self, record: RequestRecord) -> None:
        with self._lock:
            self._log.append(record)

    def _opened(self, sock: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            self._open.add(sock)

    def _closed(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.discard(sock)


# ----------------------------------------------------------------- python -m section11.demo.server


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Serve `build_demo(today)` until Ctrl-C; print the base URL and the demo key."""
    from .dataset import build_demo

    parser = argparse.ArgumentParser(
        prog="python -m section11.demo.server",
        description="Fake Intervals.icu API serving the demo athlete.",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="TCP port on 127.0.0.1 (default: a free one)"
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help=f"the demo's today, YYYY-MM-DD (default: today in {DEMO_TIMEZONE})",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    args = parser.parse_args(argv)
    today = args.today or datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
    data = build_demo(today, timezone=DEMO_TIMEZONE)
    server = FakeIntervals(data, port=args.port, today=today)
    server.latency = max(0.0, args.latency)
    # Ctrl-C and SIGTERM stop the server whatever this process inherited: a
    # background job of a non-interactive shell starts with SIGINT ignored,
    # and Python then leaves it ignored (the server never stopped)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        url = server.start()
        print(f"Fake Intervals.icu API at {url} (paths under {API}), demo day {today.isoformat()}")
        print(f"INTERVALS_BASE_URL={url} ATHLETE_ID={data.athlete_id} INTERVALS_KEY={data.api_key}")
        print("(the demo key is not a real secret) Press Ctrl-C to stop.", flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
