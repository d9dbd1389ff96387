"""Compare: numbers match the API, pickers, spec diff of two models."""

from __future__ import annotations

import math
import re

import requests

from tests.e2e.ui.ui_helpers import expect, number, shoot

COLUMNS = {"delta_sum": ("delta", "sum"), "delta_mean": ("delta", "mean"), "max_abs": ("delta", "max_abs"),
           "rmse": ("delta", "rmse"), "base_sum": ("base", "sum"), "other_sum": ("other", "sum")}


def test_compare_telemetry_numbers_match_the_api(page, live_server, output_dir):
    base, seeded = live_server
    left, right = seeded["telemetry"], seeded["telemetry2"]
    expected = requests.post(f"{base}/v1/artifacts/{left}/compare", json={"other": right, "include_values": True},
                             timeout=30).json()
    page.goto(f"/compare?base={left}&other={right}")
    rows = page.locator("#delta-table tbody tr")
    expect(rows).to_have_count(len(expected["series"]))
    for series in expected["series"]:
        name = f"{series['measure']}@{series['component_id']}"
        row = page.locator(f"#delta-table tbody tr[data-series='{name}']")
        for key, (group, field) in COLUMNS.items():
            shown = number(row.locator(f"td[data-key={key}]").inner_text())
            assert math.isclose(shown, series[group][field], rel_tol=1e-3, abs_tol=1e-3), (name, key)
    assert any(s["delta"]["sum"] != 0 for s in expected["series"])
    charts = page.locator("#charts .chart-box")
    expect(charts).to_have_count(len(expected["series"]))
    expect(charts.first.locator("canvas")).to_have_count(1)
    expect(charts.first).to_have_attribute("data-points", str(2 * expected["series"][0]["points"]))
    # Sorting by a column reorders the rows and says so.
    header = page.locator("#delta-table th:has(button[data-key=delta_sum])")
    header.locator("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    header.locator("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    sums = [number(t) for t in page.locator("#delta-table tbody td[data-key=delta_sum]").all_inner_texts()]
    assert sums == sorted(sums, reverse=True)
    shoot(page, output_dir, "compare-telemetry")
    page.console.assert_clean()


def test_compare_pickers_and_model_spec_diff(page, live_server, output_dir):
    _, seeded = live_server
    page.goto("/compare")
    page.locator("#base-input").press_sequentially("Baseline template model", delay=20)
    option = page.locator(f"#base-options button[data-id={seeded['model']}]")
    option.click()
    expect(page.locator("#base-chosen")).to_contain_text(seeded["model"])
    # by id: runs of that model carry its title in theirs (run titles), and other tests of the session run it
    page.locator("#other-input").press_sequentially(seeded["model2"], delay=20)
    expect(page.locator("#other-options button")).to_have_count(1)
    page.locator("#other-input").press("ArrowDown")
    expect(page.locator(f"#other-options button[data-id={seeded['model2']}]")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#other-chosen")).to_contain_text(seeded["model2"])
    page.locator("#compare-go").click()
    expect(page).to_have_url(re.compile(rf"base={seeded['model']}&other={seeded['model2']}"))
    expect(page.locator("#grid-changed")).to_have_text("The grid changed.")
    expect(page.locator("#nodes-added h3")).to_have_text("Nodes added (0)")
    shoot(page, output_dir, "compare-models")
    page.go_back()
    expect(page.locator("#spec-diff")).to_have_count(0)
    page.console.assert_clean()


def test_compare_runs_with_one_sided_series(page, live_server, output_dir):
    _, seeded = live_server
    page.goto(f"/compare?base={seeded['hello']}&other={seeded['it']}")
    expect(page.locator("#only-base li")).to_have_count(1)
    expect(page.locator("#only-other li").first).to_be_visible()
    expect(page.locator("#grid-info")).to_contain_text("not compatible")
    page.console.assert_clean()
