"""The wizard's Select Input step: models and replayable telemetry, searchable, with what the input will produce."""

from __future__ import annotations

import re

from tests.e2e.ui.ui_helpers import api_get, banner_hidden, expect, shoot


def test_select_input_lists_models_then_telemetry_and_previews(page, live_server, output_dir):
    base, seeded = live_server
    page.goto("/runs/new")
    page.locator("input[name=mode][value=model]").check()
    options = page.locator("#model-options button.option")
    expect(options.first).to_be_visible()  # the newest models, before typing anything
    assert {b.get_attribute("data-id").split("_")[0] for b in options.all()} == {"model"}
    page.locator("#model-input").fill("template model two")
    expect(options).to_have_count(1)
    options.first.click()
    expect(page.locator("#input-produces")).to_have_text(
        "A run over 10 bins of 1 hour, with 3 series: demand, served, unserved.")
    expect(page.locator("#input-preview")).to_contain_text("demand 50")
    expect(page.locator("#model-submit")).to_be_enabled()
    shoot(page, output_dir, "wizard-select-input")
    page.locator("#input-kind").select_option("telemetry")
    page.locator("#model-input").fill("")
    page.locator("#model-input").press("Backspace")
    replayable = api_get(base, "/v1/artifacts", type="telemetry", capabilities="replay", limit=8)["artifacts"]
    expect(options).to_have_count(len(replayable))
    page.locator(f"#model-options button[data-id='{seeded['telemetry']}']").click()
    expect(page.locator("#input-produces")).to_contain_text(re.compile(r"\d+ series"))
    expect(page.locator("#input-note")).to_contain_text("derives from this telemetry")
    expect(page.locator("#model-submit")).to_be_enabled()
    page.locator("#model-submit").click()  # replay: a run of the telemetry's series
    expect(page).to_have_url(re.compile(r"/artifacts/run_"))
    run_id = page.url.rsplit("/", 1)[-1].split("?")[0]
    run = api_get(base, f"/v1/artifacts/{run_id}")
    assert run["relationships"]["derived_from"] == [seeded["telemetry"]]
    assert run["metadata"]["provenance"]["source"] == "telemetry-replay"
    expect(page.locator("#summary-table tbody tr")).to_have_count(run["series_count"])
    banner_hidden(page)
    page.console.assert_clean()
