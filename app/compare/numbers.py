"""JSON-safe number rounding for compare results: exact integers stay exact, floats keep 9 digits."""

from __future__ import annotations

import math

import numpy as np

SIGNIFICANT = 9
MAX_EXACT = 2**53
SNAP_RELATIVE = 1e-12


def json_number(value) -> int | float | None:
    """A finite number rounded to 9 significant digits (exact integers as int); None for NaN/inf/None."""
    if value is None:
        return None
    value = float(value)
    if not math.isfinite(value):
        return None
    if value.is_integer() and abs(value) < MAX_EXACT:
        return int(value)
    return float(f"{value:.{SIGNIFICANT}g}")


def snapped_diff(other: float | None, base: float | None) -> float | None:
    """other - base, or 0 when the difference is only floating-point noise relative to the operands."""
    if other is None or base is None:
        return None
    diff = other - base
    if abs(diff) <= SNAP_RELATIVE * max(abs(other), abs(base)):
        return 0.0
    return diff


def round_significant(values: np.ndarray) -> np.ndarray:
    """Vectorised rounding of a float64 array to 9 significant digits (non-finite values kept)."""
    out = np.array(values, dtype=np.float64, copy=True)
    pick = np.isfinite(out) & (out != 0)
    if not pick.any():
        return out
    shown = out[pick]
    exponent = SIGNIFICANT - 1 - np.floor(np.log10(np.abs(shown))).astype(np.int64)
    up = (exponent >= 0) & (exponent <= 22)
    down = (exponent < 0) & (exponent >= -22)
    scale = 10.0 ** np.abs(exponent)
    shown[up] = np.round(shown[up] * scale[up]) / scale[up]
    shown[down] = np.round(shown[down] / scale[down]) * scale[down]
    out[pick] = shown
    return out


def json_list(values: np.ndarray, rounded: bool = True) -> list:
    """A JSON-safe list: ints for exact integers, None for NaN/inf, floats (optionally rounded) otherwise."""
    array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    integral = finite & (np.abs(array) < MAX_EXACT) & (np.floor(array) == array)
    if integral.all():
        return array.astype(np.int64).tolist()
    shown = round_significant(array) if rounded else array
    if finite.all() and not integral.any():
        return shown.tolist()
    out = shown.astype(object)
    out[integral] = array[integral].astype(np.int64)
    out[~finite] = None
    return out.tolist()
