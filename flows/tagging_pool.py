"""Tagging in worker processes, started once per run, that tag every batch side by side.

Why processes: spaCy holds the GIL for most of its work, so tagging on a thread of the flow process
stalls everything else the flow does at the same time (cleaning, GX, DuckDB, Prefect's own API
calls), and `nlp.pipe(n_process=k)` starts and stops its processes on every call. A pool of
`[tagging] n_process` workers tags batches (each split over all of them) while the flow process
prepares, validates and stores the others.

Workers are forked by a fork server that loaded the model and the entity index once
(`flows.tagging_preload`), so they start at once and share those pages. Forking them from the flow
process instead made each one ~400 MB private (its copy-on-write pages of Prefect, GX and pandas
objects that the worker's refcounts and GC touch) against ~170 MB from a lean process. The pool is
closed when the run's batches are done, so its memory is free before the end-of-run work.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from functools import partial

from flows.allocator import keep_freed_memory
from flows.ner import load_nlp
from flows.tagging import TaggingSetup, load_entity_index, tag_articles
from transforms.records import Article, Entity, Mention, TaggedArticle

# With more than one worker a batch goes out in this many chunks per worker, taken by whichever worker
# is free. Cut in one half per worker, the last batch of a 5,000-article run left one core idle for
# ~3.5 s at the end (text length predicts NER time only roughly); in chunks of ~32 articles, ~0.5 s
# (system-wide CPU sampled every 0.5 s). Each chunk costs one more nlp.pipe call and pickle (~1 ms).
CHUNKS_PER_WORKER = 8
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
PRELOAD_ENV = "PRESSWATCH_TAGGING_PRELOAD"  # the setup the fork server preloads (flows.tagging_preload)
# The cycle collector's first threshold in a tagging process (Python's default: 700 new container
# objects). A batch's short-lived spans, mentions and token lists crossed 700 ~800 times per 512 Russian
# articles, and each collection found nothing: no cyclic garbage at all in three such batches
# (gc.callbacks), for 0.13-0.2 CPU-s a batch (~1 % of the process). At 10,000: 1-4 collections, ~0.002 s.
# A cycle that does become garbage waits for 10,000 new objects (a few MB at most) instead of 700.
WORKER_GC_THRESHOLD = 10_000
_pool_lock = threading.Lock()
_pool: TaggingPool | None = None  # one run's pool: started by its first batch, closed after its last
_worker_setup: TaggingSetup | None = None
_worker_error: BaseException | None = None


def _warm_up(setup: TaggingSetup) -> None:
    """Load (or, when the fork server preloaded them, find) the model and the index. A failure is
    kept and raised with the first batch, so the run stops with its message instead of an anonymous
    'process pool broken'."""
    global _worker_setup, _worker_error
    logging.disable(logging.CRITICAL)  # workers log nothing: their errors travel back with the batch
    _worker_setup = setup
    keep_freed_memory(setup.keep_freed_mb)  # before the first batch, in every worker (forked or spawned)
    gc.set_threshold(WORKER_GC_THRESHOLD)
    try:
        load_nlp(setup.model)
        load_entity_index(setup.catalog_dir, setup.min_city_population, setup.cache_dir)
    except BaseException as exc:  # noqa: BLE001 - re-raised in _tag_in_worker
        _worker_error = exc


# What a worker sends back for each article: its language, its mentions as plain tuples, its entities,
# sentences and signature (the fields of TaggedArticle). Not the article: the flow process has it, and
# tagging changes nothing of it but its language. Per 512 Russian articles that is 1.8 instead of 5.4 MB,
# and pickling it in the worker takes ~33 instead of ~71 ms, unpickling it in the flow process ~34
# instead of ~57 ms (a named tuple pickles through a Python call per mention each way).
TaggedRow = tuple[str | None, list[tuple], list[Entity], list[tuple[int, int]], list[int] | None]
_as_mention = partial(tuple.__new__, Mention)  # a plain tuple's fields as a Mention, without a Python call


def _tag_in_worker(articles: list[Article]) -> list[TaggedRow]:
    if _worker_error is not None:
        raise _worker_error
    assert _worker_setup is not None
    return [
        (t.article.language, list(map(tuple, t.mentions)), t.entities, t.sentences, t.signature)
        for t in tag_articles(articles, _worker_setup)
    ]


def _tagged(article: Article, row: TaggedRow) -> TaggedArticle:
    """The TaggedArticle a worker's row stands for, around the flow process's own article."""
    language, mentions, entities, sentences, signature = row
    article.language = language
    return TaggedArticle(article, list(map(_as_mention, mentions)), entities, sentences, signature)


def _worker_context(setup: TaggingSetup) -> multiprocessing.context.BaseContext:
    """A fork server that preloads this setup where the platform has one (Linux, macOS), else spawn.

    The fork server lives for one run (`close_pool` stops it), so each run's server preloads that
    run's setup."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    os.environ[PRELOAD_ENV] = json.dumps(asdict(setup))  # read by the fork server when it starts
    # One BLAS thread per tagging process: the processes are the parallelism. slovnet's (Russian NER)
    # small matrix products spread over every core by default, which with two tagging processes on two
    # cores spent more CPU on threads than on work (the same texts: 87 CPU-s threaded, ~55 single).
    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["flows.tagging_preload"])  # not __main__: never re-import the caller
    return context


