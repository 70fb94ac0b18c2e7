"""The ingest flow: load/fetch -> clean -> dedupe -> tag -> validate -> load -> alert -> report.

Each task works on a batch of articles. A batch is written in one DuckDB transaction together
with its mentions and alerts, so an article is stored whole or not at all, and a rerun over the
same input stores nothing new.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.utilities.annotations import quote

from flows import progress, store
from flows.allocator import give_back_arrow_memory
from flows.config import Settings, load_settings
from flows.pending_work import LocalFiles, find_local_files, split_sources
from flows.report import ALERTS_LISTED, RunSummary, summary_markdown  # noqa: F401 - re-exported
from flows.sources import read_local_article
from transforms.alerts import CompiledRule, RuleSpec, compile_rule, evaluate_rule
from transforms.prepare import prepare_article
from transforms.records import Alert, Article, FileStamp, Quarantined, RawArticle, TaggedArticle
from transforms.stories import assign_stories, band_keys, minhash

# Batches are passed wrapped in `quote`: Prefect would otherwise walk every article, mention and
# entity of every parameter looking for futures (seconds per task at 256 articles).
batch_task = task(cache_policy=NONE, persist_result=False)

# Batches being tagged while the oldest is validated and stored, when tagging has its own processes
# (each batch is split over all of them; one more waits queued so they never idle).
BATCHES_AHEAD = 2
# Index what a run stored while its last batch is tagged only up to this many articles (one indexing
# statement, ~1 s). A bigger backlog is indexed at the end, after the tagging processes have stopped:
# at 50,000 articles indexing beside them raised the run's peak memory (PSS) from 1.39 to 1.65 GB.
CATCH_UP_MAX = 5_000


# ------------------------------------------ the steps: Prefect tasks (one per batch) and the plain steps they run


@batch_task
def discover_local_files(settings: Settings, local_sources: list[str]) -> LocalFiles:
    """The article files that are new or changed since they were last read; unchanged ones are only counted."""
    return find_local_files(settings, local_sources)


@batch_task
def fetch_due_feeds(settings: Settings, feed_urls: list[str], forced: bool):
    """Fetch the feeds that are due (all given ones when the user named them on the command line)."""
    from flows.config import FeedConfig
    from flows.feed_store import load_feed_states
    from flows.feeds import due_feeds, fetch_feeds

    configured = [FeedConfig(url=u) for u in feed_urls] if forced else settings.sources.feeds
    with store.writing(settings.db_path) as con:
        states = load_feed_states(con, configured)
    now = datetime.now(UTC)
    due = states if forced else due_feeds(states, now)
    if not due:
        return []
    progress.feeds_started(len(due))
    known = store.urls_from_sources(settings.db_path, [s.url for s in due])
    return fetch_feeds(due, settings.fetch, now, known_urls=known)


def read_inputs(paths: list[Path], max_bytes: int) -> tuple[list[RawArticle], list[Quarantined]]:
    now = datetime.now(UTC)
    raws, bad = [], []
    for path in paths:
        item = read_local_article(path, now, max_bytes)
        (bad if isinstance(item, Quarantined) else raws).append(item)
    return raws, bad


def clean_articles(raws: list[RawArticle]) -> tuple[list[Article], list[Quarantined]]:
    articles, bad = [], []
    for raw in raws:
        item = prepare_article(raw)
        (bad if isinstance(item, Quarantined) else articles).append(item)
    return articles, bad


def dedupe_articles(db_path: Path, articles: list[Article], seen_ids: set[str], seen_hashes: dict[str, str]):
    """Split into new articles and sightings of stored (or earlier in this run) ones."""
    stored_ids, stored_hashes = store.known_articles(
        db_path, [a.article_id for a in articles], [a.content_hash for a in articles]
    )
    fresh: list[Article] = []
    sightings: list[tuple[str, str, str]] = []
    for a in articles:
        original = (
            a.article_id
            if a.article_id in stored_ids or a.article_id in seen_ids
            else stored_hashes.get(a.content_hash) or seen_hashes.get(a.content_hash)
        )
        if original:
            sightings.append((original, a.url, a.source))
            continue
        seen_ids.add(a.article_id)
        seen_hashes[a.content_hash] = a.article_id
        fresh.append(a)
    return fresh, sightings


@batch_task
def prepare_batch(
    settings: Settings, inputs: list[Path | RawArticle], seen_ids: set[str], seen_hashes: dict[str, str]
) -> tuple[list[Article], list[tuple[str, str, str]], list[Quarantined]]:
    """read -> clean -> dedupe: the batch's new articles, its sightings of stored ones, what was refused."""
    paths = [i for i in inputs if isinstance(i, Path)]
    raws, bad = read_inputs(paths, settings.sources.max_file_bytes) if paths else ([], [])
    raws += [i for i in inputs if isinstance(i, RawArticle)]
    articles, bad_clean = clean_articles(raws)
    fresh, sightings = dedupe_articles(settings.db_path, articles, seen_ids, seen_hashes)
    return fresh, sightings, bad + bad_clean


