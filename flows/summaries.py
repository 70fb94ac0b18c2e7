"""Summary tables for the dashboard, kept up to date incrementally after each run's loads.

The dashboard answers "how many articles per hour / day", "who was named most in this period" and
"who is covered together" from these small tables instead of scanning ``mentions`` (10M rows at 1M
articles) on every page load. They live in their own schema, ``summary``, so the contract in
``schema.sql`` is untouched; the dashboard falls back to the base tables when they are absent.

| table (schema ``summary``) | one row per | columns |
|---|---|---|
| ``articles_hour`` | UTC hour with articles | ``hour`` (TIMESTAMP, UTC), ``articles`` |
| ``rule_articles_hour`` | UTC hour x alert rule | ``hour``, ``rule``, ``articles`` (with an alert of the rule) |
| ``entity_day`` | UTC day x entity | ``day``, ``entity_id``, ``kind``, ``articles`` (naming it) |
| ``entity_total`` | entity | ``entity_id``, ``kind``, ``articles`` (all time) |
| ``hubs`` | tracked person/place | ``entity_id``, ``added_at`` |
| ``pair_day`` | UTC day x pair of hubs | ``day``, ``entity_a`` < ``entity_b``, ``articles`` (naming both) |
| ``pair_total`` | pair of hubs | ``entity_a``, ``entity_b``, ``articles`` (all time) |
| ``entity_articles`` | entity x article | ``entity_id``, ``article_id``, ``dated``, ``source``, ``language`` |
| ``stories`` | story of 2+ articles | ``story_id``, ``articles``, ``article_ids``, ``sources`` (first 50) |
| ``run_articles`` | run id | how many of its articles are counted (bookkeeping) |
| ``alerts_seen`` | alert | ``alert_id`` (alerts already counted, bookkeeping) |
| ``summary.state`` | one row | ``articles`` counted, ``refreshed_at`` |

An article's day/hour is the one of ``COALESCE(published_at, fetched_at)`` in UTC, like everywhere
in the dashboard. Days are stored in order, so a "last N days" query reads only those days.

**Co-mention pairs are kept between hubs only.** Every pair of people/places named in the same article
is ~9M distinct pairs at 1M articles (a long tail of pairs seen once), too many to rank in 200 ms. The
network shows the most-covered people and places of a period and the links between them, so pairs are
stored for the *hubs*: the ``HUBS`` most-covered people and places of all time plus the ``RECENT_HUBS``
most-covered of the last ``RECENT_DAYS`` days. The set only grows; when a person or place becomes a hub,
its pairs with the other hubs are back-filled for every day, so counts between hubs are always exact.

**Incremental**: ``refresh_summaries`` finds the runs whose article count changed since last time (plus
articles that got an alert since last time), recomputes only the UTC days those articles fall on
(delete + insert, in one transaction), applies the difference to the all-time totals, and records what
it counted. Measured at 1M articles / 10M mentions (2 busy cores): a run of 300 new articles 0.6-0.8 s,
nothing new ~30 ms; the first (full) build ~3 minutes. ``full=True`` rebuilds everything (after editing
or deleting stored mentions, which the pipeline never does).

``entity_articles`` lists, per entity, the articles naming it with the columns the article filters use,
sorted by entity: "articles about X from outlet Y" reads only X's rows instead of scanning 10M mentions.
New articles are appended; when the appended part passes ``RESORT_RATIO`` it is rewritten in order.

It also creates an index on ``mentions (article_id)`` the first time: the article view then reads its
handful of mentions instead of scanning 10M rows (building it takes ~30 s once at 10M mentions; the
pipeline's inserts keep it up to date).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import duckdb

SCHEMA = "summary"
PAIR_KINDS = ("actor", "location")  # the co-mention network shows people and places
HUBS = 300
RECENT_HUBS = 100
RECENT_DAYS = 30
INDEXES = {"pw_mentions_article_id": "article_id"}
RESORT_RATIO = 0.1

ARTICLE_TS = "COALESCE(a.published_at, a.fetched_at)"
UTC_TS = f"timezone('UTC', {ARTICLE_TS})"  # TIMESTAMPTZ -> naive UTC TIMESTAMP, whatever the session zone
KINDS_SQL = "(" + ", ".join(f"'{k}'" for k in PAIR_KINDS) + ")"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {SCHEMA}.articles_hour (hour TIMESTAMP NOT NULL, articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.rule_articles_hour (
    hour TIMESTAMP NOT NULL, rule VARCHAR NOT NULL, articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.entity_day (
    day DATE NOT NULL, entity_id VARCHAR NOT NULL, kind VARCHAR, articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.entity_total (
    entity_id VARCHAR NOT NULL, kind VARCHAR, articles BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.hubs (entity_id VARCHAR NOT NULL, added_at TIMESTAMPTZ NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.pair_day (
    day DATE NOT NULL, entity_a VARCHAR NOT NULL, entity_b VARCHAR NOT NULL, articles INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.pair_total (
    entity_a VARCHAR NOT NULL, entity_b VARCHAR NOT NULL, articles BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.entity_articles (
    entity_id VARCHAR NOT NULL, article_id VARCHAR NOT NULL, dated TIMESTAMPTZ, source VARCHAR, language VARCHAR);
CREATE TABLE IF NOT EXISTS {SCHEMA}.entity_articles_sorted (sorted_rows BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.stories (
    story_id VARCHAR NOT NULL, articles BIGINT NOT NULL, article_ids VARCHAR[], sources VARCHAR[]);
CREATE TABLE IF NOT EXISTS {SCHEMA}.run_articles (run_id VARCHAR NOT NULL, articles BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.alerts_seen (alert_id VARCHAR NOT NULL);
CREATE TABLE IF NOT EXISTS {SCHEMA}.state (articles BIGINT NOT NULL, refreshed_at TIMESTAMPTZ NOT NULL);
"""

