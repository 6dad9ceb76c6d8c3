"""Hostile answers to the Intervals.icu client, the GitHub API client and the
update manifest fetch: attachments on other hosts, cookies, ~/.netrc, control
characters, redirects, oversized and slow answers. Real sockets on 127.0.0.1.
"""

from __future__ import annotations

import json

import pytest

from section11.errors import ApiFailed, InvalidInput
from section11.publish import upstream
from section11.publish.github_api import get_ref
from section11.publish.github_client import GitHubClient
from section11.sources.errors import ApiError, IntervalsError, RefusedUrl, ResponseTooLarge
from section11.sources.intervals import IntervalsClient
from tests.hostile_server import (
    HostileServer,
    drip,
    endless,
    gzip_bomb,
    json_reply,
    raw_reply,
    redirect,
)

KEY = "srcKEYa1b2c3d4e5f6g7h8"
TOKEN = "ghp_SRCtokenQ1W2E3R4T5Y6"
NETRC_PASSWORD = "netrcPASSk9j8h7g6"


def pieces(secret: str) -> list[str]:
    return [secret[i : i + 5] for i in range(len(secret) - 4)]


def leaked(headers: list[dict[str, str]]) -> list[str]:
    text = json.dumps(headers)
    return [p for s in (KEY, TOKEN, NETRC_PASSWORD) for p in pieces(s) if p in text]


def client(api: HostileServer) -> IntervalsClient:
    return IntervalsClient("i1", KEY, base_url=api.url, max_attempts=1, rate=None)


@pytest.fixture
def netrc_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1\nlogin someone\npassword {NETRC_PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("NETRC", raising=False)
    return home


# ----------------------------------------------------------------- attachments


def test_attachment_host_gets_no_cookie_no_netrc_no_key(netrc_home):
    athlete = json_reply({"id": "i1"}, headers={"Set-Cookie": "session=COOKIEs3cr3t; Path=/"})
    with (
        HostileServer([(r"/api/v1/athlete/", athlete)]) as api,
        HostileServer([(r"/files/", raw_reply(b"<gpx/>"))]) as files,
    ):
        c = client(api)
        c.athlete()
        assert any(ck.value == "COOKIEs3cr3t" for ck in c.http.session.cookies)
        assert c.download(f"{files.url}/files/route.gpx") == b"<gpx/>"
    received = [s.headers for s in files.seen]
    assert len(received) == 1
    lowered = json.dumps(received).lower()
    assert "cookie" not in lowered and "authorization" not in lowered
    assert "COOKIEs3cr3t" not in json.dumps(received) and not leaked(received)


def test_api_calls_never_send_netrc_credentials(netrc_home):
    with HostileServer([(r".", json_reply({"id": "i1"}))]) as api:
        client(api).athlete()
    assert not any(NETRC_PASSWORD in json.dumps(s.headers) for s in api.seen)
    assert not any(p in json.dumps([s.headers for s in api.seen]) for p in pieces(NETRC_PASSWORD))


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/route.gpx",
        "http://[::ffff:169.254.169.254]/x",
        "https://evil.example/route.gpx",
        "file:///etc/passwd",
    ],
)
def test_attachments_on_other_or_private_hosts_are_refused(url):
    with HostileServer([(r".", json_reply({}))]) as api:
        with pytest.raises(RefusedUrl):
            client(api).download(url)
        assert api.seen == []


def test_loopback_attachment_under_another_name_is_refused():
    with HostileServer([(r".", raw_reply(b"x"))]) as api:
        with pytest.raises(RefusedUrl, match="not the API's host"):
            client(api).download(f"http://localhost:{api.port}/files/a.gpx")
    assert api.seen == []


def test_attachment_redirect_to_metadata_address_is_refused():
    with HostileServer([(r".", redirect("http://169.254.169.254/latest/meta-data/"))]) as files:
        with HostileServer() as api:
            with pytest.raises(RefusedUrl, match="169.254.169.254"):
                client(api).download(f"{files.url}/files/a.gpx")