@batch_task(retries=2, retry_delay_seconds=2)
def store_batch(db_path: Path, rules: list[CompiledRule], good: list[TaggedArticle], batch: store.LoadBatch):
    """stories -> alerts -> load, the batch in one transaction (a retry recomputes the same rows), all
    on one connection."""
    with store.writing(db_path) as con:
        batch.stories = cluster_stories(con, good) if good else []
        batch.alerts = raise_alerts(con, rules, good) if good else []
        return store.load_batch(con, batch), batch.alerts


@batch_task
def tag_batch(settings: Settings, articles: list[Article], in_pool: bool = False) -> list[TaggedArticle]:
    """In the run's tagging processes when it has them (thread runner), else right here (a Dask worker)."""
    from flows.tagging import setup_for, tag_articles

    if in_pool:
        from flows.tagging_pool import pool_for, pool_started

        setup = setup_for(settings)
        if not pool_started():  # the run's first batch starts the pool: its languages decide what to preload
            setup = setup.preloading_for(a.text for a in articles)
        return pool_for(setup, settings.tagging.worker_processes).tag(articles)
    return tag_articles(articles, setup_for(settings))


@batch_task
def validate_batch(settings: Settings, run_id: str, tagged: list[TaggedArticle], last: bool = True):
    """GX on the batch's new rows: failing articles are quarantined with the failing expectation.
    The outcomes are stored with the batch (same transaction).

    Data Docs pages cost a render each, so they are written for every failure and for the run's
    last batch, not for every passing batch (the dashboard shows every validation)."""
    from flows.validate import validate_frame

    suites = settings.path(settings.validation.suites_dir)
    docs = settings.data_dir / "data_docs" if settings.validation.build_data_docs else None
    frame = store.articles_table([t.article for t in tagged], run_id).to_pandas()
    outcome = validate_frame(frame, "articles", suites, docs, docs_only_on_failure=not last)
    bad_rows = outcome.failed_rows
    quarantined = [
        Quarantined(tagged[i].article.url, "validate", "failed " + "; ".join(reasons), tagged[i].article.body[:2000])
        for i, reasons in sorted(bad_rows.items())
    ]
    good = [t for i, t in enumerate(tagged) if i not in bad_rows]
    mentions = [m for t in good for m in t.mentions]
    m_outcome = validate_frame(
        store.mentions_table(mentions).to_pandas(), "mentions", suites, docs, docs_only_on_failure=not last
    )
    if m_outcome.failed_rows:
        drop = {id(mentions[i]) for i in m_outcome.failed_rows}
        for t in good:
            t.mentions = [m for m in t.mentions if id(m) not in drop]
        quarantined += [
            Quarantined(mentions[i].article_id, "validate", "mention failed " + "; ".join(r), mentions[i].surface)
            for i, r in sorted(m_outcome.failed_rows.items())
        ]
    return good, quarantined, [outcome, m_outcome]


