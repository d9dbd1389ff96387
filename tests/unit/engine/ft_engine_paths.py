"""Paths of the fixtures the engine tests read (only under tests/fixtures)."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "sample-data"
EXAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "examples"
GOLDEN_RUNS = [
    "run_20250921T161133Z_0bcdbb6f",
    "run_20250922T090000Z_1a2b3c4d",
    "run_20250925T101010Z_77aa88bb",
    "run_20251002T141500Z_9f8e7d6c",
    "run_deterministic_4bbc610e",
]
