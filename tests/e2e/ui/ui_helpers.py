"""Helpers and constants shared by the UI tests (importable without playwright installed)."""

from __future__ import annotations

import re
from pathlib import Path

import requests

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the `browser` fixture skips (or fails when FLOWTIME_E2E_REQUIRED=1)
    Page = expect = None

BULK = 30
TELEMETRY_CSV = (
    "timestamp,arrivals,served\n"
    + "".join(f"2025-01-01T{h:02d}:00:00Z,{10 + h},{8 + h}\n" for h in range(12))
)


def api_get(base: str, path: str, **params) -> dict:
    response = requests.get(f"{base}{path}", params=params, timeout=30)
    response.raise_for_status()
    return response.json()


def number(text: str) -> float:
    """A number as the UI formats it ('1,234.5', '–' is NaN, '12 %')."""
    cleaned = text.replace(",", "").replace("%", "").replace("\u2212", "-").strip()
    return float("nan") if cleaned in ("", "–") else float(cleaned)


def range_text(total: int, first: int = 1, count: int | None = None) -> re.Pattern:
    last = first - 1 + (count if count is not None else min(total, 50))
    return re.compile(rf"^{first:,}–{last:,} of {total:,}$")


def results_loaded(page: Page) -> None:
    expect(page.locator("#results")).not_to_have_attribute("aria-busy", "true")


def result_titles(page: Page) -> list[str]:
    return page.locator("#results .result-title").all_inner_texts()


def banner_hidden(page: Page) -> None:
    expect(page.locator("#banner")).to_be_hidden()


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]


def shoot(page, output_dir: Path, name: str) -> Path:
    """Save a full-page screenshot of the current page."""
    path = output_dir / f"{safe_name(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
