"""Artifact detail: charts, spec, files, lineage, inline edit with validation errors, delete/restore/archive."""

from __future__ import annotations

import re
from contextlib import suppress

import requests

from tests.e2e.ui.ui_helpers import api_get, banner_hidden, expect, number, range_text, shoot


def test_run_detail_chart_spec_files(page, live_server, output_dir):
    base, seeded = live_server
    run_id = seeded["hello"]
    artifact = api_get(base, f"/v1/artifacts/{run_id}")
    page.goto(f"/artifacts/{run_id}")
    expect(page.locator("#artifact-title")).to_have_text(artifact["title"])
    chart = page.locator("#series-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-points", "8")
    # The legend shows the last bin's values; hovering shows the hovered bin's.
    values = chart.locator(".u-legend .u-series .u-value")
    expect(values.nth(1)).to_have_text("8")
    over = chart.locator(".u-over")
    over.hover(position={"x": 2, "y": over.bounding_box()["height"] / 2})
    expect(values.nth(0)).to_have_text("0")
    assert number(values.nth(1).inner_text()) == 8
    expect(page.locator("#spec-section pre")).to_contain_text("binMinutes: 60")
    rows = page.locator("#files-table tbody tr")
    expect(rows).to_have_count(len(artifact["file_details"]))
    spec_link = page.locator("#files-table a[href$='spec.yaml?download=1']")
    expect(spec_link).to_have_count(1)
    assert requests.get(base + spec_link.get_attribute("href"), timeout=10).status_code == 200
    assert requests.get(base + page.locator("#zip-link").get_attribute("href"), timeout=30).status_code == 200
    banner_hidden(page)
    shoot(page, output_dir, "detail-run")
    page.console.assert_clean()


def test_model_run_lineage_and_model_spec(page, live_server, output_dir):
    _, seeded = live_server
    page.goto(f"/artifacts/{seeded['model_run']}")
    link = page.locator(f"#derived-from a[href='/artifacts/{seeded['model']}']")
    expect(link).to_have_text("Baseline template model")
    expect(page.locator("#series-chart canvas")).to_have_count(1)
    link.click()
    expect(page.locator("#artifact-title")).to_have_text("Baseline template model")
    expect(page.locator("#spec-section h2")).to_contain_text("model-artifact.yaml")
    expect(page.locator("#spec-section pre")).not_to_have_text("Loading…")
    expect(page.locator(f"#generates a[href='/artifacts/{seeded['model_run']}']")).to_have_count(1)
    shoot(page, output_dir, "detail-model")
    page.console.assert_clean()


def test_telemetry_catalog_and_values(page, live_server, output_dir):
    _, seeded = live_server
    page.goto(f"/artifacts/{seeded['telemetry']}")
    expect(page.locator("#catalog-table tbody tr")).to_have_count(2)
    chart = page.locator("#catalog-section #series-chart")
    expect(chart.locator("canvas")).to_have_count(1)
    expect(chart).to_have_attribute("data-points", "24")
    expect(chart.locator(".u-legend .u-series .u-value").nth(1)).to_have_text("21")  # arrivals, last bin
    page.locator("#catalog-section .series-picker input").nth(1).uncheck()
    expect(chart).to_have_attribute("data-points", "12")
    shoot(page, output_dir, "detail-telemetry")
    page.console.assert_clean()


