"""Seiler training-intensity distribution (docs/metrics.md#seiler-tid).

Implements:
  docs/metrics.md#seiler-tid 3-zone aggregation (S1 = Z1+Z2, S2 = Z3, S3 = Z4..Z7 of the chosen zones),
  docs/metrics.md#seiler-tid Treff polarization index,
  docs/metrics.md#seiler-tid classification,
  docs/metrics.md#seiler-tid the ``seiler_tid_7d`` / ``_7d_primary`` / ``_28d`` / ``_28d_primary`` blocks,
  docs/metrics.md#seiler-tid ``capability.tid_comparison`` drift.

Deliberate deviation (quirk 6, docs/deviations.md): the Z2 fraction used in the
polarization index is floored at 0.01 (Treff's substitution), not replaced
only when it is exactly 0; a few seconds of tempo no longer explode the index.
Zone extraction (and its own deviations) comes from ``zones.activity_zones``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from ..model import Activity
from .zones import zone_totals

PI_Z2_FLOOR = 0.01  # Treff: minimum Z2 fraction inside the index
POLARIZED_PI = 2.0  # PI above this (with a polarized shape) -> "Polarized"
BASE_Z3_MAX = 0.01  # less than 1 % high intensity -> no PI, "Base" shape


def polarization_index(f1: float, f2: float, f3: float) -> float | None:
    """Treff polarization index log10((f1 / f2) x f3 x 100), 2 dp (docs/metrics.md#seiler-tid).

    Only defined for a polarized shape (f1 > f3 > f2) with f3 >= 0.01; f2 is
    floored at 0.01 (deviation, quirk 6). None otherwise.
    """
    if f3 < BASE_Z3_MAX or not (f1 > f3 > f2):
        return None
    f2e = max(f2, PI_Z2_FLOOR)
    return round(math.log10((f1 / f2e) * f3 * 100), 2)


def classify_tid(f1: float, f2: float, f3: float, pi: float | None) -> str:
    """Seiler distribution label, first matching rule (docs/metrics.md#seiler-tid)."""
    if f3 < BASE_Z3_MAX and f1 >= f2 and f1 >= f3:
        return "Base"
    if f1 > f3 > f2 and pi is not None and pi > POLARIZED_PI:
        return "Polarized"
    if f1 > f2 > f3:
        return "Pyramidal"
    if f2 >= f1 and f2 >= f3:
        return "Threshold"
    if f3 >= f1 and f3 >= f2:
        return "High Intensity"
    return "Pyramidal"


def seiler_tid(
    activities: Iterable[Activity],
    zone_preference: Mapping[str, str] | None,
    family: str | None = None,
) -> dict:
    """One Seiler TID block (docs/metrics.md#seiler-tid-docs/metrics.md#seiler-tid).

    {z1_seconds, z2_seconds, z3_seconds, z1_pct, z2_pct, z3_pct,
    polarization_index, classification, zone_basis}; with ``family`` only that
    sport family's activities count (unmapped types are "other") and a trailing
    ``sport`` key names it. Without zone time: seconds 0, everything else None.
    """
    if family is not None:
        activities = [a for a in activities if a.family == family]
    t = zone_totals(activities, zone_preference)
    s1 = t["z1"] + t["z2"]
    s2 = t["z3"]
    s3 = t["z4_plus"]
    total = s1 + s2 + s3
    if total > 0:
        f1, f2, f3 = s1 / total, s2 / total, s3 / total
        pi = polarization_index(f1, f2, f3)
        block = {
            "z1_seconds": s1,
            "z2_seconds": s2,
            "z3_seconds": s3,
            "z1_pct": round(f1 * 100, 1),
            "z2_pct": round(f2 * 100, 1),
            "z3_pct": round(f3 * 100, 1),
            "polarization_index": pi,
            "classification": classify_tid(f1, f2, f3, pi),
            "zone_basis": t["zone_basis"],
        }
    else:
        block = {
            "z1_seconds": 0,
            "z2_seconds": 0,
            "z3_seconds": 0,
            "z1_pct": None,
            "z2_pct": None,
            "z3_pct": None,
            "polarization_index": None,
            "classification": None,
            "zone_basis": None,
        }
    if family is not None:
        block["sport"] = family
    return block


def tid_blocks(
    acts_7d: Iterable[Activity],
    acts_28d: Iterable[Activity],
    primary_sport: str | None,
    zone_preference: Mapping[str, str] | None,
) -> dict:
    """The four derived_metrics TID blocks in emitted order (docs/metrics.md#seiler-tid).

    seiler_tid_7d / seiler_tid_28d over all sports; the ``_primary`` variants
    filter to ``primary_sport`` and are None when there is no primary sport.
    """
    acts_7d = list(acts_7d)
    acts_28d = list(acts_28d)
    return {
        "seiler_tid_7d": seiler_tid(acts_7d, zone_preference),
        "seiler_tid_7d_primary": (
            seiler_tid(acts_7d, zone_preference, primary_sport) if primary_sport else None
        ),
        "seiler_tid_28d": seiler_tid(acts_28d, zone_preference),
        "seiler_tid_28d_primary": (
            seiler_tid(acts_28d, zone_preference, primary_sport) if primary_sport else None
        ),
    }


def tid_comparison(tid_7d: Mapping | None, tid_28d: Mapping | None) -> dict:
    """``capability.tid_comparison``: 7d vs 28d all-sport TID drift (docs/metrics.md#seiler-tid).

    pi_delta = pi_7d - pi_28d (2 dp) when both indices exist. drift is
    "acute_depolarization" when both exist and the 7d PI fell below 2.0 while
    the 28d PI is >= 2.0, "shifting" when the labels differ, else "consistent";
    pi_delta and drift are None when either label is missing.
    """
    tid_7d = tid_7d or {}
    tid_28d = tid_28d or {}
    cls_7d = tid_7d.get("classification")
    cls_28d = tid_28d.get("classification")
    pi_7d = tid_7d.get("polarization_index")
    pi_28d = tid_28d.get("polarization_index")
    block = {
        "classification_7d": cls_7d,
        "classification_28d": cls_28d,
        "pi_7d": pi_7d,
        "pi_28d": pi_28d,
    }
    if cls_7d is None or cls_28d is None:
        block.update(
            pi_delta=None,
            drift=None,
            note="Needs zone time in both the 7-day and the 28-day window.",
        )
        return block
    if pi_7d is not None and pi_28d is not None and pi_7d < POLARIZED_PI <= pi_28d:
        drift = "acute_depolarization"
    elif cls_7d != cls_28d:
        drift = "shifting"
    else:
        drift = "consistent"
    block.update(
        pi_delta=round(pi_7d - pi_28d, 2) if pi_7d is not None and pi_28d is not None else None,
        drift=drift,
        note=_comparison_note(cls_7d, cls_28d, drift),
    )
    return block


def _comparison_note(cls_7d: str, cls_28d: str, drift: str) -> str:
    if drift == "acute_depolarization":
        detail = "the last 7 days are still polarized in shape but less so (PI < 2.0)"
    elif drift == "shifting":
        detail = "the intensity distribution has changed recently"
    else:
        detail = "the intensity distribution is stable"
    return f"7d {cls_7d} vs 28d {cls_28d}: {detail}."
