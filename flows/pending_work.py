"""What a run has to do, found without Prefect: new or changed local files, feeds due, notifications to
retry. The flow reads its inputs through these, and `presswatch run` asks them first: with nothing to
do it records the run and returns in a fraction of a second instead of starting a flow run (Prefect's
import and a flow run cost ~2 s even beside a running `presswatch up`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flows import store
from flows.config import Settings
from flows.sources import list_local_files, stamp_file
from transforms.records import FileStamp, Quarantined


@dataclass
class LocalFiles:
    to_read: list[Path]
    stamps: dict[Path, FileStamp]
    unchanged: int
    refused: list[Quarantined]


def find_local_files(settings: Settings, local_sources: list[str]) -> LocalFiles:
    files, refused = [], []
    for source in local_sources:
        found, bad = list_local_files(settings.path(source))
        files += found
        refused += bad
    stamped = {path: stamp_file(path) for path in files}
    changed = {s.path for s in store.changed_files(settings.db_path, [s for s in stamped.values() if s])}
    to_read = [path for path, s in stamped.items() if s is None or s.path in changed]
    stamps = {path: s for path, s in stamped.items() if s is not None and s.path in changed}
    return LocalFiles(to_read, stamps, len(files) - len(to_read), refused)


def split_sources(settings: Settings, sources: list[str] | None) -> tuple[list[str], list[str], bool]:
    if not sources:
        return settings.sources.local, [f.url for f in settings.sources.feeds], False
    feeds = [s for s in sources if s.startswith(("http://", "https://"))]
    return [s for s in sources if s not in feeds], feeds, True


@dataclass
class Work:
    local: LocalFiles | None  # the local files as found; None when not looked at (a first run, a lake)
    waiting: bool  # something to do, or it could not be told


def work_waiting(settings: Settings, sources: list[str] | None) -> Work:
    """Whether a run has anything to do. In any doubt (no database yet, a file or database that cannot
    be read, one another process holds) it has: the flow runs and reports what it finds."""
    local, feed_urls, forced = split_sources(settings, sources)
    db_path = settings.db_path
    if (forced and feed_urls) or store.is_lake(db_path) or not db_path.exists():
        return Work(None, True)  # feeds named on the command line are fetched whether due or not
    try:
        files = find_local_files(settings, local)
    except Exception:  # noqa: BLE001
        return Work(None, True)
    if files.to_read or files.refused:
        return Work(files, True)
    try:
        with store.connect(db_path, read_only=True, timeout=0.5) as con:
            return Work(files, _feeds_due(con, settings) or _notifications_due(con, settings))
    except Exception:  # noqa: BLE001
        return Work(files, True)


def _feeds_due(con, settings: Settings) -> bool:
    from flows.feed_store import load_feed_states
    from flows.feeds import due_feeds

    return bool(due_feeds(load_feed_states(con, settings.sources.feeds), datetime.now(UTC)))


def _notifications_due(con, settings: Settings) -> bool:
    """An alert some notification target has not been sent yet (the flow retries those every run)."""
    from flows.notify import pending_notifications

    alerts = settings.alerts
    return bool(alerts.notify) and bool(
        pending_notifications(con, alerts.notify, alerts.notify_attempts, alerts.notify_max_age_hours)
    )
