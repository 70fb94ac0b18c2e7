"""Full-text search over article titles and bodies with DuckDB's ``fts`` extension.

``refresh_search_index(con)`` keeps the index ``fts_main_articles`` up to date: what
``PRAGMA create_fts_index`` builds (tables ``docs``, ``terms``, ``dict``, ``stats``, ``fields``,
``stopwords``; macros ``tokenize`` and ``match_bm25``), plus two tables of ours, ``pw_postings`` and
``pw_docs``.
The extension never updates an index after inserts, so this module does it:

* no index yet, or more new articles than ``rebuild_ratio`` x the indexed ones: full build with
  ``PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', overwrite=1)`` (porter stemmer,
  English stop words, accents stripped, lower-cased: the extension's defaults);
* otherwise incremental: the articles not in ``docs`` yet are tokenised with the index's own
  ``tokenize`` macro, stemmed and stop-worded exactly like the build, and appended to ``docs``/``terms``;
  new words go to ``dict``; document frequencies and ``stats`` (document count, average length) are
  updated - in one transaction. ``match_bm25`` keeps working and gives the same scores as after a
  rebuild (``tests/test_dashboard_search.py`` checks this).

``pw_postings (termid, docid, tf, len)`` is ``terms`` aggregated per term and document (with the
document length), sorted by term: a search reads only the rows of its own terms instead of grouping
``terms`` and joining the 1M-row ``docs`` table the way ``match_bm25`` does (0.3-1 s at 1M articles;
``bm25_scores_sql`` gives the same scores in a fraction of that). New documents are appended; when the
appended part passes ``RESORT_RATIO`` of the table it is rewritten in order. ``pw_docs (docid,
article_id, dated, source, language)`` lets a search filtered by date, outlet or language join on the
integer ``docid`` instead of matching article ids against the 1M-row ``articles`` table.

Cost at 1M articles / 10M mentions (``bench/make_big_db.py``, ~450-character bodies, 2 cores shared
with other jobs): the full build takes 2.5-4 minutes (once, or after a backlog bigger than half the
index) and adds ~0.3 GB to the file; a run of 300 new articles costs 0.3-0.4 s; a run with nothing new
20-60 ms; the re-sort of ``pw_postings`` after every ~10% growth (100k articles at 1M) ~40 s.

The extension comes from the ``duckdb-extension-fts`` wheel (DuckDB's download server is not reachable
from every machine): ``load_fts(con)`` loads that file by path, else an extension DuckDB already has
installed. Readers (the dashboard) call it too: the ``tokenize``/``stem`` functions come from it.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

FTS_SCHEMA = "fts_main_articles"
STEMMER = "porter"
REBUILD_RATIO = 0.5  # full rebuild when there are this many new articles per indexed one
RESORT_RATIO = 0.1  # rewrite pw_postings in term order when this share of it was appended since
BM25_K = 1.2  # match_bm25's defaults
BM25_B = 0.75


@dataclass(frozen=True)
class IndexRefresh:
    mode: str  # "full" | "incremental" | "unchanged" | "unsupported" (DuckLake storage)
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
            con.execute("LOAD fts")  # installed by other means (never downloaded from here)
        return True
    except duckdb.Error:
        return False


def index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_functions() WHERE schema_name = $s AND function_name = 'match_bm25'",
        {"s": FTS_SCHEMA},
    ).fetchone()
    return bool(row and row[0])


def layout_ok(con: duckdb.DuckDBPyConnection) -> bool:
    """The index has the tables and columns ``bm25_scores_sql`` reads."""
    wanted = {
        "docs": {"docid", "name", "len"},
        "dict": {"termid", "term", "df"},
        "stats": {"num_docs", "avgdl"},
        "pw_postings": {"termid", "docid", "tf", "len"},
        "pw_docs": {"docid", "article_id", "dated", "source", "language"},
    }
    have: dict[str, set[str]] = {}
    for table, column in con.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $s", {"s": FTS_SCHEMA}
    ).fetchall():
        have.setdefault(table, set()).add(column)
    return all(cols <= have.get(table, set()) for table, cols in wanted.items())


_terms_lock = threading.Lock()
_terms_db: duckdb.DuckDBPyConnection | None = None


def query_terms(text: str) -> list[str] | None:
    """The index terms a search text stands for: tokenised, lower-cased, accents stripped and stemmed
    exactly like ``match_bm25`` does (same extension, same defaults), in a small in-memory database kept
    for the life of the process - so a reader of the file need not load the extension on every page.
    None when the extension is unavailable (search then falls back to substring matching)."""
    global _terms_db
    with _terms_lock:
        if _terms_db is None:
            mem = duckdb.connect(":memory:")
            if not load_fts(mem):
                mem.close()
                return None
            mem.execute("CREATE TABLE pw_tok (id INTEGER, txt VARCHAR)")
            mem.execute(f"PRAGMA create_fts_index('pw_tok', 'id', 'txt', stemmer='{STEMMER}', overwrite=1)")
            _terms_db = mem
        cur = _terms_db.cursor()
    try:
        rows = cur.execute(
            f"SELECT DISTINCT stem(unnest(fts_main_pw_tok.tokenize($q)), '{STEMMER}') AS t", {"q": text}
        ).fetchall()
    finally:
        cur.close()
    return sorted(t for (t,) in rows if t)


def bm25_scores_sql(terms_param: str = "$terms", *, text_param: str | None = None) -> str:
    """SQL for ``(docid, score)`` of every document matching the search terms bound to ``terms_param``
    (a list from ``query_terms``), or - with ``text_param`` - the raw search text, stemmed in SQL (the
    connection must have the extension loaded then).

    The same BM25 as ``fts_main_articles.match_bm25(article_id, q)`` with its defaults (title and body,
    k=1.2, b=0.75, any term): idf and length normalisation use the index's ``dict`` and ``stats``. Map
    ``docid`` to ``article_id`` with ``fts_main_articles.docs`` (``name``) or ``pw_docs``."""
    s = FTS_SCHEMA
    terms = (
        f"SELECT DISTINCT stem(unnest({s}.tokenize({text_param})), '{STEMMER}') AS term"
        if text_param
        else f"SELECT DISTINCT unnest({terms_param}) AS term"
    )
    return f"""
        WITH pw_q AS ({terms}),
        pw_qt AS (
            SELECT d.termid, log((st.num_docs - d.df + 0.5) / (d.df + 0.5) + 1) AS idf, st.avgdl
            FROM {s}.dict d CROSS JOIN {s}.stats st
            WHERE d.term IN (SELECT term FROM pw_q)
        )
        SELECT p.docid,
               sum(qt.idf * ((p.tf * ({BM25_K} + 1))
                             / (p.tf + {BM25_K} * (1 - {BM25_B} + {BM25_B} * (p.len / qt.avgdl))))) AS score
        FROM {s}.pw_postings p JOIN pw_qt qt USING (termid)
        GROUP BY p.docid
    """


def _pw_docs_sql(where: str) -> str:
    return f"""
        SELECT d.docid, d.name AS article_id, COALESCE(a.published_at, a.fetched_at) AS dated, a.source, a.language
        FROM {FTS_SCHEMA}.docs d JOIN articles a ON a.article_id = d.name
        WHERE {where}
    """


def _sort_postings(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)write ``pw_postings`` from ``terms`` and ``docs``, in term order (and ``pw_docs``)."""
    s = FTS_SCHEMA
    con.execute(f"CREATE OR REPLACE TABLE {s}.pw_docs AS {_pw_docs_sql('TRUE')} ORDER BY d.docid")
    con.execute(
        f"""
        CREATE OR REPLACE TABLE {s}.pw_postings AS
        SELECT t.termid, t.docid, CAST(count(*) AS INTEGER) AS tf, CAST(any_value(d.len) AS INTEGER) AS len
        FROM {s}.terms t JOIN {s}.docs d USING (docid)
        GROUP BY t.termid, t.docid
        ORDER BY t.termid, t.docid
        """
    )
    con.execute(f"CREATE OR REPLACE TABLE {s}.pw_state AS SELECT count(*) AS sorted_rows FROM {s}.pw_postings")


