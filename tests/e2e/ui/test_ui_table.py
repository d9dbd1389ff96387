"""The table view: dense sortable rows, a column chooser, multi-select with bulk actions."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import requests

from tests.e2e.ui.ui_helpers import BULK, api_get, banner_hidden, expect, shoot

ROW_TITLES = "#results-table tbody .result-title"


def test_table_sorts_on_the_server_and_shows_twenty_rows_on_a_laptop(page, live_server, output_dir):
    base, _ = live_server
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/?tags=bulk&view=table")
    expect(page.locator("#results-table tbody tr")).to_have_count(BULK)
    visible = page.evaluate("""() => [...document.querySelectorAll('#results-table tbody tr')]
        .filter((tr) => tr.getBoundingClientRect().bottom <= window.innerHeight).length""")
    page.evaluate("document.querySelector('#results-table').scrollIntoView()")
    in_view = page.evaluate("""() => [...document.querySelectorAll('#results-table tbody tr')]
        .filter((tr) => { const r = tr.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }).length""")
    assert in_view >= 20, f"only {in_view} rows fit a 1366x900 screen ({visible} before scrolling)"
    page.locator("th[data-column=title] button.sort").click()
    expect(page.locator("th[data-column=title]")).to_have_attribute("aria-sort", "ascending")
    query = parse_qs(urlparse(page.url).query)
    assert query["sort"] == ["title"] and query["order"] == ["asc"] and query["view"] == ["table"]
    expect(page.locator(ROW_TITLES).first).to_have_text("Bulk sweep 00")
    page.locator("th[data-column=title] button.sort").click()
    expect(page.locator("th[data-column=title]")).to_have_attribute("aria-sort", "descending")
    expect(page.locator(ROW_TITLES).first).to_have_text(f"Bulk sweep {BULK - 1:02d}")
    expected = api_get(base, "/v1/artifacts", tags="bulk", sort="size", order="desc")["artifacts"]
    page.locator("th[data-column=size] button.sort").click()
    expect(page.locator(ROW_TITLES).first).to_have_text(expected[0]["title"])
    seeds = page.locator("#results-table tbody td[data-column=seed]").all_inner_texts()
    assert all(re.fullmatch(r"1\d\d", s) for s in seeds), seeds  # the seeds 100.. of the bulk runs
    shoot(page, output_dir, "browse-table")
    banner_hidden(page)
    page.console.assert_clean()


def test_column_chooser_is_remembered(page, live_server):
    page.goto("/?tags=bulk&view=table")
    expect(page.locator("th[data-column=seed]")).to_have_count(1)
    page.locator(".columns summary").click()
    page.locator("#column-chooser input[data-column=seed]").uncheck()
    page.locator("#column-chooser input[data-column=id]").check()
    expect(page.locator("th[data-column=seed]")).to_have_count(0)
    expect(page.locator("th[data-column=id]")).to_have_count(1)
    page.reload()
    expect(page.locator("th[data-column=id]")).to_have_count(1)
    expect(page.locator("th[data-column=seed]")).to_have_count(0)
    page.evaluate("localStorage.clear()")
    page.console.assert_clean()


def test_multi_select_archive_delete_and_compare(page, live_server, output_dir):
    base, _ = live_server
    ids = []
    for seed in (201, 202, 203):
        response = requests.post(f"{base}/v1/run?seed={seed}", timeout=30, headers={"Content-Type": "text/plain"},
                                 data="grid: {bins: 3, binMinutes: 60}\nnodes:\n  - {id: a, kind: const, values: [1, 2, 3]}\n")
        assert response.status_code == 200, response.text
        ids.append(response.json()["runId"])
        requests.patch(f"{base}/v1/artifacts/{ids[-1]}", json={"tags": ["tablepick"]}, timeout=30)
    page.goto("/?tags=tablepick&view=table")
    expect(page.locator("#results-table tbody tr")).to_have_count(3)
    page.locator("#select-page").check()
    expect(page.locator("#selection-count")).to_have_text("3 selected")
    expect(page.locator("#bulk-compare")).to_be_enabled()  # 2 to 10 can be compared
    with page.expect_download() as download:
        page.locator("#bulk-download").click()
    lines = download.value.path().read_text().splitlines()
    assert lines[0].startswith("id,type,title") and len(lines) == 4
    page.locator(f"tr[data-id='{ids[0]}'] td.select input").uncheck()
    expect(page.locator("#selection-count")).to_have_text("2 selected")
    page.locator("#bulk-archive").click()
    expect(page.locator("#notice")).to_have_text("Archived 2 of 2.")
    expect(page.locator("#results-table tbody tr")).to_have_count(1)
    assert api_get(base, "/v1/artifacts", tags="tablepick", include_archived="true")["total"] == 3
    page.locator(f"tr[data-id='{ids[0]}'] td.select input").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#bulk-delete").click()
    expect(page.locator("#notice")).to_have_text("Deleted 1 of 1.")
    expect(page.locator("#empty-state")).to_be_visible()
    page.locator("#include_archived").check()
    expect(page.locator("#results-table tbody tr")).to_have_count(2)
    page.locator("#select-page").check()
    page.locator("#bulk-compare").click()
    expect(page).to_have_url(re.compile(r"/compare\?base=run_.*&other=run_"))
    page.console.assert_clean()


def test_result_figures_are_sortable_columns_and_show_on_cards(page, live_server, output_dir):
    base, _ = live_server
    page.goto("/?tags=bulk&view=table")
    figure = page.locator('th[data-column="figure:served"]')
    expect(figure).to_have_text(re.compile("served Σ"))
    totals = page.locator('#results-table tbody td[data-column="figure:served"]').all_inner_texts()
    assert totals and all(t == "64" for t in totals), totals  # hello.yaml serves 8 per bin for 8 bins
    figure.locator("button.sort").click()
    expect(figure).to_have_attribute("aria-sort", "descending")
    assert parse_qs(urlparse(page.url).query)["sort"] == ["series:served.sum"]
    expected = api_get(base, "/v1/artifacts", tags="bulk", sort="series:served.sum", order="desc")["artifacts"]
    expect(page.locator(ROW_TITLES).first).to_have_text(expected[0]["title"])
    expect(page.locator("#sort")).to_have_value("series:served.sum")
    page.goto("/?tags=bulk")
    expect(page.locator("#results .result-figures").first).to_contain_text("served Σ 64")
    page.console.assert_clean()
