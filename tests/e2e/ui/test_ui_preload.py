"""Every page names all its JavaScript modules as modulepreload links, so the browser fetches them at once
instead of one import level per round trip; a module it loads that the page did not name fails the test.
uPlot (a deferred classic script every module waits for) loads only on the pages that draw charts."""

from __future__ import annotations

import pytest

from tests.e2e.ui.ui_helpers import results_loaded

JS = "/ui/static/js/"
UPLOT = "/ui/static/vendor/uplot/"
CHARTED = {"/artifacts/{model_run}", "/compare"}


@pytest.mark.parametrize("path", ["/", "/artifacts/{model_run}", "/compare", "/runs/new", "/telemetry/new"])
def test_every_module_a_page_loads_is_preloaded(page, live_server, path):
    _, seeded = live_server
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url) if JS in request.url or UPLOT in request.url else None)
    page.goto(path.format(**seeded))
    if path == "/":
        results_loaded(page)
    page.wait_for_load_state("networkidle")
    entry = page.evaluate("document.querySelector('script[type=module]').src").split(JS)[1]
    named = page.evaluate("[...document.querySelectorAll('link[rel=modulepreload]')].map((l) => l.href)")
    named = {url.split(JS)[1] for url in named}
    modules = {url.split(JS)[1].split("?")[0] for url in loaded if JS in url}
    assert any(UPLOT in url for url in loaded) == (path in CHARTED)
    assert modules - {entry} == named, f"loaded {sorted(modules)}, preloaded {sorted(named)}"
    page.console.assert_clean()