def cluster_stories(
    con: duckdb.DuckDBPyConnection, tagged: list[TaggedArticle]
) -> list[tuple[str, str, list[int], list[int]]]:
    """Give each new article its story: copies of a stored or earlier article join that article's story."""
    signatures = {t.article.article_id: t.signature or minhash(t.article.body) for t in tagged}
    bands = {aid: band_keys(sig) for aid, sig in signatures.items()}
    probe = sorted({(i, k) for keys in bands.values() for i, k in enumerate(keys)})
    stories = assign_stories(signatures, bands, store.story_candidates(con, probe))
    for t in tagged:
        t.article.story_id = stories[t.article.article_id]
    return [(aid, stories[aid], sig, bands[aid]) for aid, sig in signatures.items()]


def raise_alerts(con: duckdb.DuckDBPyConnection, rules: list[CompiledRule], tagged: list[TaggedArticle]) -> list[Alert]:
    """One alert per rule and story: a copy of a story that already alerted raises nothing new."""
    names = {e.entity_id: e.name for t in tagged for e in t.entities}
    done = store.alerted_stories(con, sorted({t.article.story_id for t in tagged if t.article.story_id}))
    alerts = []
    for t in tagged:
        for rule in rules:
            alert = evaluate_rule(rule, t, names)
            if alert is None or (rule.spec.name, alert.story_id) in done:
                continue
            done.add((rule.spec.name, alert.story_id))
            alerts.append(alert)
    return alerts


@batch_task
def raise_spikes(settings: Settings):
    from flows.alerting import raise_spike_alerts

    s = settings.alerts.spike
    return raise_spike_alerts(settings.db_path, s.rules, s.window_hours, s.baseline_days, s.factor, s.min_articles)


def refresh_dashboard_tables(settings: Settings, logger, *, summaries: bool = True) -> None:
    """Summary tables and the full-text index the dashboard reads; the base tables stay the truth,
    so a failure here is a warning, not a failed run. ``summaries=False``: the index only."""
    from flows.search_index import refresh_search_index
    from flows.summaries import refresh_summaries

    try:
        with store.writing(settings.db_path) as con:
            if summaries:
                refresh_summaries(con)
            refresh_search_index(con)
    except Exception as exc:  # noqa: BLE001 - the dashboard falls back to base tables and substring search
        what = "dashboard summaries" if summaries else "full-text index"
        logger.warning(f"{what} not refreshed: {str(exc).splitlines()[0] if str(exc) else exc!r}")


@batch_task
def send_notifications(settings: Settings):
    """After the loads are committed: every alert reaches every target once."""
    from flows.notify import send_pending_notifications

    a = settings.alerts
    return send_pending_notifications(settings.db_path, a.notify, a.notify_attempts, a.notify_max_age_hours)


# ---------------------------------------------------------------- the flow


def _compiled_rules(settings: Settings) -> list[CompiledRule]:
    return [compile_rule(RuleSpec.from_mapping(r.model_dump())) for r in settings.alerts.rules]


def _batches(items: list, size: int):
    for i in range(0, len(items), max(size, 1)):
        yield items[i : i + size]


@flow(name="presswatch-ingest", log_prints=True)
def ingest(config: str | None = None, db: str | None = None, sources: list[str] | None = None) -> RunSummary:
    """Run the pipeline once over the configured (or given) sources."""
    from flows.errors import USER_ERRORS

    logger = get_run_logger()
    try:
        summary = _locked_run(load_settings(config, db), sources, logger)
    except USER_ERRORS as exc:
        message = str(exc).splitlines()[0]
        logger.error(message)
        return Failed(message=message)
    create_markdown_artifact(
        key="presswatch-run-summary", markdown=summary_markdown(summary), description="presswatch ingest run"
    )
    return summary


def _locked_run(settings: Settings, sources: list[str] | None, logger) -> RunSummary:
    """One run under the run lock; the `runs` row says completed or failed (with the reason)."""
    started = time.monotonic()
    db_path = settings.db_path
    if not db_path.parent.is_dir():
        raise store.StoreError(f"database folder {db_path.parent} does not exist; create it or set --db")
    with store.run_lock(db_path, settings.storage.lock_timeout_seconds):
        summary = RunSummary(run_id=uuid.uuid4().hex[:16], db_path=str(db_path))
        local, feed_urls, forced = split_sources(settings, sources)
        store.limit_memory(settings.storage.memory_limit)
        store.open_run(db_path, summary.run_id, flow_run.get_id(), [*local, *feed_urls])
        status, message = "completed", None
        try:
            _run_pipeline(settings, summary, local, feed_urls, forced, logger)
        except Exception as exc:
            status, message = "failed", (str(exc).splitlines() or [type(exc).__name__])[0]
            raise
        finally:
            summary.seconds = time.monotonic() - started
            store.finish_run(db_path, summary.run_id, status, summary.counts(), summary.validation_success, message)
    return summary


