"""flows/search_index.py: the fts extension loads offline, the index presswatch builds and appends
to scores exactly like the extension's own index (match_bm25) over the same articles, and a failed
refresh leaves the index as it was."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from flows import search_index as si

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "flows" / "schema.sql"

DOCS = [
    ("d1", "Putin and Pashinyan hold talks", "The leaders talked in Moscow about gas prices and the border."),
    ("d2", "Armenia's parliament votes", "Armenians voted; the Russian base in Gyumri was not discussed."),
    ("d3", "Café élan in Yerevan", "Zebra crossings and zebras. Nothing about politics here."),
    ("d4", None, "Only a body: talks, talks and more talks about Gyumri."),
    ("d5", "Pashinyan", ""),
]
MORE = [
    ("d6", "New talks in Baku", "Aliyev and Pashinyan talk about the border in Baku."),
    ("d7", "Gas prices rise", "Gazprom raises gas prices for Armenia again; Pashinyan protests."),
    ("d8", "Zebra news", "A zebra escaped from the Yerevan zoo."),
]
QUERIES = ["talks", "Pashinyan", "gas prices", "zebra", "cafe", "Gyumri border", "armenians", "nothing-here", "", "!!!"]


def insert(con: duckdb.DuckDBPyConnection, docs: list[tuple]) -> None:
    for aid, title, body in docs:
        con.execute(
            "INSERT INTO articles (article_id, url, title, body, published_at, fetched_at, source, language)"
            " VALUES (?, ?, ?, ?, now(), now(), 'https://x.example/rss', 'en')",
            [aid, f"https://x.example/{aid}", title, body],
        )


def extension_scores(docs: list[tuple], queries: list[str]) -> dict[str, dict[str, float]]:
    """match_bm25 of the extension's own index over `docs`, built in a separate in-memory database."""
    ref = duckdb.connect(":memory:")
    try:
        assert si.load_fts(ref)
        ref.execute("CREATE TABLE articles (article_id VARCHAR, title VARCHAR, body VARCHAR)")
        ref.executemany("INSERT INTO articles VALUES (?, ?, ?)", [list(d) for d in docs])
        ref.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body')")
        sql = (
            "SELECT article_id, s FROM (SELECT article_id, fts_main_articles.match_bm25(article_id, $q) AS s"
            " FROM articles) WHERE s IS NOT NULL"
        )
        return {q: dict(ref.execute(sql, {"q": q}).fetchall()) for q in queries}
    finally:
        ref.close()


def ours(con: duckdb.DuckDBPyConnection, q: str) -> dict[str, float]:
    """The dashboard's scores: terms stemmed in the process-wide helper, and stemmed in SQL - both."""
    names = "s JOIN fts_main_articles.docs d USING (docid)"
    sql = f"SELECT d.name, s.score FROM ({si.bm25_scores_sql()}) {names}"
    by_terms = dict(con.execute(sql, {"terms": si.query_terms(q)}).fetchall())
    sql = f"SELECT d.name, s.score FROM ({si.bm25_scores_sql(text_param='$q')}) {names}"
    in_sql = dict(con.execute(sql, {"q": q}).fetchall())
    assert same(by_terms, in_sql), q
    return by_terms


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(abs(a[k] - b[k]) < 1e-9 for k in a)


@pytest.fixture
def con(tmp_path: Path):
    c = duckdb.connect(str(tmp_path / "s.duckdb"))
    c.execute(SCHEMA.read_text(encoding="utf-8"))
    yield c
    c.close()


def test_extension_loads_from_the_wheel(con: duckdb.DuckDBPyConnection) -> None:
    path = si.fts_extension_path()
    assert path is not None and path.name == "fts.duckdb_extension"
    assert si.load_fts(con)
    assert con.execute("SELECT stem('talks', 'porter')").fetchone()[0] == "talk"
    assert si.query_terms("Talks, TALKING & Café élan!") == ["cafe", "elan", "talk"]
    assert si.query_terms("!!!") == [] and si.query_terms("") == []


