"""Full-text search over article titles and bodies with DuckDB's ``fts`` extension.

``refresh_search_index(con)`` keeps the index ``fts_main_articles`` (what ``PRAGMA create_fts_index``
builds: tables ``docs``, ``terms``, ``dict``, ``stats``, ``fields``, ``stopwords`` and the macros
``tokenize`` and ``match_bm25``) up to date. The extension itself never updates an index after inserts,
so this module does it:

* no index yet, or the new articles are more than ``rebuild_ratio`` of the indexed ones: full build with
  ``PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', overwrite=1)`` (porter stemmer,
  English stop words, accents stripped, lower-cased - the extension's defaults);
* otherwise incremental: the articles not in ``docs`` yet are tokenised with the index's own
  ``tokenize`` macro, stemmed and stop-worded exactly like the build, and appended to ``docs``/``terms``;
  new words are appended to ``dict``, document frequencies and ``stats`` (document count, average
  length) are updated - all in one transaction. BM25 scores are then the same as after a rebuild (a test
  checks this), and ``match_bm25`` works unchanged.

Cost (2 cores, measured with ``bench/make_big_db.py``, ~450-character bodies): the full build takes
about a minute per million articles; an incremental refresh of a run's few hundred articles takes well
under a second (one anti-join of ``articles`` against ``docs.name`` plus the small appends and the
``dict``/``stats`` updates), and about 10 ms when nothing is new. The index roughly doubles the size
of the article text on disk.

The extension comes from the ``duckdb-extension-fts`` wheel (DuckDB's own download server is not
reachable from every machine): ``load_fts(con)`` loads that file by path, else falls back to an
extension DuckDB already has installed. Readers (the dashboard) must call it too: ``match_bm25`` needs
the extension's ``stem`` function.
"""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

FTS_SCHEMA = "fts_main_articles"
STEMMER = "porter"
REBUILD_RATIO = 0.5  # rebuild when this many new articles per indexed one (cheaper than appending)
RESORT_RATIO = 0.1  # re-sort ``terms`` when this share of its rows was appended since the last sort
BM25_K = 1.2  # match_bm25's defaults
BM25_B = 0.75


@dataclass(frozen=True)
class IndexRefresh:
    mode: str  # "full" | "incremental" | "unchanged"
    added: int
    documents: int
    seconds: float


def fts_extension_path() -> Path | None:
    """The signed ``fts`` extension shipped in the ``duckdb-extension-fts`` wheel for this DuckDB version."""
    spec = importlib.util.find_spec("duckdb_extension_fts")
    if spec is None or not spec.submodule_search_locations:
        return None
    version = duckdb.__version__.lstrip("v")
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "extensions" / f"v{version}" / "fts.duckdb_extension"
        if candidate.is_file():
            return candidate
    return None


def load_fts(con: duckdb.DuckDBPyConnection) -> bool:
    """Load the fts extension into this connection's database; False when it is not available."""
    path = fts_extension_path()
    try:
        if path is not None:
            con.execute(f"LOAD '{path.as_posix()}'")  # a file path from our own install, not user input
        else:
            con.execute("LOAD fts")  # installed by other means (never downloaded here)
        return True
    except duckdb.Error:
        return False


def index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE schema_name = $s AND function_name = 'match_bm25'",
        {"s": FTS_SCHEMA},
    ).fetchone()
    return bool(row and row[0])


