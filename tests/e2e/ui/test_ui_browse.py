"""Browse and search: typing, chips and facet counts, paging with cursors, URL state."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from tests.e2e.ui.ui_helpers import (
    BULK,
    api_get,
    banner_hidden,
    expect,
    range_text,
    result_titles,
    results_loaded,
    shoot,
)


def test_search_narrows_as_you_type(page, live_server, output_dir):
    base, _ = live_server
    everything = api_get(base, "/v1/artifacts", limit=1)["total"]
    page.goto("/")
    expect(page.locator("#range")).to_have_text(range_text(everything))
    page.locator("#q").press_sequentially("Hello capac", delay=40)
    narrowed = api_get(base, "/v1/artifacts", search="Hello capac")
    assert 0 < narrowed["total"] < everything
    expect(page.locator("#range")).to_have_text(range_text(narrowed["total"]))
    assert sorted(result_titles(page)) == sorted(a["title"] for a in narrowed["artifacts"])
    marks = page.locator("#results .snippet mark")
    expect(marks.first).to_be_visible()
    assert marks.first.inner_text().lower().startswith("hello")
    assert parse_qs(urlparse(page.url).query)["q"] == ["Hello capac"]
    page.locator("#q").press_sequentially("ity variant", delay=40)
    expect(page.locator("#range")).to_have_text(range_text(1))
    banner_hidden(page)
    shoot(page, output_dir, "browse-search")
    page.console.assert_clean()


def test_type_chips_tags_and_facet_counts(page, live_server, output_dir):
    base, _ = live_server
    facets = api_get(base, "/v1/artifacts", facets="type,tags,source", limit=1)["facets"]
    page.goto("/")
    results_loaded(page)
    for facet in facets["type"]:
        chip = page.locator(f"#type-chips .chip[data-type={facet['value']}] .count")
        expect(chip).to_have_text(f"{facet['count']:,}")
    page.locator("#type-chips .chip[data-type=model]").click()
    expect(page.locator("#type-chips .chip[data-type=model]")).to_have_attribute("aria-pressed", "true")
    models = api_get(base, "/v1/artifacts", type="model")["total"]
    expect(page.locator("#range")).to_have_text(range_text(models))
    badges = page.locator("#results .badge").all_inner_texts()
    assert badges and {b.lower() for b in badges} == {"model"}
    assert parse_qs(urlparse(page.url).query)["type"] == ["model"]
    page.locator("#type-chips .chip[data-type=model]").click()  # off again
    page.locator("#tag-chips .chip[data-tag=example]").click()
    tagged = api_get(base, "/v1/artifacts", tags="example")["total"]
    expect(page.locator("#range")).to_have_text(range_text(tagged))
    expect(page.locator("#tags")).to_have_value("example")
    # A date range in the future empties the list.
    page.locator("#created_after").fill("2999-01-01")
    expect(page.locator("#range")).to_have_text("No artifacts match.")
    banner_hidden(page)
    shoot(page, output_dir, "browse-filters")
    page.console.assert_clean()


def test_paging_forward_back_first_and_reload(page, live_server, output_dir):
    page.goto("/?tags=bulk&limit=10&sort=title&order=asc")
    expect(page.locator("#range")).to_have_text(range_text(BULK, 1, 10))
    expect(page.locator("#limit")).to_have_value("10")
    expect(page.locator("#prev")).to_be_disabled()
    pages = [result_titles(page)]
    for first in (11, 21):
        page.locator("#next").click()
        expect(page.locator("#range")).to_have_text(range_text(BULK, first, 10))
        pages.append(result_titles(page))
    expect(page.locator("#next")).to_be_disabled()
    titles = [t for p in pages for t in p]
    assert titles == [f"Bulk sweep {i:02d}" for i in range(BULK)]
    page.locator("#prev").click()
    expect(page.locator("#range")).to_have_text(range_text(BULK, 11, 10))
    assert result_titles(page) == pages[1]
    page.reload()
    expect(page.locator("#range")).to_have_text(range_text(BULK, 11, 10))
    assert result_titles(page) == pages[1]
    page.go_back()  # back to the third page
    expect(page.locator("#range")).to_have_text(range_text(BULK, 21, 10))
    assert result_titles(page) == pages[2]
    page.locator("#first").click()
    expect(page.locator("#range")).to_have_text(range_text(BULK, 1, 10))
    assert result_titles(page) == pages[0]
    shoot(page, output_dir, "browse-paging")
    page.console.assert_clean()


def test_url_holds_the_whole_state(page, live_server, output_dir):
    page.goto("/")
    results_loaded(page)
    page.locator("#q").fill("bulk")
    page.locator("#sort").select_option("title")
    page.locator("#order").select_option("desc")
    page.locator("#limit").select_option("25")
    page.locator("#include_archived").check()
    page.locator("#include_deleted").check()
    page.locator("#created_before").fill("2999-12-31")
    expect(page).to_have_url(re.compile(r"created_before=2999-12-31"))
    query = parse_qs(urlparse(page.url).query)
    assert query["q"] == ["bulk"] and query["sort"] == ["title"] and query["order"] == ["desc"]
    assert query["limit"] == ["25"] and query["include_archived"] == ["true"] and query["include_deleted"] == ["true"]
    expect(page.locator("#range")).to_have_text(range_text(BULK, 1, 25))
    first_titles = result_titles(page)
    assert first_titles[0] == "Bulk sweep 29"
    page.reload()
    expect(page.locator("#q")).to_have_value("bulk")
    expect(page.locator("#sort")).to_have_value("title")
    expect(page.locator("#order")).to_have_value("desc")
    expect(page.locator("#limit")).to_have_value("25")
    expect(page.locator("#include_archived")).to_be_checked()
    expect(page.locator("#include_deleted")).to_be_checked()
    expect(page.locator("#created_before")).to_have_value("2999-12-31")
    expect(page.locator("#range")).to_have_text(range_text(BULK, 1, 25))
    assert result_titles(page) == first_titles
    page.locator("#reset").click()
    expect(page.locator("#q")).to_have_value("")
    expect(page).to_have_url(re.compile(r"/\?limit=25$"))  # the page size is kept
    page.console.assert_clean()


def test_narrow_window_and_keyboard(page, live_server, output_dir):
    page.set_viewport_size({"width": 420, "height": 900})
    page.goto("/?q=hello")
    results_loaded(page)
    page.keyboard.press("Tab")  # the skip link first
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.locator("#q")).to_be_focused()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scrolling on a narrow window ({overflow}px)"
    shoot(page, output_dir, "browse-narrow")
    page.console.assert_clean()