def test_built_then_appended_index_scores_like_the_extensions_own(con: duckdb.DuckDBPyConnection, monkeypatch) -> None:
    insert(con, DOCS)
    monkeypatch.setattr(si, "APPEND_CHUNK", 2)  # a backlog is tokenised in slices: 5 articles in 3 here
    first = si.refresh_search_index(con)
    assert (first.mode, first.documents) == ("full", 5)
    assert si.layout_ok(con)
    expected = extension_scores(DOCS, QUERIES)
    for q in QUERIES:
        assert same(ours(con, q), expected[q]), q
    insert(con, MORE[:1])
    step = si.refresh_search_index(con)
    assert (step.mode, step.added, step.documents) == ("incremental", 1, 6)
    insert(con, MORE[1:])
    assert si.refresh_search_index(con).added == 2
    assert si.refresh_search_index(con).mode == "unchanged"
    expected = extension_scores(DOCS + MORE, QUERIES)
    for q in QUERIES:
        assert same(ours(con, q), expected[q]), q  # appended in three steps = the extension's one build
    assert set(expected["zebra"]) == {"d3", "d8"} and "d6" in expected["talks"]
    assert con.execute("SELECT count(*) FROM fts_main_articles.pw_docs").fetchone()[0] == 8


def test_postings_are_resorted_when_the_tail_grows(con: duckdb.DuckDBPyConnection, monkeypatch) -> None:
    insert(con, DOCS)
    si.refresh_search_index(con)
    monkeypatch.setattr(si, "RESORT_RATIO", 0.0)
    insert(con, MORE[:1])
    si.refresh_search_index(con)
    sorted_rows = con.execute("SELECT sorted_rows FROM fts_main_articles.pw_state").fetchone()[0]
    assert sorted_rows == con.execute("SELECT count(*) FROM fts_main_articles.pw_postings").fetchone()[0]
    termids = [r[0] for r in con.execute("SELECT termid FROM fts_main_articles.pw_postings").fetchall()]
    assert termids == sorted(termids)
    assert same(ours(con, "Pashinyan"), extension_scores(DOCS + MORE[:1], ["Pashinyan"])["Pashinyan"])


def stored_order(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    return con.execute("SELECT termid, docid FROM fts_main_articles.pw_postings ORDER BY rowid").fetchall()


@pytest.mark.parametrize("chunk", [100, 2])
def test_a_first_build_leaves_the_postings_in_term_order(con: duckdb.DuckDBPyConnection, monkeypatch, chunk) -> None:
    """One chunk into an empty index is inserted in term order and needs no rewrite; several chunks
    (a first build of more than APPEND_CHUNK articles) interleave old terms and are rewritten."""
    resorts = []
    monkeypatch.setattr(si, "APPEND_CHUNK", chunk)
    monkeypatch.setattr(si, "_sort_postings", lambda c, real=si._sort_postings: resorts.append(1) or real(c))
    insert(con, DOCS)
    si.refresh_search_index(con)
    assert stored_order(con) == sorted(stored_order(con))
    sorted_rows = con.execute("SELECT sorted_rows FROM fts_main_articles.pw_state").fetchone()[0]
    assert sorted_rows == len(stored_order(con))
    assert len(resorts) == (0 if chunk >= len(DOCS) else 1)
    assert same(ours(con, "talks"), extension_scores(DOCS, ["talks"])["talks"])


def test_an_index_in_the_extensions_layout_is_replaced(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, DOCS)
    si.load_fts(con)
    con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body')")  # as earlier versions did
    assert not si.layout_ok(con)
    insert(con, MORE[:1])
    assert si.refresh_search_index(con).mode == "full"
    assert si.layout_ok(con)
    assert con.execute("SELECT count(*) FROM fts_main_articles.docs").fetchone()[0] == 6
    assert same(ours(con, "Pashinyan"), extension_scores(DOCS + MORE[:1], ["Pashinyan"])["Pashinyan"])


def test_a_failed_refresh_leaves_the_index_as_it_was(con: duckdb.DuckDBPyConnection, monkeypatch) -> None:
    insert(con, DOCS)
    si.refresh_search_index(con)
    before = ours(con, "talks")
    insert(con, MORE)
    real = si._append_chunk

    def fail_halfway(c, first, last):
        real(c, first, last)
        raise duckdb.IOException("disk full")

    monkeypatch.setattr(si, "_append_chunk", fail_halfway)
    with pytest.raises(duckdb.IOException):
        si.refresh_search_index(con)
    assert con.execute("SELECT count(*) FROM fts_main_articles.docs").fetchone()[0] == 5
    assert same(ours(con, "talks"), before)
    monkeypatch.setattr(si, "_append_chunk", real)
    assert si.refresh_search_index(con).added == 3


def test_refresh_with_empty_articles(con: duckdb.DuckDBPyConnection) -> None:
    assert si.refresh_search_index(con).documents == 0
    insert(con, DOCS)
    step = si.refresh_search_index(con)
    assert (step.mode, step.added) == ("incremental", 5)
