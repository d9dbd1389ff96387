"""How fast the browser UI answers at scale: real Chromium (Playwright) against gunicorn on a generated corpus.

Measures what issue #18 bounds, each action distinct (no repeated query meets a cache):
  - the table view's first page: navigation to the first row drawn (bound 1 s);
  - sorting a column: the click to the re-sorted rows (bound 0.5 s);
  - typing a search: the last key to the results of that search (bound 0.5 s; the UI waits 250 ms for
    typing to pause, which is counted);
and that no list request asks for more than one page. Chromium is Debian's (scripts/install-browser.sh).

    .venv/bin/python bench/ui_timing.py --count 100000 --reuse --rounds 15
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Server, git_commit, summarize
from corpus import sqlite_corpus
from playwright.sync_api import sync_playwright
from vocabulary import word_draws
from workload import work_copy

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
SORTS = ("title", "created", "size")
PAGE_LIMIT = 100  # the largest page the UI asks for


def _first_rows(page, base: str, query: str) -> float:
    start = time.perf_counter()
    page.goto(f"{base}/?view=table{query}")
    page.wait_for_selector("#results-table tbody tr, .empty-state, #banner:not([hidden])", timeout=30_000)
    took = (time.perf_counter() - start) * 1000
    if not page.locator("#results-table tbody tr").count():
        page.screenshot(path="/tmp/ui-timing-failed.png")
        raise RuntimeError(f"no table rows for {query}: {page.locator('#range').text_content()!r}, "
                           f"{page.locator('#banner').text_content()!r}")
    return took


def _sorted(page, column: str) -> float:
    header = page.locator(f"th[data-column={column}]")
    before = header.get_attribute("aria-sort")
    start = time.perf_counter()
    header.locator("button.sort").click()
    page.wait_for_function(
        """([c, b]) => { const th = document.querySelector(`th[data-column=${c}]`);
            return th && th.getAttribute('aria-sort') !== b && !document.querySelector('#results[aria-busy]'); }""",
        arg=[column, before], timeout=30_000)
    return (time.perf_counter() - start) * 1000


def _searched(page, words: str) -> float:
    box = page.locator("#q")
    box.fill("")
    box.press_sequentially(words, delay=40)
    start = time.perf_counter()  # from the last key
    page.wait_for_function(
        """(q) => new URL(location).searchParams.get('q') === q && !document.querySelector('#results[aria-busy]')
                 && document.querySelector('#range').textContent.length > 0""", arg=words, timeout=30_000)
    return (time.perf_counter() - start) * 1000


def measure(base: str, rounds: int, seed: int = 31) -> dict:
    """Each action `rounds` times, every one distinct; the list requests the pages made."""
    rng, words = random.Random(seed), word_draws()
    samples: dict[str, list[float]] = {"table_first_page": [], "sort_column": [], "search_typed": []}
    pages_asked: list[int] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("request", lambda r: pages_asked.append(_limit(r.url)) if "/v1/artifacts?" in r.url else None)
        used: set[str] = set()
        # The browser's first visit (renderer start, static assets, the server's first queries), reported apart:
        # the rounds measure a user of the app, each list distinct.
        cold = _first_rows(page, base, "&order=desc&limit=50")
        lists = [f"&type={t}&order={o}&limit={n}" for t in ("run", "model", "telemetry", "run,model")
                 for o in ("asc", "desc") for n in (10, 25, 50, 100)]  # the page sizes the UI offers
        rng.shuffle(lists)
        for index in range(rounds):
            samples["table_first_page"].append(_first_rows(page, base, lists[index % len(lists)]))
            samples["sort_column"].append(_sorted(page, SORTS[index % len(SORTS)]))
            term = " ".join(words.distinct(rng, 2))
            while term in used:
                term = " ".join(words.distinct(rng, 2))
            used.add(term)
            samples["search_typed"].append(_searched(page, term))
        browser.close()
    return {"samples": samples, "largest_page": max(pages_asked, default=0), "list_requests": len(pages_asked),
            "first_visit_ms": round(cold, 1)}


def _limit(url: str) -> int:
    return int(parse_qs(urlparse(url).query).get("limit", ["50"])[0])


def main() -> None:
    """Build or reuse the corpus, serve a scratch copy with gunicorn, drive Chromium, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/flowtime-bench-cache"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "ui-timing.json")
    args = parser.parse_args()
    corpus_dir, _ = sqlite_corpus(args.cache_dir, args.count, args.reuse)
    work = work_copy(corpus_dir, args.cache_dir / f"ui-{args.count}")
    server = Server(work, FLOWTIME_AUTO_DISCOVER="0")  # the corpus is rows without folders (as the workload)
    base = server.start()
    try:
        found = measure(base, args.rounds)
    finally:
        server.stop()
    bounds = {"table_first_page": 1000, "sort_column": 500, "search_typed": 500}
    report = {"count": args.count, "commit": git_commit(), "rounds": args.rounds, "first_visit_ms": found["first_visit_ms"],
              "largest_page": found["largest_page"], "list_requests": found["list_requests"],
              "classes": {k: {**summarize(v), "bound_ms": bounds[k], "within": max(v) <= bounds[k],
                              "samples_ms": [round(x, 1) for x in v]}
                          for k, v in found["samples"].items()}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    for name, figures in report["classes"].items():
        print(f"{name:18} p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}  max {figures['max']:7.1f} ms"
              f"  (bound {figures['bound_ms']} ms: {'within' if figures['within'] else 'OVER'})")
    print(f"list requests: {report['list_requests']}, largest page asked: {report['largest_page']} rows; "
          f"the browser's first visit (not in the rounds): {report['first_visit_ms']} ms")


if __name__ == "__main__":
    main()
