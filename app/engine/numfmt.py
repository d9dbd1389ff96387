"""Number and file formatting compatible with the .NET FlowTime engine (invariant culture)."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_prefix_cache: dict[int, pa.Array] = {}


def dotnet_number(value: float) -> str:
    """Format a finite double like .NET's double.ToString(InvariantCulture) (shortest round-trip)."""
    value = float(value) + 0.0
    if value == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    sci = len(text) - 1 + exponent
    minus = "-" if sign else ""
    if sci >= 15 or sci < -4:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{minus}{mantissa}E{'+' if sci >= 0 else '-'}{abs(sci):02d}"
    if exponent >= 0:
        return minus + text + "0" * exponent
    point = len(text) + exponent
    if point > 0:
        return f"{minus}{text[:point]}.{text[point:]}"
    return f"{minus}0.{'0' * -point}{text}"


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, pa.large_string())


def _fix(strings: pa.Array, values: np.ndarray, mask: np.ndarray, formatter) -> pa.Array:
    """Replace the masked entries of `strings` with formatter(value)."""
    if not mask.any():
        return strings
    fixed = pa.array([formatter(v) for v in values[mask].tolist()], pa.large_string())
    return pc.replace_with_mask(strings, pa.array(mask), fixed)


def _arrow_strings(values: np.ndarray) -> tuple[pa.Array, np.ndarray]:
    """Arrow's shortest round-trip strings, and the mask of entries in scientific notation."""
    strings = pc.cast(pa.array(values, pa.float64()), pa.large_string())
    return strings, np.asarray(pc.match_substring(strings, "e"), dtype=bool)


def _needs_fix(values: np.ndarray, sci: np.ndarray) -> np.ndarray:
    magnitude = np.abs(values)
    return sci | (magnitude >= 1e15) | ((magnitude < 1e-4) & (values != 0))


def dotnet_strings(values: np.ndarray) -> pa.Array:
    """Format doubles like .NET (shortest round-trip, E+XX notation outside 1e-5..1e15)."""
    return formatted_strings(values)[0]


def python_strings(values: np.ndarray) -> pa.Array:
    """Format doubles like Python's repr (what json.dumps writes)."""
    return formatted_strings(values)[1]


def formatted_strings(values: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """(.NET-style, Python-repr-style) string arrays for the same doubles, from one Arrow cast."""
    values = np.asarray(values, dtype=np.float64) + 0.0
    strings, sci = _arrow_strings(values)
    mask = _needs_fix(values, sci)
    integral = pa.array((values == np.trunc(values)) & ~mask)
    python = pc.if_else(integral, pc.binary_join_element_wise(strings, _large(".0"), _large("")), strings)
    return _fix(strings, values, mask, dotnet_number), _fix(python, values, mask, float.__repr__)


def format_values(values: np.ndarray) -> list[str]:
    """Format an array of finite doubles .NET-style, as a list of str."""
    return dotnet_strings(values).to_pylist()


def concat_strings(strings: pa.Array) -> bytes:
    """The concatenated bytes of a string array (no separators)."""
    strings = strings.cast(pa.large_string())
    if len(strings) == 0:
        return b""
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)[strings.offset : strings.offset + len(strings) + 1]
    return strings.buffers()[2][int(offsets[0]) : int(offsets[-1])].to_pybytes()


def join_columns(*columns) -> pa.Array:
    """Concatenate string columns (arrays, or str used for every row) element-wise."""
    columns = [_large(c) if isinstance(c, str) else c for c in columns]
    return pc.binary_join_element_wise(*columns, _large(""))


def join_lines(*columns) -> bytes:
    """Join string columns element-wise and end every row with LF; returns the bytes of all rows."""
    return concat_strings(join_columns(*columns, "\n"))


def row_prefixes(count: int) -> pa.Array:
    """The strings "0,", "1,", ... used to build `t,value` lines (cached per length)."""
    cached = _prefix_cache.get(count)
    if cached is None:
        cached = pa.array([f"{t}," for t in range(count)], pa.large_string())
        if len(_prefix_cache) > 16:
            _prefix_cache.clear()
        _prefix_cache[count] = cached
    return cached


def series_csv(values: np.ndarray) -> bytes:
    """A FlowTime series CSV: header `t,value`, LF line endings, trailing newline."""
    return b"t,value\n" + join_lines(row_prefixes(len(values)), dotnet_strings(values))


def sha256_tag(data: bytes) -> str:
    """`sha256:` + hex digest."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def json_bytes(obj) -> bytes:
    """2-space indented strict JSON (NaN/Infinity refused) with a trailing newline, like the .NET engine writes."""
    return (json.dumps(obj, indent=2, allow_nan=False) + "\n").encode("utf-8")
