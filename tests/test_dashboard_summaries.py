"""flows/summaries.py: incremental refreshes give exactly what a full rebuild gives, and cheap no-ops."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from flows import summaries

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import make_big_db  # noqa: E402

TABLES = (
    "articles_hour",
    "rule_articles_hour",
    "entity_day",
    "entity_total",
    "pair_day",
    "pair_total",
    "entity_articles",
    "stories",
)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 generated articles (bench/make_big_db.py), no summaries or index yet."""
    out = tmp_path_factory.mktemp("gen") / "gen.duckdb"
    assert (
        make_big_db.main(
            [
                "--articles",
                "3000",
                "--out",
                str(out),
                "--days",
                "60",
                "--entities",
                "400",
                "--no-summaries",
                "--no-search-index",
            ]
        )
        == 0
    )
    return out


def snapshot(con: duckdb.DuckDBPyConnection, hubs: set[str] | None = None) -> dict[str, list[tuple]]:
    out = {}
    for table in TABLES:
        rows = con.execute(f"SELECT * FROM summary.{table} ORDER BY ALL").fetchall()
        if table.startswith("pair") and hubs is not None:
            rows = [r for r in rows if r[-3] in hubs and r[-2] in hubs]
        out[table] = rows
    return out


def test_incremental_equals_full(generated: Path, tmp_path: Path) -> None:
    path = tmp_path / "inc.duckdb"
    path.write_bytes(generated.read_bytes())
    con = duckdb.connect(str(path))
    # hold back the articles of ~60 runs (with their mentions and alerts), as if they had not arrived yet
    con.execute(
        "CREATE TABLE hold_a AS SELECT * FROM articles WHERE run_id IN"
        " (SELECT DISTINCT run_id FROM articles ORDER BY run_id LIMIT 60)"
    )
    con.execute("CREATE TABLE hold_m AS SELECT * FROM mentions WHERE article_id IN (SELECT article_id FROM hold_a)")
    con.execute("CREATE TABLE hold_al AS SELECT * FROM alerts WHERE article_id IN (SELECT article_id FROM hold_a)")
    held = con.execute("SELECT count(*) FROM hold_a").fetchone()[0]
    assert held > 50
    for table in ("mentions", "alerts", "articles"):
        con.execute(f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM hold_a)")
    first = summaries.refresh_summaries(con)
    assert first.mode == "full" and first.articles == 3000 - held
    # they arrive in two runs' worth of loads, each followed by a refresh, like the flow does
    for cond in ("hash(article_id) % 2 = 0", "TRUE"):
        con.execute(
            f"INSERT INTO articles SELECT * FROM hold_a WHERE {cond}"
            " AND article_id NOT IN (SELECT article_id FROM articles)"
        )
        con.execute(
            "INSERT INTO mentions SELECT * FROM hold_m WHERE article_id IN (SELECT article_id FROM articles)"
            " AND article_id NOT IN (SELECT DISTINCT article_id FROM mentions)"
        )
        con.execute(
            "INSERT INTO alerts SELECT * FROM hold_al WHERE article_id IN (SELECT article_id FROM articles)"
            " AND alert_id NOT IN (SELECT alert_id FROM alerts)"
        )
        step = summaries.refresh_summaries(con)
        assert step.mode == "incremental" and step.days
    # a spike alert on an old article, later
    con.execute(
        "INSERT INTO alerts (alert_id, rule, article_id, created_at) SELECT 'late', 'spike:x', article_id,"
        " now() FROM articles ORDER BY fetched_at LIMIT 1"
    )
    assert summaries.refresh_summaries(con).days == 1
    again = summaries.refresh_summaries(con)
    assert again.mode == "unchanged" and again.days == 0 and again.articles == 3000
    hubs_inc = {r[0] for r in con.execute("SELECT entity_id FROM summary.hubs").fetchall()}
    incremental = snapshot(con)
    summaries.refresh_summaries(con, full=True)
    hubs_full = {r[0] for r in con.execute("SELECT entity_id FROM summary.hubs").fetchall()}
    assert hubs_full <= hubs_inc  # hubs only ever get added
    full = snapshot(con, hubs_full)
    incremental = {
        t: ([r for r in rows if r[-3] in hubs_full and r[-2] in hubs_full] if t.startswith("pair") else rows)
        for t, rows in incremental.items()
    }
    assert incremental == full
    con.close()


def test_summary_contents(generated: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    path.write_bytes(generated.read_bytes())
    con = duckdb.connect(str(path))
    summaries.refresh_summaries(con)
    # per-day entity counts add up to distinct (article, entity) pairs; hours add up to articles
    assert (
        con.execute("SELECT sum(articles) FROM summary.entity_day").fetchone()[0]
        == con.execute("SELECT count(*) FROM (SELECT DISTINCT article_id, entity_id FROM mentions)").fetchone()[0]
    )
    assert con.execute("SELECT sum(articles) FROM summary.articles_hour").fetchone()[0] == 3000
    assert (
        con.execute("SELECT count(*) FROM summary.entity_articles").fetchone()[0]
        == con.execute("SELECT count(*) FROM (SELECT DISTINCT article_id, entity_id FROM mentions)").fetchone()[0]
    )
    # pairs only between hubs, ordered, and hubs are people/places
    assert con.execute("SELECT count(*) FROM summary.pair_day WHERE entity_a >= entity_b").fetchone()[0] == 0
    kinds = {
        r[0]
        for r in con.execute("SELECT DISTINCT e.kind FROM summary.hubs h JOIN entities e USING (entity_id)").fetchall()
    }
    assert kinds <= {"actor", "location"}
    assert con.execute("SELECT min(articles) FROM summary.stories").fetchone()[0] >= 2
    assert {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()} >= {
        "pw_mentions_article_id"
    }
    con.close()


def test_refresh_on_empty_database(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "e.duckdb"))
    con.execute((ROOT / "flows" / "schema.sql").read_text(encoding="utf-8"))
    assert summaries.refresh_summaries(con).mode == "full"
    assert summaries.refresh_summaries(con).mode == "unchanged"
    assert con.execute("SELECT articles FROM summary.state").fetchone()[0] == 0
    con.close()


def test_refresh_rolls_back_on_error(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.duckdb"
    path.write_bytes(generated.read_bytes())
    con = duckdb.connect(str(path))
    summaries.refresh_summaries(con)
    before = snapshot(con)
    con.execute("INSERT INTO articles (article_id, url, fetched_at, run_id) VALUES ('zz', 'u', now(), 'new-run')")

    def boom(_con: duckdb.DuckDBPyConnection) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(summaries, "_add_hubs", boom)
    with pytest.raises(RuntimeError):
        summaries.refresh_summaries(con)
    assert snapshot(con) == before
    monkeypatch.undo()
    assert summaries.refresh_summaries(con).articles == 3001
    con.close()
