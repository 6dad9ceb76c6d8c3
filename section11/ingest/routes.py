"""Route files attached to calendar events: downloaded, never stored.

The pipeline says which attachments need a download (the others are reused
from the previous routes.json or are FIT files, see `outputs.routes`); this
module fetches their bytes once per sync. Every failure becomes a
`RouteFileError`, terminal when retrying cannot help.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..sources import errors as api_errors
from ..sources.intervals import IntervalsClient
from ..sources.routefiles import MAX_ROUTE_BYTES, RouteFileError

RouteFile = bytes | RouteFileError


class AttachmentLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def url(self) -> str: ...


def download_route(client: IntervalsClient, attachment: AttachmentLike) -> bytes:
    """The attachment's bytes; raises RouteFileError (terminal=False: retry next sync)."""
    try:
        return client.download(attachment.url, max_bytes=MAX_ROUTE_BYTES)
    except api_errors.ResponseTooLarge:
        raise RouteFileError(
            f"{attachment.filename}: larger than {MAX_ROUTE_BYTES // 1_000_000} MB; not downloaded",
            terminal=True,
        ) from None
    except api_errors.NotFound:
        raise RouteFileError(
            f"{attachment.filename}: the attachment is gone (HTTP 404)", terminal=True
        ) from None
    except api_errors.IntervalsError as exc:
        raise RouteFileError(
            f"{attachment.filename}: download failed ({exc.status or 'network'}); "
            "retried next sync",
            terminal=False,
        ) from None


def download_routes(
    client: IntervalsClient, attachments: Iterable[AttachmentLike]
) -> dict[str, RouteFile]:
    """{attachment id: bytes or the RouteFileError} for each attachment, in order."""
    files: dict[str, RouteFile] = {}
    for attachment in attachments:
        if attachment.id in files:
            continue
        try:
            files[attachment.id] = download_route(client, attachment)
        except RouteFileError as exc:
            files[attachment.id] = exc
    return files