class TaggingPool:
    """`workers` processes tagging batches; results come back in input order."""

    def __init__(self, setup: TaggingSetup, workers: int) -> None:
        self.workers = workers
        self._context = _worker_context(setup)
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=self._context,
            initializer=_warm_up,
            initargs=(setup,),
        )

    def start_fork_server(self) -> None:
        """Start the fork server now (it preloads the model in the background); otherwise the first
        batch starts it and waits for the preload."""
        if self._context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            forkserver.ensure_running()

    def tag(self, articles: list[Article]) -> list[TaggedArticle]:
        """One batch over all workers, in chunks each worker takes when it is free; results in input order.
        Each article gets the language tagging found for it, as `tag_articles` sets it in-process."""
        pieces = self.workers * CHUNKS_PER_WORKER if self.workers > 1 else 1
        chunks = balanced_chunks([len(a.body) for a in articles], pieces)
        futures = [self._executor.submit(_tag_in_worker, [articles[i] for i in chunk]) for chunk in chunks]
        tagged: list[TaggedArticle | None] = [None] * len(articles)
        for chunk, future in zip(chunks, futures, strict=True):
            for i, row in zip(chunk, future.result(), strict=True):
                tagged[i] = _tagged(articles[i], row)
        return tagged  # type: ignore[return-value]

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def balanced_chunks(lengths: list[int], pieces: int) -> list[list[int]]:
    """Indexes split into at most `pieces` chunks of about equal total length, each chunk a run of
    articles of neighbouring lengths, in input order so its nlp.pipe keeps it.

    Neighbouring lengths because slovnet (Russian) pads every 8 texts to the longest: chunks dealt
    longest first to the lightest one each held short and long articles, and sorted inside a chunk of
    ~32 they still ran ~13 % of their words as padding at 2 processes, against ~0.4 % for slovnet
    sorting a whole share alone (3,000 generated Russian articles)."""
    count = min(pieces, len(lengths))
    chunks: list[list[int]] = [[] for _ in range(count)]
    total = sum(lengths) or 1
    done, chunk = 0, -1
    for position, i in enumerate(sorted(range(len(lengths)), key=lengths.__getitem__)):
        by_length = int((done + lengths[i] / 2) * count / total)  # where the article's middle falls
        # never skip a chunk, and leave one article for each chunk still to fill
        chunk = min(max(by_length, chunk, count - (len(lengths) - position)), chunk + 1, count - 1)
        chunks[chunk].append(i)
        done += lengths[i]
    for piece in chunks:
        piece.sort()
    return chunks


def pool_for(setup: TaggingSetup, workers: int) -> TaggingPool:
    """The run's tagging pool, started by the first batch that has something to tag."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = TaggingPool(setup, workers)
        return _pool


def pool_started() -> bool:
    return _pool is not None


def close_pool() -> None:
    """Stop the workers and the fork server (at the end of a run's batches, or when the run fails).

    The fork server holds the model, the entity index and the language model (~270 MB RSS). Kept, it
    sat beside the run's end-of-run work (summaries and the full-text index: the flow process's own
    peak) and between the scheduled runs of `presswatch serve`; the next run that has something to
    tag starts a fresh one in ~2 s."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.close()
            _pool = None
            _stop_fork_server()


def _stop_fork_server() -> None:
    """multiprocessing has no public way to stop its fork server; `_stop` is what CPython's own tests
    use (3.11-3.13), and `ensure_running` starts a new server when a pool next needs one."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)
    if stop is not None:
        stop()
