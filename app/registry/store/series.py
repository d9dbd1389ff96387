"""Per-series summaries as rows (artifact_series_stats) and the `series=` filters and `sort=series:` keys over them.

A filter matching few artifacts is `seq IN (SELECT artifact_seq FROM artifact_series_stats WHERE node = ? AND
stat = ? AND value <op> ?)`: a range over the (node, stat, value, artifact_seq) primary key. One matching many
(as for common tags) is a correlated EXISTS probing (artifact_seq, node, stat, value) while the sort index is
walked, so a page stops after its rows instead of collecting every match first. A bounded total drives from
one filter's range and probes each artifact by rowid, so it stops after the bound too (`stats_range`).
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from sqlalchemy import Connection, delete, exists, func, literal, select

from app.registry.store.pages import CountDriver
from app.registry.store.tables import artifact_series_stats, artifacts

STATS = ("points", "min", "max", "mean", "sum", "last")
OPERATORS = (">=", "<=", ">", "<", "=")
SORT_PREFIX = "series:"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_EXPRESSION = re.compile(r"(?P<target>[^<>=]+)(?P<op>>=|<=|>|<|=)(?P<number>.*)", re.DOTALL)
_NODE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:\-]{0,199}")
MAX_FILTERS = 10
_INSERT_SQL = "INSERT INTO artifact_series_stats (artifact_seq, node, stat, value) VALUES (?, ?, ?, ?)"


class SeriesFilter(NamedTuple):
    """`<node>.<stat><op><number>`: artifacts whose series `node` has `stat` compared with `value`."""

    node: str
    stat: str
    op: str
    value: float


def parse_target(text: str) -> tuple[str, str]:
    """(node, stat) of `<node>.<stat>`; ValueError saying what is wrong."""
    node, dot, stat = text.rpartition(".")
    if not dot or not _NODE.fullmatch(node):
        raise ValueError(f"{text!r} is not <node>.<stat> (node: letters, digits, _ . : -)")
    if stat not in STATS:
        raise ValueError(f"unknown stat {stat!r}; one of {', '.join(STATS)}")
    return node, stat


def parse_filter(text: str) -> SeriesFilter:
    """Parse one `series=` expression; ValueError saying what is wrong."""
    match = _EXPRESSION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{str(text)[:100]!r} is not <node>.<stat><op><number> with op one of {' '.join(OPERATORS)}")
    node, stat = parse_target(match["target"])
    if not _NUMBER.fullmatch(match["number"]):
        raise ValueError(f"{match['number'][:100]!r} is not a number")
    value = float(match["number"])
    if not math.isfinite(value):
        raise ValueError(f"{match['number'][:100]!r} is not a finite number")
    return SeriesFilter(node, stat, match["op"], value)


def parse_sort(sort: str) -> tuple[str, str] | None:
    """(node, stat) of `series:<node>.<stat>`, None for any other sort; ValueError when malformed."""
    if not sort.startswith(SORT_PREFIX):
        return None
    return parse_target(sort[len(SORT_PREFIX):])


def stat_rows(seq: int, summary: dict | None) -> list[tuple]:
    """The artifact_series_stats rows (seq, node, stat, value) of one artifact's summaries (finite values only)."""
    rows = []
    for node, stats in (summary or {}).items():
        for stat in STATS:
            value = stats.get(stat) if isinstance(stats, dict) else None
            if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
                rows.append((seq, node[:200], stat, float(value)))
    return rows


def write_stats(connection: Connection, summaries: list[tuple[int, dict | None]], replace: bool = False) -> None:
    """Store the stats rows of (seq, summary) pairs (replacing what those artifacts had when `replace`)."""
    if replace:
        seqs = [seq for seq, _ in summaries]
        connection.execute(delete(artifact_series_stats).where(artifact_series_stats.c.artifact_seq.in_(seqs)))
    rows = [row for seq, summary in summaries for row in stat_rows(seq, summary)]
    if rows:
        # Straight to the driver's executemany: 30 rows per artifact, too many for per-row statement processing.
        connection.exec_driver_sql(_INSERT_SQL.replace("?", "?" if connection.dialect.paramstyle == "qmark" else "%s"),
                                   rows)


def _compare(column, op: str, value: float):
    return {">": column > value, ">=": column >= value, "<": column < value, "<=": column <= value,
            "=": column == value}[op]


def filter_condition(item: SeriesFilter, walk: bool = False):
    """WHERE condition on artifacts for one series filter: an index range, or (`walk`) a per-row probe."""
    s = artifact_series_stats.c
    where = (s.node == item.node, s.stat == item.stat, _compare(s.value, item.op, item.value))
    if walk:
        return exists().where(s.artifact_seq == artifacts.c.seq, *where)
    return artifacts.c.seq.in_(select(s.artifact_seq).where(*where))


def stats_range(item: SeriesFilter) -> CountDriver:
    """One filter's range over the stats index: rows a bounded count can drive from."""
    s = artifact_series_stats.alias("series_range")
    return CountDriver(s, s.c.artifact_seq, (s.c.node == item.node, s.c.stat == item.stat,
                                             _compare(s.c.value, item.op, item.value)))


def range_at_least(connection: Connection, item: SeriesFilter, rows: int) -> bool:
    """True when at least `rows` stats rows match the filter (counted over its index range, stopping there)."""
    driver = stats_range(item)
    bounded = select(literal(1)).select_from(driver.table).where(*driver.where).limit(rows).subquery()
    return connection.execute(select(func.count()).select_from(bounded)).scalar_one() >= rows


def sort_key(node: str, stat: str):
    """(sort expression, condition) for `sort=series:<node>.<stat>`: artifacts without the series do not match."""
    s = artifact_series_stats.c
    value = (select(s.value).where(s.artifact_seq == artifacts.c.seq, s.node == node, s.stat == stat)
             .scalar_subquery())
    has = artifacts.c.seq.in_(select(s.artifact_seq).where(s.node == node, s.stat == stat))
    return value, has