DAY_TABLES = ("articles_hour", "rule_articles_hour", "entity_day", "pair_day")
ALL_TABLES = (*DAY_TABLES, "entity_total", "hubs", "pair_total", "alerts_seen", "entity_articles", "stories")
STORY_MEMBERS = 50


@dataclass(frozen=True)
class SummaryRefresh:
    """What one refresh did: ``days`` recomputed (``None`` = everything), hubs added, articles counted."""

    mode: str  # "full" | "incremental" | "unchanged"
    days: int | None
    hubs_added: int
    articles: int
    seconds: float


def summaries_exist(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $s AND table_name = 'state'",
        {"s": SCHEMA},
    ).fetchone()
    return bool(row and row[0])


def is_ducklake(con: duckdb.DuckDBPyConnection) -> bool:
    """The current catalog is a DuckLake (``flows/lake.py``): it has no indexes."""
    row = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return bool(row and row[0] == "ducklake")


def ensure_indexes(con: duckdb.DuckDBPyConnection) -> None:
    if is_ducklake(con):
        return  # the article view then scans mentions instead
    existing = {
        r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes() WHERE table_name = 'mentions'").fetchall()
    }
    for name, column in INDEXES.items():
        if name not in existing:
            con.execute(f"CREATE INDEX IF NOT EXISTS {name} ON mentions ({column})")


def _articles_of(where: str) -> str:
    """Temp table ``_pw_a``: the articles to count (id, UTC day and hour)."""
    return f"""
        CREATE OR REPLACE TEMP TABLE _pw_a AS
        SELECT a.article_id, CAST({UTC_TS} AS DATE) AS day, date_trunc('hour', {UTC_TS}) AS hour
        FROM articles a WHERE {where}
    """


def _fill_days(con: duckdb.DuckDBPyConnection) -> None:
    """Insert the per-hour and per-entity-day rows of the articles in ``_pw_a``; leaves ``_pw_m``
    (distinct day, article, entity, kind) for the pair step."""
    con.execute(f"INSERT INTO {SCHEMA}.articles_hour SELECT hour, count(*) FROM _pw_a GROUP BY hour ORDER BY hour")
    con.execute(
        f"""
        INSERT INTO {SCHEMA}.rule_articles_hour
        SELECT s.hour, al.rule, count(DISTINCT s.article_id)
        FROM _pw_a s JOIN alerts al USING (article_id)
        GROUP BY s.hour, al.rule ORDER BY s.hour
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _pw_m AS
        SELECT DISTINCT s.day, m.article_id, m.entity_id, e.kind
        FROM mentions m JOIN _pw_a s USING (article_id) JOIN entities e USING (entity_id)
        """
    )
    con.execute(
        f"""
        INSERT INTO {SCHEMA}.entity_day
        SELECT day, entity_id, any_value(kind), count(*) FROM _pw_m GROUP BY day, entity_id ORDER BY day
        """
    )


def _pairs_sql(where: str = "TRUE") -> str:
    """Pairs of hubs named in the same article, per day, from temp table ``_pw_m``."""
    return f"""
        SELECT x.day, x.entity_id AS entity_a, y.entity_id AS entity_b, count(*) AS articles
        FROM _pw_m x
        JOIN _pw_m y ON x.article_id = y.article_id AND x.entity_id < y.entity_id
        WHERE x.entity_id IN (SELECT entity_id FROM {SCHEMA}.hubs)
          AND y.entity_id IN (SELECT entity_id FROM {SCHEMA}.hubs)
          AND ({where})
        GROUP BY x.day, x.entity_id, y.entity_id
        ORDER BY x.day
    """


