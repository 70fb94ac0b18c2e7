"""A head start for a run that has new local articles: the tagging processes' model and Great
Expectations load while Prefect starts its temporary server.

`presswatch run` spends its first seconds starting that server (~6 s here) with one core idle; the
fork server's model load (~2.5 s) and the GX import (~4 s) then used to happen inside the flow, in
front of the first batch. Only a run whose local files changed since they were last read gets the
head start, so a run with nothing new still loads neither spaCy nor GX. Everything here is best
effort: the flow checks the files again and starts what it needs itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows import store
from flows.config import Settings

if TYPE_CHECKING:
    from flows.pending_work import LocalFiles


def start_ahead(settings: Settings, sources: list[str] | None, found: LocalFiles | None = None) -> bool:
    """Start loading the tagging model and GX when some local article file is new or changed; `found`:
    the local files as the caller already found them (the run's look for work), not looked at again."""
    from flows.pending_work import split_sources

    local, _feeds, _forced = split_sources(settings, sources)
    if not local:
        return False
    try:
        to_read = found.to_read if found is not None else _files_to_read(settings, local)
    except Exception:  # noqa: BLE001 - the flow's own discovery reports problems with the sources
        return False
    if not to_read:
        return False
    if settings.tags_in_process_pool:
        from flows.tagging import setup_for
        from flows.tagging_pool import pool_for

        setup = setup_for(settings).preloading_for(_openings(to_read))
        pool_for(setup, settings.tagging.worker_processes).start_fork_server()
    from flows.validate import start_warm_up

    start_warm_up()
    return True


def _openings(paths: list, files: int = 64, size: int = 4096):
    """The first few KB of the first files to read: enough to tell the languages that a script tells."""
    for path in paths[:files]:
        try:
            with open(path, "rb") as handle:
                yield handle.read(size).decode("utf-8", errors="ignore")
        except OSError:
            continue


def _files_to_read(settings: Settings, local: list[str]) -> list:
    from flows.pending_work import find_local_files
    from flows.sources import list_local_files

    db_path = settings.db_path
    if not store.is_lake(db_path) and not db_path.exists():  # a first run: every file is new
        return [path for source in local for path in list_local_files(settings.path(source))[0]]
    return find_local_files(settings, local).to_read
