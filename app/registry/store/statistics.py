"""Planner statistics a bounded ANALYZE gets wrong: indexes led by a column of a few values.

`PRAGMA analysis_limit` makes ANALYZE read about 1,000 entries of each index. An index led by `type`
keeps them in type order, so those entries all hold one type, and the statistics said one type
selects about 1,000 rows. The planner then took `type = 'run'` for a selective filter: a title sort
of the runs read all 70,000 of them through the type index and sorted them (200 ms at 100k), where
walking the title index finds a page of runs within its first few hundred entries.
"""

from __future__ import annotations

import math

from sqlalchemy import Connection, text

# index -> its leading column; every one is a live partial index (migration 0002).
FEW_VALUED = {"ix_live_type_created": "type", "ix_live_source": "source"}
LIVE_WHERE = "deleted_at IS NULL AND archived = 0"
MOST_VALUES = 1000  # a leading column with more values than this is left as ANALYZE sampled it


def correct_few_valued(connection: Connection) -> None:
    """Set each few-valued index's rows-per-value to rows / distinct values, counted by a skip scan."""
    for index, column in FEW_VALUED.items():
        stat = connection.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'artifacts' AND idx = :idx"),
                                  {"idx": index}).scalar()
        fields = stat.split() if stat else []
        values = _distinct_values(connection, column)
        if len(fields) < 2 or not fields[0].isdigit() or not values or values > MOST_VALUES:
            continue
        fields[1] = str(max(1, math.ceil(int(fields[0]) / values)))
        connection.execute(text("UPDATE sqlite_stat1 SET stat = :stat WHERE tbl = 'artifacts' AND idx = :idx"),
                           {"stat": " ".join(fields), "idx": index})


def _distinct_values(connection: Connection, column: str) -> int:
    """How many values the live rows hold in `column` (up to MOST_VALUES + 1): one index seek per value."""
    return connection.execute(text(
        f"WITH RECURSIVE v(x) AS (SELECT min({column}) FROM artifacts WHERE {LIVE_WHERE} "
        f"UNION ALL SELECT (SELECT min({column}) FROM artifacts WHERE {LIVE_WHERE} AND {column} > x) "
        f"FROM v WHERE x IS NOT NULL LIMIT :most) SELECT count(x) FROM v"), {"most": MOST_VALUES + 2}).scalar_one()
