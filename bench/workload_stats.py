"""Percentile summaries of the workload's samples (per read class, over all, and of the writes)."""

from __future__ import annotations

from common import summarize
from workload_queries import CLASSES


def summaries(outcome: dict) -> dict:
    """Percentiles per class and over all classes, with error counts."""
    samples, errors = outcome.pop("samples"), outcome.get("errors", {})
    classes = {cls: {**summarize(samples.get(cls, [])), "errors": errors.get(cls, 0)} for cls in CLASSES}
    every = [ms for values in samples.values() for ms in values]
    return {**outcome, "classes": classes, "all": {**summarize(every), "errors": sum(errors.values())}}


def write_summary(done: list[dict], seconds: float | None = None) -> dict:
    """Write latency percentiles, all and per kind, how late they started, and the failures."""
    ok = [w for w in done if w.get("ok")]
    rate = round(len(done) / seconds, 2) if seconds else None
    return {"all": summarize([w["ms"] for w in ok]), "failed": len(done) - len(ok), "achieved_per_s": rate,
            "late_start_ms": summarize([w.get("late_ms", 0.0) for w in done]),
            "errors": sorted({w["error"] for w in done if not w.get("ok")})[:5],
            **{kind: summarize([w["ms"] for w in ok if w["kind"] == kind]) for kind in ("edit", "run")}}
