"""The Results panel of a run: per-series summaries, Verify (re-run and compare), and the runs that repeat it."""

from __future__ import annotations

import random

import requests

from tests.conftest import EXAMPLES
from tests.e2e.ui.ui_helpers import expect, shoot


def _run(base: str, seed: int) -> str:
    response = requests.post(f"{base}/v1/run?seed={seed}", data=(EXAMPLES / "hello.yaml").read_bytes(),
                             headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["runId"]


def test_summaries_verify_and_repeats(page, live_server, output_dir):
    base, _ = live_server
    seed = random.randrange(10**6, 10**7)  # a scenario no other test of the session ran
    first, again = _run(base, seed), _run(base, seed)
    page.goto(f"/artifacts/{first}")
    table = page.locator("#summary-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator("tbody th")).to_have_text("served")
    expect(table.locator("tbody td").nth(0)).to_have_text("8")  # points
    expect(page.locator("#verify-status")).to_contain_text("Not verified yet")
    page.locator("#verify-button").click()
    expect(page.locator("#notice")).to_have_text("Reproduced byte for byte.")
    expect(page.locator("#verify-status")).to_contain_text("Reproducible: 1 series matches byte for byte")
    expect(page.locator("#duplicate-list li")).to_have_count(1)
    expect(page.locator("#duplicates")).to_contain_text("1 later run repeats this one")
    shoot(page, output_dir, "detail-results")
    page.locator("#duplicate-list a").click()
    expect(page).to_have_url(f"{base}/artifacts/{again}")
    expect(page.locator("#duplicate-head")).to_have_text(first)
    page.console.assert_clean()
