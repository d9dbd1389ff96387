"""Runs can be told apart: the wizard's run title, else the model's title, its distinguishing parameters and seed."""

from __future__ import annotations

import re

from tests.e2e.ui.ui_helpers import api_get, banner_hidden, expect, result_titles, results_loaded, shoot

RUN_URL = re.compile(r"/artifacts/run_[^/?]+$")


def test_wizard_run_title_names_the_run(page, live_server, output_dir):
    base, _ = live_server
    page.goto("/runs/new")
    page.locator("#template-select").select_option("baseline")
    page.locator("#param-demand").fill("65")
    page.locator("#template-run-title").fill("Titled wizard model")
    page.locator("#template-name").fill("Peak hour what-if")
    page.locator("#template-seed").fill("4")
    page.locator("#template-submit").click()
    page.wait_for_url(RUN_URL)
    run_id = page.url.rsplit("/", 1)[1]
    expect(page.locator("#artifact-title")).to_have_text("Peak hour what-if")
    assert api_get(base, f"/v1/artifacts/{run_id}")["title"] == "Peak hour what-if"
    page.console.assert_clean()


def test_runs_of_one_model_differ_by_parameters_and_seed(page, live_server, output_dir):
    base, seeded = live_server
    model = api_get(base, f"/v1/artifacts/{seeded['model']}")
    for seed in ("11", "12"):
        page.goto(f"/runs/new?model={seeded['model']}")
        expect(page.locator("#model-chosen")).to_contain_text(model["title"])
        page.locator("#model-seed").fill(seed)
        page.locator("#model-submit").click()
        page.wait_for_url(RUN_URL)
        expect(page.locator("#artifact-title")).to_have_text(f"Baseline template model · bins 12, demand 40 · seed {seed}")
    page.goto("/?q=baseline template model demand 40&type=run")
    results_loaded(page)
    titles = result_titles(page)
    assert len(titles) == len(set(titles)) >= 3, titles  # the seeded run and the two above, all distinct
    banner_hidden(page)
    shoot(page, output_dir, "run-titles")
    page.console.assert_clean()
