"""GitHub issues of the data repository: listed by label (never the search
API), opened, and closed with a comment saying why. The update notices and the
sources' sign-in notices are issues (`updates`, `source_issues`).
"""

from __future__ import annotations

from ..errors import ApiFailed
from .github_client import GitHubClient

ISSUES_PERMISSION = "issues: read and write"


def list_issues(
    client: GitHubClient, label: str, state: str = "open", max_pages: int = 10
) -> list[dict]:
    """Issues (not pull requests) carrying `label`, by listing (never the search API)."""
    found: list[dict] = []
    for page in range(1, max_pages + 1):
        body = client.request(
            "GET",
            "/issues",
            action="listing issues",
            params={"state": state, "labels": label, "per_page": 100, "page": page},
            permission=ISSUES_PERMISSION,
        ).body
        if not isinstance(body, list):
            raise ApiFailed("GitHub: the issue list is not a list")
        found += [i for i in body if isinstance(i, dict) and "pull_request" not in i]
        if len(body) < 100:
            break
    return found


def create_issue(client: GitHubClient, title: str, body: str, labels: list[str]) -> dict:
    answer = client.request(
        "POST",
        "/issues",
        write=True,
        action="opening an issue",
        permission=ISSUES_PERMISSION,
        json={"title": title, "body": body, "labels": labels},
    ).body
    return answer if isinstance(answer, dict) else {}


def close_issue(client: GitHubClient, number: int, comment: str) -> None:
    """Comment on issue `number` (why it closes), then close it."""
    client.request(
        "POST",
        f"/issues/{int(number)}/comments",
        write=True,
        action="commenting on an issue",
        permission=ISSUES_PERMISSION,
        json={"body": comment},
    )
    client.request(
        "PATCH",
        f"/issues/{int(number)}",
        write=True,
        action="closing an issue",
        permission=ISSUES_PERMISSION,
        json={"state": "closed", "state_reason": "completed"},
    )
