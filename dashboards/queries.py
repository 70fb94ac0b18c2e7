"""One read-only query per dashboard panel.

Every function takes an open DuckDB connection plus filter arguments and returns a pandas DataFrame.
Filters reach SQL only as bound parameters (``$name``); nothing a user picks is formatted into SQL text.

Dates: "the article's date" is ``COALESCE(published_at, fetched_at)`` - the publication date, or the
moment presswatch fetched the article when the source gave no date. The period filter (``since``) is
applied to that date. Timestamps come back as timezone-aware UTC values (see ``prepare``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

ALERT_RULE = "armenia-russia"  # the rule whose articles the "articles per day" chart singles out

ARTICLE_DATE = "COALESCE(a.published_at, a.fetched_at)"
IN_PERIOD = f"($since IS NULL OR {ARTICLE_DATE} >= $since)"


def prepare(conn: duckdb.DuckDBPyConnection) -> None:
    """Session settings for a dashboard connection: UTC days and timestamps, whatever the server's zone."""
    conn.execute("SET TimeZone = 'UTC'")


def period_start(days: int | None, now: datetime | None = None) -> datetime | None:
    """The start of a "last N days" period, or None for all time."""
    if days is None:
        return None
    return (now or datetime.now(UTC)) - timedelta(days=days)


