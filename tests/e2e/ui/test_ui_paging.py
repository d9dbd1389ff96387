"""Deep links that never break: one cursor and a page number in the URL, a page jump and a last page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import requests

from tests.e2e.ui.ui_helpers import api_get, banner_hidden, expect, range_text, result_titles, shoot

WALK = 40


def _at_least(base: str, count: int) -> int:
    """Make sure the registry holds `count` live artifacts (cheap template models); the total."""
    total = api_get(base, "/v1/artifacts", limit=1)["total"]
    for i in range(count - total):
        response = requests.post(f"{base}/v1/templates/baseline/instantiate", timeout=30,
                                 json={"parameters": {"bins": 6, "demand": 10 + i}, "title": f"Pager filler {i}"})
        assert response.status_code == 201, response.text
    return max(total, count)


def test_forty_pages_then_reload_keeps_a_short_url(page, live_server, output_dir):
    base, _ = live_server
    total = _at_least(base, WALK + 2)
    expected = [a["title"] for a in api_get(base, "/v1/artifacts", sort="title", order="asc", limit=WALK)["artifacts"]]
    page.goto("/?sort=title&order=asc&limit=1")
    expect(page.locator("#range")).to_have_text(range_text(total, 1, 1))
    seen = [result_titles(page)[0]]
    for n in range(2, WALK + 1):
        page.locator("#next").click()
        expect(page.locator("#range")).to_have_text(range_text(total, n, 1))
        seen.append(result_titles(page)[0])
    assert seen == expected
    query = parse_qs(urlparse(page.url).query)
    assert query["page"] == [str(WALK)] and len(query["cursor"]) == 1 and "prev" not in query
    assert len(page.url) < 600, f"the URL grew with the pages walked ({len(page.url)} characters)"
    response = page.reload()
    assert response.status == 200
    expect(page.locator("#range")).to_have_text(range_text(total, WALK, 1))
    assert result_titles(page) == [expected[-1]]
    page.locator("#prev").click()  # by offset: no cursor stack needed
    expect(page.locator("#range")).to_have_text(range_text(total, WALK - 1, 1))
    assert result_titles(page) == [expected[-2]]
    assert "cursor" not in parse_qs(urlparse(page.url).query)
    page.go_back()
    expect(page.locator("#range")).to_have_text(range_text(total, WALK, 1))
    banner_hidden(page)
    page.console.assert_clean()


def test_page_jump_and_last_page(page, live_server, output_dir):
    base, _ = live_server
    total = _at_least(base, WALK + 2)
    page.goto("/?sort=title&order=asc&limit=10")
    expect(page.locator("#range")).to_have_text(range_text(total, 1, 10))
    pages = -(-total // 10)
    expect(page.locator("#page-count")).to_have_text(f"of {pages}")
    page.locator("#page-jump").fill("3")
    page.locator("#page-jump").press("Enter")
    expect(page.locator("#range")).to_have_text(range_text(total, 21, 10))
    third = api_get(base, "/v1/artifacts", sort="title", order="asc", limit=10, offset=20)["artifacts"]
    assert result_titles(page) == [a["title"] for a in third]
    assert parse_qs(urlparse(page.url).query)["page"] == ["3"]
    page.locator("#last").click()
    last_count = total - (pages - 1) * 10
    expect(page.locator("#range")).to_have_text(range_text(total, (pages - 1) * 10 + 1, last_count))
    expect(page.locator("#last")).to_be_disabled()
    expect(page.locator("#next")).to_be_disabled()
    page.locator("#page-jump").fill("999")  # beyond the end: clamped to the last page
    page.locator("#page-jump").press("Enter")
    expect(page.locator("#range")).to_have_text(range_text(total, (pages - 1) * 10 + 1, last_count))
    page.locator("#first").click()
    expect(page.locator("#range")).to_have_text(range_text(total, 1, 10))
    shoot(page, output_dir, "browse-page-jump")
    page.console.assert_clean()


def test_old_bookmark_with_a_cursor_stack_still_opens(page, live_server):
    base, _ = live_server
    total = _at_least(base, WALK + 2)
    first = api_get(base, "/v1/artifacts", sort="title", order="asc", limit=5)
    page.goto(f"/?sort=title&order=asc&limit=5&cursor={first['next_cursor']}&prev=")
    expect(page.locator("#range")).to_have_text(range_text(total, 6, 5))
    page.goto("/?sort=title&order=asc&limit=5&page=2&cursor=forged.token")  # a bad cursor: read by offset
    expect(page.locator("#range")).to_have_text(range_text(total, 6, 5))
    page.console.assert_clean(allow_http=(400,))
