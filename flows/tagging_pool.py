"""Tagging in worker processes that keep the spaCy model and the entity index loaded for the whole run.

Why processes: spaCy holds the GIL for most of its work, so tagging on a thread of the flow process
stalls everything else the flow does at the same time (cleaning, GX, DuckDB, Prefect's own API
calls), and `nlp.pipe(n_process=k)` starts and stops its processes on every call. A pool of
`[tagging] n_process` workers, started once per run, tags whole batches side by side while the flow
process prepares, validates and loads the others. Workers are forked (on Linux) before they import
spaCy, so the flow process itself never loads the model.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor

from flows.tagging import TaggingSetup, load_entity_index, load_nlp, tag_articles
from transforms.records import Article, TaggedArticle

_pool_lock = threading.Lock()
_worker_setup: TaggingSetup | None = None
_worker_error: BaseException | None = None


def _warm_up(setup: TaggingSetup) -> None:
    """Load the model and the index once per worker. A failure is kept and raised with the first batch,
    so the run stops with its message instead of an anonymous 'process pool broken'."""
    global _worker_setup, _worker_error
    logging.disable(logging.CRITICAL)  # inherited handlers (Prefect's API log shipping) do not work here
    _worker_setup = setup
    try:
        load_nlp(setup.model)
        load_entity_index(setup.catalog_dir, setup.min_city_population, setup.cache_dir)
    except BaseException as exc:  # noqa: BLE001 - re-raised in _tag_in_worker
        _worker_error = exc


def _tag_in_worker(articles: list[Article]) -> list[TaggedArticle]:
    if _worker_error is not None:
        raise _worker_error
    assert _worker_setup is not None
    return tag_articles(articles, _worker_setup)


class TaggingPool:
    """`workers` processes tagging batches; results come back as futures in submission order."""

    def __init__(self, setup: TaggingSetup, workers: int) -> None:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context(method),
            initializer=_warm_up,
            initargs=(setup,),
        )

    def submit(self, articles: list[Article]) -> Future[list[TaggedArticle]]:
        return self._executor.submit(_tag_in_worker, articles)

    def tag(self, articles: list[Article]) -> list[TaggedArticle]:
        """One batch over all workers: split into chunks of about equal text length, results in input order."""
        chunks: list[list[int]] = [[] for _ in range(min(self.workers, len(articles)))]
        loads = [0] * len(chunks)
        for i in sorted(range(len(articles)), key=lambda i: -len(articles[i].body)):
            lightest = loads.index(min(loads))
            chunks[lightest].append(i)
            loads[lightest] += len(articles[i].body)
        for chunk in chunks:
            chunk.sort()  # keep each worker's nlp.pipe in input order
        futures = [self.submit([articles[i] for i in chunk]) for chunk in chunks]
        tagged: list[TaggedArticle | None] = [None] * len(articles)
        for chunk, future in zip(chunks, futures, strict=True):
            for i, result in zip(chunk, future.result(), strict=True):
                tagged[i] = result
        return tagged  # type: ignore[return-value]

    @property
    def broken(self) -> bool:
        return bool(getattr(self._executor, "_broken", False))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


_pool: tuple[tuple[TaggingSetup, int], TaggingPool] | None = None


def pool_for(setup: TaggingSetup, workers: int) -> TaggingPool:
    """The process's tagging pool, started on first use and kept for later runs (a scheduled `serve`
    keeps its model warm); a different setup, or a pool that lost a worker, gets a new one."""
    global _pool
    key = (setup, workers)
    with _pool_lock:
        if _pool is not None and (_pool[0] != key or _pool[1].broken):
            _pool[1].close()
            _pool = None
        if _pool is None:
            _pool = (key, TaggingPool(setup, workers))
        return _pool[1]
