"""The demo run end to end: every derived field docs/metrics.md describes is present and
populated where the data allows it, and bad route attachments are contained."""

from __future__ import annotations

import json
import math

import pytest

from tests.kit.fast_client import use_fast_client

from .helpers import walk
from .test_sync_e2e import env_for, run_cli

DERIVED_KEYS = [  # docs/metrics.md#output-layout, in emitted order
    "recovery_index",
    "recovery_index_yesterday",
    "hrv_baseline_7d",
    "rhr_baseline_7d",
    "hrv_baseline_28d",
    "rhr_baseline_28d",
    "latest_hrv",
    "latest_rhr",
    "acwr",
    "acwr_interpretation",
    "acwr_scope",
    "acwr_readiness_eligible",
    "acwr_start_of_day",
    "monotony",
    "monotony_interpretation",
    "primary_sport",
    "primary_sport_monotony",
    "primary_sport_tss_7d",
    "effective_monotony",
    "multi_sport_detected",
    "strain",
    "stress_tolerance",
    "load_recovery_ratio",
    "tss_7d_total",
    "tss_28d_total",
    "zone_distribution_7d",
    "grey_zone_percentage",
    "grey_zone_note",
    "quality_intensity_percentage",
    "quality_intensity_note",
    "easy_time_ratio",
    "easy_time_ratio_note",
    "hard_days_this_week",
    "hard_days_note",
    "seiler_tid_7d",
    "seiler_tid_7d_primary",
    "seiler_tid_28d",
    "seiler_tid_28d_primary",
    "capability",
    "consistency_index",
    "consistency_details",
    "phase_detection",
    "phase_detected",
    "phase_triggers",
    "seasonal_context",
    "benchmark_indoor",
    "benchmark_outdoor",
    "eftp",
    "w_prime",
    "w_prime_kj",
    "p_max",
    "power_model_source",
    "vo2max",
    "vo2max_date",
    "calculation_timestamp",
    "data_quality",
]
CAPABILITY_KEYS = [
    "durability",
    "efficiency_factor",
    "hrrc",
    "tid_comparison",
    "power_curve_delta",
    "hr_curve_delta",
    "sustainability_profile",
    "dfa_a1_profile",
]
# Fields that may legitimately be null on a normal day (they need an event or a rare pattern).
MAY_BE_NULL = {"recovery_index_yesterday", "seiler_tid_7d_primary", "consistency_index"}


@pytest.fixture(autouse=True)
def fast_client(monkeypatch):
    use_fast_client(monkeypatch, read_timeout=2)


@pytest.fixture
def demo_run(fake_api, tmp_path, capsys):
    code, out, err = run_cli(["--output-dir", str(tmp_path)], env_for(fake_api), capsys, tmp_path)
    assert code == 0, err
    return {
        name: json.loads((tmp_path / name).read_text())
        for name in ("latest.json", "history.json", "intervals.json", "routes.json")
    }, out


def test_every_derived_field_present_and_populated(demo_run):
    docs, _ = demo_run
    derived = dict(docs["latest.json"]["derived_metrics"])
    reasons = derived.pop("null_reasons", {})
    assert list(reasons) == [key for key in DERIVED_KEYS if derived[key] is None]
    assert list(derived) == DERIVED_KEYS
    assert list(derived["capability"]) == CAPABILITY_KEYS
    for key in DERIVED_KEYS:
        if key not in MAY_BE_NULL:
            assert derived[key] is not None, key
    for key in CAPABILITY_KEYS:
        assert derived["capability"][key] is not None, key
    cap = derived["capability"]
    assert cap["power_curve_delta"]["anchors"] and cap["hr_curve_delta"]["anchors"]
    assert cap["sustainability_profile"]["cycling"]["anchors"]
    assert cap["dfa_a1_profile"]["latest_session"]["sufficient"] is True
    assert "qualifying_sessions_28d" in cap["durability"]
    assert derived["benchmark_outdoor"]["benchmark_index"] is not None
    assert derived["benchmark_indoor"]["benchmark_index"] is not None
    assert derived["phase_detection"]["basis"]["stream_1"]["weeks_available"] == 4
    assert derived["zone_distribution_7d"]["total_hours"] > 0
    assert derived["multi_sport_detected"] is True
    latest = docs["latest.json"]
    for section in ("alerts", "readiness_decision", "health_context", "history", "race_calendar"):
        assert section in latest, section
    assert latest["race_calendar"]["next_race"] is not None
    assert latest["readiness_decision"]["recommendation"] in ("go", "modify", "skip")
    assert latest["health_context"]["source_status"] == "ok"
    assert latest["current_status"]["weight"]["weight_latest_kg"] > 0
    assert any(a.get("dfa_summary") for a in latest["recent_activities"])
    assert any(a.get("terrain_summary") for a in latest["recent_activities"])
    assert any(a.get("has_intervals") for a in latest["recent_activities"])


def test_no_nan_or_infinity_anywhere(demo_run):
    docs, _ = demo_run
    for name, doc in docs.items():
        for value in walk(doc):
            if isinstance(value, float):
                assert math.isfinite(value), name


@pytest.mark.parametrize(
    "body, expected",
    [
        (b"<?xml version='1.0'?><gpx><trk><trkseg><trkpt lat='50", "xml"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b"<gpx><trk><name>&lol2;</name></trk></gpx>",
            "",
        ),
        (b"\x0e\x10\xd9\x07" + b"\x00" * 200, "FIT"),
        (b"<gpx>" + b" " * (11 * 1024 * 1024) + b"</gpx>", "MB"),
    ],
)
def test_bad_route_attachment_is_contained(fake_api, tmp_path, capsys, body, expected):
    path = next(p for p in fake_api.data.attachments if p.endswith(".gpx"))
    ctype, _ = fake_api.data.attachments[path]
    fake_api.data.attachments[path] = (ctype, body)
    code, out, err = run_cli(["--output-dir", str(tmp_path)], env_for(fake_api), capsys, tmp_path)
    assert code == 0, err
    routes = json.loads((tmp_path / "routes.json").read_text())
    bad = next(e for e in routes["events"] if e["filename"].endswith(".gpx"))
    good = next(e for e in routes["events"] if e["filename"].endswith(".tcx"))
    assert bad["terrain_summary"] is None and bad["terrain_status"] == "error"
    assert expected.lower() in bad["terrain_error"].lower()
    assert "\n" not in bad["terrain_error"]
    assert good["terrain_summary"]["total_distance_km"] > 0
    latest = json.loads((tmp_path / "latest.json").read_text())
    race = next(r for r in latest["race_calendar"]["all_races"] if r["name"] == bad["event_name"])
    assert race["has_terrain"] is False
