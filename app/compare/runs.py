"""compare_series: per-series statistics and deltas (other minus base) of two SeriesSets."""

from __future__ import annotations

from collections import Counter

import numpy as np

from app.compare.numbers import json_list, json_number, snapped_diff
from app.compare.series import SeriesKey, SeriesSet
from app.errors import ResultTooLarge

STAT_NAMES = ("sum", "mean", "min", "max")
VALUES_PER_BIN = 3  # include_values returns base, other and diff for every bin
DELTA_NAMES = ("sum", "mean", "max_abs", "rmse", "pct_change")


def artifact_ref(record) -> dict:
    """The {id, type, title} summary of an artifact record."""
    return {"id": record.id, "type": record.type, "title": record.title}


def series_name(key: SeriesKey) -> str:
    """`measure@COMPONENT` of a series key."""
    return f"{key[0]}@{key[1]}"


def match_series(base_keys, other_keys) -> tuple[list[tuple[SeriesKey, SeriesKey]], list, list]:
    """Pair keys exactly, then by a measure found once per side; returns (pairs, only_base, only_other)."""
    other_set = set(other_keys)
    pairs = [(k, k) for k in base_keys if k in other_set]
    rest_base = [k for k in base_keys if k not in other_set]
    matched = {k for k, _ in pairs}
    rest_other = {k[0]: k for k in other_keys if k not in matched}
    base_count, other_count = Counter(k[0] for k in base_keys), Counter(k[0] for k in other_keys)
    only_base = []
    for key in rest_base:
        partner = rest_other.get(key[0])
        if partner and base_count[key[0]] == 1 and other_count[key[0]] == 1:
            pairs.append((key, partner))
        else:
            only_base.append(key)
    paired_other = {o for _, o in pairs}
    only_other = [k for k in other_keys if k not in paired_other]
    return pairs, only_base, only_other


def _wanted(series_filter: list[str] | None) -> set[str] | None:
    """The filter as a set of measures and `measure@COMPONENT` ids (a trailing @CLASS is ignored)."""
    if not series_filter:
        return None
    return {"@".join(str(s).split("@")[:2]) for s in series_filter}


def _kept(key: SeriesKey, wanted: set[str] | None) -> bool:
    """Whether the filter keeps a series (no filter keeps all)."""
    return wanted is None or key[0] in wanted or series_name(key) in wanted


def _stats(values: np.ndarray) -> dict:
    """Raw sum/mean/min/max (None for an empty series)."""
    if not len(values):
        return dict.fromkeys(STAT_NAMES)
    return {"sum": float(values.sum()), "mean": float(values.mean()),
            "min": float(values.min()), "max": float(values.max())}


def _rms(diff: np.ndarray, max_abs: float) -> float:
    """Root mean square, scaled by the largest magnitude so squaring cannot overflow."""
    if max_abs == 0 or not np.isfinite(max_abs):
        return max_abs
    return max_abs * float(np.sqrt(np.mean(np.square(diff / max_abs))))


def _delta(base: np.ndarray, other: np.ndarray, base_stats: dict, other_stats: dict) -> dict:
    """Raw other-minus-base deltas."""
    if not len(base):
        return dict.fromkeys(DELTA_NAMES)
    diff = other - base
    max_abs = float(np.abs(diff).max())
    total = snapped_diff(other_stats["sum"], base_stats["sum"])
    base_sum = base_stats["sum"]
    return {"sum": total, "mean": snapped_diff(other_stats["mean"], base_stats["mean"]), "max_abs": max_abs,
            "rmse": _rms(diff, max_abs), "pct_change": total * 100 / abs(base_sum) if base_sum else None}


def _rounded(raw: dict) -> dict:
    """Every value of a stats dict made JSON-safe and rounded."""
    return {name: json_number(value) for name, value in raw.items()}


def compare_pair(base_key: SeriesKey, base: np.ndarray, other: np.ndarray, include_values: bool) -> dict:
    """One result entry over the common prefix; bins where either side is NaN/inf are left out of stats."""
    points = min(len(base), len(other))
    base, other = base[:points], other[:points]
    valid = np.isfinite(base) & np.isfinite(other)
    vb, vo = (base, other) if valid.all() else (base[valid], other[valid])
    with np.errstate(all="ignore"):  # overflow to inf becomes null in the output
        sb, so = _stats(vb), _stats(vo)
        entry = {"measure": base_key[0], "component_id": base_key[1], "points": points,
                 "base": _rounded(sb), "other": _rounded(so), "delta": _rounded(_delta(vb, vo, sb, so))}
        if include_values:
            entry["values"] = {"base": json_list(base, rounded=False),
                               "other": json_list(other, rounded=False), "diff": json_list(other - base)}
    return entry


def grid_summary(base: SeriesSet, other: SeriesSet) -> dict:
    """Both grids and whether they agree on bin count and width."""
    compatible = base.bins == other.bins and base.bin_minutes == other.bin_minutes
    return {"base": {"bins": base.bins, "bin_minutes": base.bin_minutes},
            "other": {"bins": other.bins, "bin_minutes": other.bin_minutes}, "compatible": compatible}


def check_values_limit(pairs: list, base: SeriesSet, other: SeriesSet, max_values: int | None) -> None:
    """A 413 naming the limit when include_values would return more than max_values numbers."""
    if max_values is None:
        return
    values = VALUES_PER_BIN * sum(min(len(base.series[b]), len(other.series[o])) for b, o in pairs)
    if values > max_values:
        raise ResultTooLarge(
            f"include_values would return {values} values, more than the limit of {max_values} "
            "(FLOWTIME_COMPARE_MAX_VALUES); pick fewer series with `series` or leave include_values off",
            details={"include_values": [f"{values} values asked for; at most {max_values} "
                                        f"(series x bins x {VALUES_PER_BIN})"]})


def compare_series(base_record, base: SeriesSet, other_record, other: SeriesSet,
                   series_filter: list[str] | None = None, include_values: bool = False,
                   max_values: int | None = None) -> dict:
    """Compare two artifacts' series (other minus base) over their common bins; flags mismatched grids."""
    wanted = _wanted(series_filter)
    pairs, only_base, only_other = match_series(list(base.series), list(other.series))
    pairs = sorted((b, o) for b, o in pairs if _kept(b, wanted) or _kept(o, wanted))
    if include_values:
        check_values_limit(pairs, base, other, max_values)
    return {
        "base": artifact_ref(base_record),
        "other": artifact_ref(other_record),
        "grid": grid_summary(base, other),
        "series": [compare_pair(b, base.series[b], other.series[o], include_values) for b, o in pairs],
        "only_in_base": [series_name(k) for k in sorted(only_base) if _kept(k, wanted)],
        "only_in_other": [series_name(k) for k in sorted(only_other) if _kept(k, wanted)],
    }
