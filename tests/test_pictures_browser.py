"""The pictures in a real headless Chromium (Debian's `chromium`, driven by Playwright).

Checks: no console errors, no network request, every chart present with a
non-zero size, the plotted marks match the JSON, no text clipped by the SVG
viewport or overlapping other text; saves a screenshot of the dashboard for a
person to look at (in the test's temporary directory, and as docs/dashboard.png,
the README's picture, when UPDATE_SCREENSHOT=1: `make screenshot`).

Without Chromium or Playwright these tests skip, unless CI_REQUIRE_BROWSER=1
(CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from section11.outputs.charts import CHARTS, DASHBOARD, render_pictures

from .picture_helpers import ROOT, TODAY, demo_documents, expected_marks

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = ROOT / "docs" / "dashboard.png"

COUNT_MARKS = """svg => {
  const out = {};
  for (const el of svg.querySelectorAll('[data-series]')) {
    const key = el.getAttribute('data-series');
    let n = 0;
    if (el.tagName === 'polyline') n = el.points.numberOfItems;
    else if (el.classList.contains('dot') || el.classList.contains('bar')) n = 1;
    out[key] = (out[key] || 0) + n;
  }
  return out;
}"""

TEXT_BOXES = """svg => {
  const frame = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, left: r.left - frame.left, top: r.top - frame.top,
            right: r.right - frame.left, bottom: r.bottom - frame.top,
            width: frame.width, height: frame.height};
  });
}"""


def _missing_browser() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install playwright)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing_browser()
    if reason:
        if os.environ.get("CI_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CI_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The demo's documents and the pictures its sync wrote next to them."""
    out = tmp_path_factory.mktemp("demo") / "out"
    return out, demo_documents(out)


class Visit:
    """One page, with every console error and non-file request recorded."""

    def __init__(self, browser, url: str, width: int = 840) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._route)
        self.page.goto(url)

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()

    def check_quiet(self) -> None:
        assert self.errors == []
        assert self.requests == []


def _overlaps(a: dict, b: dict, slack: float = 0.5) -> bool:
    return (
        a["left"] + slack < b["right"]
        and b["left"] + slack < a["right"]
        and a["top"] + slack < b["bottom"]
        and b["top"] + slack < a["bottom"]
    )


def _check_text_layout(boxes: list[dict], chart: str) -> None:
    boxes = [b for b in boxes if b["text"].strip()]
    for box in boxes:
        inside = box["left"] >= 0 and box["top"] >= 0
        inside = inside and box["right"] <= box["width"] and box["bottom"] <= box["height"]
        assert inside, f"{chart}: text clipped: {box}"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not _overlaps(a, b), f"{chart}: {a['text']!r} overlaps {b['text']!r}"


@pytest.mark.parametrize("name", list(CHARTS))
def test_each_svg_alone(browser, written, name):
    out, documents = written
    visit = Visit(browser, (out / name).as_uri())
    svg = visit.page.locator("svg").first
    box = svg.bounding_box()
    assert box and box["width"] == 800 and box["height"] > 0
    chart = name.removeprefix("charts/").removesuffix(".svg")
    got = svg.evaluate(COUNT_MARKS)
    for series, count in expected_marks(documents)[chart].items():
        assert got.get(series) == count, (chart, series, got)
    _check_text_layout(svg.evaluate(TEXT_BOXES), chart)
    for scheme in ("light", "dark"):
        visit.page.emulate_media(color_scheme=scheme)
        colour = visit.page.locator("text.title").evaluate("t => getComputedStyle(t).fill")
        assert colour == ("rgb(240, 246, 252)" if scheme == "dark" else "rgb(31, 35, 40)")
    visit.check_quiet()
    visit.page.close()


def test_dashboard(browser, written):
    out, documents = written
    visit = Visit(browser, (out / DASHBOARD).as_uri())
    page = visit.page
    figures = page.locator("figure")
    assert figures.count() == len(CHARTS)
    expected = expected_marks(documents)
    for i in range(figures.count()):
        figure = figures.nth(i)
        name = figure.get_attribute("data-file")
        box = figure.locator("svg").bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, name
        chart = name.removeprefix("charts/").removesuffix(".svg")
        got = figure.locator("svg").evaluate(COUNT_MARKS)
        for series, count in expected[chart].items():
            assert got.get(series) == count, (chart, series, got)
    assert (
        page.locator("#readiness strong").inner_text().lower()
        == (documents["latest.json"]["readiness_decision"]["recommendation"])
    )
    assert page.locator("#planned tbody tr").count() > 0
    assert page.locator("#activities tbody tr").count() > 0
    page.screenshot(path=str(out / "dashboard.png"), full_page=True)
    assert (out / "dashboard.png").read_bytes().startswith(b"\x89PNG")
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(out / "dashboard.png", SCREENSHOT)
    assert SCREENSHOT.read_bytes().startswith(b"\x89PNG"), "the README's screenshot is missing"
    visit.check_quiet()
    page.close()


def test_hostile_names_render_as_text(browser, written, tmp_path):
    out, documents = written
    hostile = "<script>console.error('ran')</script><img src=https://example.com/x.png>"
    latest = dict(documents["latest.json"])
    latest["recent_activities"] = [dict(latest["recent_activities"][0], name=hostile)]
    path = tmp_path / DASHBOARD
    path.write_text(
        render_pictures({**documents, "latest.json": latest}, TODAY)[DASHBOARD], encoding="utf-8"
    )
    visit = Visit(browser, path.as_uri())
    assert visit.page.locator("#activities tbody td").nth(2).inner_text() == hostile
    assert visit.page.locator("img").count() == 0
    visit.check_quiet()
    visit.page.close()
