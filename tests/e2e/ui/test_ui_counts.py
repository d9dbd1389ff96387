"""Counts that do not mislead: type chips show what each would give; header totals match the lists they open."""

from __future__ import annotations

import re

import requests

from tests.e2e.ui.ui_helpers import api_get, banner_hidden, expect, number, range_text, results_loaded


def test_type_chips_keep_the_count_each_would_give(page, live_server):
    base, _ = live_server
    page.goto("/?tags=example")
    results_loaded(page)
    page.locator("#type-chips .chip[data-type=model]").click()
    expect(page.locator("#type-chips .chip[data-type=model]")).to_have_attribute("aria-pressed", "true")
    for kind in ("run", "model", "telemetry"):
        expected = api_get(base, "/v1/artifacts", tags="example", type=kind, limit=1)["total"]
        expect(page.locator(f"#type-chips .chip[data-type={kind}] .count")).to_have_text(f"{expected:,}")
    runs = api_get(base, "/v1/artifacts", tags="example", type="run", limit=1)["total"]
    assert runs > 0  # the chip that used to drop to 0
    page.locator("#type-chips .chip[data-type=run]").click()
    expect(page.locator("#range")).to_have_text(range_text(runs, 1, min(runs, 50)))
    expect(page.locator("#type-chips .chip[data-type=run] .count")).to_have_text(f"{runs:,}")
    banner_hidden(page)
    page.console.assert_clean()


def test_header_totals_open_lists_of_the_same_size(page, live_server, fresh_run):
    base, _ = live_server
    archived = requests.post(f"{base}/v1/artifacts/archive", json=[fresh_run], timeout=30)
    assert archived.status_code == 200 and archived.json()["archived"] == 1
    page.goto("/")
    results_loaded(page)
    stats = api_get(base, "/v1/artifacts/stats")
    assert stats["archived"] >= 1
    expect(page.locator("#stats .stat-total")).to_contain_text(f"({stats['archived']:,} archived)")
    link = page.locator("#stats .stat-types a", has_text=re.compile(r"\brun"))
    shown = number(link.inner_text().split()[0])
    assert shown == stats["by_type"]["run"]
    link.click()
    expect(page.locator("#range")).to_have_text(re.compile(rf" of {int(shown):,}$"))
    expect(page.locator("#include_archived")).to_be_checked()
    # newest first: the run just archived heads the list whatever other tests of the session added
    expect(page.locator(f"#results [data-id='{fresh_run}'] .badge-archived")).to_have_count(1)
    page.console.assert_clean()
