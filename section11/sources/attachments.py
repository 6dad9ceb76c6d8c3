"""Which attachment URLs may be fetched (docs/architecture.md#api-client).

Attachment URLs come from the API's answers, so a hostile or compromised
server could point the sync at anything reachable from the machine (a cloud
metadata service at 169.254.169.254, a router's admin page). A URL, and every
redirect target, is fetched only when its host is the API's own host, a known
attachment host (intervals.icu and its subdomains, plus env
SECTION11_ATTACHMENT_HOSTS, comma-separated), and every address it resolves to
is public: never private, link-local, multicast or reserved, and loopback only
when the API itself is on loopback (the demo and the tests).
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from .errors import RefusedUrl
from .transport import is_loopback_host, secure_url_problem

ATTACHMENT_HOSTS_ENV = "SECTION11_ATTACHMENT_HOSTS"
KNOWN_ATTACHMENT_HOSTS = ("intervals.icu",)  # and their subdomains

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


def _allowed_host(host: str, allowed: tuple[str, ...]) -> bool:
    return any(host == name or host.endswith("." + name) for name in allowed)


def _public(address: str, loopback_ok: bool) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return loopback_ok
    return not (
        ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


def attachment_checker(
    api_base_url: str,
    environ: Mapping[str, str] | None = None,
    resolver: Resolver = resolve,
) -> Callable[[str], None]:
    """A `check_url` for HttpClient.get_bytes: raises RefusedUrl for a URL
    that may not be fetched (see the module doc); the message names only the
    host, never the query (pre-signed URLs carry signatures)."""
    environ = os.environ if environ is None else environ
    api_host = (urlsplit(api_base_url).hostname or "").lower()
    extra = tuple(
        h.strip().lower() for h in environ.get(ATTACHMENT_HOSTS_ENV, "").split(",") if h.strip()
    )
    allowed = (api_host, *KNOWN_ATTACHMENT_HOSTS, *extra)
    loopback_ok = is_loopback_host(api_host)

    def check(url: str) -> None:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        shown = f"{host}{parts.path}"
        problem = secure_url_problem(url)
        if problem:
            raise RefusedUrl(f"attachment {shown} refused: the URL {problem}", endpoint=shown)
        if not _allowed_host(host, allowed):
            raise RefusedUrl(
                f"attachment {shown} refused: {host} is not the API's host or a known "
                f"attachment host ({ATTACHMENT_HOSTS_ENV} adds one)",
                endpoint=shown,
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise RefusedUrl(f"attachment {shown} refused: invalid port", endpoint=shown) from None
        addresses = resolver(host, port)
        if not addresses or not all(_public(a, loopback_ok) for a in addresses):
            raise RefusedUrl(
                f"attachment {shown} refused: {host} resolves to a private, link-local "
                "or unknown address",
                endpoint=shown,
            )

    return check
