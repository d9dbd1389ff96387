"""Time on the x axis (grid start, else bin × width with its unit; telemetry's own time column), PNG and CSV downloads."""

from __future__ import annotations

import requests

from tests.e2e.ui.ui_helpers import banner_hidden, expect, shoot

STARTED = "grid: {bins: 4, binMinutes: 30, startTimeUtc: '2025-03-01T06:00:00Z'}\nnodes:\n  - {id: load, kind: const, values: [1, 2, 3, 4]}\n"


def _csv(page) -> list[str]:
    with page.expect_download() as download:
        page.locator("#chart-csv").click()
    return download.value.path().read_text().splitlines()


def test_run_without_start_uses_bins_times_width_with_the_unit(page, live_server, output_dir):
    _, seeded = live_server
    page.goto(f"/artifacts/{seeded['it']}")
    chart = page.locator("#series-chart")
    expect(chart).to_have_attribute("data-x-label", "time since start (hours)")
    expect(chart).to_have_attribute("data-y-label", "entities/bin")
    expect(page.locator("#series-section [role=status]")).to_contain_text("1 hour per bin")
    lines = _csv(page)
    assert lines[0].startswith("time since start (hours),user_requests@")
    assert [line.split(",")[0] for line in lines[1:4]] == ["0", "1", "2"] and len(lines) == 25
    with page.expect_download() as download:
        page.locator("#chart-png").click()
    assert download.value.suggested_filename == "IT-system-example.png"
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    shoot(page, output_dir, "run-time-axis")
    page.console.assert_clean()


def test_run_with_a_start_time_is_drawn_in_utc(page, live_server):
    base, _ = live_server
    response = requests.post(f"{base}/v1/run?seed=1", data=STARTED, headers={"Content-Type": "text/plain"}, timeout=30)
    assert response.status_code == 200, response.text
    page.goto(f"/artifacts/{response.json()['runId']}")
    expect(page.locator("#series-chart")).to_have_attribute("data-x-label", "time (UTC)")
    lines = _csv(page)
    assert lines[0] == "time,load@LOAD@DEFAULT"
    assert lines[1:] == ["2025-03-01T06:00:00.000Z,1", "2025-03-01T06:30:00.000Z,2",
                         "2025-03-01T07:00:00.000Z,3", "2025-03-01T07:30:00.000Z,4"]
    banner_hidden(page)
    page.console.assert_clean()


def test_telemetry_uses_its_time_column(page, live_server):
    _, seeded = live_server
    page.goto(f"/artifacts/{seeded['telemetry']}")
    expect(page.locator("#series-chart")).to_have_attribute("data-x-label", "time (UTC)")
    lines = _csv(page)
    assert lines[1].startswith("2025-01-01T00:00:00.000Z,") and lines[-1].startswith("2025-01-01T11:00:00.000Z,")
    page.console.assert_clean()
