"""What the edit history and the changes feed add per artifact: database bytes, snapshot bytes, edit cost.

Registers N generated artifacts, then edits each one E times through the service layer (as the API does:
title, tags, archive, delete, restore in turn), and reports the artifact_history and artifact_changes
tables' bytes (SQLite dbstat), the snapshot's growth and the time per edit.

    .venv/bin/python bench/history_size.py --count 2000 --edits 3
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import bulk_load, context

from app.migrate import upgrade
from app.registry.mirror import INDEX_NAME, write_index
from app.registry.service import archive_artifacts, delete_artifact, restore_artifact, update_artifact


def _table_bytes(ctx, names: tuple[str, ...]) -> int:
    with ctx.db.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name IN "
            f"({', '.join('?' for _ in names)})) GROUP BY name", names).all()
    return sum(size for _, size in rows)


def _edit(ctx, artifact_id: str, step: int) -> None:
    kind = step % 5
    if kind == 0:
        update_artifact(ctx, artifact_id, {"title": f"Edited title {step}"}, actor="write")
    elif kind == 1:
        update_artifact(ctx, artifact_id, {"tags": ["reviewed", f"round-{step}"]}, actor="write")
    elif kind == 2:
        archive_artifacts(ctx, [artifact_id], actor="write")
    elif kind == 3:
        delete_artifact(ctx, artifact_id, actor="admin")
    else:
        restore_artifact(ctx, artifact_id, actor="admin")


def main() -> None:
    """Load, snapshot, edit, snapshot again; print the sizes per artifact and per edit."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=3, help="edits per artifact")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        ctx = context(Path(scratch), mirror_delay_ms=3_600_000)
        try:
            upgrade(ctx.config.database_url)
            bulk_load(ctx, args.count)
            write_index(ctx.db, ctx.storage)
            before = ctx.storage.stat(INDEX_NAME).size
            with ctx.reading() as registry:
                ids = [record.id for record in registry.iter_all()]
            start = time.perf_counter()
            for step in range(args.edits):
                for artifact_id in ids:
                    _edit(ctx, artifact_id, step)
            per_edit_ms = (time.perf_counter() - start) * 1000 / (args.edits * len(ids))
            write_index(ctx.db, ctx.storage)
            snapshot = json.loads(ctx.storage.read_bytes(INDEX_NAME))
            in_snapshot = sum(len(', "history": ') + len(json.dumps(a["history"], ensure_ascii=False))
                              for a in snapshot["artifacts"] if "history" in a)
            history = _table_bytes(ctx, ("artifact_history",))
            changes = _table_bytes(ctx, ("artifact_changes",))
        finally:
            ctx.close()
    edits = args.edits * len(ids)
    report = {"artifacts": len(ids), "edits": edits, "history_db_bytes_per_edit": round(history / edits, 1),
              "changes_db_bytes_per_change": round(changes / edits, 1),
              "snapshot_bytes_per_edit": round(in_snapshot / edits, 1),
              "snapshot_bytes_per_artifact_before": round(before / len(ids), 1), "ms_per_edit": round(per_edit_ms, 2)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