@dataclass
class PreparedBatch:
    fresh: list[Article]
    sightings: list[tuple[str, str, str]]
    quarantined: list[Quarantined]
    files: list[FileStamp]
    inputs: int  # files and feed items the batch started from


@dataclass
class BatchWork:
    """The per-batch steps of one run and what they have counted so far."""

    settings: Settings
    summary: RunSummary
    rules: list[CompiledRule]
    stamps: dict[Path, FileStamp] = field(default_factory=dict)
    # New articles of the batches prepared but not yet stored (ids, content hash -> id): a copy inside
    # that window is a sighting of them. Once a batch is stored the database answers for its articles,
    # so they are dropped here: kept for the whole run they grew by ~0.16 MB a batch of 512 (tracemalloc).
    seen_ids: set[str] = field(default_factory=set)
    seen_hashes: dict[str, str] = field(default_factory=dict)
    entity_ids: set[str] = field(default_factory=set)
    new_per_source: dict[str, int] = field(default_factory=dict)
    validation_ok: bool = True

    def prepare(self, inputs: list[Path | RawArticle]) -> PreparedBatch:
        """read -> clean -> dedupe"""
        fresh, sightings, bad = prepare_batch(
            self.settings, quote(inputs), quote(self.seen_ids), quote(self.seen_hashes)
        )
        files = [self.stamps[i] for i in inputs if isinstance(i, Path) and i in self.stamps]
        return PreparedBatch(fresh, sightings, bad, files, len(inputs))

    def finish(self, prepared: PreparedBatch, tagging, last: bool) -> None:
        """(tagged) -> validate -> stories -> alerts -> load, in one transaction."""
        db_path, summary = self.settings.db_path, self.summary
        tagged = tagging.result() if tagging is not None else []
        progress.batch_tagged(prepared.inputs)
        good, bad_valid, outcomes = (
            validate_batch(self.settings, summary.run_id, quote(tagged), last) if tagged else ([], [], [])
        )
        self.validation_ok = self.validation_ok and all(o.success for o in outcomes)
        batch = store.LoadBatch(
            run_id=summary.run_id,
            articles=[t.article for t in good],
            entities=[e for t in good for e in t.entities],
            mentions=[m for t in good for m in t.mentions],
            sightings=prepared.sightings,
            quarantined=prepared.quarantined + bad_valid,
            files=prepared.files,
            validations=outcomes,
        )
        inserted, alerts = store_batch(db_path, quote(self.rules), quote(good), quote(batch))
        progress.batch_stored(prepared.inputs)
        complete = inserted == len(good)  # else another writer stored some first: count only ours
        summary.new += inserted
        summary.duplicate += len(prepared.sightings) + (len(good) - inserted)
        summary.quarantined += len(batch.quarantined)
        summary.mentions += len(batch.mentions) if complete else 0
        summary.alerts += len(alerts) if complete else 0
        self.entity_ids |= {e.entity_id for e in batch.entities}
        titles = {t.article.article_id: t.article.title or t.article.url for t in good}
        summary.list_alerts([(a.rule, titles.get(a.article_id, ""), a.evidence) for a in alerts])
        for t in good:
            self.new_per_source[t.article.source] = self.new_per_source.get(t.article.source, 0) + 1
        for article in prepared.fresh:  # stored now, or refused: either way no longer in flight
            self.seen_ids.discard(article.article_id)
            self.seen_hashes.pop(article.content_hash, None)
        give_back_arrow_memory()


