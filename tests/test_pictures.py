"""The charts and the dashboard without a browser: content, missing data, privacy,
escaping and the rewrite decision."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from section11.context import ChartCurves
from section11.demo.dataset import build_demo
from section11.outputs.charts import (
    CHARTS,
    DASHBOARD,
    needs_rewrite,
    pictures_to_write,
    render_pictures,
)

from .picture_helpers import ROOT, TODAY, demo_curves, demo_documents, expected_marks, projection

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    return out, demo_documents(out)


@pytest.fixture(scope="module")
def documents(demo_out) -> dict:
    return demo_out[1]


@pytest.fixture(scope="module")
def pictures(documents) -> dict[str, str]:
    return render_pictures(documents, TODAY, demo_curves())


def desc(svg_text: str) -> str:
    return ET.fromstring(svg_text).find(f"{SVG}desc").text or ""


def marks(svg_text: str) -> dict[str, int]:
    """data-series -> values plotted (vertices of lines, dots, bars)."""
    out: dict[str, int] = {}
    for element in ET.fromstring(svg_text).iter():
        key = element.get("data-series")
        if key is None:
            continue
        tag = element.tag.removeprefix(SVG)
        count = len(element.get("points", "").split()) if tag == "polyline" else 1
        if tag == "polyline" or element.get("class") in ("dot", "bar"):
            out[key] = out.get(key, 0) + count
    return out


def test_every_chart_and_the_dashboard(pictures):
    # the eight charts, the fifth (power curve, pace curve for runners) as two files
    names = "fitness weekly_load acwr hrv_rhr power_curve pace_curve ftp zones races".split()
    assert sorted(pictures) == sorted([*(f"charts/{n}.svg" for n in names), DASHBOARD])


def test_the_demo_sync_wrote_the_same_pictures(demo_out, pictures):
    # the demo sync fetched its curves over HTTP; the test read them from the dataset
    out, _ = demo_out
    for name, text in pictures.items():
        assert (out / name).read_text(encoding="utf-8") == text, name


def test_power_curve_agrees_with_the_anchors_of_latest_json(pictures, documents):
    delta = documents["latest.json"]["derived_metrics"]["capability"]["power_curve_delta"]
    labels = {"5s": "5 s", "60s": "1 min", "300s": "5 min", "1200s": "20 min", "3600s": "1 h"}
    text = desc(pictures["charts/power_curve.svg"])
    last_28 = text.split("last 28 days: ")[1].split(";")[0]
    for key, anchor in delta["anchors"].items():
        assert f"{labels[key]} {anchor['current_watts']} W" in last_28, (key, last_28)


def test_fitness_projection_adds_the_planned_tss_up_to_the_race(pictures, documents):
    path = projection(documents)
    assert len(path) > 1, "the demo plans workouts up to its next race"
    day, ctl, atl = path[-1]
    assert day.isoformat() == documents["latest.json"]["race_calendar"]["next_race"]["date"]
    found = re.search(
        r"on (\S+) CTL ([\d.-]+), ATL ([\d.-]+), TSB ([\d.-]+)\.$",
        desc(pictures["charts/fitness.svg"]),
    )
    assert found and found.group(1) == day.isoformat()
    got = [float(v) for v in found.groups()[1:]]
    assert got == pytest.approx([ctl, atl, ctl - atl], abs=0.051)


@pytest.mark.parametrize(
    "curves, name, message",
    [
        (ChartCurves(), "charts/power_curve.svg", "the power curves could not be fetched"),
        (ChartCurves(power={}), "charts/power_curve.svg", "no ride with a power meter"),
        (ChartCurves(), "charts/pace_curve.svg", "no run in the last 28 days"),
        (ChartCurves(pace_type="Run"), "charts/pace_curve.svg", "could not be fetched"),
        (ChartCurves(pace_type="Run", pace={}), "charts/pace_curve.svg", "no run with a distance"),
    ],
)
def test_curve_charts_say_why_a_curve_is_missing(documents, curves, name, message):
    svg = render_pictures(documents, TODAY, curves)[name]
    assert ET.fromstring(svg).get("data-empty") == "true"
    assert message in desc(svg) and not marks(svg)


@pytest.mark.parametrize("name", list(CHARTS))
def test_chart_is_labelled_and_dated(pictures, name):
    root = ET.fromstring(pictures[name])
    assert root.get("role") == "img"
    assert root.get("width") == "800"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert root.get("aria-label", "").startswith(title.text)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert f"drawn {TODAY.isoformat()}" in texts
    assert root.get("data-empty") is None, desc.text
    assert any(t.get("class") == "axis-label" for t in root.iter(f"{SVG}text")), "no axis label"


def test_plotted_marks_match_the_json(pictures, documents):
    expected = expected_marks(documents)
    for name in CHARTS:
        chart = name.removeprefix("charts/").removesuffix(".svg")
        got = marks(pictures[name])
        for series, count in expected[chart].items():
            assert got.get(series) == count, (chart, series, got)


def test_acwr_ends_on_the_value_of_latest_json(pictures, documents):
    root = ET.fromstring(pictures["charts/acwr.svg"])
    assert (
        f"latest {documents['latest.json']['derived_metrics']['acwr']}"
        in root.find(f"{SVG}desc").text
    )


@pytest.mark.parametrize(
    "name, message",
    [
        ("charts/fitness.svg", "No fitness (CTL/ATL) data in the last 90 days"),
        ("charts/weekly_load.svg", "No training load in the last 26 weeks"),
        ("charts/acwr.svg", "Not enough training load in the last 90 days for an ACWR"),
        ("charts/hrv_rhr.svg", "No HRV or resting HR data in the last 60 days"),
        ("charts/power_curve.svg", "No power data"),
        ("charts/pace_curve.svg", "No pace curve"),
        ("charts/ftp.svg", "No FTP recorded in the last 3 years"),
        ("charts/zones.svg", "No zone time in the last 28 days"),
        ("charts/races.svg", "No races on the calendar ahead"),
    ],
)
def test_missing_data_is_said_in_place(name, message):
    pictures = render_pictures({}, TODAY)
    root = ET.fromstring(pictures[name])
    assert root.get("data-empty") == "true"
    assert any(message in "".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert not marks(pictures[name])
    assert message in pictures[DASHBOARD]


def test_one_missing_series_is_said_in_its_panel(documents):
    docs = copy.deepcopy(documents)
    for row in docs["history.json"]["daily_90d"]:
        row["hrv"] = None
    svg = render_pictures(docs, TODAY)["charts/hrv_rhr.svg"]
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "No HRV data in the last 60 days" in texts
    got = marks(svg)
    assert "hrv" not in got and got["rhr"] == expected_marks(documents)["hrv_rhr"]["rhr"]


def test_same_data_same_text(documents, pictures):
    assert render_pictures(copy.deepcopy(documents), TODAY, demo_curves()) == pictures


def test_steady_sync_rewrites_nothing_and_a_change_rewrites_its_chart(
    documents, pictures, tmp_path
):
    assert pictures_to_write(pictures, tmp_path) == pictures  # nothing on disk yet
    for name, text in pictures.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert pictures_to_write(render_pictures(documents, TODAY, demo_curves()), tmp_path) == {}
    docs = copy.deepcopy(documents)
    docs["ftp_history.json"]["indoor"]["2026-01-05"] = 231
    assert set(pictures_to_write(render_pictures(docs, TODAY, demo_curves()), tmp_path)) == {
        "charts/ftp.svg",
        DASHBOARD,
    }


def test_rewrite_decision_ignores_the_drawn_date():
    # Charts without data draw the same thing on any day; only the date differs.
    monday, tuesday = (
        render_pictures({}, date(2026, 11, 23)),
        render_pictures({}, date(2026, 11, 24)),
    )
    for name in CHARTS:
        assert monday[name] != tuesday[name]
        assert not needs_rewrite(tuesday[name], monday[name])
        assert needs_rewrite(tuesday[name], None)
        assert needs_rewrite(tuesday[name], "<svg/>")


def test_data_text_is_escaped(documents):
    docs = copy.deepcopy(documents)
    hostile = '<script>alert("x")</script> & <b>'
    docs["latest.json"]["recent_activities"][0]["name"] = hostile
    docs["latest.json"]["planned_workouts"][0]["name"] = hostile
    docs["latest.json"]["race_calendar"]["all_races"][0]["name"] = hostile
    pictures = render_pictures(docs, TODAY)
    page = pictures[DASHBOARD]
    assert "<script" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;" in page
    races = ET.fromstring(pictures["charts/races.svg"])
    assert any(hostile[:20] in "".join(t.itertext()) for t in races.iter(f"{SVG}text"))


def test_redacted_names_stay_redacted(documents, pictures):
    in_json = json.dumps(documents, ensure_ascii=False)
    raw = {a.get("name") for a in build_demo(TODAY).activities if a.get("name")}
    hidden = {name for name in raw if json.dumps(name, ensure_ascii=False) not in in_json}
    assert hidden, "the demo should have names that the privacy settings redact"
    for text in pictures.values():
        leaked = [n for n in hidden if re.search(re.escape(n.replace("&", "&amp;")), text)]
        assert leaked == []
    page = pictures[DASHBOARD]
    assert "Outdoor Ride" in page  # the neutral label of the JSON


def test_dashboard_is_self_contained(pictures):
    page = pictures[DASHBOARD]
    assert not re.search(r"<(script|link|iframe|img)\b", page)
    assert not re.search(r"(src|href)=", page)
    assert page.index('id="readiness"') < page.index('id="alerts"') < page.index("<figure")
    assert page.index("<figure") < page.index('id="planned"') < page.index('id="activities"')


def test_both_readmes_show_every_chart():
    data_readme = (ROOT / "DATA_REPO_README.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in CHARTS:
        assert f"]({name})" in data_readme, name  # an image GitHub renders
        assert f"| `{name}` |" in readme, name
