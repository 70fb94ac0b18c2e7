"""Read-only access to the presswatch DuckDB file for the dashboard.

The ingest flow holds DuckDB's write lock only while it loads a batch, and DuckDB refuses a read-only
open while another process holds that lock. So every page load here:

1. opens the file read-only, runs one batch of panel queries, and closes it straight away (a reader
   also blocks the writer, so the file is held for milliseconds, not for the life of the page);
2. if the open fails on a lock or I/O error, retries with a short back-off for about 3 seconds;
3. if it still cannot read, returns the last good result for the same question (kept in memory per
   database file and batch key) marked as a snapshot, so the page shows a small notice instead of an
   error; with no snapshot yet it reports "busy" and the page asks to reload shortly.

A missing file, or a file without the presswatch tables, is reported as "no data yet".
Nothing here reads the environment: the caller passes the path it got from ``load_settings()``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from flows.store import file_in_use, open_once

log = logging.getLogger(__name__)

NO_DATA_MESSAGE = "No data yet: run `make run` (or `presswatch run`) first."
SNAPSHOT_NOTICE = "Data is being refreshed — showing the last snapshot"
BUSY_NOTICE = "Data is being refreshed right now, so nothing could be read yet. Reload the page in a few seconds."

RETRY_SECONDS = 3.0
FIRST_DELAY = 0.05
MAX_DELAY = 0.5
MAX_SNAPSHOTS = 64
REQUIRED_TABLE = "articles"

State = Literal["fresh", "snapshot", "busy", "unreadable", "missing", "empty"]
Panels = dict[str, pd.DataFrame | None]


@dataclass(frozen=True)
class ReadResult:
    """What a page gets back: the panel frames (possibly from a snapshot) and how fresh they are.

    state: fresh (read just now), snapshot (DB busy, last good result), busy (DB busy, no snapshot),
    unreadable (not a lock problem, no snapshot), missing (no file), empty (file without our tables).
    """

    state: State
    data: Panels = field(default_factory=dict)
    read_at: datetime | None = None  # when ``data`` was read from the database
    detail: str = ""  # the underlying error text for busy/unreadable/snapshot
    problems: tuple[str, ...] = ()  # panels that failed on this database (e.g. an older schema)

    @property
    def has_data(self) -> bool:
        return self.state in ("fresh", "snapshot")

    def get(self, name: str) -> pd.DataFrame | None:
        return self.data.get(name)


class _Snapshots:
    """Last good result per (database file, batch key); bounded, shared by all sessions of the server."""

    def __init__(self, size: int = MAX_SNAPSHOTS) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, Hashable], ReadResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, Hashable]) -> ReadResult | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, Hashable], result: ReadResult) -> None:
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_snapshots = _Snapshots()


def clear_snapshots() -> None:
    """Forget every cached result (tests; or after the database was replaced)."""
    _snapshots.clear()


def _open_with_retry(
    db_path: Path, retry_seconds: float, sleep: Callable[[float], None]
) -> tuple[duckdb.DuckDBPyConnection | None, BaseException | None]:
    deadline = time.monotonic() + retry_seconds
    delay = FIRST_DELAY
    while True:
        try:
            return open_once(db_path, read_only=True), None
        except (duckdb.IOException, duckdb.ConnectionException, duckdb.BinderException) as exc:
            if isinstance(exc, duckdb.BinderException) and not file_in_use(exc):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, exc
            log.debug("database busy (%s); retrying in %.2fs", exc, delay)
            sleep(min(delay, remaining))
            delay = min(delay * 2, MAX_DELAY)


def _has_table(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    row = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = $t", {"t": table}).fetchone()
    return bool(row and row[0])


def run_panels(
    conn: duckdb.DuckDBPyConnection, panels: Mapping[str, Callable[[duckdb.DuckDBPyConnection], Any]]
) -> tuple[Panels, tuple[str, ...]]:
    """Run each panel query; one that fails on this database's schema yields None, not a broken page."""
    data: Panels = {}
    problems: list[str] = []
    for name, query in panels.items():
        try:
            data[name] = query(conn)
        except (duckdb.CatalogException, duckdb.BinderException) as exc:
            log.warning("panel %s unavailable on this database: %s", name, exc)
            data[name] = None
            problems.append(name)
    return data, tuple(problems)


def read_panels(
    db_path: str | Path,
    key: Hashable,
    panels: Mapping[str, Callable[[duckdb.DuckDBPyConnection], Any]],
    *,
    prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    retry_seconds: float = RETRY_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> ReadResult:
    """Open ``db_path`` read-only, run ``panels`` as one batch, close; see the module docstring.

    ``key`` identifies the question (e.g. the page and its filters) for the snapshot fallback.
    """
    path = Path(db_path)
    if not path.is_file():
        return ReadResult("missing")
    cache_key = (str(path.resolve()), key)
    conn, error = _open_with_retry(path, retry_seconds, sleep)
    if conn is None:
        detail = str(error)
        snapshot = _snapshots.get(cache_key)
        if snapshot is not None:
            return ReadResult("snapshot", snapshot.data, snapshot.read_at, detail=detail, problems=snapshot.problems)
        state: State = "busy" if error is not None and file_in_use(error) else "unreadable"
        return ReadResult(state, detail=detail)
    try:
        if prepare is not None:
            prepare(conn)
        if not _has_table(conn, REQUIRED_TABLE):
            return ReadResult("empty")
        data, problems = run_panels(conn, panels)
    finally:
        conn.close()
    result = ReadResult("fresh", data, datetime.now(UTC), problems=problems)
    _snapshots.put(cache_key, result)
    return result