def test_edit_validation_error_then_success(page, live_server, fresh_run, output_dir):
    base, _ = live_server
    page.goto(f"/artifacts/{fresh_run}")
    page.locator("#edit-button").click()
    expect(page.locator("#edit-title")).to_be_focused()
    page.locator("#edit-title").fill("")
    page.locator("#edit-tags").fill("good, bad tag")
    page.locator("#save-button").click()
    expect(page.locator("#edit-title-error")).to_be_visible()
    expect(page.locator("#edit-title-error")).to_contain_text("Length")
    expect(page.locator("#edit-tags-error")).to_have_text("“bad tag”: invalid tag")
    expect(page.locator("#edit-tags")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#banner")).to_be_visible()
    shoot(page, output_dir, "detail-edit-errors")
    page.locator("#edit-title").fill("Edited in the browser")
    page.locator("#edit-description").fill("Checked by Playwright")
    page.locator("#edit-tags").fill("reviewed, ui-test")
    page.locator("#save-button").click()
    expect(page.locator("#artifact-title")).to_have_text("Edited in the browser")
    expect(page.locator("#notice")).to_have_text("Saved.")
    stored = api_get(base, f"/v1/artifacts/{fresh_run}")
    assert stored["title"] == "Edited in the browser"
    assert stored["description"] == "Checked by Playwright"
    assert stored["tags"] == ["reviewed", "ui-test"]
    # A stale ETag (someone else edited meanwhile) is a 412, explained in words.
    requests.patch(f"{base}/v1/artifacts/{fresh_run}", json={"description": "changed elsewhere"}, timeout=10)
    page.locator("#edit-button").click()
    page.locator("#edit-title").fill("Too late")
    page.locator("#save-button").click()
    expect(page.locator("#banner-text")).to_contain_text("changed this artifact since you opened it")
    page.console.assert_clean(allow_http=(400, 412))


def test_delete_while_panels_load_drops_their_reads(page, live_server, fresh_run):
    """A delete clicked before the panels answered: their reads are dropped, not answered with a 404 (the run's
    files, series and index are gone for a deleted artifact; lineage and relationships are not)."""
    held = []

    def delete_first(route):  # the panels' reads reach the server after the delete, before the page re-renders
        deleted = route.fetch()
        for pending in held:
            with suppress(Exception):  # the page dropped it: there is nothing left to answer
                pending.continue_()
        route.fulfill(response=deleted)

    page.route(re.compile(r"/lineage\?|/relationships$|/index$|/series/|/files/"), lambda route: held.append(route))
    page.route(re.compile(f"/v1/artifacts/{fresh_run}$"),
               lambda route: delete_first(route) if route.request.method == "DELETE" else route.continue_())
    page.goto(f"/artifacts/{fresh_run}")
    expect(page.locator("#lineage-graph .loading")).to_be_visible()
    page.locator("#delete-button").click()
    expect(page.locator("#deleted-note")).to_be_visible()
    assert len(held) >= 5  # lineage, relationships, the run's index and series, spec.yaml
    page.wait_for_load_state("networkidle")
    banner_hidden(page)
    page.console.assert_clean()


def test_delete_restore_archive(page, live_server, fresh_run, output_dir):
    base, _ = live_server
    title = f"Lifecycle {fresh_run[-8:]}"
    requests.patch(f"{base}/v1/artifacts/{fresh_run}", json={"title": title}, timeout=10)
    page.goto(f"/artifacts/{fresh_run}")
    page.locator("#delete-button").click()
    expect(page.locator(".head-badges .badge-deleted")).to_be_visible()
    expect(page.locator("#restore-button")).to_be_visible()
    expect(page.locator("#deleted-note")).to_be_visible()
    assert api_get(base, "/v1/artifacts", search=title)["total"] == 0
    shoot(page, output_dir, "detail-deleted")
    page.goto(f"/?q={title}")
    expect(page.locator("#range")).to_have_text("No artifacts match.")
    page.locator("#include_deleted").check()
    expect(page.locator("#range")).to_have_text(range_text(1))
    expect(page.locator("#results .badge-deleted")).to_be_visible()
    page.locator("#results .result-title").click()
    page.locator("#restore-button").click()
    expect(page.locator("#delete-button")).to_be_visible()
    assert api_get(base, "/v1/artifacts", search=title)["total"] == 1
    page.locator("#archive-button").click()
    expect(page.locator(".head-badges .badge-archived")).to_be_visible()
    page.goto(f"/?q={title}")
    expect(page.locator("#range")).to_have_text("No artifacts match.")
    page.locator("#include_archived").check()
    expect(page.locator("#range")).to_have_text(range_text(1))
    page.locator("#results .result-title").click()
    page.locator("#unarchive-button").click()
    expect(page.locator("#archive-button")).to_be_visible()
    assert "archived" not in api_get(base, f"/v1/artifacts/{fresh_run}")["tags"]
    page.console.assert_clean()


def test_missing_artifact_shows_a_message(page, live_server, output_dir):
    page.goto("/artifacts/run_does_not_exist")
    expect(page.locator(".failure h1")).to_have_text("Artifact not found")
    expect(page.locator("#banner")).to_be_visible()
    expect(page.locator("#banner-text")).to_contain_text(re.compile("not found", re.I))
    page.locator("#banner-close").click()
    expect(page.locator("#banner")).to_be_hidden()
    shoot(page, output_dir, "detail-missing")
    page.console.assert_clean(allow_http=(404,))


def test_history_lists_each_edit_newest_first(page, live_server, fresh_run, output_dir):
    base, _ = live_server
    requests.patch(f"{base}/v1/artifacts/{fresh_run}", json={"title": "Named for history"}, timeout=10)
    requests.delete(f"{base}/v1/artifacts/{fresh_run}", timeout=10)
    requests.post(f"{base}/v1/artifacts/{fresh_run}/restore", timeout=10)
    page.goto(f"/artifacts/{fresh_run}")
    entries = page.locator("#history-list .history-entry")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text("Restored")
    expect(entries.nth(1)).to_contain_text("Deleted")
    expect(entries.nth(2)).to_contain_text("Title:")
    expect(entries.nth(2)).to_contain_text("“Named for history”")
    expect(entries.nth(2)).to_contain_text("by anonymous")
    page.locator("#edit-button").click()
    page.locator("#edit-description").fill("Described in the browser")
    page.locator("#save-button").click()
    expect(page.locator("#notice")).to_have_text("Saved.")
    expect(entries).to_have_count(4)
    expect(entries.nth(0)).to_contain_text("Description: none → “Described in the browser”")
    expect(page.locator("#history-more")).to_be_hidden()
    page.locator("#history-section").scroll_into_view_if_needed()
    shoot(page, output_dir, "detail-history")
    page.console.assert_clean()
