"""Rebuild after database loss: real run folders, user edits in the snapshot and in the journal, registry.db
deleted, then `flask registry rebuild` timed in its own process, and every acknowledged edit checked.

    .venv/bin/python bench/rebuild.py --count 10000 --reuse

The edits: titles and tags, deletes, archives and links through the service functions (each one
acknowledged: committed and journaled), half of them before a full snapshot (registry-index.json),
half after it (only in the journal), as a database lost mid-run leaves them. The folders are the
cached `folders-<count>` (bench/corpus.py), hard-linked into a scratch data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import git_commit  # (importing common puts the repository on sys.path)
from corpus import context, run_folders

from app.migrate import upgrade
from app.registry import service
from app.registry.lineage import link
from app.registry.records import ARCHIVED_TAG
from app.registry.store.listing import ListQuery
from app.registry.sync.rescan import rescan

REPO = Path(__file__).resolve().parent.parent


def _scratch(folders: Path, data_dir: Path) -> None:
    """The artifact folders only (hard links: the registry never writes inside one), no registry file."""
    shutil.rmtree(data_dir, ignore_errors=True)

    def registry_files(directory: str, names: list[str]) -> list[str]:
        if Path(directory) != folders:
            return []
        return [n for n in names if n.startswith(".") or not (folders / n).is_dir()]

    shutil.copytree(folders, data_dir, copy_function=os.link, ignore=registry_files)


def _ids(ctx) -> list[str]:
    ids, cursor = [], None
    while True:
        page = service.list_artifacts(ctx, ListQuery(limit=1000, cursor=cursor, include_archived=True))
        ids += page.ids
        if not page.next_cursor:
            return ids
        cursor = page.next_cursor


def _edit(ctx, chosen: list[str], targets: list[str], rng: random.Random) -> None:
    """An acknowledged user edit of each chosen artifact, every kind in turn; links point at untouched `targets`."""
    for n, artifact_id in enumerate(chosen):
        kind = n % 5
        if kind == 0:
            service.delete_artifact(ctx, artifact_id, actor="bench")
        elif kind == 1:
            service.archive_artifacts(ctx, [artifact_id], actor="bench")
        elif kind == 2:
            link(ctx, artifact_id, [rng.choice(targets)], actor="bench")
        else:
            service.update_artifact(ctx, artifact_id, {"title": f"Edited {n}", "tags": [f"bench-{n % 17}"]},
                                    actor="bench")


def _user_state(ctx) -> dict[str, tuple]:
    """What a rebuild must bring back: title, tags, archived, deleted and derived-from of every artifact."""
    state = {}
    with ctx.reading() as registry:
        for record in registry.get_many(_all_ids(registry)).values():
            state[record.id] = (record.title, sorted(record.tags), ARCHIVED_TAG in record.tags,
                                record.deleted_at is not None, sorted(record.derived_from))
    return state


def _all_ids(registry) -> list[str]:
    return [row[0] for row in registry.connection.exec_driver_sql("SELECT id FROM artifacts")]


def _rebuild_in_child(data_dir: Path) -> dict:
    """`flask registry rebuild` on the data directory; its wall time and peak resident memory."""
    env = {**os.environ, "FLOWTIME_DATA_DIR": str(data_dir), "FLOWTIME_AUTO_DISCOVER": "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "registry", "rebuild"], cwd=REPO, env=env,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise RuntimeError(f"rebuild failed ({done.returncode}): {done.stderr[-2000:]}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(after.ru_maxrss / 1024, 1),
            "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
            "output": done.stdout.strip().splitlines()[-3:]}


def measure(folders: Path, data_dir: Path, edits: int, seed: int = 5) -> dict:
    """Scan, edit (half in the snapshot, half only in the journal), lose the database, rebuild, compare."""
    _scratch(folders, data_dir)
    upgrade(f"sqlite:///{data_dir / 'registry.db'}")
    ctx = context(data_dir)
    rng = random.Random(seed)
    try:
        start = time.perf_counter()
        rescan(ctx)
        scan_s = time.perf_counter() - start
        ids = rng.sample(_ids(ctx), edits + 100)
        chosen, targets = ids[:edits], ids[edits:]
        _edit(ctx, chosen[: edits // 2], targets, rng)
        ctx.mirror.sync_here(force=True)  # registry-index.json holds the first half
        _edit(ctx, chosen[edits // 2:], targets, rng)  # the second half only in the journal
        expected = _user_state(ctx)
    finally:
        ctx.close()
    snapshot_mb = (data_dir / "registry-index.json").stat().st_size / 1e6
    journal_lines = sum(1 for _ in (data_dir / "registry-journal.jsonl").open("rb"))
    for path in data_dir.glob("registry.db*"):
        path.unlink()  # the database is lost
    rebuilt = _rebuild_in_child(data_dir)
    ctx = context(data_dir)
    try:
        found = _user_state(ctx)
    finally:
        ctx.close()
    lost = sorted(i for i in expected if found.get(i) != expected[i])
    return {"artifacts": len(expected), "edits": edits, "initial_scan_s": round(scan_s, 2),
            "snapshot_mb": round(snapshot_mb, 1), "journal_lines": journal_lines, "rebuild": rebuilt,
            "artifacts_per_s": round(len(expected) / rebuilt["seconds"], 1), "edits_lost": len(lost),
            "lost_examples": lost[:5]}


def main() -> None:
    """Build or reuse the run folders, measure one rebuild, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=2_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/flowtime-bench-cache"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "rebuild.json")
    args = parser.parse_args()
    folders, _ = run_folders(args.cache_dir, args.count, args.reuse)
    report = {"commit": git_commit(), "count": args.count,
              **measure(folders, args.cache_dir / f"rebuild-{args.count}", args.edits)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    if report["edits_lost"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