def _needs_resort(con: duckdb.DuckDBPyConnection) -> bool:
    s = FTS_SCHEMA
    try:
        sorted_rows = con.execute(f"SELECT max(sorted_rows) FROM {s}.pw_state").fetchone()[0] or 0
        total = con.execute(f"SELECT count(*) FROM {s}.pw_postings").fetchone()[0]
    except duckdb.CatalogException:
        return True
    return total - sorted_rows > RESORT_RATIO * total


def _full_build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        f"PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', stemmer='{STEMMER}',"
        " stopwords='english', strip_accents=1, lower=1, overwrite=1)"
    )
    con.execute("BEGIN TRANSACTION")
    try:
        _sort_postings(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


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
        CREATE OR REPLACE TEMP TABLE _pw_fts_ids AS
        SELECT t.docid, t.fieldid, d.termid FROM _pw_fts_terms t JOIN {s}.dict d USING (term)
        """
    )
    con.execute(f"INSERT INTO {s}.terms (docid, fieldid, termid) SELECT docid, fieldid, termid FROM _pw_fts_ids")
    con.execute(
        f"""
        INSERT INTO {s}.docs (docid, name, len)
        SELECT n.docid, n.name, (SELECT count(*) FROM _pw_fts_ids t WHERE t.docid = n.docid)
        FROM _pw_fts_new n
        """
    )
    con.execute(
        f"""
        INSERT INTO {s}.pw_postings (termid, docid, tf, len)
        SELECT t.termid, t.docid, count(*), any_value(d.len)
        FROM _pw_fts_ids t JOIN {s}.docs d USING (docid)
        GROUP BY t.termid, t.docid ORDER BY t.termid, t.docid
        """
    )
    con.execute(f"INSERT INTO {s}.pw_docs {_pw_docs_sql('d.docid IN (SELECT docid FROM _pw_fts_new)')}")
    con.execute(f"DELETE FROM {s}.stats")
    con.execute(f"INSERT INTO {s}.stats SELECT count(docid), sum(len) / count(len) FROM {s}.docs")
    for temp in ("_pw_fts_ids", "_pw_fts_terms", "_pw_fts_new"):
        con.execute(f"DROP TABLE {temp}")
    return int(added)


def refresh_search_index(con: duckdb.DuckDBPyConnection, *, rebuild_ratio: float = REBUILD_RATIO) -> IndexRefresh:
    """Bring the full-text index over ``articles.title``/``body`` up to date (see the module docstring).

    Needs the write connection, outside an open transaction. Raises ``RuntimeError`` when the fts
    extension cannot be loaded (the dashboard then searches with ILIKE).
    """
    started = time.perf_counter()

    def done(mode: str, added: int, documents: int) -> IndexRefresh:
        return IndexRefresh(mode, int(added), int(documents), round(time.perf_counter() - started, 3))

    if not load_fts(con):
        raise RuntimeError("the DuckDB fts extension is not available (install duckdb-extension-fts)")
    row = con.execute("SELECT type FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    if row and row[0] == "ducklake":
        return done("unsupported", 0, 0)  # the fts index needs DuckDB tables; the dashboard searches with ILIKE
    total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    if not index_exists(con):
        _full_build(con)
        return done("full", total, total)
    indexed = con.execute(f"SELECT count(*) FROM {FTS_SCHEMA}.docs").fetchone()[0]
    missing = total - indexed  # articles are never deleted, so this is the number of new ones
    if indexed == 0 or missing > rebuild_ratio * indexed:
        _full_build(con)
        return done("full", total, total)
    con.execute("BEGIN TRANSACTION")
    try:
        if _needs_resort(con) and missing > 0:
            _sort_postings(con)  # an index built elsewhere has no pw_postings yet
        added = _append(con) if missing > 0 else 0
        if _needs_resort(con):
            _sort_postings(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return done("incremental" if added else "unchanged", added, indexed + added)
