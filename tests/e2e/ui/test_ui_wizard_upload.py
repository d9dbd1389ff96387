"""Runs wizard (template, existing model, YAML) and telemetry upload (progress, errors)."""

from __future__ import annotations

import re

from tests.conftest import EXAMPLES
from tests.e2e.ui.ui_helpers import TELEMETRY_CSV, api_get, banner_hidden, expect, shoot

RUN_URL = re.compile(r"/artifacts/run_[^/?]+$")


def test_template_wizard_validates_then_runs(page, live_server, output_dir):
    base, _ = live_server
    page.goto("/runs/new")
    page.locator("#template-select").select_option("baseline")
    expect(page.locator("#param-bins")).to_have_value("24")
    expect(page.locator("#param-bins")).to_have_attribute("min", "1")
    expect(page.locator("#param-efficiency")).to_have_attribute("max", "1")
    page.locator("#param-bins").fill("0")
    page.locator("#param-efficiency").fill("1.5")
    page.locator("#template-submit").click()
    expect(page.locator("#param-bins-error")).to_have_text("must be at least 1")
    expect(page.locator("#param-efficiency-error")).to_have_text("must be at most 1")
    expect(page.locator("#banner")).to_be_visible()
    shoot(page, output_dir, "wizard-template-errors")
    page.locator("#param-bins").fill("6")
    page.locator("#param-efficiency").fill("0.5")
    page.locator("#template-run-title").fill("Wizard baseline")
    page.locator("#template-seed").fill("9")
    page.locator("#template-submit").click()
    page.wait_for_url(RUN_URL)
    run_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#series-chart canvas")).to_have_count(1)
    model = api_get(base, f"/v1/artifacts/{run_id}/relationships")["derived_from"][0]
    assert model["title"] == "Wizard baseline"
    expect(page.locator(f"#derived-from a[href='/artifacts/{model['id']}']")).to_be_visible()
    parameters = api_get(base, f"/v1/artifacts/{model['id']}")["metadata"]["provenance"]["parameters"]
    assert parameters["bins"] == 6 and parameters["efficiency"] == 0.5
    shoot(page, output_dir, "wizard-landed-run")
    page.console.assert_clean()


def test_template_array_parameter_and_api_error(page, live_server, output_dir):
    page.goto("/runs/new?template=it-system")
    expect(page.locator("#param-request_profile")).to_have_value(re.compile(r"^50, 30, 20"))
    page.locator("#param-request_profile").fill("10, x, 30")
    page.locator("#template-submit").click()
    expect(page.locator("#param-request_profile-error")).to_contain_text("item 2")
    shoot(page, output_dir, "wizard-template")
    page.console.assert_clean()


def test_yaml_wizard_error_then_run(page, live_server, output_dir):
    page.goto("/runs/new")
    page.locator("input[name=mode][value=yaml]").check()
    expect(page.locator("#mode-yaml")).to_be_visible()
    page.locator("#yaml-text").fill("grid: [")
    page.locator("#yaml-submit").click()
    expect(page.locator("#yaml-text-error")).to_contain_text("invalid YAML")
    expect(page.locator("#banner-text")).to_contain_text("invalid YAML")
    shoot(page, output_dir, "wizard-yaml-error")
    page.locator("#yaml-file").set_input_files(str(EXAMPLES / "hello.yaml"))
    expect(page.locator("#yaml-text")).to_have_value(re.compile("binMinutes: 60"))
    page.locator("#yaml-submit").click()
    page.wait_for_url(RUN_URL)
    expect(page.locator("#series-chart canvas")).to_have_count(1)
    page.console.assert_clean(allow_http=(400,))


def test_existing_model_run(page, live_server, output_dir):
    _, seeded = live_server
    page.goto("/runs/new")
    page.locator("input[name=mode][value=model]").check()
    page.locator("#model-input").press_sequentially("template model two", delay=20)
    page.locator(f"#model-options button[data-id={seeded['model2']}]").click()
    expect(page.locator("#model-chosen")).to_contain_text(seeded["model2"])
    shoot(page, output_dir, "wizard-model")
    page.locator("#model-submit").click()
    page.wait_for_url(RUN_URL)
    expect(page.locator(f"#derived-from a[href='/artifacts/{seeded['model2']}']")).to_be_visible()
    page.console.assert_clean()


def test_upload_with_progress(page, live_server, output_dir):
    base, _ = live_server
    page.goto("/telemetry/new")
    seen: list[str] = []
    page.expose_function("recordProgress", lambda text: seen.append(text))
    page.evaluate("""() => new MutationObserver(() => window.recordProgress(
        document.querySelector('#progress-text').textContent)).observe(
        document.querySelector('#progress-text'), {childList: true, characterData: true, subtree: true})""")
    rows = "".join(f"2025-02-01T{h % 24:02d}:{(h // 24) % 60:02d}:00Z,{h},{h * 2}\n" for h in range(1, 1400))
    body = TELEMETRY_CSV.splitlines(keepends=True)[0] + rows
    page.locator("#file").set_input_files(files=[{"name": "big.csv", "mimeType": "text/csv", "buffer": body.encode()}])
    page.locator("#title").fill("Uploaded in the browser")
    page.locator("#tags").fill("browser, upload")
    shoot(page, output_dir, "upload-form")
    page.locator("#upload-submit").click()
    page.wait_for_url(re.compile(r"/artifacts/telemetry_[^/?]+$"))
    assert any("% sent" in text for text in seen), seen
    assert any("Sent" in text or "Imported" in text for text in seen), seen
    telemetry_id = page.url.rsplit("/", 1)[1]
    stored = api_get(base, f"/v1/artifacts/{telemetry_id}")
    assert stored["title"] == "Uploaded in the browser" and stored["tags"] == ["browser", "upload"]
    expect(page.locator("#artifact-title")).to_have_text("Uploaded in the browser")
    expect(page.locator("#catalog-table tbody tr")).to_have_count(2)
    banner_hidden(page)
    page.console.assert_clean()


def test_upload_errors_are_shown_in_words(page, live_server, output_dir):
    page.goto("/telemetry/new")
    page.locator("#upload-submit").click()
    expect(page.locator("#file-error")).to_have_text("choose a CSV or Parquet file")
    page.locator("#file").set_input_files(files=[{"name": "bad.csv", "mimeType": "text/csv",
                                                  "buffer": b"timestamp,a\n\x00\x01\x02"}])
    page.locator("#tags").fill("bad tag")
    page.locator("#upload-submit").click()
    expect(page.locator("#tags-error")).to_contain_text("not a valid tag")
    page.locator("#tags").fill("ok")
    page.locator("#upload-submit").click()
    expect(page.locator("#banner-text")).to_contain_text("NUL bytes")
    expect(page.locator("#file-error")).to_contain_text("NUL bytes")
    expect(page.locator("#progress-text")).to_have_text("Failed.")
    expect(page.locator("#upload-submit")).to_be_enabled()
    expect(page).to_have_url(re.compile(r"/telemetry/new$"))
    shoot(page, output_dir, "upload-error")
    page.console.assert_clean(allow_http=(400,))
