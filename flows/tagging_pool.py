"""Tagging in worker processes, started once per run, that tag every batch side by side.

Why processes: spaCy holds the GIL for most of its work, so tagging on a thread of the flow process
stalls everything else the flow does at the same time (cleaning, GX, DuckDB, Prefect's own API
calls), and `nlp.pipe(n_process=k)` starts and stops its processes on every call. A pool of
`[tagging] n_process` workers tags batches (each split over all of them) while the flow process
prepares, validates and stores the others.

The flow process loads the model and the entity index once and then forks the workers (on Linux),
so they start at once and share those pages instead of each loading its own copy. The pool is
closed when the run's batches are done, so its memory is free before the end-of-run work.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor

from flows.tagging import TaggingSetup, load_entity_index, load_nlp, tag_articles
from transforms.records import Article, TaggedArticle

_pool_lock = threading.Lock()
_pool: TaggingPool | None = None  # one run's pool: started by its first batch, closed after its last
_worker_setup: TaggingSetup | None = None
_worker_error: BaseException | None = None


def _warm_up(setup: TaggingSetup) -> None:
    """Load (or, when forked, find) the model and the index. A failure is kept and raised with the
    first batch, so the run stops with its message instead of an anonymous 'process pool broken'."""
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
    """`workers` processes tagging batches; results come back in input order."""

    def __init__(self, setup: TaggingSetup, workers: int) -> None:
        forking = "fork" in multiprocessing.get_all_start_methods()
        if forking:  # loaded before the fork: shared by every worker, and a clear error if it fails
            load_nlp(setup.model)
            load_entity_index(setup.catalog_dir, setup.min_city_population, setup.cache_dir)
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork" if forking else "spawn"),
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

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def pool_for(setup: TaggingSetup, workers: int) -> TaggingPool:
    """The run's tagging pool, started by the first batch that has something to tag."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = TaggingPool(setup, workers)
        return _pool


def close_pool() -> None:
    """Stop the workers (at the end of a run's batches, or when the run fails)."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None
