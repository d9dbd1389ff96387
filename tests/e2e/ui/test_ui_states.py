"""Loading, empty and error states are visible; the details table shows no raw null or JSON."""

from __future__ import annotations

import re

from tests.e2e.ui.ui_helpers import expect, results_loaded, shoot


def test_details_table_has_no_raw_null_or_json(page, live_server, output_dir):
    _, seeded = live_server
    for role in ("model_run", "it", "model", "telemetry"):
        page.goto(f"/artifacts/{seeded[role]}")
        details = page.locator("#meta-heading + dl")
        expect(details).to_be_visible()
        text = details.inner_text()
        assert not re.search(r"\bnull\b|[{}\[\]]|\":", text), f"raw JSON in the details of {role}: {text}"
    page.goto(f"/artifacts/{seeded['model_run']}")
    expect(page.locator("#meta-heading + dl dt", has_text="Provenance")).to_be_visible()
    expect(page.locator("#meta-heading + dl .nested dt", has_text="Template id")).to_be_visible()
    shoot(page, output_dir, "detail-readable-metadata")
    page.console.assert_clean()


def test_slow_list_shows_loading_then_results(page, live_server):
    held = []
    pattern = re.compile(r"/v1/artifacts\?")

    def hold(route):
        if held and held[0] == "released":
            route.continue_()
        else:
            held.append(route)

    page.route(pattern, hold)  # answered only once the loading state showed
    page.goto("/")
    expect(page.locator("#loading")).to_be_visible()
    expect(page.locator("#results")).to_have_attribute("aria-busy", "true")
    routes, held[:] = list(held), ["released"]
    for route in routes:
        route.continue_()
    results_loaded(page)
    expect(page.locator("#loading")).to_be_hidden()
    expect(page.locator("#results .result").first).to_be_visible()
    page.console.assert_clean()


def test_empty_list_offers_a_way_out(page, live_server):
    page.goto("/?q=zzzznothingmatcheszzzz")
    expect(page.locator("#empty-state")).to_contain_text("Nothing matches")
    page.locator("#empty-state button").click()
    expect(page.locator("#q")).to_have_value("")
    expect(page.locator("#results .result").first).to_be_visible()
    page.console.assert_clean()


def test_failed_list_says_so_and_retries(page, live_server):
    failing = {"on": True}

    def maybe_fail(route):
        if failing["on"]:
            route.fulfill(status=503, content_type="application/json",
                          body='{"error": "registry unavailable", "code": "unavailable", "status": 503, "details": {}}')
        else:
            route.continue_()

    page.route(re.compile(r"/v1/artifacts\?"), maybe_fail)
    page.goto("/")
    expect(page.locator(".empty-state.is-error")).to_be_visible()
    expect(page.locator("#banner-text")).to_contain_text("registry unavailable")
    failing["on"] = False
    page.locator("#retry").click()
    expect(page.locator("#results .result").first).to_be_visible()
    page.console.assert_clean(allow_http=(503,))