def _frame(conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    # Through Arrow: DuckDB's own .df() triggers pandas deprecation warnings for TIMESTAMPTZ columns.
    return conn.execute(sql, params or {}).to_arrow_table().to_pandas()


def headline_counts(conn: duckdb.DuckDBPyConnection, since: datetime | None = None) -> pd.DataFrame:
    """One row: articles stored (all time and in the period), unacknowledged alerts in the period,
    and the most recent run's status and times."""
    return _frame(
        conn,
        f"""
        WITH last_run AS (
            SELECT run_id, status, started_at, finished_at FROM runs
            ORDER BY started_at DESC LIMIT 1
        )
        SELECT
            (SELECT count(*) FROM articles) AS articles_total,
            (SELECT count(*) FROM articles a WHERE {IN_PERIOD}) AS articles,
            (SELECT count(*) FROM alerts al LEFT JOIN articles a USING (article_id)
              WHERE al.acknowledged_at IS NULL
                AND ($since IS NULL OR COALESCE(a.published_at, a.fetched_at, al.created_at) >= $since)
            ) AS alerts_unacknowledged,
            (SELECT count(*) FROM alerts) AS alerts_total,
            lr.run_id AS last_run_id,
            lr.status AS last_run_status,
            lr.started_at AS last_run_started_at,
            lr.finished_at AS last_run_finished_at
        FROM (SELECT 1) AS one LEFT JOIN last_run lr ON TRUE
        """,
        {"since": since},
    )


def articles_per_day(
    conn: duckdb.DuckDBPyConnection, since: datetime | None = None, rule: str = ALERT_RULE
) -> pd.DataFrame:
    """Per day (UTC, by article date): all articles, and articles with an alert from ``rule``.

    Days without articles are absent (the chart shows them as gaps)."""
    return _frame(
        conn,
        f"""
        SELECT
            CAST({ARTICLE_DATE} AS DATE) AS day,
            count(*) AS articles,
            count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM alerts al WHERE al.article_id = a.article_id AND al.rule = $rule
            )) AS alert_articles
        FROM articles a
        WHERE {IN_PERIOD}
        GROUP BY day
        ORDER BY day
        """,
        {"since": since, "rule": rule},
    )


def top_entities(
    conn: duckdb.DuckDBPyConnection, kind: str, since: datetime | None = None, limit: int = 15
) -> pd.DataFrame:
    """The entities of one kind (actor | location | organization) named in the most articles."""
    return _frame(
        conn,
        f"""
        SELECT ae.name, count(DISTINCT ae.article_id) AS articles,
               any_value(e.country_code) AS country_code, ae.entity_id
        FROM article_entities ae
        JOIN articles a USING (article_id)
        LEFT JOIN entities e USING (entity_id)
        WHERE ae.kind = $kind AND {IN_PERIOD}
        GROUP BY ae.entity_id, ae.name
        ORDER BY articles DESC, ae.name
        LIMIT $limit
        """,
        {"kind": kind, "since": since, "limit": int(limit)},
    )


def top_actors(conn: duckdb.DuckDBPyConnection, since: datetime | None = None, limit: int = 15) -> pd.DataFrame:
    return top_entities(conn, "actor", since, limit)


def top_locations(conn: duckdb.DuckDBPyConnection, since: datetime | None = None, limit: int = 15) -> pd.DataFrame:
    return top_entities(conn, "location", since, limit)


def latest_alerts(conn: duckdb.DuckDBPyConnection, since: datetime | None = None, limit: int = 20) -> pd.DataFrame:
    """Newest alerts with their article.

    ``matched_names``: the matched entities by name (whether the alert stored entity ids or names);
    ``highlight_terms``: what to mark in the evidence - those names plus how the article wrote them."""
    return _frame(
        conn,
        """
        WITH latest AS (
            SELECT al.alert_id, al.rule, al.article_id, a.title, a.url, a.source, a.published_at,
                   al.created_at, al.evidence, al.matched_entities, al.score, al.acknowledged_at
            FROM alerts al LEFT JOIN articles a USING (article_id)
            WHERE ($since IS NULL OR COALESCE(a.published_at, a.fetched_at, al.created_at) >= $since)
            ORDER BY al.created_at DESC, al.alert_id
            LIMIT $limit
        ),
        matched AS (
            SELECT alert_id, article_id, unnest(matched_entities) AS matched FROM latest
        ),
        terms AS (
            SELECT m.alert_id, COALESCE(e.name, m.matched) AS term
            FROM matched m LEFT JOIN entities e ON e.entity_id = m.matched
            UNION
            SELECT m.alert_id, mn.surface AS term
            FROM matched m
            JOIN entities e ON m.matched IN (e.entity_id, e.name)
            JOIN mentions mn ON mn.article_id = m.article_id AND mn.entity_id = e.entity_id
        ),
        grouped AS (
            SELECT alert_id, list(DISTINCT term ORDER BY term) AS highlight_terms
            FROM terms WHERE term IS NOT NULL AND trim(term) <> '' GROUP BY alert_id
        ),
        names AS (
            SELECT m.alert_id, list(DISTINCT COALESCE(e.name, m.matched) ORDER BY COALESCE(e.name, m.matched))
                   AS matched_names
            FROM matched m LEFT JOIN entities e ON e.entity_id = m.matched
            GROUP BY m.alert_id
        )
        SELECT l.alert_id, l.rule, l.title, l.url, l.source, l.published_at, l.created_at, l.evidence,
               l.matched_entities, COALESCE(n.matched_names, []) AS matched_names,
               COALESCE(g.highlight_terms, []) AS highlight_terms,
               l.score, l.acknowledged_at, l.article_id
        FROM latest l LEFT JOIN grouped g USING (alert_id) LEFT JOIN names n USING (alert_id)
        ORDER BY l.created_at DESC, l.alert_id
        """,
        {"since": since, "limit": int(limit)},
    )


def last_runs(conn: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    """The most recent pipeline runs, newest first, with counts and duration in seconds."""
    return _frame(
        conn,
        """
        SELECT run_id, status, started_at, finished_at,
               round(epoch(finished_at) - epoch(started_at), 1) AS duration_seconds,
               articles_new, articles_duplicate, articles_quarantined, mentions_new, alerts_new,
               feeds_failed, validation_success, message
        FROM runs
        ORDER BY started_at DESC
        LIMIT $limit
        """,
        {"limit": int(limit)},
    )


def validation_results(conn: duckdb.DuckDBPyConnection, runs: int = 5) -> pd.DataFrame:
    """For the ``runs`` most recently validated runs: the latest result of each expectation suite."""
    return _frame(
        conn,
        """
        WITH recent AS (
            SELECT run_id FROM validations GROUP BY run_id ORDER BY max(validated_at) DESC LIMIT $runs
        )
        SELECT v.run_id, v.suite, v.success, v.evaluated, v.failed, v.rows_checked, v.rows_failed,
               v.data_docs, v.validated_at, CAST(v.result AS VARCHAR) AS result
        FROM validations v JOIN recent USING (run_id)
        QUALIFY row_number() OVER (PARTITION BY v.run_id, v.suite ORDER BY v.validated_at DESC) = 1
        ORDER BY v.validated_at DESC, v.suite
        """,
        {"runs": int(runs)},
    )


def quarantine(conn: duckdb.DuckDBPyConnection, limit: int = 100) -> pd.DataFrame:
    """Inputs set aside instead of stored, newest first; the payload is cut to a short preview."""
    return _frame(
        conn,
        """
        SELECT quarantined_at, stage, reason, input_ref, left(payload, 300) AS payload_preview, run_id
        FROM quarantine
        ORDER BY quarantined_at DESC
        LIMIT $limit
        """,
        {"limit": int(limit)},
    )


def quarantine_count(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(conn, "SELECT count(*) AS quarantined FROM quarantine")
