"""The file names of the pictures (charts/*.svg and dashboard.html), known without
drawing anything: a run that draws nothing (a steady run, a publish) needs only these."""

from __future__ import annotations

CHART_FILES = (
    "charts/fitness.svg",
    "charts/weekly_load.svg",
    "charts/acwr.svg",
    "charts/hrv_rhr.svg",
    "charts/power_curve.svg",
    "charts/pace_curve.svg",
    "charts/ftp.svg",
    "charts/zones.svg",
    "charts/races.svg",
)
DASHBOARD = "dashboard.html"
PICTURE_FILES = (*CHART_FILES, DASHBOARD)
