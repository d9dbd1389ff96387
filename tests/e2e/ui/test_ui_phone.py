"""Phone width (390x844): no sideways scrolling anywhere, the first result above the fold."""

from __future__ import annotations

import pytest

from tests.e2e.ui.conftest import Console
from tests.e2e.ui.ui_helpers import banner_hidden, expect, results_loaded, shoot

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server[0], is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.console = Console()
    page.console.attach(page)
    yield page
    context.close()


@pytest.mark.parametrize("role", ["it", "model_run", "hello"])
def test_run_page_fits_a_phone_and_shows_the_chart_first(phone, live_server, output_dir, role):
    _, seeded = live_server
    phone.goto(f"/artifacts/{seeded[role]}")
    chart = phone.locator("#series-chart canvas")
    expect(chart).to_be_visible()
    expect(phone.locator("#files-table")).to_be_visible()
    assert phone.evaluate(OVERFLOW) <= 0, "the run page scrolls sideways on a phone"
    box = chart.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the chart ends below the fold ({box})"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    banner_hidden(phone)
    shoot(phone, output_dir, f"phone-run-{role}")
    phone.console.assert_clean()


def test_telemetry_model_compare_and_wizard_pages_fit_a_phone(phone, live_server):
    _, seeded = live_server
    for path in (f"/artifacts/{seeded['telemetry']}", f"/artifacts/{seeded['model']}", "/compare", "/runs/new",
                 "/telemetry/new"):
        phone.goto(path)
        phone.wait_for_load_state("networkidle")
        assert phone.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways on a phone"
    phone.console.assert_clean()


def test_browse_shows_the_first_result_above_the_fold(phone, live_server, output_dir):
    phone.goto("/")
    results_loaded(phone)
    first = phone.locator("#results .result").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"], f"the first result ends below the fold ({box})"
    expect(phone.locator("#more-filters")).not_to_have_attribute("open", "")
    phone.locator("#more-filters summary").click()
    expect(phone.locator("#sort")).to_be_visible()
    assert phone.evaluate(OVERFLOW) <= 0
    shoot(phone, output_dir, "phone-browse")
    phone.console.assert_clean()
