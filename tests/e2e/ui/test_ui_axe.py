"""axe-core (vendored, test-only) on every page at laptop and phone width: no serious or critical findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.ui.conftest import Console

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WIDTHS = {"laptop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = ["/", "/?view=table&tags=bulk", "/artifacts/{it}", "/artifacts/{model_run}", "/artifacts/{telemetry}",
         "/artifacts/{model}", "/compare?base={telemetry}&other={telemetry2}", "/compare?ids={hello},{hello2},{it}",
         "/compare?ids={model},{model2}", "/runs/new", "/runs/new?mode=model", "/telemetry/new"]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_serious_or_critical_axe_findings(browser, live_server, width):
    base, seeded = live_server
    context = browser.new_context(viewport=WIDTHS[width], base_url=base)
    page = context.new_page()
    console = Console()
    console.attach(page)
    problems = []
    try:
        for path in PAGES:
            page.goto(path.format(**seeded))
            page.wait_for_load_state("networkidle")
            page.evaluate(AXE)  # through the DevTools protocol: the page's CSP stays strict
            result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
            for violation in result["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    targets = [n["target"] for n in violation["nodes"][:3]]
                    problems.append(f"{path}: {violation['id']} ({violation['impact']}) {targets}")
        assert not problems, "axe findings:\n" + "\n".join(problems)
        console.assert_clean()
    finally:
        context.close()