@pytest.mark.parametrize("route", [endless(), gzip_bomb()], ids=["endless", "gzip-bomb"])
def test_attachment_bodies_are_capped_on_decoded_bytes(route):
    with HostileServer([(r".", route)]) as api:
        with pytest.raises(ResponseTooLarge, match="decoded"):
            client(api).download(f"{api.url}/files/a.gpx", max_bytes=1_000_000)


def test_attachment_drip_ends_at_the_request_deadline(monkeypatch):
    monkeypatch.setenv("SECTION11_REQUEST_DEADLINE", "1")
    with HostileServer([(r".", drip(interval=0.2))]) as api:
        with pytest.raises(IntervalsError, match="too slow"):
            client(api).download(f"{api.url}/files/a.gpx")


def test_control_characters_of_a_server_error_never_reach_the_message():
    body = {"error": "bad \x1b]0;pwned\x07 request\x1b[2J \x9b31m"}
    with HostileServer([(r".", json_reply(body, status=400))]) as api:
        with pytest.raises(ApiError) as info:
            client(api).athlete()
    message = str(info.value)
    assert "bad" in message and "request" in message
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F for ch in message)


# ----------------------------------------------------------------- GitHub API


def github(server: HostileServer) -> GitHubClient:
    return GitHubClient(TOKEN, "a/b", api_url=server.url, sleep=lambda s: None)


@pytest.mark.parametrize("route", [endless(), gzip_bomb()], ids=["endless", "gzip-bomb"])
def test_github_answers_are_capped(route):
    with HostileServer([(r".", route)]) as server:
        with pytest.raises(ApiFailed, match="answered too much"):
            get_ref(github(server), "main")
    assert len(server.seen) == 1  # not retried


def test_github_drip_ends_at_the_request_deadline(monkeypatch):
    monkeypatch.setenv("SECTION11_REQUEST_DEADLINE", "1")
    with HostileServer([(r".", drip(interval=0.2))]) as server:
        with pytest.raises(ApiFailed, match="too slow"):
            get_ref(github(server), "main")


def test_github_redirect_to_another_host_is_not_followed_with_the_token():
    with HostileServer([(r".", json_reply({"object": {"sha": "1" * 40}}))]) as other:
        with HostileServer([(r".", redirect(f"{other.url}/repos/a/b/git/ref/heads/main"))]) as gh:
            with pytest.raises(ApiFailed, match="redirect"):
                get_ref(github(gh), "main")
    assert other.seen == []
    assert not leaked([s.headers for s in other.seen])


def test_github_api_url_must_be_https_unless_loopback():
    with pytest.raises(InvalidInput, match="plain http"):
        GitHubClient(TOKEN, "a/b", api_url="http://api.example.com")
    assert GitHubClient(TOKEN, "a/b", api_url="http://127.0.0.1:9").api_url.startswith("http://")


# ----------------------------------------------------------------- update manifest


def test_manifest_url_must_be_https_unless_loopback():
    with pytest.raises(ApiFailed, match="plain http"):
        upstream.fetch("http://example.com/manifest.json", what="upstream manifest")


def test_manifest_redirect_to_another_host_or_http_is_refused():
    with HostileServer([(r".", raw_reply(b"{}"))]) as other:
        with HostileServer([(r".", redirect(f"{other.url}/manifest.json"))]) as origin:
            with pytest.raises(ApiFailed, match="another host"):
                upstream.fetch(f"{origin.url}/manifest.json", what="upstream manifest")
    assert other.seen == []


@pytest.mark.parametrize("route", [endless(), gzip_bomb()], ids=["endless", "gzip-bomb"])
def test_manifest_bodies_are_capped_on_decoded_bytes(route):
    with HostileServer([(r".", route)]) as server:
        with pytest.raises(ApiFailed, match="larger than"):
            upstream.fetch_manifest(f"{server.url}/manifest.json")


def test_manifest_drip_ends_at_the_request_deadline(monkeypatch):
    monkeypatch.setenv("SECTION11_REQUEST_DEADLINE", "1")
    with HostileServer([(r".", drip(interval=0.2))]) as server:
        with pytest.raises(ApiFailed, match="too slow"):
            upstream.fetch_manifest(f"{server.url}/manifest.json")