def _sort_terms(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite ``terms`` ordered by term: a search then reads only the row groups of its terms."""
    s = FTS_SCHEMA
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TABLE {s}.terms_sorted AS SELECT * FROM {s}.terms ORDER BY termid, docid")
        con.execute(f"DROP TABLE {s}.terms")
        con.execute(f"ALTER TABLE {s}.terms_sorted RENAME TO terms")
        con.execute(f"CREATE OR REPLACE TABLE {s}.pw_sorted AS SELECT count(*) AS sorted_rows FROM {s}.terms")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _full_build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', stemmer='{STEMMER}',"
        " stopwords='english', strip_accents=1, lower=1, overwrite=1)"
    )
    _sort_terms(con)


def _needs_resort(con: duckdb.DuckDBPyConnection) -> bool:
    s = FTS_SCHEMA
    try:
        sorted_rows = con.execute(f"SELECT max(sorted_rows) FROM {s}.pw_sorted").fetchone()[0] or 0
    except duckdb.CatalogException:
        sorted_rows = 0
    total = con.execute(f"SELECT count(*) FROM {s}.terms").fetchone()[0]
    return total - sorted_rows > RESORT_RATIO * total


def layout_ok(con: duckdb.DuckDBPyConnection) -> bool:
    """The index has the tables and columns ``bm25_scores_sql`` reads (the layout of fts for DuckDB 1.x)."""
    wanted = {
        "docs": {"docid", "name", "len"},
        "terms": {"docid", "termid"},
        "dict": {"termid", "term", "df"},
        "stats": {"num_docs", "avgdl"},
    }
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $s", {"s": FTS_SCHEMA}
    ).fetchall()
    have: dict[str, set[str]] = {}
    for table, column in rows:
        have.setdefault(table, set()).add(column)
    return all(cols <= have.get(table, set()) for table, cols in wanted.items())


def bm25_scores_sql(query_param: str = "$q") -> str:
    """SQL for (article_id, score) of every article matching the search text bound to ``query_param``.

    The same BM25 as ``fts_main_articles.match_bm25(article_id, q)`` with its defaults (all fields,
    k=1.2, b=0.75, any term), read straight from the index tables. ``match_bm25`` is a correlated
    macro: ranking 1M articles with it joins the 1M-row ``docs`` table by name three times (0.3-1 s);
    this reads only the postings of the query's terms. ``tests/test_dashboard_search.py`` checks both
    give the same scores.
    """
    s = FTS_SCHEMA
    return f"""
        WITH pw_q AS (SELECT DISTINCT stem(unnest({s}.tokenize({query_param})), '{STEMMER}') AS term),
        pw_qt AS (SELECT d.termid, d.df FROM {s}.dict d WHERE d.term IN (SELECT term FROM pw_q)),
        pw_tf AS (
            SELECT t.docid, t.termid, count(*) AS tf
            FROM {s}.terms t WHERE t.termid IN (SELECT termid FROM pw_qt)
            GROUP BY t.docid, t.termid
        )
        SELECT dc.name AS article_id,
               sum(log((st.num_docs - qt.df + 0.5) / (qt.df + 0.5) + 1)
                   * ((tf.tf * ({BM25_K} + 1))
                      / (tf.tf + {BM25_K} * (1 - {BM25_B} + {BM25_B} * (dc.len / st.avgdl))))) AS score
        FROM pw_tf tf
        JOIN pw_qt qt USING (termid)
        JOIN {s}.docs dc USING (docid)
        CROSS JOIN {s}.stats st
        GROUP BY dc.name
    """


def _append(con: duckdb.DuckDBPyConnection) -> int:
    """Index the articles missing from ``docs``; returns how many. Runs inside the caller's transaction."""
    s = FTS_SCHEMA
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pw_fts_new AS
        SELECT (SELECT COALESCE(max(docid), -1) FROM {s}.docs) + row_number() OVER (ORDER BY a.article_id) AS docid,
               a.article_id AS name, a.title, a.body
        FROM articles a
        WHERE a.article_id NOT IN (SELECT name FROM {s}.docs WHERE name IS NOT NULL)
        """
    )
    added = con.execute("SELECT count(*) FROM _pw_fts_new").fetchone()[0]
    if not added:
        con.execute("DROP TABLE _pw_fts_new")
        return 0
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _pw_fts_terms AS
        WITH tokenized AS (
            SELECT unnest({s}.tokenize(n.title)) AS w, n.docid,
                   (SELECT fieldid FROM {s}.fields WHERE field = 'title') AS fieldid
            FROM _pw_fts_new n
            UNION ALL
            SELECT unnest({s}.tokenize(n.body)) AS w, n.docid,
                   (SELECT fieldid FROM {s}.fields WHERE field = 'body') AS fieldid
            FROM _pw_fts_new n
        )
        SELECT stem(t.w, '{STEMMER}') AS term, t.docid, t.fieldid
        FROM tokenized t
        WHERE t.w IS NOT NULL AND len(t.w) > 0 AND t.w NOT IN (SELECT sw FROM {s}.stopwords)
        """
    )
    con.execute(
        f"""
        INSERT INTO {s}.dict (termid, term, df)
        SELECT (SELECT COALESCE(max(termid), -1) FROM {s}.dict) + row_number() OVER (ORDER BY term), term, 0
        FROM (SELECT DISTINCT term FROM _pw_fts_terms WHERE term NOT IN (SELECT term FROM {s}.dict))
        """
    )
    con.execute(
        f"""
        UPDATE {s}.dict SET df = {s}.dict.df + d.n
        FROM (SELECT term, count(DISTINCT docid) AS n FROM _pw_fts_terms GROUP BY term) d
        WHERE {s}.dict.term = d.term
        """
    )
    con.execute(
        f"""
        INSERT INTO {s}.terms (docid, fieldid, termid)
        SELECT t.docid, t.fieldid, d.termid
        FROM _pw_fts_terms t JOIN {s}.dict d USING (term)
        ORDER BY d.termid
        """
    )
    con.execute(
        f"""
        INSERT INTO {s}.docs (docid, name, len)
        SELECT n.docid, n.name, (SELECT count(*) FROM _pw_fts_terms t WHERE t.docid = n.docid)
        FROM _pw_fts_new n
        """
    )
    con.execute(f"DELETE FROM {s}.stats")
    con.execute(f"INSERT INTO {s}.stats SELECT count(docid), sum(len) / count(len) FROM {s}.docs")
    con.execute("DROP TABLE _pw_fts_terms")
    con.execute("DROP TABLE _pw_fts_new")
    return int(added)


def refresh_search_index(con: duckdb.DuckDBPyConnection, *, rebuild_ratio: float = REBUILD_RATIO) -> IndexRefresh:
    """Bring the full-text index over ``articles.title``/``body`` up to date (see the module docstring).

    Needs the write connection, outside an open transaction. Raises ``RuntimeError`` when the fts
    extension cannot be loaded (the dashboard then searches with ILIKE).
    """
    started = time.perf_counter()
    if not load_fts(con):
        raise RuntimeError("the DuckDB fts extension is not available (install duckdb-extension-fts)")
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    if not index_exists(con):
        _full_build(con)
        return IndexRefresh("full", int(total), int(total), round(time.perf_counter() - started, 3))
    indexed = con.execute(f"SELECT count(*) FROM {FTS_SCHEMA}.docs").fetchone()[0]
    missing = total - indexed  # articles are never deleted, so this is the number of new ones
    if missing <= 0:
        # same count: nothing new (an article replaced by another would need a rebuild: not in this pipeline)
        if _needs_resort(con):
            _sort_terms(con)
        return IndexRefresh("unchanged", 0, int(indexed), round(time.perf_counter() - started, 3))
    if indexed == 0 or missing > rebuild_ratio * indexed:
        _full_build(con)
        return IndexRefresh("full", int(total), int(total), round(time.perf_counter() - started, 3))
    con.execute("BEGIN TRANSACTION")
    try:
        added = _append(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    if _needs_resort(con):
        _sort_terms(con)
    return IndexRefresh("incremental", added, int(indexed + added), round(time.perf_counter() - started, 3))
