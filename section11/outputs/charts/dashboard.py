"""dashboard.html: one self-contained page (inline CSS and SVG, no script, no link).

Top to bottom: today's readiness decision and alerts, the charts, the planned
workouts of the next 7 days and the activities of the last 14 days. Every text
taken from the documents is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from .series import dated_rows, parse_day, records, section
from .svg import DRAWN, esc, finite, show

PLANNED_DAYS = 7
ACTIVITY_DAYS = 14

CSS = """
:root{color-scheme:light dark;--fg:#1F2328;--muted:#57606A;--line:#D0D7DE;--go:#009E73;
--modify:#E69F00;--skip:#D55E00}
@media (prefers-color-scheme:dark){:root{--fg:#F0F6FC;--muted:#9198A1;--line:#3D444D}}
body{margin:0 auto;max-width:840px;padding:16px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",
Helvetica,Arial,sans-serif;color:var(--fg);background:Canvas}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px}
.muted{color:var(--muted)}
.decision{border-left:6px solid var(--muted);padding:8px 12px;margin:12px 0}
.decision.go{border-color:var(--go)}.decision.modify{border-color:var(--modify)}
.decision.skip{border-color:var(--skip)}
.decision strong{font-size:20px;text-transform:uppercase}
ul.alerts{padding-left:20px}.alarm{font-weight:600}
figure{margin:16px 0}figure svg{display:block;max-width:100%;height:auto}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
td.num,th.num{text-align:right}
"""


def _decision(latest: Mapping[str, Any]) -> str:
    decision = latest.get("readiness_decision")
    if not isinstance(decision, Mapping):
        return '<p class="decision">No readiness decision in this sync.</p>'
    action = str(decision.get("recommendation") or "unknown")
    parts = [f'<div class="decision {esc(action)}" id="readiness"><strong>{esc(action)}</strong>']
    parts.append(f"<p>{esc(decision.get('reason') or '')}</p>")
    change = section(decision, "modification", "suggested_adjustments")
    if isinstance(change, Mapping):
        items = ", ".join(f"{esc(k)}: {esc(v)}" for k, v in change.items())
        parts.append(f"<p>Suggested change: {items}</p>")
    parts.append("</div>")
    return "".join(parts)


def _alerts(latest: Mapping[str, Any]) -> str:
    alerts = records(latest.get("alerts"))
    if not alerts:
        return '<p id="alerts">No alerts today.</p>'
    items = "".join(
        f'<li class="{esc(a.get("severity"))}">{esc(a.get("severity"))} · {esc(a.get("metric"))}: '
        f"{esc(a.get('context'))}</li>"
        for a in alerts
    )
    return f'<ul class="alerts" id="alerts">{items}</ul>'


def _table(table_id: str, headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f'<p id="{table_id}">{esc(empty)}</p>'
    numeric = {i for i, h in enumerate(headers) if h.endswith(("TSS", "(km)"))}
    head = "".join(
        f"<th{' class=num' if i in numeric else ''}>{esc(h)}</th>" for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=num' if i in numeric else ''}>{esc(c)}</td>" for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f'<table id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _planned(latest: Mapping[str, Any], drawn_on: date) -> str:
    last = drawn_on + timedelta(days=PLANNED_DAYS - 1)
    rows = [
        [
            day.isoformat(),
            str(w.get("sport_type") or w.get("type") or ""),
            str(w.get("name") or ""),
            str(w.get("duration_formatted") or ""),
            show(w.get("planned_tss"), 0),
        ]
        for w in records(latest.get("planned_workouts"))
        if (day := parse_day(w.get("date"))) is not None and drawn_on <= day <= last
    ]
    rows.sort(key=lambda row: row[0])
    headers = ["Date", "Sport", "Workout", "Duration", "Planned TSS"]
    return _table("planned", headers, rows, f"No workouts planned in the next {PLANNED_DAYS} days.")


def _activities(latest: Mapping[str, Any], drawn_on: date) -> str:
    first = drawn_on - timedelta(days=ACTIVITY_DAYS - 1)
    rows = [
        [
            str(a.get("date") or "")[:16].replace("T", " "),
            str(a.get("type") or ""),
            str(a.get("name") or ""),
            str(a.get("duration_formatted") or ""),
            show(a.get("distance_km"), 1) if finite(a.get("distance_km")) else "",
            show(a.get("tss"), 0),
        ]
        for day, a in _by_time(latest.get("recent_activities"))
        if first <= day <= drawn_on
    ]
    headers = ["Start", "Type", "Name", "Duration", "Distance (km)", "TSS"]
    return _table("activities", headers, rows, f"No activities in the last {ACTIVITY_DAYS} days.")


def _by_time(activities: object) -> list[tuple[date, Mapping[str, Any]]]:
    """Activities with a date, newest first (several per day kept)."""
    dated = [(d, a) for a in records(activities) if (d := parse_day(a.get("date"))) is not None]
    return sorted(dated, key=lambda item: str(item[1].get("date")), reverse=True)


def page(documents: Mapping[str, Any], drawn_on: date, charts: Mapping[str, str]) -> str:
    """The page; `charts` maps file name -> SVG text (the drawn date still a placeholder)."""
    latest = documents.get("latest.json") or {}
    figures = "".join(
        f'<figure data-file="{esc(name)}">{svg.strip()}</figure>' for name, svg in charts.items()
    )
    races = dated_rows(section(latest, "race_calendar", "all_races"))
    next_race = next((race for day, race in races if day >= drawn_on), None)
    race_line = (
        f"<p>Next race: {esc(next_race.get('name'))} on {esc(next_race.get('date'))}</p>"
        if next_race
        else ""
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        f"<title>Training dashboard</title><style>{CSS}</style></head><body>"
        f'<h1>Training dashboard</h1><p class="muted">drawn {DRAWN} · for local viewing only</p>'
        f"<h2>Today</h2>{_decision(latest)}{race_line}<h2>Alerts</h2>{_alerts(latest)}"
        f"<h2>Charts</h2>{figures}"
        f"<h2>Planned: next {PLANNED_DAYS} days</h2>{_planned(latest, drawn_on)}"
        f"<h2>Activities: last {ACTIVITY_DAYS} days</h2>{_activities(latest, drawn_on)}"
        "</body></html>\n"
    )
