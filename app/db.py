"""Database engine and transactions: SQLite pragmas per connection, BEGIN IMMEDIATE for every write."""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from app.errors import ConfigError, DatabaseUnreachable, ServiceBusy, StorageFull

SQLITE_BUSY_TIMEOUT_MS = 10_000
# SQLite's page cache (KiB) for bulk transactions: dirty index pages stay in memory until the commit
# instead of spilling to the WAL (the default 2 MB holds a few thousand rows' worth); the default
# is restored afterwards so idle pooled connections do not keep the memory.
SQLITE_BULK_CACHE_KIB, SQLITE_DEFAULT_CACHE_KIB = 262_144, 2_000
# A memory map (FLOWTIME_SQLITE_MMAP_MB) beyond 2 GiB - 64 KiB, the cap SQLite builds apply by default, is pread.
SQLITE_MMAP_CAP_BYTES = 2_147_418_112
# Rows ANALYZE reads per index: enough for the planner, milliseconds at any size (SQLite docs: 100-1000).
SQLITE_ANALYSIS_LIMIT = 1000
# PostgreSQL advisory lock keys: one writer at a time (like SQLite), one mirror writer, one rescan.
WRITE_LOCK, MIRROR_LOCK, RESCAN_LOCK = 7_242_001, 7_242_002, 7_242_003
# /healthz reports a failed write for this long (or until a write commits again).
FULL_REPORT_SECONDS = 60.0
_FULL_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def safe_url(url: str) -> str:
    """The URL as it may be shown: the password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<an unparseable URL>"


def make_engine(url: str, mmap_mb: int = 0) -> Engine:
    """Create the SQLAlchemy engine for a database URL, configured for its dialect (`mmap_mb`: SQLite's map)."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine, min(mmap_mb * 1024 * 1024, SQLITE_MMAP_CAP_BYTES))
            return engine
        return create_engine(url, pool_pre_ping=True)
    except ArgumentError as exc:
        raise ConfigError(f"{safe_url(url)} is not a database URL: {exc}") from exc
    except ModuleNotFoundError as exc:  # e.g. psycopg without the [postgres] extra
        raise DatabaseUnreachable(f"cannot connect to {safe_url(url)}: its driver is not installed ({exc.name}); "
                                  "install flowtime-registry[postgres] for PostgreSQL") from exc


def check_connection(url: str) -> None:
    """Raise DatabaseUnreachable ("cannot connect to <url>: <reason>") unless the database accepts a connection."""
    engine = make_engine(url)
    try:
        engine.connect().close()
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc.orig).__name__
        raise DatabaseUnreachable(f"cannot connect to {safe_url(url)}: {reason}") from exc
    finally:
        engine.dispose()


