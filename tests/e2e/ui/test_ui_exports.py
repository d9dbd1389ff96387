"""Exports from the run page: make the gold CSV/NDJSON/Parquet exports, then download each."""

from __future__ import annotations

import json

from tests.e2e.ui.ui_helpers import api_get, banner_hidden, expect, shoot


def test_make_and_download_the_gold_exports(page, live_server, output_dir, fresh_run):
    base, _ = live_server
    page.goto(f"/artifacts/{fresh_run}")
    expect(page.locator("#export-status")).to_contain_text("No exports yet")
    expect(page.locator("#export-links")).to_have_count(0)
    page.locator("#export-make").click()
    expect(page.locator("#notice")).to_contain_text("Exports ready")
    for fmt in ("csv", "ndjson", "parquet"):
        expect(page.locator(f"#export-{fmt}")).to_be_visible()
    expect(page.locator("#files-table")).to_contain_text("gold/export.parquet")
    contents = {}
    for fmt in ("csv", "ndjson", "parquet"):
        with page.expect_download() as download:
            page.locator(f"#export-{fmt}").click()
        assert download.value.suggested_filename == f"{fresh_run}.{fmt}"
        contents[fmt] = download.value.path().read_bytes()
    assert contents["csv"].splitlines()[0].decode().count(",") >= 2
    assert all(isinstance(json.loads(line), dict) for line in contents["ndjson"].splitlines() if line.strip())
    assert contents["parquet"][:4] == b"PAR1"
    assert api_get(base, f"/v1/artifacts/{fresh_run}")["metadata"]["exports"]
    shoot(page, output_dir, "run-exports")
    banner_hidden(page)
    page.console.assert_clean()
