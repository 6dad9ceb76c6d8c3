"""Where a fake server listens: a threaded HTTP server on a free port of
127.0.0.1, served from a daemon thread. Its request handler finds the fake
behind it as `self.server.fake`."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Loopback:
    """`start()` -> the base URL; `stop()` closes the port (idempotent)."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        fake: Any,
        server_class: type[ThreadingHTTPServer] = ThreadingHTTPServer,
    ):
        self.handler = handler
        self.fake = fake
        self.server_class = server_class
        self.server: ThreadingHTTPServer | None = None
        self._port: int | None = None

    def start(self) -> str:
        server = self.server_class(("127.0.0.1", 0), self.handler)
        server.daemon_threads = True
        server.fake = self.fake  # type: ignore[attr-defined]
        self.server = server
        self._port = server.server_address[1]
        threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self.fake).__name__,
            daemon=True,
        ).start()
        return self.url

    @property
    def port(self) -> int:
        """The port it listens on (or last listened on, once stopped)."""
        assert self._port is not None, "not started"
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
