"""Compare 2 to 10: a parameter table that can show only differing rows, deltas against a chosen baseline,
overlaid series, and a readable structural diff of models."""

from __future__ import annotations

import re

import requests

from tests.e2e.ui.ui_helpers import banner_hidden, expect, shoot


def test_three_runs_overlaid_with_deltas_against_a_baseline(page, live_server, output_dir):
    _, seeded = live_server
    ids = [seeded["hello"], seeded["hello2"], seeded["bulk"][0]]
    page.goto(f"/compare?ids={','.join(ids)}")
    expect(page.locator("#param-table thead th")).to_have_count(4)
    expect(page.locator("#param-table th.is-baseline")).to_contain_text("(baseline)")
    # result figures from the stored series summaries (the same model: equal totals, hidden by "only differing")
    expect(page.locator("#param-table tr[data-field='served sum'] td")).to_have_text(["64", "64", "64"])
    rows = page.locator("#param-table tbody tr")
    all_rows = rows.count()
    page.locator("#only-differing").check()
    expect(rows).not_to_have_count(all_rows)
    assert rows.count() == page.locator("#param-table tbody tr.differs").count() >= 1
    expect(page.locator("#param-table tr[data-field=Seed]")).to_be_visible()
    expect(page.locator("#many-delta-table thead th")).to_have_count(3)  # series + two others
    chart = page.locator("#many-charts .chart-box").first
    expect(chart).to_have_attribute("data-series", "3")
    shoot(page, output_dir, "compare-many-runs")
    page.locator("#baseline-select").select_option(ids[2])
    expect(page).to_have_url(re.compile(rf"baseline={ids[2]}"))
    expect(page.locator("#param-table th.is-baseline")).to_contain_text("Bulk sweep 00")
    banner_hidden(page)
    page.console.assert_clean()


def test_models_side_by_side_with_a_structural_diff(page, live_server, output_dir):
    base, seeded = live_server
    third = requests.post(f"{base}/v1/templates/baseline/instantiate", timeout=30,
                          json={"parameters": {"bins": 12, "demand": 70, "efficiency": 0.5}, "title": "Half efficiency"})
    ids = [seeded["model"], seeded["model2"], third.json()["modelId"]]
    page.goto(f"/compare?ids={','.join(ids)}")
    expect(page.locator("#many-model-diff .model-diff")).to_have_count(2)
    changes = page.locator("#many-model-diff .model-diff").nth(1).locator(".node-changes tbody tr")
    expect(changes.first).to_be_visible()
    text = page.locator("#many-model-diff").inner_text()
    assert "demand * 0.8" in text and "demand * 0.5" in text and "{" not in text
    expect(page.locator("#param-table tr[data-field='Parameter demand'] td")).to_have_text(["40", "50", "70"])
    shoot(page, output_dir, "compare-many-models")
    page.console.assert_clean()


def test_more_than_ten_is_refused_in_words(page, live_server):
    _, seeded = live_server
    page.goto(f"/compare?ids={','.join(seeded['bulk'][:11])}")
    expect(page.locator("#banner-text")).to_contain_text("2 to 10")
    page.console.assert_clean()
