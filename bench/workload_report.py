"""The workload's markdown report (bench/RESULTS-workload.md) from its results dict."""

from __future__ import annotations

from workload_queries import CLASSES

LABELS = {
    "search_1word": "one-word search",
    "search_2words": "two-word search",
    "search_type": "search + type",
    "series_type": "series filter + type",
    "search_facets": "search + facets (type, tags, source)",
    "tag_common": "tag filter, common tag (top 30)",
    "tag_rare": "tag filter, rarer tag (+ type/source once single tags are used)",
    "first_page": "first page (distinct sort/order/limit)",
    "cursor_page": "cursor pages 2-4 of an earlier read",
    "get_by_id": "get by id",
}
COLUMNS = (("ours", "ours"), ("datasette", "Datasette"), ("floor", "floor (in-process, cold)"),
           ("postgres", "PostgreSQL"))


def _ms(value) -> str:
    return "-" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.1f}")


def _cell(stats: dict | None, full: bool) -> str:
    if not stats or not stats.get("n"):
        return "-"
    errors = f", {stats['errors']} err" if stats.get("errors") else ""
    if full:
        return (f"{_ms(stats['p50'])} / {_ms(stats['p95'])} / {_ms(stats['p99'])} / {_ms(stats['max'])} "
                f"(n {stats['n']}{errors})")
    return f"{_ms(stats['p50'])} / {_ms(stats['p95'])} (n {stats['n']}{errors})"


def read_table(res: dict) -> list[str]:
    """Per class: p50/p95/p99/max (n) of ours and Datasette, p50/p95 of the floor and PostgreSQL."""
    present = [(key, label) for key, label in COLUMNS if isinstance(res.get(key), dict) and "classes" in res[key]]
    heads = [f"{label} p50 / p95 / p99 / max" if key in ("ours", "datasette") else f"{label} p50 / p95"
             for key, label in present]
    ratio = "ours" in res and "datasette" in res
    lines = ["| class | " + " | ".join(heads) + (" | Datasette p95 / ours p95 |" if ratio else " |"),
             "|---" * (len(present) + 1 + ratio) + "|"]
    for cls in (*CLASSES, "all"):
        cells = []
        for key, _ in present:
            stats = res[key]["all"] if cls == "all" else res[key]["classes"].get(cls)
            cells.append(_cell(stats, key in ("ours", "datasette")))
        if ratio:
            a = res["ours"]["all"] if cls == "all" else res["ours"]["classes"].get(cls, {})
            b = res["datasette"]["all"] if cls == "all" else res["datasette"]["classes"].get(cls, {})
            cells.append(f"{b['p95'] / a['p95']:.1f}x" if a.get("p95") and b.get("p95") else "-")
        name = "**all classes**" if cls == "all" else LABELS[cls]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return lines


def write_lines(res: dict) -> list[str]:
    """Writes, mirror lag and CPU."""
    present = [(k, label) for k, label in (("ours", "ours"), ("datasette", "Datasette"), ("postgres", "PostgreSQL"))
               if isinstance(res.get(k), dict) and "writes" in res[k]] or [("ours", "ours")]
    writes = [(res.get(k) or {}).get("writes") or {} for k, _ in present]
    dash = " | -" * (len(present) - 1)

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    lines = ["| measurement | " + " | ".join(label for _, label in present) + " |", "|---" * (len(present) + 1) + "|"]
    for kind, label in (("all", "all writes"), ("edit", "PUT edit (title + tags)"), ("run", "new run (POST /v1/run)")):
        row(f"write p50 / p95 / p99 / max, {label}", [_cell(w.get(kind), True) for w in writes])
    row("writes failed", [str(w.get("failed", "-")) for w in writes])
    row(f"writes/s achieved (offered {res['options']['write_rate']})", [str(w.get("achieved_per_s", "-")) for w in writes])
    row("write start lateness p50 / p95 / p99 / max (all writer threads busy)",
        [_cell(w.get("late_start_ms"), True) for w in writes])
    o = res.get("ours") or {}
    lag = o.get("lag") or {}
    journal = lag.get("journal")
    journal_cell = journal if isinstance(journal, str) else _cell(journal, True)
    lines.append(f"| mirror lag to the journal, ms p50 / p95 / p99 / max | {journal_cell} "
                 f"(missing {lag.get('journal_missing', '-')}){dash} |")
    lines.append(f"| mirror lag to registry-index.json, ms p50 / p95 / p99 / max | {_cell(lag.get('index'), True)} "
                 f"(not reached {lag.get('index_missing', '-')}; index rewrites seen {lag.get('index_updates_seen')}; "
                 f"caught up at the end: {o.get('caught_up')}){dash} |")
    cpu = o.get("mirror_cpu") or {}
    lines.append(f"| mirror CPU, every snapshot rewrite (the registry's `mirror_cpu_s`: patches in the workers' "
                 f"mirror threads, exports in children) | {cpu.get('mirror_rewrites_cpu_s')} s = "
                 f"{cpu.get('mirror_rewrites_cpu_pct_core')} % of one core over {cpu.get('seconds')} s{dash} |")
    lines.append(f"| mirror_job children seen (full exports) | {cpu.get('mirror_child_cpu_s')} s = "
                 f"{cpu.get('mirror_cpu_pct_core')} % of one core ({cpu.get('mirror_jobs_seen')} seen running){dash} |")
    lines.append(f"| server CPU (master + workers + children) | {cpu.get('server_cpu_s')} s = "
                 f"{cpu.get('server_cpu_pct_core')} % of one core{dash} |")
    memory = o.get("worker_memory") or {}
    lines.append(f"| worker memory after the reads, MB (largest of {memory.get('workers', '-')} workers) | private "
                 f"(RssAnon) {memory.get('anon_mb_max', '-')}; RSS {memory.get('rss_mb_max', '-')} (peak "
                 f"{memory.get('peak_mb_max', '-')}), of which mapped database pages (RssFile) "
                 f"{memory.get('file_mb_max', '-')}{dash} |")
    return lines


