"""Feed polling state in DuckDB's `feeds` table, so ETags, backoff and intervals survive runs.

The configuration decides which feeds exist; the table only remembers what happened to them.
A feed removed from the configuration keeps its row (its history) but is no longer loaded.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from flows.config import FeedConfig
from flows.feeds import FeedState

_COLUMNS = [f.name for f in fields(FeedState)]
_TIMESTAMPS = {"last_fetched_at", "next_due_at"}


def load_feed_states(con: Any, configured: list[FeedConfig]) -> list[FeedState]:
    """One state per configured feed, in configuration order, with stored state where present.

    A feed seen for the first time has next_due_at None: due now. The configured name wins
    over the stored one, so renaming a feed in the config takes effect.
    """
    wanted: dict[str, FeedConfig] = {}
    for feed in configured:
        wanted.setdefault(feed.url.strip(), feed)
    if not wanted:
        return []
    rows = con.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM feeds WHERE list_contains(?, url)", [list(wanted)]
    ).fetchall()
    stored = {row[0]: _state_from_row(row) for row in rows}
    states = []
    for url, feed in wanted.items():
        state = stored.get(url) or FeedState(url=url)
        state.name = feed.name or state.name
        states.append(state)
    return states


def save_feed_states(con: Any, states: list[FeedState]) -> None:
    """Insert or update one row per state (keyed by url)."""
    if not states:
        return
    placeholders = ", ".join("?" for _ in _COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS if c != "url")
    con.executemany(
        f"INSERT INTO feeds ({', '.join(_COLUMNS)}) VALUES ({placeholders}) ON CONFLICT (url) DO UPDATE SET {updates}",
        [[getattr(state, c) for c in _COLUMNS] for state in states],
    )


def _state_from_row(row: tuple[Any, ...]) -> FeedState:
    values = dict(zip(_COLUMNS, row, strict=True))
    for column in _TIMESTAMPS:
        values[column] = _utc(values[column])
    values["consecutive_failures"] = values["consecutive_failures"] or 0
    values["items_seen"] = values["items_seen"] or 0
    values["last_new_items"] = values["last_new_items"] or 0
    values["healthy"] = True if values["healthy"] is None else bool(values["healthy"])
    return FeedState(**values)


def _utc(value: datetime | None) -> datetime | None:
    """DuckDB returns TIMESTAMPTZ in the session's time zone; states always carry UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
