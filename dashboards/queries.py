"""One read-only query per dashboard panel.

Every function takes an open DuckDB connection plus filter arguments and returns a pandas DataFrame
(or a small dataclass). Filters reach SQL only as bound parameters (``$name``); the SQL text may
include or leave out a clause depending on which filters are set, but never contains a value a user
typed or picked.

Dates: "the article's date" is ``COALESCE(published_at, fetched_at)`` - the publication date, or the
moment presswatch fetched the article when the source gave no date. Periods are whole UTC days: "last
7 days" is today and the 6 days before; the previous period is the 7 days before that. Timestamps come
back as timezone-aware UTC values (see ``prepare``).

Speed: at 1M articles / 10M mentions the counting panels read the ``summary`` tables kept by
``flows.summaries.refresh_summaries`` (when present; otherwise the base tables, fine for small
databases), and search reads the fts index kept by ``flows.search_index.refresh_search_index``.
``bench/dashboard_queries.py`` times every panel query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd

from flows import search_index, summaries

ALERT_RULE = "armenia-russia"  # default watch topic when the config has no rules

ARTICLE_DATE = "COALESCE(a.published_at, a.fetched_at)"
# Where an article's date comes from, for the reader: 'stated' (by the feed or the text), 'file' (a local
# file's modification time: files carry no date field) or 'fetched' (no date given; when presswatch read it).
DATE_SOURCE = (
    "CASE WHEN a.published_at IS NULL THEN 'fetched'"
    " WHEN list_contains(coalesce(a.flags, []), 'date_from_file') THEN 'file' ELSE 'stated' END"
)
IN_PERIOD = f"($since IS NULL OR {ARTICLE_DATE} >= $since)"
S = summaries.SCHEMA
FTS = search_index.FTS_SCHEMA

SMALL_DB = 200_000  # below this many articles, stale summaries are skipped: the base tables are exact and fast
NETWORK_KINDS = summaries.PAIR_KINDS


# -------------------------------------------------------------------------------------------- session


def prepare(conn: duckdb.DuckDBPyConnection) -> None:
    """Session settings for a dashboard connection: UTC days and timestamps whatever the server's zone,
    and never try to download an extension (this machine may be offline)."""
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute("SET autoinstall_known_extensions = false")
    conn.execute("SET autoload_known_extensions = false")


_PARAM = re.compile(r"\$([A-Za-z_]\w*)")


def _used(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The named parameters ``sql`` refers to (DuckDB rejects unused ones)."""
    names = set(_PARAM.findall(sql))
    return {k: v for k, v in params.items() if k in names}