def markdown(res: dict) -> str:
    """The whole RESULTS-workload.md text."""
    m, opts = res["machine"], res["options"]
    ds = res.get("datasette") or {}
    lines = [f"# Workload benchmark: {res['count']:,} artifacts, {opts['write_rate']} writes/s", "",
             *([f"**{opts['note']}**", ""] if opts.get("note") else []),
             f"- date {res['date']}; git commit `{res['commit']}`; wall time {res.get('wall_s')} s",
             f"- machine: {m['nproc']} cores, {m['cpu']}; load average at start {m['loadavg']}, at end "
             f"{m.get('loadavg_end')}; per column (1-min, before -> after): "
             + ", ".join(f"{k} {res[k]['loadavg']}" for k, _ in COLUMNS if isinstance(res.get(k), dict)
                         and "loadavg" in res[k]),
             f"- reads: every one distinct (no filter set or query string repeats), words and tags Zipf-drawn "
             f"from the corpus vocabulary; {opts['threads']} reader threads for {opts['duration']} s per column, "
             f"same reads in the same order for every column; class mix {res['mix']}",
             f"- writes: {opts['write_rate']}/s in the background ({float(opts['run_share']):.0%} new runs via "
             "`POST /v1/run?seed=<n>` with tests/fixtures/examples/hello.yaml, the rest PUT title + tags edits); "
             "Datasette gets the same writes as UPDATE/INSERT straight into its SQLite file",
             "- ours: gunicorn -c gunicorn.conf.py (as `make run`), SQLite, FLOWTIME_AUTO_DISCOVER=0, on a copy "
             "of the corpus; floor: the same reads through list_artifacts / get_artifact in-process, one at a "
             "time, totals/facets cache cleared before each (no writes, after our column)",
             f"- Datasette {ds.get('version', '-')} with settings {ds.get('settings', '-')}: searches are "
             "`_search` (its default order, primary key: it has no relevance sort), other lists `_sort_desc=created`, "
             "facets `_facet=type&_facet=source&_facet_array=tags`, tags `tags__arraycontains`, pages `_next`; a "
             "request over its SQL time limit is an error (counted as err, its latency kept)",
             "- latencies in ms, from the client (loopback HTTP included)", "",
             "## Reads", "", *read_table(res), "", "## Writes, mirror lag, CPU", "", *write_lines(res)]
    for column, error in (res.get("errors") or {}).items():
        lines.append(f"\n**ERROR in column `{column}`**: {error[:300]}")
    skipped = {k: res[k].get("cursor_skipped") for k, _ in COLUMNS if isinstance(res.get(k), dict)}
    lines += ["", f"Cursor pages skipped (the earlier read had no next page): {skipped}. Reads done per column: "
              f"{ {k: res[k].get('reads_done') for k, _ in COLUMNS if isinstance(res.get(k), dict)} }. "
              f"Everything (all options, per-kind writes) is in `bench/results/workload-{res['count']}.json`."]
    return "\n".join(lines) + "\n"
