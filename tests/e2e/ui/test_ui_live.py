"""Live updates: new artifacts arriving while a list is open are announced ("2 new runs") and shown on request."""

from __future__ import annotations

import re

import requests

from tests.conftest import EXAMPLES
from tests.e2e.ui.ui_helpers import api_get, expect, results_loaded


def test_new_runs_are_announced_then_shown(page, live_server):
    base, _ = live_server
    page.add_init_script("localStorage.setItem('flowtime-poll-ms', '300')")
    page.goto("/?type=run&sort=created&order=desc")
    results_loaded(page)
    before = api_get(base, "/v1/artifacts", type="run", limit=1)["total"]
    expect(page.locator("#live")).to_be_hidden()
    new = []
    for seed in (401, 402):
        response = requests.post(f"{base}/v1/run?seed={seed}", data=(EXAMPLES / "hello.yaml").read_bytes(),
                                 headers={"Content-Type": "text/plain"}, timeout=30)
        new.append(response.json()["runId"])
    expect(page.locator("#live-text")).to_have_text("2 new runs since this list was loaded.")
    page.locator("#live-show").click()
    expect(page.locator("#live")).to_be_hidden()
    expect(page.locator("#range")).to_have_text(re.compile(rf" of {before + 2:,}$"))
    ids = page.locator("#results .result").evaluate_all("(items) => items.slice(0, 2).map((i) => i.dataset.id)")
    assert sorted(ids) == sorted(new)
    page.console.assert_clean()
