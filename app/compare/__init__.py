"""The Compare workflow: pure computations diffing two runs' series or two model specs."""

from __future__ import annotations

from app.compare.models import compare_models
from app.compare.runs import compare_series, match_series
from app.compare.series import SeriesSet, load_run_series, parse_series_csv, series_set

__all__ = [
    "SeriesSet",
    "compare_models",
    "compare_series",
    "load_run_series",
    "match_series",
    "parse_series_csv",
    "series_set",
]