def _configure_sqlite(engine: Engine, mmap_bytes: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record) -> None:
        # The driver's own transaction handling is switched off so that we emit BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # NORMAL in WAL mode: a power cut may roll back the last commits but never corrupts the database; each
        # acknowledged change is in the fsynced journal first, and start-up re-applies what the database lost.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA mmap_size={mmap_bytes}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A deferred read-then-write transaction gets SQLITE_BUSY at once, ignoring busy_timeout;
        # BEGIN IMMEDIATE takes the write lock up front and waits for it instead.
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """Hands out read and write transactions on one engine."""

    def __init__(self, url: str, mmap_mb: int = 0):
        self.url = url
        self.engine = make_engine(url, mmap_mb)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.full_at: float | None = None  # monotonic time of the last write that found the disk full

    def storage_problem(self) -> str | None:
        """Why the last write failed for lack of space, while that is recent and no write has committed since."""
        if self.full_at is None or time.monotonic() - self.full_at > FULL_REPORT_SECONDS:
            return None
        return f"database write failed {time.monotonic() - self.full_at:.0f} s ago: disk full"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction (a consistent snapshot)."""
        with self._errors(), self.engine.connect() as connection:
            with connection.begin():
                yield connection

    @contextmanager
    def write(self, bulk: bool = False) -> Iterator[Connection]:
        """A write transaction, serialised across processes and hosts; commits on success.

        `bulk` gives a SQLite transaction a large page cache (thousands of inserted rows).
        """
        with self._errors(), self.engine.connect() as connection:
            if self.is_sqlite:
                connection = connection.execution_options(sqlite_begin="IMMEDIATE")
            bulk_cache = bulk and self.is_sqlite
            if bulk_cache:
                _set_sqlite_cache(connection, SQLITE_BULK_CACHE_KIB)
            try:
                with connection.begin():
                    if not self.is_sqlite:
                        # The counterpart of BEGIN IMMEDIATE: read-modify-write sequences never interleave.
                        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                    yield connection
            finally:
                if bulk_cache and not connection.invalidated:
                    _set_sqlite_cache(connection, SQLITE_DEFAULT_CACHE_KIB)
        self.full_at = None  # committed: space is back

    @contextmanager
    def named_lock(self, key: int, blocking: bool = True) -> Iterator[bool]:
        """A lock shared by every host on this database (PostgreSQL); SQLite relies on file locks."""
        if self.is_sqlite:
            yield True
            return
        with self.engine.connect() as connection:
            if blocking:
                connection.exec_driver_sql(f"SELECT pg_advisory_lock({key})")
                acquired = True
            else:
                acquired = bool(connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({key})").scalar())
            connection.commit()
            try:
                yield acquired
            finally:
                if acquired:
                    connection.exec_driver_sql(f"SELECT pg_advisory_unlock({key})")
                    connection.commit()

    def refresh_statistics(self, correct: Callable[[Connection], None] | None = None) -> None:
        """Let SQLite's query planner see the tables as they are (a bounded ANALYZE; PostgreSQL's autovacuum
        keeps its own). Without statistics SQLite takes any index on a filter to be selective and walks, say,
        every run to check a hundred rowids. `correct` amends what the bounded sample got wrong."""
        if not self.is_sqlite:
            return
        with self.write() as connection:
            connection.exec_driver_sql(f"PRAGMA analysis_limit={SQLITE_ANALYSIS_LIMIT}")
            connection.exec_driver_sql("ANALYZE")
            if correct is not None:
                correct(connection)
                connection.exec_driver_sql("ANALYZE sqlite_schema")  # the planner re-reads the statistics

    def ping(self) -> None:
        """Raise if the database cannot answer a trivial query."""
        with self.read() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        """Close pooled connections (after fork, at shutdown)."""
        self.engine.dispose()

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Database errors a client can act on: busy is a 503 with Retry-After, a full disk a 507."""
        try:
            yield
        except OperationalError as exc:
            if "locked" in str(exc.orig) or "busy" in str(exc.orig):
                raise ServiceBusy("the registry is busy, retry shortly", headers={"Retry-After": "1"}) from exc
            if not is_disk_full(exc):
                raise
            self.full_at = time.monotonic()
            raise StorageFull("no space left for the registry database") from exc
        except OSError as exc:
            if exc.errno not in _FULL_ERRNOS:
                raise
            self.full_at = time.monotonic()
            raise StorageFull("no space left for the registry database") from exc



def _set_sqlite_cache(connection: Connection, kib: int) -> None:
    # On the driver connection: through SQLAlchemy the PRAGMA would autobegin a transaction.
    connection.connection.driver_connection.execute(f"PRAGMA cache_size=-{int(kib)}")


def is_disk_full(exc: BaseException) -> bool:
    """SQLITE_FULL ("database or disk is full"), PostgreSQL's disk_full (53100) or ENOSPC/EDQUOT."""
    if isinstance(exc, OSError):
        return exc.errno in _FULL_ERRNOS
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if getattr(orig, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "disk is full" in str(orig):
        return True
    return getattr(orig, "sqlstate", None) == "53100" or getattr(orig, "pgcode", None) == "53100"