def _add_hubs(con: duckdb.DuckDBPyConnection) -> int:
    """Make the currently most-covered people/places hubs; returns how many are new (temp ``_pw_new_hubs``)."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pw_new_hubs AS
        SELECT entity_id FROM (
            (SELECT entity_id FROM {SCHEMA}.entity_total WHERE kind IN {KINDS_SQL}
             ORDER BY articles DESC, entity_id LIMIT {HUBS})
            UNION
            (SELECT entity_id FROM {SCHEMA}.entity_day
             WHERE kind IN {KINDS_SQL} AND day >= CAST(timezone('UTC', now()) AS DATE) - {RECENT_DAYS}
             GROUP BY entity_id ORDER BY sum(articles) DESC, entity_id LIMIT {RECENT_HUBS})
        )
        WHERE entity_id NOT IN (SELECT entity_id FROM {SCHEMA}.hubs)
        """
    )
    con.execute(f"INSERT INTO {SCHEMA}.hubs SELECT entity_id, now() FROM _pw_new_hubs")
    return con.execute("SELECT count(*) FROM _pw_new_hubs").fetchone()[0]


def _apply_delta(con: duckdb.DuckDBPyConnection, table: str, keys: tuple[str, ...], delta: str) -> None:
    """Add the signed counts of query ``delta`` (keys..., articles[, kind]) to a totals table."""
    on = " AND ".join(f"t.{k} = d.{k}" for k in keys)
    cols = ", ".join(keys)
    con.execute(f"CREATE OR REPLACE TEMP TABLE _pw_delta AS {delta}")
    con.execute(f"UPDATE {SCHEMA}.{table} AS t SET articles = t.articles + d.articles FROM _pw_delta d WHERE {on}")
    extra = ", kind" if table == "entity_total" else ""
    con.execute(
        f"""
        INSERT INTO {SCHEMA}.{table} ({cols}{extra}, articles)
        SELECT {cols}{extra}, articles FROM _pw_delta d
        WHERE NOT EXISTS (SELECT 1 FROM {SCHEMA}.{table} t WHERE {on})
        """
    )
    con.execute(f"DELETE FROM {SCHEMA}.{table} WHERE articles <= 0")
    con.execute("DROP TABLE _pw_delta")


def _entity_articles_sql(where: str) -> str:
    return f"""
        SELECT m.entity_id, m.article_id, {ARTICLE_TS} AS dated, any_value(a.source), any_value(a.language)
        FROM mentions m JOIN articles a USING (article_id)
        WHERE {where}
        GROUP BY m.entity_id, m.article_id, {ARTICLE_TS}
    """