def _frame(conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    # Through Arrow: DuckDB's own .df() triggers pandas deprecation warnings for TIMESTAMPTZ columns.
    return conn.execute(sql, _used(sql, params or {})).to_arrow_table().to_pandas()


def _scalar(conn: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> Any:
    return conn.execute(sql, _used(sql, params or {})).fetchone()[0]


@dataclass(frozen=True)
class Caps:
    """What this database offers beyond the contract tables (older files lack some of it)."""

    articles: int = 0
    summaries: bool = False  # use the summary tables
    summary_lag: int = 0  # articles not counted in them yet
    hubs: bool = False
    search_index: bool = False  # an fts index with the layout bm25_scores_sql reads
    search_lag: int = 0  # articles not indexed yet
    stories: bool = False  # summary.stories is there (and current enough, like the other summaries)
    alert_story: bool = False  # alerts.story_id exists
    article_story: bool = False  # articles.story_id exists
    columns: frozenset[tuple[str, str, str]] = field(default_factory=frozenset)


def capabilities(conn: duckdb.DuckDBPyConnection) -> Caps:
    cols = frozenset(
        (s, t, c)
        for s, t, c in conn.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns"
            " WHERE table_schema IN ('main', $s, $f)",
            {"s": S, "f": FTS},
        ).fetchall()
    )
    articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    have_summary = ("summary", "state", "articles") in cols and (S, "entity_total", "entity_id") in cols
    lag = 0
    if have_summary:
        counted = conn.execute(f"SELECT max(articles) FROM {S}.state").fetchone()[0]
        lag = max(articles - (counted or 0), 0) if counted is not None else articles
        have_summary = counted is not None and (lag == 0 or articles >= SMALL_DB)
    have_index = all(
        (FTS, table, column) in cols
        for table, column in (
            ("docs", "name"),
            ("dict", "df"),
            ("stats", "avgdl"),
            ("pw_postings", "tf"),
            ("pw_docs", "dated"),
        )
    )
    search_lag = 0
    if have_index:
        search_lag = max(articles - conn.execute(f"SELECT count(*) FROM {FTS}.docs").fetchone()[0], 0)
    return Caps(
        articles=int(articles),
        summaries=have_summary,
        summary_lag=int(lag),
        hubs=have_summary and (S, "hubs", "entity_id") in cols,
        stories=have_summary and (S, "stories", "story_id") in cols,
        search_index=have_index,
        search_lag=int(search_lag),
        alert_story=("main", "alerts", "story_id") in cols,
        article_story=("main", "articles", "story_id") in cols,
        columns=cols,
    )


# -------------------------------------------------------------------------------------------- periods


def day_start(now: datetime | None = None) -> datetime:
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def period_start(days: int | None, now: datetime | None = None) -> datetime | None:
    """Midnight UTC starting a "last N days" period (today counts as a day), or None for all time."""
    if days is None:
        return None
    return day_start(now) - timedelta(days=days - 1)


def previous_start(days: int | None, now: datetime | None = None) -> datetime | None:
    """Start of the period of the same length just before the current one."""
    since = period_start(days, now)
    return None if since is None or days is None else since - timedelta(days=days)


def _naive_utc(ts: datetime | None) -> datetime | None:
    return None if ts is None else ts.astimezone(UTC).replace(tzinfo=None)


def _day(ts: datetime | None) -> date | None:
    return None if ts is None else ts.astimezone(UTC).date()


# -------------------------------------------------------------------------------------------- header


def header_counts(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row for the header on every page: open alerts, totals, the last run, and a data version
    (latest run end + run count) the auto-refresh compares."""
    return _frame(
        conn,
        """
        WITH last_run AS (
            SELECT run_id, status, started_at, finished_at FROM runs ORDER BY started_at DESC LIMIT 1
        )
        SELECT
            (SELECT count(*) FROM articles) AS articles_total,
            (SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL) AS alerts_unacknowledged,
            (SELECT count(*) FROM alerts) AS alerts_total,
            lr.run_id AS last_run_id,
            lr.status AS last_run_status,
            lr.started_at AS last_run_started_at,
            lr.finished_at AS last_run_finished_at,
            (SELECT max(finished_at) FROM runs) AS runs_finished_max,
            (SELECT count(*) FROM runs) AS runs_total
        FROM (SELECT 1) AS one LEFT JOIN last_run lr ON TRUE
        """,
    )


def data_version(conn: duckdb.DuckDBPyConnection) -> tuple[Any, ...]:
    """Cheap fingerprint of "new data landed": latest run end, run count, article count, open alerts."""
    row = conn.execute(
        "SELECT (SELECT max(finished_at) FROM runs), (SELECT count(*) FROM runs), (SELECT count(*) FROM articles),"
        " (SELECT count(*) FROM alerts WHERE acknowledged_at IS NULL)"
    ).fetchone()
    return tuple(row)


def period_counts(
    conn: duckdb.DuckDBPyConnection, since: datetime | None, prev_since: datetime | None, caps: Caps | None = None
) -> pd.DataFrame:
    """Articles dated in the period and in the previous period of the same length; alerts raised in them."""
    caps = caps or capabilities(conn)
    if caps.summaries:
        articles = f"""
            SELECT CAST(COALESCE(sum(articles) FILTER (WHERE $since IS NULL OR hour >= $since), 0) AS BIGINT)
                       AS articles,
                   CAST(COALESCE(sum(articles) FILTER (
                       WHERE $prev IS NOT NULL AND hour >= $prev AND hour < $since), 0) AS BIGINT) AS articles_previous
            FROM {S}.articles_hour"""
        params = {"since": _naive_utc(since), "prev": _naive_utc(prev_since)}
    else:
        articles = f"""
            SELECT count(*) FILTER (WHERE $since IS NULL OR {ARTICLE_DATE} >= $since) AS articles,
                   count(*) FILTER (WHERE $prev IS NOT NULL AND {ARTICLE_DATE} >= $prev AND {ARTICLE_DATE} < $since)
                       AS articles_previous
            FROM articles a"""
        params = {"since": since, "prev": prev_since}
    counts = _frame(conn, articles, params)
    alerts = _frame(
        conn,
        """SELECT count(*) FILTER (WHERE $since IS NULL OR created_at >= $since) AS alerts,
                  count(*) FILTER (WHERE $prev IS NOT NULL AND created_at >= $prev AND created_at < $since)
                      AS alerts_previous
           FROM alerts""",
        {"since": since, "prev": prev_since},
    )
    return pd.concat([counts, alerts], axis=1)


# -------------------------------------------------------------------------------------------- trend


def trend_granularity(days: int | None) -> str:
    return "hour" if days is not None and days <= 7 else "day"


def articles_over_time(
    conn: duckdb.DuckDBPyConnection,
    since: datetime | None,
    rule: str = ALERT_RULE,
    granularity: str = "day",
    caps: Caps | None = None,
) -> pd.DataFrame:
    """Per UTC hour or day (``bucket``, naive UTC): all articles, and ``topic`` = articles with an alert
    of ``rule``. Buckets without articles are absent."""
    if granularity not in ("hour", "day"):
        raise ValueError(granularity)
    caps = caps or capabilities(conn)
    params = {"since": _naive_utc(since), "rule": rule}
    if caps.summaries:
        sql = f"""
            SELECT bucket, CAST(sum(articles) AS BIGINT) AS articles, CAST(sum(topic) AS BIGINT) AS topic FROM (
                SELECT date_trunc('{granularity}', hour) AS bucket, articles, 0 AS topic
                FROM {S}.articles_hour WHERE $since IS NULL OR hour >= $since
                UNION ALL
                SELECT date_trunc('{granularity}', hour), 0, articles
                FROM {S}.rule_articles_hour WHERE rule = $rule AND ($since IS NULL OR hour >= $since)
            ) GROUP BY bucket ORDER BY bucket
        """
    else:
        sql = f"""
            SELECT date_trunc('{granularity}', timezone('UTC', {ARTICLE_DATE})) AS bucket,
                   count(*) AS articles,
                   count(*) FILTER (WHERE EXISTS (
                       SELECT 1 FROM alerts al WHERE al.article_id = a.article_id AND al.rule = $rule)) AS topic
            FROM articles a
            WHERE $since IS NULL OR timezone('UTC', {ARTICLE_DATE}) >= $since
            GROUP BY bucket ORDER BY bucket
        """
    return _frame(conn, sql, params)


def articles_per_day(
    conn: duckdb.DuckDBPyConnection, since: datetime | None = None, rule: str = ALERT_RULE
) -> pd.DataFrame:
    """Per UTC day: ``articles`` and ``alert_articles`` (with an alert of ``rule``)."""
    df = articles_over_time(conn, since, rule, "day")
    return pd.DataFrame(
        {"day": pd.to_datetime(df["bucket"]).dt.date, "articles": df["articles"], "alert_articles": df["topic"]}
    )


# -------------------------------------------------------------------------------------------- entities


def top_entities(
    conn: duckdb.DuckDBPyConnection,
    kind: str,
    since: datetime | None = None,
    limit: int = 15,
    prev_since: datetime | None = None,
    caps: Caps | None = None,
) -> pd.DataFrame:
    """The entities of one kind (actor | location | organization) named in the most articles of the
    period, with ``previous`` = articles in the previous period (NULL for all time)."""
    caps = caps or capabilities(conn)
    params = {"kind": kind, "limit": int(limit)}
    if caps.summaries and since is None:
        sql = f"""
            WITH cur AS (
                SELECT entity_id, articles FROM {S}.entity_total WHERE kind = $kind
                ORDER BY articles DESC, entity_id LIMIT $limit
            )
            SELECT e.name, c.articles, CAST(NULL AS BIGINT) AS previous, e.country_code, c.entity_id
            FROM cur c JOIN entities e USING (entity_id)
            ORDER BY c.articles DESC, e.name
        """
    elif caps.summaries:
        params |= {"since": _day(since), "prev": _day(prev_since) if prev_since else _day(since)}
        sql = f"""
            WITH cur AS (
                SELECT entity_id, CAST(sum(articles) AS BIGINT) AS articles FROM {S}.entity_day
                WHERE kind = $kind AND day >= $since
                GROUP BY entity_id ORDER BY articles DESC, entity_id LIMIT $limit
            ),
            prev AS (
                SELECT entity_id, CAST(sum(articles) AS BIGINT) AS articles FROM {S}.entity_day
                WHERE kind = $kind AND day >= $prev AND day < $since AND entity_id IN (SELECT entity_id FROM cur)
                GROUP BY entity_id
            )
            SELECT e.name, c.articles, COALESCE(p.articles, 0) AS previous, e.country_code, c.entity_id
            FROM cur c JOIN entities e USING (entity_id) LEFT JOIN prev p USING (entity_id)
            ORDER BY c.articles DESC, e.name
        """
    else:
        params |= {"since": since, "prev": prev_since}
        sql = f"""
            WITH hits AS (
                SELECT DISTINCT m.entity_id, m.article_id, {ARTICLE_DATE} AS dated
                FROM mentions m JOIN entities e USING (entity_id) JOIN articles a USING (article_id)
                WHERE e.kind = $kind AND ($prev IS NULL OR {ARTICLE_DATE} >= $prev)
            ),
            counts AS (
                SELECT entity_id,
                       count(*) FILTER (WHERE $since IS NULL OR dated >= $since) AS articles,
                       CASE WHEN $since IS NULL THEN NULL
                            ELSE count(*) FILTER (WHERE $prev IS NOT NULL AND dated < $since) END AS previous
                FROM hits GROUP BY entity_id
            )
            SELECT e.name, c.articles, c.previous, e.country_code, c.entity_id
            FROM counts c JOIN entities e USING (entity_id)
            WHERE c.articles > 0
            ORDER BY c.articles DESC, e.name, c.entity_id
            LIMIT $limit
        """
    return _frame(conn, sql, params)


def top_actors(conn: duckdb.DuckDBPyConnection, since: datetime | None = None, limit: int = 15, **kw) -> pd.DataFrame:
    return top_entities(conn, "actor", since, limit, **kw)


def top_locations(
    conn: duckdb.DuckDBPyConnection, since: datetime | None = None, limit: int = 15, **kw
) -> pd.DataFrame:
    return top_entities(conn, "location", since, limit, **kw)


def map_locations(
    conn: duckdb.DuckDBPyConnection, since: datetime | None = None, limit: int = 500, caps: Caps | None = None
) -> pd.DataFrame:
    """Places with coordinates named in the period: name, country, latitude, longitude, articles."""
    caps = caps or capabilities(conn)
    if caps.summaries:
        counts = (
            f"SELECT entity_id, articles FROM {S}.entity_total WHERE kind = 'location'"
            if since is None
            else f"SELECT entity_id, CAST(sum(articles) AS BIGINT) AS articles FROM {S}.entity_day"
            " WHERE kind = 'location' AND day >= $since GROUP BY entity_id"
        )
        params: dict[str, Any] = {"limit": int(limit)} | ({} if since is None else {"since": _day(since)})
    else:
        counts = f"""SELECT m.entity_id, count(DISTINCT m.article_id) AS articles
                     FROM mentions m JOIN articles a USING (article_id)
                     WHERE {IN_PERIOD} GROUP BY m.entity_id"""
        params = {"since": since, "limit": int(limit)}
    return _frame(
        conn,
        f"""
        WITH counts AS ({counts})
        SELECT e.name, e.country_code, e.latitude, e.longitude, c.articles, e.entity_id
        FROM counts c JOIN entities e USING (entity_id)
        WHERE e.kind = 'location' AND e.latitude IS NOT NULL AND e.longitude IS NOT NULL
          AND e.latitude BETWEEN -90 AND 90 AND e.longitude BETWEEN -180 AND 180
        ORDER BY c.articles DESC, e.name
        LIMIT $limit
        """,
        params,
    )


def unmapped_locations(
    conn: duckdb.DuckDBPyConnection, since: datetime | None = None, caps: Caps | None = None
) -> pd.DataFrame:
    """Places named in the period that have no coordinates (countries, regions): shown under the map."""
    caps = caps or capabilities(conn)
    if caps.summaries:
        counts = (
            f"SELECT entity_id, articles FROM {S}.entity_total WHERE kind = 'location'"
            if since is None
            else f"SELECT entity_id, CAST(sum(articles) AS BIGINT) AS articles FROM {S}.entity_day"
            " WHERE kind = 'location' AND day >= $since GROUP BY entity_id"
        )
        params: dict[str, Any] = {} if since is None else {"since": _day(since)}
    else:
        counts = f"""SELECT m.entity_id, count(DISTINCT m.article_id) AS articles
                     FROM mentions m JOIN articles a USING (article_id)
                     WHERE {IN_PERIOD} GROUP BY m.entity_id"""
        params = {"since": since}
    return _frame(
        conn,
        f"""
        WITH counts AS ({counts})
        SELECT e.name, e.country_code, c.articles
        FROM counts c JOIN entities e USING (entity_id)
        WHERE e.kind = 'location' AND (e.latitude IS NULL OR e.longitude IS NULL)
        ORDER BY c.articles DESC, e.name LIMIT 30
        """,
        params,
    )


@dataclass(frozen=True)
class Network:
    nodes: pd.DataFrame  # entity_id, name, kind, articles, tracked (links known)
    edges: pd.DataFrame  # entity_a, entity_b, name_a, name_b, articles


def co_mentions(
    conn: duckdb.DuckDBPyConnection,
    since: datetime | None = None,
    nodes: int = 30,
    edges: int = 60,
    caps: Caps | None = None,
) -> Network:
    """The ``nodes`` people and places named in the most articles of the period, and the ``edges``
    strongest links between them (number of articles naming both)."""
    caps = caps or capabilities(conn)
    kinds = "(" + ", ".join(f"'{k}'" for k in NETWORK_KINDS) + ")"
    params: dict[str, Any] = {"nodes": int(nodes), "edges": int(edges)}
    if caps.summaries:
        if since is None:
            top = f"SELECT entity_id, kind, articles FROM {S}.entity_total WHERE kind IN {kinds}"
            pairs = f"SELECT entity_a, entity_b, articles FROM {S}.pair_total"
        else:
            params["since"] = _day(since)
            top = f"""SELECT entity_id, any_value(kind) AS kind, CAST(sum(articles) AS BIGINT) AS articles
                      FROM {S}.entity_day
                      WHERE kind IN {kinds} AND day >= $since GROUP BY entity_id"""
            pairs = f"""SELECT entity_a, entity_b, articles FROM {S}.pair_day WHERE day >= $since"""
        tracked = f"x.entity_id IN (SELECT entity_id FROM {S}.hubs)" if caps.hubs else "TRUE"
        node_sql = f"""
            WITH top AS MATERIALIZED (
                SELECT * FROM ({top}) ORDER BY articles DESC, entity_id LIMIT $nodes
            )
            SELECT x.entity_id, e.name, x.kind, x.articles, {tracked} AS tracked
            FROM top x JOIN entities e USING (entity_id)
            ORDER BY x.articles DESC, e.name
        """
        edge_sql = f"""
            WITH top AS MATERIALIZED (
                SELECT * FROM ({top}) ORDER BY articles DESC, entity_id LIMIT $nodes
            ),
            p AS ({pairs})
            SELECT p.entity_a, p.entity_b, CAST(sum(p.articles) AS BIGINT) AS articles
            FROM p JOIN top x ON p.entity_a = x.entity_id JOIN top y ON p.entity_b = y.entity_id
            GROUP BY p.entity_a, p.entity_b
            ORDER BY articles DESC, p.entity_a, p.entity_b
            LIMIT $edges
        """
    else:
        params["since"] = since
        base = f"""
            SELECT DISTINCT m.article_id, m.entity_id, e.kind
            FROM mentions m JOIN entities e USING (entity_id) JOIN articles a USING (article_id)
            WHERE e.kind IN {kinds} AND {IN_PERIOD}
        """
        top = """
            top AS MATERIALIZED (
                SELECT entity_id, any_value(kind) AS kind, count(*) AS articles FROM hits
                GROUP BY entity_id ORDER BY articles DESC, entity_id LIMIT $nodes
            )"""
        node_sql = f"""
            WITH hits AS MATERIALIZED ({base}), {top}
            SELECT x.entity_id, e.name, x.kind, x.articles, TRUE AS tracked
            FROM top x JOIN entities e USING (entity_id) ORDER BY x.articles DESC, e.name
        """
        edge_sql = f"""
            WITH hits AS MATERIALIZED ({base}), {top},
            h AS (SELECT * FROM hits WHERE entity_id IN (SELECT entity_id FROM top))
            SELECT x.entity_id AS entity_a, y.entity_id AS entity_b, count(*) AS articles
            FROM h x JOIN h y ON x.article_id = y.article_id AND x.entity_id < y.entity_id
            GROUP BY x.entity_id, y.entity_id
            ORDER BY articles DESC, entity_a, entity_b
            LIMIT $edges
        """
    node_frame = _frame(conn, node_sql, params)
    edge_frame = _frame(conn, edge_sql, params)
    names = dict(zip(node_frame["entity_id"], node_frame["name"], strict=True))
    edge_frame["name_a"] = edge_frame["entity_a"].map(names)
    edge_frame["name_b"] = edge_frame["entity_b"].map(names)
    return Network(node_frame, edge_frame)


# -------------------------------------------------------------------------------------------- alerts


def open_alerts(
    conn: duckdb.DuckDBPyConnection, limit: int = 20, offset: int = 0, caps: Caps | None = None
) -> pd.DataFrame:
    """Unacknowledged alerts, newest first, with their article, how many outlets carried the story,
    and the names to highlight in the evidence (see ``_alert_details``)."""
    return _alerts(conn, "al.acknowledged_at IS NULL", {}, limit, offset, caps, join_articles=False)


def latest_alerts(
    conn: duckdb.DuckDBPyConnection, since: datetime | None = None, limit: int = 20, caps: Caps | None = None
) -> pd.DataFrame:
    """Newest alerts (acknowledged or not) for articles dated in the period."""
    where = f"($since IS NULL OR COALESCE({ARTICLE_DATE}, al.created_at) >= $since)"
    return _alerts(conn, where, {"since": since}, limit, 0, caps, join_articles=True)


def open_alert_ids(conn: duckdb.DuckDBPyConnection) -> list[str]:
    """Every unacknowledged alert id (what "acknowledge all" acknowledges: exactly what was counted)."""
    return [r[0] for r in conn.execute("SELECT alert_id FROM alerts WHERE acknowledged_at IS NULL").fetchall()]


def _in_list(prefix: str, values: list[Any]) -> tuple[str, dict[str, Any]]:
    """``($p0, $p1, ...)`` and the matching parameters: a literal IN list lets DuckDB use an index."""
    names = {f"{prefix}{i}": v for i, v in enumerate(values)}
    return "(" + ", ".join(f"${n}" for n in names) + ")", names


def _alerts(
    conn: duckdb.DuckDBPyConnection,
    where: str,
    params: dict[str, Any],
    limit: int,
    offset: int,
    caps: Caps | None,
    *,
    join_articles: bool,
) -> pd.DataFrame:
    caps = caps or capabilities(conn)
    join = "LEFT JOIN articles a USING (article_id)" if join_articles else ""
    ids = [
        r[0]
        for r in conn.execute(
            f"""SELECT al.alert_id FROM alerts al {join} WHERE {where}
                ORDER BY al.created_at DESC, al.alert_id LIMIT $limit OFFSET $offset""",
            _used(where, params) | {"limit": int(limit), "offset": int(offset)},
        ).fetchall()
    ]
    story = "al.story_id" if caps.alert_story else ("a.story_id" if caps.article_story else "CAST(NULL AS VARCHAR)")
    alert_in, alert_params = _in_list("al", ids or [""])
    frame = _frame(
        conn,
        f"""
        WITH page AS (SELECT * FROM alerts WHERE alert_id IN {alert_in}),
        arts AS (SELECT * FROM articles WHERE article_id IN (SELECT article_id FROM page))
        SELECT al.alert_id, al.rule, al.article_id, al.created_at, al.evidence, al.score, al.matched_entities,
               al.acknowledged_at, {story} AS story_id,
               a.title, a.url, a.source, a.published_at, {DATE_SOURCE} AS date_source
        FROM page al LEFT JOIN arts a USING (article_id)
        ORDER BY al.created_at DESC, al.alert_id
        """,
        alert_params,
    )
    return _alert_details(conn, frame, caps)


def _alert_details(conn: duckdb.DuckDBPyConnection, frame: pd.DataFrame, caps: Caps) -> pd.DataFrame:
    """Add ``matched_names``, ``highlight_terms``, ``outlets`` (count) and ``outlet_list`` to alert rows.

    outlets = 1 (the article) + its sightings (same article seen at other URLs) + the other articles of
    the same story (when the database has story ids)."""
    frame["matched_names"] = [[] for _ in range(len(frame))]
    frame["highlight_terms"] = [[] for _ in range(len(frame))]
    frame["outlets"] = 1
    frame["outlet_list"] = [[] for _ in range(len(frame))]
    if frame.empty:
        return frame
    article_ids = sorted({a for a in frame["article_id"] if isinstance(a, str)})
    matched = sorted({str(m) for ms in frame["matched_entities"] if ms is not None for m in ms})
    ids_sql, id_params = _in_list("a", article_ids)
    # entities the alerts matched, by id or by name, and how each article wrote them
    entity_rows = conn.execute(
        "SELECT entity_id, name FROM entities WHERE entity_id IN (SELECT unnest($m)) OR name IN (SELECT unnest($m))",
        {"m": matched},
    ).fetchall()
    by_key: dict[str, tuple[str, str]] = {}
    for eid, name in entity_rows:
        by_key[eid] = (eid, name)
        by_key.setdefault(name, (eid, name))
    surfaces: dict[tuple[str, str], set[str]] = {}
    if article_ids and entity_rows:
        wanted = {e for e, _ in entity_rows}
        # only the article-id list in SQL: DuckDB then reads these few rows through the mentions index
        for aid, eid, surface in conn.execute(
            f"SELECT article_id, entity_id, surface FROM mentions WHERE article_id IN {ids_sql}", id_params
        ).fetchall():
            if surface and eid in wanted:
                surfaces.setdefault((aid, eid), set()).add(surface)
    sightings: dict[str, list[str]] = {}
    if article_ids:
        for aid, source, url in conn.execute(
            f"SELECT article_id, source, url FROM sightings WHERE article_id IN {ids_sql} ORDER BY seen_at", id_params
        ).fetchall():
            sightings.setdefault(aid, []).append(source or url)
    story_members: dict[str, list[tuple[str, str]]] = {}
    stories = sorted({s for s in frame["story_id"] if isinstance(s, str)})
    if stories and caps.article_story:
        story_sql, story_params = _in_list("s", stories)
        if caps.stories:  # stories with 2+ articles, kept by refresh_summaries: no scan of articles
            for story, count, ids, sources in conn.execute(
                f"SELECT story_id, articles, article_ids, sources FROM {S}.stories WHERE story_id IN {story_sql}",
                story_params,
            ).fetchall():
                members = list(zip(ids or [], sources or [], strict=False))
                members += [("", "")] * max(0, int(count) - len(members))  # beyond the first 50: counted only
                story_members[story] = members
        else:
            for story, aid, source, url in conn.execute(
                f"SELECT story_id, article_id, source, url FROM articles WHERE story_id IN {story_sql}", story_params
            ).fetchall():
                story_members.setdefault(story, []).append((aid, source or url))
    names_col, terms_col, outlets_col, list_col = [], [], [], []
    for row in frame.itertuples(index=False):
        names: list[str] = []
        terms: set[str] = set()
        for m in row.matched_entities if row.matched_entities is not None else []:
            eid, name = by_key.get(str(m), (None, str(m)))
            names.append(name)
            terms.add(name)
            if eid is not None:
                terms |= surfaces.get((row.article_id, eid), set())
        seen = sightings.get(row.article_id, [])
        others = [src for aid, src in story_members.get(row.story_id, []) if aid != row.article_id]
        names_col.append(sorted(set(names)))
        terms_col.append(sorted(t for t in terms if t and t.strip()))
        outlets_col.append(1 + len(seen) + len(others))
        list_col.append([s for s in [row.source, *seen, *others] if isinstance(s, str) and s])
    frame["matched_names"] = names_col
    frame["highlight_terms"] = terms_col
    frame["outlets"] = outlets_col
    frame["outlet_list"] = list_col
    return frame


# -------------------------------------------------------------------------------------------- articles


@dataclass(frozen=True)
class ArticleFilters:
    text: str = ""
    source: str | None = None
    entity_id: str | None = None
    language: str | None = None
    date_from: date | None = None  # inclusive, UTC day
    date_to: date | None = None  # inclusive, UTC day


@dataclass(frozen=True)
class SearchResult:
    rows: pd.DataFrame
    total: int
    mode: str  # "bm25" | "ilike" | "none"
    capped: bool = False  # total is a lower bound


COUNT_CAP = 10_000


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE's wildcards escaped (with ``\\``), so a user's ``%`` or ``_`` match themselves."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_articles(
    conn: duckdb.DuckDBPyConnection,
    filters: ArticleFilters,
    limit: int = 25,
    offset: int = 0,
    caps: Caps | None = None,
) -> SearchResult:
    """Articles matching the filters: best BM25 matches first when searching text, else newest first.

    Text search uses the fts index (BM25 over title and body, stemmed: "talks" finds "talk") when it
    exists and the extension loads; otherwise a case-insensitive substring match (slow on big files).
    With an entity filter and the summary tables, the candidates come from ``summary.entity_articles``
    (that entity's rows only) instead of a scan of ``mentions``."""
    caps = caps or capabilities(conn)
    text = " ".join(filters.text.split())
    params: dict[str, Any] = {"limit": int(limit), "offset": int(offset)}
    terms = search_index.query_terms(text) if text and caps.search_index else None
    use_bm25 = terms is not None
    if use_bm25 and not terms:  # only punctuation or digits: nothing the index could match
        return SearchResult(_articles_by_id(conn, []).assign(score=pd.Series(dtype="float64")), 0, "bm25")
    mode = "bm25" if use_bm25 else ("ilike" if text else "none")
    from_entity_table = bool(filters.entity_id) and caps.summaries and not (text and not use_bm25)
    # the candidate articles: (article_id, dated) passing every filter except the text
    t, date_col = ("e", "e.dated") if from_entity_table else ("a", ARTICLE_DATE)
    clauses: list[str] = []
    if filters.source:
        clauses.append(f"{t}.source = $source")
        params["source"] = filters.source
    if filters.language:
        clauses.append(f"{t}.language = $language")
        params["language"] = filters.language
    if filters.date_from:
        clauses.append(f"{date_col} >= $date_from")
        params["date_from"] = datetime.combine(filters.date_from, datetime.min.time(), UTC)
    if filters.date_to:
        clauses.append(f"{date_col} < $date_to")
        params["date_to"] = datetime.combine(filters.date_to + timedelta(days=1), datetime.min.time(), UTC)
    if filters.entity_id:
        params["entity"] = filters.entity_id
        clauses.append(
            "e.entity_id = $entity"
            if from_entity_table
            else "a.article_id IN (SELECT article_id FROM mentions WHERE entity_id = $entity)"
        )
    if mode == "ilike":
        clauses.append("(a.title ILIKE $pattern ESCAPE '\\' OR a.body ILIKE $pattern ESCAPE '\\')")
        params["pattern"] = like_pattern(text)
    where = " AND ".join(clauses) or "TRUE"
    base = (
        f"SELECT e.article_id, e.dated FROM {S}.entity_articles e WHERE {where}"
        if from_entity_table
        else f"SELECT a.article_id, {ARTICLE_DATE} AS dated FROM articles a WHERE {where}"
    )
    if use_bm25:
        params["terms"] = terms
        scored = search_index.bm25_scores_sql("$terms")
        if not clauses:  # rank the index alone; names only for the page
            hits = f"SELECT docid, score FROM ({scored})"
            page_sql = f"""SELECT d.name AS article_id, h.score
                FROM (SELECT * FROM pw_hits ORDER BY score DESC, docid LIMIT $limit OFFSET $offset) h
                JOIN {FTS}.docs d USING (docid) ORDER BY h.score DESC, h.docid"""
        elif not filters.entity_id:  # outlet / language / dates: filter the index's own copy of them
            doc_where = where.replace("a.source", "p.source").replace("a.language", "p.language")
            doc_where = doc_where.replace(ARTICLE_DATE, "p.dated")
            hits = f"""SELECT p.article_id, p.dated, s.score FROM ({scored}) s
                       JOIN {FTS}.pw_docs p USING (docid) WHERE {doc_where}"""
            page_sql = """SELECT article_id, score FROM pw_hits
                ORDER BY score DESC, dated DESC NULLS LAST, article_id LIMIT $limit OFFSET $offset"""
        else:
            hits = f"""SELECT b.article_id, b.dated, s.score FROM ({scored}) s
                       JOIN {FTS}.docs d USING (docid) JOIN ({base}) b ON b.article_id = d.name"""
            page_sql = """SELECT article_id, score FROM pw_hits
                ORDER BY score DESC, dated DESC NULLS LAST, article_id LIMIT $limit OFFSET $offset"""
        # score once (a materialised CTE), count it and take the page in the same statement
        sql = f"""WITH pw_hits AS MATERIALIZED ({hits})
            SELECT (SELECT count(*) FROM pw_hits) AS total, pw_page.* FROM ({page_sql}) pw_page
            ORDER BY pw_page.score DESC, pw_page.article_id"""
        found = conn.execute(sql, _used(sql, params)).fetchall()
        page = [(aid, score) for _, aid, score in found]
        total = (
            found[0][0] if found else _scalar(conn, f"WITH pw_hits AS ({hits}) SELECT count(*) FROM pw_hits", params)
        )
    else:
        page_sql = f"""WITH pw_base AS ({base})
            SELECT article_id, CAST(NULL AS DOUBLE) AS score FROM pw_base
            ORDER BY dated DESC NULLS LAST, article_id LIMIT $limit OFFSET $offset"""
        count_sql = f"WITH pw_base AS ({base}) SELECT count(*) FROM (SELECT 1 FROM pw_base LIMIT {COUNT_CAP + 1})"
        page = conn.execute(page_sql, _used(page_sql, params)).fetchall()
        total = _scalar(conn, count_sql, params)
    rows = _articles_by_id(conn, [aid for aid, _ in page])
    if not rows.empty:
        scores = dict(page)
        rows["score"] = rows["article_id"].map(scores)
        rows["_order"] = rows["article_id"].map({aid: i for i, (aid, _) in enumerate(page)})
        rows = rows.sort_values("_order").drop(columns="_order").reset_index(drop=True)
    else:
        rows["score"] = pd.Series(dtype="float64")
    return SearchResult(rows, min(int(total), COUNT_CAP), mode, capped=total > COUNT_CAP)


def _articles_by_id(conn: duckdb.DuckDBPyConnection, article_ids: list[str]) -> pd.DataFrame:
    """Display columns of a page of articles (looked up through the primary key)."""
    in_sql, params = _in_list("id", article_ids or [""])
    return _frame(
        conn,
        f"""SELECT a.article_id, a.title, a.url, a.source, a.language, {ARTICLE_DATE} AS dated,
                   {DATE_SOURCE} AS date_source, left(a.body, 280) AS snippet
            FROM articles a WHERE a.article_id IN {in_sql}""",
        params,
    )


def filter_options(conn: duckdb.DuckDBPyConnection, caps: Caps | None = None) -> dict[str, pd.DataFrame]:
    """Choices for the article filters: sources and languages with counts, entities by coverage."""
    caps = caps or capabilities(conn)
    sources = _frame(
        conn,
        "SELECT source, language, count(*) AS articles FROM articles GROUP BY source, language",
    )
    if caps.summaries:
        entities = _frame(
            conn,
            f"""SELECT e.entity_id, e.name, e.kind, COALESCE(t.articles, 0) AS articles
                FROM entities e LEFT JOIN {S}.entity_total t USING (entity_id)
                ORDER BY articles DESC, e.name""",
        )
    else:
        entities = _frame(
            conn,
            """SELECT e.entity_id, e.name, e.kind, count(DISTINCT m.article_id) AS articles
               FROM entities e LEFT JOIN mentions m USING (entity_id)
               GROUP BY e.entity_id, e.name, e.kind ORDER BY articles DESC, e.name""",
        )
    return {"sources": sources, "entities": entities}


def article_detail(conn: duckdb.DuckDBPyConnection, article_id: str) -> dict[str, pd.DataFrame]:
    """One article, its entity mentions (with names and kinds) and its alerts."""
    article = _frame(
        conn,
        f"""SELECT article_id, url, title, body, published_at, fetched_at, {ARTICLE_DATE} AS dated, source,
                   language, extractor, flags, {DATE_SOURCE} AS date_source
            FROM articles a WHERE article_id = $id""",
        {"id": article_id},
    )
    mentions = _frame(
        conn,
        """SELECT m.field, m.start_char, m.end_char, m.surface, m.entity_id, e.name, e.kind
           FROM mentions m LEFT JOIN entities e USING (entity_id)
           WHERE m.article_id = $id
           ORDER BY m.field, m.start_char""",
        {"id": article_id},
    )
    alerts = _frame(
        conn,
        "SELECT alert_id, rule, created_at, score, acknowledged_at FROM alerts WHERE article_id = $id"
        " ORDER BY created_at DESC",
        {"id": article_id},
    )
    return {"article": article, "mentions": mentions, "alerts": alerts}


# -------------------------------------------------------------------------------------------- data quality


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


def quarantine_reasons(conn: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    """Why inputs were set aside, most frequent first, with the latest occurrence."""
    return _frame(
        conn,
        """SELECT stage, reason, count(*) AS inputs, max(quarantined_at) AS latest
           FROM quarantine GROUP BY stage, reason ORDER BY inputs DESC, latest DESC LIMIT $limit""",
        {"limit": int(limit)},
    )


def feed_health(conn: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every configured feed with a plain status: failing (marked unhealthy), backing off (failed
    recently, waiting until ``next_due_at`` to retry) or healthy; failing first."""
    return _frame(
        conn,
        """
        SELECT url, COALESCE(name, title, url) AS name,
               CASE WHEN NOT COALESCE(healthy, TRUE) THEN 'failing'
                    WHEN COALESCE(consecutive_failures, 0) > 0 THEN 'backing off'
                    ELSE 'healthy' END AS status,
               COALESCE(consecutive_failures, 0) AS consecutive_failures,
               last_fetched_at, next_due_at, last_status, last_error, last_new_items, items_seen,
               poll_interval_seconds
        FROM feeds
        ORDER BY CASE status WHEN 'failing' THEN 0 WHEN 'backing off' THEN 1 ELSE 2 END, name
        """,
    )
