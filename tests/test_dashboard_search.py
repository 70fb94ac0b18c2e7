"""flows/search_index.py: the fts extension loads offline, incremental refreshes equal a rebuild, and
the dashboard's BM25 query scores exactly like the extension's match_bm25."""

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


def match_bm25(con: duckdb.DuckDBPyConnection, q: str) -> dict[str, float]:
    return dict(
        con.execute(
            "SELECT article_id, s FROM (SELECT article_id, fts_main_articles.match_bm25(article_id, $q) AS s"
            " FROM articles) WHERE s IS NOT NULL",
            {"q": q},
        ).fetchall()
    )


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


def test_full_build_then_incremental_equals_rebuild(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, DOCS)
    first = si.refresh_search_index(con)
    assert (first.mode, first.documents) == ("full", 5)
    assert si.layout_ok(con)
    for q in QUERIES:
        assert same(ours(con, q), match_bm25(con, q)), q
    insert(con, MORE[:1])
    step = si.refresh_search_index(con, rebuild_ratio=10)
    assert (step.mode, step.added, step.documents) == ("incremental", 1, 6)
    insert(con, MORE[1:])
    assert si.refresh_search_index(con, rebuild_ratio=10).added == 2
    assert si.refresh_search_index(con).mode == "unchanged"
    incremental = {q: match_bm25(con, q) for q in QUERIES}
    for q in QUERIES:
        assert same(ours(con, q), incremental[q]), q  # our query on the appended index = match_bm25
    assert set(incremental["zebra"]) == {"d3", "d8"} and "d6" in incremental["talks"]
    stats = con.execute("SELECT num_docs, avgdl FROM fts_main_articles.stats").fetchone()
    pw_docs = con.execute("SELECT count(*) FROM fts_main_articles.pw_docs").fetchone()[0]
    # a full rebuild over the same articles gives the same scores, statistics and side tables
    con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body', overwrite=1)")
    for q in QUERIES:
        assert same(match_bm25(con, q), incremental[q]), q
    assert con.execute("SELECT num_docs, avgdl FROM fts_main_articles.stats").fetchone() == pytest.approx(stats)
    assert pw_docs == 8


def test_many_new_articles_trigger_a_rebuild(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, DOCS[:2])
    si.refresh_search_index(con)
    insert(con, DOCS[2:] + MORE)
    assert si.refresh_search_index(con).mode == "full"  # 6 new for 2 indexed: rebuilding is cheaper
    assert same(ours(con, "zebra"), match_bm25(con, "zebra"))


def test_postings_are_resorted_when_the_tail_grows(con: duckdb.DuckDBPyConnection, monkeypatch) -> None:
    insert(con, DOCS)
    si.refresh_search_index(con)
    monkeypatch.setattr(si, "RESORT_RATIO", 0.0)
    insert(con, MORE[:1])
    si.refresh_search_index(con, rebuild_ratio=10)
    sorted_rows = con.execute("SELECT sorted_rows FROM fts_main_articles.pw_state").fetchone()[0]
    assert sorted_rows == con.execute("SELECT count(*) FROM fts_main_articles.pw_postings").fetchone()[0]
    termids = [r[0] for r in con.execute("SELECT termid FROM fts_main_articles.pw_postings").fetchall()]
    assert termids == sorted(termids)


def test_index_built_elsewhere_gets_side_tables(con: duckdb.DuckDBPyConnection) -> None:
    insert(con, DOCS)
    si.load_fts(con)
    con.execute("PRAGMA create_fts_index('articles', 'article_id', 'title', 'body')")
    assert not si.layout_ok(con)
    insert(con, MORE[:1])
    si.refresh_search_index(con, rebuild_ratio=10)
    assert si.layout_ok(con)
    assert same(ours(con, "Pashinyan"), match_bm25(con, "Pashinyan"))


def test_refresh_with_empty_articles(con: duckdb.DuckDBPyConnection) -> None:
    assert si.refresh_search_index(con).documents == 0
    insert(con, DOCS)
    assert si.refresh_search_index(con).mode == "full"