def _sort_entity_articles(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pw_ea AS
        SELECT * FROM {SCHEMA}.entity_articles ORDER BY entity_id, dated DESC NULLS LAST, article_id
        """
    )
    con.execute(f"DELETE FROM {SCHEMA}.entity_articles")
    con.execute(f"INSERT INTO {SCHEMA}.entity_articles SELECT * FROM _pw_ea")
    con.execute("DROP TABLE _pw_ea")
    con.execute(f"DELETE FROM {SCHEMA}.entity_articles_sorted")
    con.execute(f"INSERT INTO {SCHEMA}.entity_articles_sorted SELECT count(*) FROM {SCHEMA}.entity_articles")


def _maybe_resort(con: duckdb.DuckDBPyConnection) -> None:
    sorted_rows = con.execute(f"SELECT COALESCE(max(sorted_rows), 0) FROM {SCHEMA}.entity_articles_sorted").fetchone()[
        0
    ]
    total = con.execute(f"SELECT count(*) FROM {SCHEMA}.entity_articles").fetchone()[0]
    if total - sorted_rows > RESORT_RATIO * total:
        _sort_entity_articles(con)


def _has_story_ids(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.columns"
        " WHERE table_schema = 'main' AND table_name = 'articles' AND column_name = 'story_id'"
    ).fetchone()
    return bool(row and row[0])


def _stories_sql(where: str) -> str:
    """Stories (near-duplicate clusters) with more than one article: how many, which, from where."""
    return f"""
        SELECT a.story_id, count(*) AS articles,
               list(a.article_id ORDER BY {ARTICLE_TS}, a.article_id)[1:{STORY_MEMBERS}] AS article_ids,
               list(a.source ORDER BY {ARTICLE_TS}, a.article_id)[1:{STORY_MEMBERS}] AS sources
        FROM articles a
        WHERE a.story_id IS NOT NULL AND ({where})
        GROUP BY a.story_id
        HAVING count(*) > 1
    """


def _full(con: duckdb.DuckDBPyConnection) -> int:
    for table in ALL_TABLES:
        con.execute(f"DELETE FROM {SCHEMA}.{table}")
    con.execute(_articles_of("TRUE"))
    _fill_days(con)
    con.execute(
        f"""
        INSERT INTO {SCHEMA}.entity_total
        SELECT entity_id, any_value(kind), sum(articles) FROM {SCHEMA}.entity_day GROUP BY entity_id
        """
    )
    added = _add_hubs(con)
    con.execute(f"INSERT INTO {SCHEMA}.pair_day {_pairs_sql()}")
    con.execute(
        f"""
        INSERT INTO {SCHEMA}.pair_total
        SELECT entity_a, entity_b, sum(articles) FROM {SCHEMA}.pair_day GROUP BY entity_a, entity_b
        """
    )
    con.execute(f"INSERT INTO {SCHEMA}.entity_articles {_entity_articles_sql('TRUE')}")
    _sort_entity_articles(con)
    if _has_story_ids(con):
        con.execute(f"INSERT INTO {SCHEMA}.stories {_stories_sql('TRUE')}")
    return added


def _incremental(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Recompute the touched days; returns (days recomputed, hubs added)."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pw_new AS
        WITH now_counts AS (
            SELECT COALESCE(run_id, '') AS run_id, count(*) AS articles FROM articles GROUP BY ALL
        ),
        changed AS (
            SELECT n.run_id FROM now_counts n
            LEFT JOIN {SCHEMA}.run_articles r USING (run_id)
            WHERE r.articles IS DISTINCT FROM n.articles
        )
        SELECT a.article_id FROM articles a WHERE COALESCE(a.run_id, '') IN (SELECT run_id FROM changed)
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pw_days AS
        WITH touched AS (
            SELECT article_id FROM _pw_new
            UNION
            SELECT article_id FROM alerts WHERE alert_id NOT IN (SELECT alert_id FROM {SCHEMA}.alerts_seen)
        )
        SELECT DISTINCT CAST({UTC_TS} AS DATE) AS day
        FROM articles a WHERE a.article_id IN (SELECT article_id FROM touched)
        """
    )
    if con.execute("SELECT count(*) FROM _pw_new").fetchone()[0]:
        con.execute(f"DELETE FROM {SCHEMA}.entity_articles WHERE article_id IN (SELECT article_id FROM _pw_new)")
        con.execute(
            f"INSERT INTO {SCHEMA}.entity_articles"
            f" {_entity_articles_sql('a.article_id IN (SELECT article_id FROM _pw_new)')}"
        )
        _maybe_resort(con)
        if _has_story_ids(con):
            touched = (
                "a.story_id IN (SELECT story_id FROM articles WHERE article_id IN (SELECT article_id FROM _pw_new))"
            )
            con.execute(
                f"DELETE FROM {SCHEMA}.stories WHERE story_id IN"
                " (SELECT story_id FROM articles WHERE article_id IN (SELECT article_id FROM _pw_new))"
            )
            con.execute(f"INSERT INTO {SCHEMA}.stories {_stories_sql(touched)}")
    days = con.execute("SELECT count(*) FROM _pw_days").fetchone()[0]
    if not days:
        return 0, 0
    in_days = "IN (SELECT day FROM _pw_days)"
    # 1. per-hour and per-entity-day rows of the touched days, and the entity totals
    old_entities = (
        f"SELECT entity_id, -sum(articles) AS articles, any_value(kind) AS kind FROM {SCHEMA}.entity_day"
        f" WHERE day {in_days} GROUP BY entity_id"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE _pw_old_e AS {old_entities}")
    con.execute(f"DELETE FROM {SCHEMA}.articles_hour WHERE CAST(hour AS DATE) {in_days}")
    con.execute(f"DELETE FROM {SCHEMA}.rule_articles_hour WHERE CAST(hour AS DATE) {in_days}")
    con.execute(f"DELETE FROM {SCHEMA}.entity_day WHERE day {in_days}")
    con.execute(_articles_of(f"CAST({UTC_TS} AS DATE) {in_days}"))
    _fill_days(con)
    _apply_delta(
        con,
        "entity_total",
        ("entity_id",),
        f"""SELECT entity_id, sum(articles) AS articles, any_value(kind) AS kind FROM (
                SELECT entity_id, articles, kind FROM _pw_old_e
                UNION ALL
                SELECT entity_id, articles, kind FROM {SCHEMA}.entity_day WHERE day {in_days}
            ) GROUP BY entity_id""",
    )
    # 2. new hubs, then 3. the touched days' pairs (with the new hubs), 4. the new hubs' other days
    added = _add_hubs(con)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _pw_pairs AS
            SELECT entity_a, entity_b, -sum(articles) AS articles FROM {SCHEMA}.pair_day
            WHERE day {in_days} GROUP BY entity_a, entity_b"""
    )
    con.execute(f"DELETE FROM {SCHEMA}.pair_day WHERE day {in_days}")
    con.execute(f"INSERT INTO {SCHEMA}.pair_day {_pairs_sql()}")
    con.execute(
        f"""INSERT INTO _pw_pairs SELECT entity_a, entity_b, sum(articles) FROM {SCHEMA}.pair_day
            WHERE day {in_days} GROUP BY entity_a, entity_b"""
    )
    if added:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _pw_a AS
            SELECT a.article_id, CAST({UTC_TS} AS DATE) AS day, NULL::TIMESTAMP AS hour
            FROM articles a
            WHERE a.article_id IN (
                SELECT article_id FROM mentions WHERE entity_id IN (SELECT entity_id FROM _pw_new_hubs))
              AND CAST({UTC_TS} AS DATE) NOT IN (SELECT day FROM _pw_days)
            """
        )
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _pw_m AS
            SELECT DISTINCT s.day, m.article_id, m.entity_id, NULL::VARCHAR AS kind
            FROM mentions m JOIN _pw_a s USING (article_id)
            WHERE m.entity_id IN (SELECT entity_id FROM {SCHEMA}.hubs)
            """
        )
        backfill = _pairs_sql(
            "x.entity_id IN (SELECT entity_id FROM _pw_new_hubs) OR y.entity_id IN (SELECT entity_id FROM _pw_new_hubs)"
        )
        con.execute(f"CREATE OR REPLACE TEMP TABLE _pw_backfill AS {backfill}")
        con.execute(f"INSERT INTO {SCHEMA}.pair_day SELECT * FROM _pw_backfill")
        con.execute("INSERT INTO _pw_pairs SELECT entity_a, entity_b, articles FROM _pw_backfill")
        con.execute("DROP TABLE _pw_backfill")
    _apply_delta(
        con,
        "pair_total",
        ("entity_a", "entity_b"),
        "SELECT entity_a, entity_b, sum(articles) AS articles FROM _pw_pairs GROUP BY entity_a, entity_b",
    )
    for temp in ("_pw_days", "_pw_old_e", "_pw_pairs", "_pw_new"):
        con.execute(f"DROP TABLE IF EXISTS {temp}")
    return int(days), int(added)


def refresh_summaries(con: duckdb.DuckDBPyConnection, *, full: bool = False) -> SummaryRefresh:
    """Bring the ``summary`` tables up to date with ``articles``/``mentions``/``alerts``.

    Needs the write connection, outside an open transaction (it runs its own). Safe to call after every
    batch or once per run (and after spike alerts); when nothing changed it costs a few milliseconds.
    """
    started = time.perf_counter()
    first_time = not summaries_exist(con)
    con.execute(DDL)
    ensure_indexes(con)
    con.execute("BEGIN TRANSACTION")
    try:
        state = con.execute(f"SELECT articles FROM {SCHEMA}.state").fetchone()
        if full or first_time or state is None:
            mode, days = "full", None
            added = _full(con)
        else:
            days, added = _incremental(con)
            mode = "incremental" if days else "unchanged"
        con.execute(f"DELETE FROM {SCHEMA}.run_articles")
        con.execute(
            f"INSERT INTO {SCHEMA}.run_articles SELECT COALESCE(run_id, ''), count(*) FROM articles GROUP BY ALL"
        )
        con.execute(f"DELETE FROM {SCHEMA}.state")
        con.execute(f"INSERT INTO {SCHEMA}.state SELECT (SELECT count(*) FROM articles), now()")
        con.execute(
            f"INSERT INTO {SCHEMA}.alerts_seen SELECT alert_id FROM alerts"
            f" WHERE alert_id NOT IN (SELECT alert_id FROM {SCHEMA}.alerts_seen)"
        )
        for temp in ("_pw_a", "_pw_m", "_pw_new_hubs", "_pw_new", "_pw_days", "_pw_old_e", "_pw_pairs"):
            con.execute(f"DROP TABLE IF EXISTS {temp}")
        counted = con.execute(f"SELECT articles FROM {SCHEMA}.state").fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return SummaryRefresh(mode, days, int(added), int(counted), round(time.perf_counter() - started, 3))