def _run_pipeline(
    settings: Settings, summary: RunSummary, local: list[str], feed_urls: list[str], forced: bool, logger
) -> None:
    db_path = settings.db_path
    local_files = discover_local_files(settings, local) if local else LocalFiles([], {}, 0, [])
    files, refused = local_files.to_read, local_files.refused
    summary.unchanged_files = local_files.unchanged
    feed_articles: list[RawArticle] = []
    feed_quarantine: list[Quarantined] = []
    feed_results = fetch_due_feeds(settings, feed_urls, forced) if feed_urls else []
    for result in feed_results:
        if result.error:
            summary.feeds_failed += 1
            summary.feed_errors.append(result.error)
            logger.warning(result.error)
        else:
            summary.feeds_ok += 1
            if result.warning:
                logger.warning(f"feed {result.state.url}: {result.warning}")
        feed_articles += result.articles
        feed_quarantine += result.quarantined
    store.record_quarantine(db_path, refused + feed_quarantine, summary.run_id)
    summary.quarantined += len(refused) + len(feed_quarantine)

    batches = BatchWork(settings, summary, _compiled_rules(settings), stamps=local_files.stamps)
    inputs = [*files, *feed_articles]
    progress.inputs_planned(len(inputs), -(-len(inputs) // max(settings.tagging.batch_articles, 1)))
    try:
        _run_batches(settings, batches, inputs, logger)
    finally:
        if settings.tagging.worker_processes > 0:
            from flows.tagging_pool import close_pool

            close_pool()
    summary.entities = len(batches.entity_ids)
    new_per_feed, validation_ok = batches.new_per_source, batches.validation_ok
    summary.validation_success = validation_ok if (summary.new or summary.quarantined) else None
    if settings.alerts.spike.rules and summary.new:
        summary.list_spike_alerts(
            [
                (f"spike:{s.rule}", f"{s.count} articles in {settings.alerts.spike.window_hours} h", s.evidence)
                for s in raise_spikes(settings)
            ]
        )
    if summary.new or summary.alerts:
        refresh_dashboard_tables(settings, logger)
    if settings.alerts.notify:
        report = send_notifications(settings)
        summary.notifications_sent, summary.notification_errors = report.sent, report.errors
        for error in report.errors:
            logger.warning(error)
    if feed_results:
        from flows.feed_store import save_feed_states
        from flows.feeds import record_new_items

        now = datetime.now(UTC)
        states = [
            record_new_items(r.state, new_per_feed.get(r.state.url, 0), now) if not r.error else r.state
            for r in feed_results
        ]
        with store.writing(db_path) as con:
            save_feed_states(con, states)


def _run_batches(settings: Settings, batches: BatchWork, inputs: list[Path | RawArticle], logger) -> None:
    in_pool = settings.tags_in_process_pool
    ahead = BATCHES_AHEAD if in_pool else 1
    # Prefect's Dask runner hands a `quote` to the task as is: quote only on the thread runner
    wrap = quote if settings.scale.task_runner == "threads" else (lambda value: value)
    in_flight: deque = deque()
    # Up to `ahead` batches are tagged (in the tagging processes, or on a Dask cluster) while the
    # oldest is validated and stored; stores stay in input order, one transaction each.
    warming = False
    for batch_inputs in _batches(inputs, settings.tagging.batch_articles):
        prepared = batches.prepare(batch_inputs)
        if prepared.fresh and not warming:  # only a run with new articles loads GX
            warming = True
            from flows.validate import start_warm_up

            start_warm_up()
        in_flight.append(
            (prepared, tag_batch.submit(settings, wrap(prepared.fresh), in_pool) if prepared.fresh else None)
        )
        while len(in_flight) > ahead:
            batches.finish(*in_flight.popleft(), last=False)
    while in_flight:
        if len(in_flight) == 1 and 0 < batches.summary.new <= CATCH_UP_MAX and in_flight[0][1] is not None:
            # The last batch is being tagged (one more round trip, ~10 s at 512 articles) and the flow
            # process would only wait for it: it indexes what the run stored so far, so the end of the
            # run, where nothing else runs beside it, only has the last batch to index (5,000 articles
            # at 2 processes: the end-of-run index refresh 2.4 s -> ~0.3 s).
            refresh_dashboard_tables(settings, logger, summaries=False)
        batches.finish(*in_flight.popleft(), last=len(in_flight) == 1)
