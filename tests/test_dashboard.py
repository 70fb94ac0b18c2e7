"""Dashboard tests: the panel queries, the read-only/lock handling, and the Streamlit app via AppTest."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import app, db, queries

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "flows" / "schema.sql"
APP = ROOT / "dashboards" / "app.py"

NOW = datetime.now(UTC).replace(microsecond=0)
SCRIPT_TITLE = "<script>alert(1)</script>"
EVIDENCE = "Pashinyan told Putin in Yerevan that the base stays <img src=x onerror=alert(1)> :red[LOUD]"


def build_db(path: Path) -> Path:
    """A small presswatch database: 4 articles (one 2, 20, 200 days old, one undated fetched yesterday)."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        day = timedelta(days=1)
        articles = [
            ("a1", "https://news.example/a1", SCRIPT_TITLE, NOW - 2 * day, NOW - 2 * day, "https://news.example/feed"),
            ("a2", "https://news.example/a2", "Pashinyan visits Gyumri", NOW - 20 * day, NOW - 20 * day, "feed2"),
            ("a3", "https://news.example/a3", "Putin speaks in Moscow", NOW - 200 * day, NOW - 200 * day, "feed2"),
            ("a4", "file:///seeds/brief.txt", "Undated brief", None, NOW - day, "seeds"),
        ]
        for aid, url, title, published, fetched, source in articles:
            con.execute(
                "INSERT INTO articles (article_id, url, title, body, published_at, fetched_at, source, language)"
                " VALUES (?, ?, ?, 'body', ?, ?, ?, 'en')",
                [aid, url, title, published, fetched, source],
            )
        con.execute(
            """INSERT INTO entities (entity_id, kind, name, country_code) VALUES
               ('Q1', 'actor', 'Nikol Pashinyan', 'AM'), ('Q2', 'actor', 'Vladimir Putin', 'RU'),
               ('Q3', 'location', 'Gyumri', 'AM'), ('Q4', 'location', 'Moscow', 'RU'),
               ('Q5', 'location', 'Yerevan', 'AM'), ('org:csto', 'organization', 'CSTO', NULL)"""
        )
        con.execute(
            """INSERT INTO mentions (article_id, entity_id, surface, start_char, end_char, field, sentence) VALUES
               ('a1', 'Q1', 'Pashinyan', 0, 9, 'body', 1), ('a1', 'Q2', 'Putin', 15, 20, 'body', 1),
               ('a1', 'Q5', 'Yerevan', 24, 31, 'body', 1),
               ('a2', 'Q1', 'Pashinyan', 0, 9, 'title', 0), ('a2', 'Q3', 'Gyumri', 17, 23, 'title', 0),
               ('a2', 'Q1', 'Nikol Pashinyan', 0, 15, 'body', 1),
               ('a3', 'Q2', 'Putin', 0, 5, 'title', 0), ('a3', 'Q4', 'Moscow', 16, 22, 'title', 0),
               ('a4', 'org:csto', 'CSTO', 0, 4, 'body', 1)"""
        )
        con.execute(
            "INSERT INTO alerts VALUES ('al1', 'armenia-russia', 'a1', ?, ?, 2.5, ['Q1', 'Vladimir Putin'],"
            " '[[0, 40]]', NULL)",
            [NOW - 2 * day + timedelta(hours=1), EVIDENCE],
        )
        con.execute(
            """INSERT INTO runs (run_id, started_at, finished_at, status, articles_new, articles_quarantined,
                                 mentions_new, alerts_new, validation_success, message) VALUES
               ('r1', ?, ?, 'completed', 3, 0, 7, 1, TRUE, NULL),
               ('r2', ?, ?, 'failed', 1, 1, 2, 0, FALSE, 'feed timeout')""",
            [
                NOW - 3 * day,
                NOW - 3 * day + timedelta(seconds=40),
                NOW - timedelta(hours=1),
                NOW - timedelta(hours=1) + timedelta(seconds=12),
            ],
        )
        con.execute(
            "INSERT INTO validations VALUES ('r2', 'articles', FALSE, 10, 1, 4, 1, ?, 'data/gx/index.html', ?)",
            [
                json.dumps([{"expectation": "expect_column_values_to_not_be_null", "success": False}]),
                NOW - timedelta(hours=1),
            ],
        )
        con.execute(
            "INSERT INTO quarantine VALUES ('seeds/broken.txt', 'clean', 'no usable text after cleaning',"
            " '<b>junk</b>', ?, 'r2')",
            [NOW - timedelta(hours=1)],
        )
    finally:
        con.close()
    return path


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No presswatch.toml from the checkout, no leftover snapshots between tests."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRESSWATCH_CONFIG", raising=False)
    monkeypatch.delenv("PRESSWATCH_DB", raising=False)
    db.clear_snapshots()
    yield
    db.clear_snapshots()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_db(tmp_path / "presswatch.duckdb")


@pytest.fixture
def conn(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect(str(db_path), read_only=True)
    queries.prepare(c)
    yield c
    c.close()


@pytest.fixture
def app_db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRESSWATCH_DB", str(db_path))
    return db_path


def run_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.query_params.update(query)
    return at.run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def rendered_texts(at: AppTest) -> list[str]:
    """Every string the browser would interpret as Markdown/HTML."""
    texts: list[str] = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success"):
        texts += [str(el.value) for el in getattr(at, kind)]
    texts += [str(el.proto.body) for el in at.get("html")]
    texts += [f"{m.label} {m.value}" for m in at.metric]
    texts += [str(e.label) for e in at.expander]
    return texts


def dataframe_values(at: AppTest) -> list[str]:
    return [str(v) for df in at.dataframe for v in df.value.to_numpy().ravel()]


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# ---------------------------------------------------------------------------------------------- queries


def test_headline_counts_all_and_period(conn: duckdb.DuckDBPyConnection) -> None:
    row = queries.headline_counts(conn).iloc[0]
    assert (row.articles_total, row.articles, row.alerts_unacknowledged) == (4, 4, 1)
    assert row.last_run_status == "failed"
    week = queries.headline_counts(conn, queries.period_start(7)).iloc[0]
    assert (week.articles_total, week.articles, week.alerts_unacknowledged) == (4, 2, 1)
    month = queries.headline_counts(conn, queries.period_start(30)).iloc[0]
    assert month.articles == 3


def test_headline_counts_on_empty_tables(tmp_path: Path) -> None:
    c = duckdb.connect(str(tmp_path / "e.duckdb"))
    c.execute(SCHEMA.read_text(encoding="utf-8"))
    row = queries.headline_counts(c).iloc[0]
    assert row.articles == 0 and row.alerts_unacknowledged == 0
    assert pd.isna(row.last_run_status)
    c.close()


def test_articles_per_day(conn: duckdb.DuckDBPyConnection) -> None:
    df = queries.articles_per_day(conn)
    assert df["articles"].sum() == 4 and df["alert_articles"].sum() == 1
    assert list(df["day"]) == sorted(df["day"])
    week = queries.articles_per_day(conn, queries.period_start(7))
    assert week["articles"].sum() == 2
    assert queries.articles_per_day(conn, rule="other-rule")["alert_articles"].sum() == 0


def test_top_actors_and_locations(conn: duckdb.DuckDBPyConnection) -> None:
    actors = queries.top_actors(conn)
    assert dict(zip(actors["name"], actors["articles"], strict=True)) == {"Nikol Pashinyan": 2, "Vladimir Putin": 2}
    week = queries.top_actors(conn, queries.period_start(7))
    assert dict(zip(week["name"], week["articles"], strict=True)) == {"Nikol Pashinyan": 1, "Vladimir Putin": 1}
    assert set(queries.top_locations(conn)["name"]) == {"Gyumri", "Moscow", "Yerevan"}
    assert list(queries.top_locations(conn, queries.period_start(7))["name"]) == ["Yerevan"]
    assert len(queries.top_actors(conn, limit=1)) == 1
    assert list(queries.top_entities(conn, "organization")["name"]) == ["CSTO"]


def test_filters_are_parameters_not_sql(conn: duckdb.DuckDBPyConnection) -> None:
    assert queries.top_entities(conn, "actor' OR '1'='1").empty


def test_latest_alerts(conn: duckdb.DuckDBPyConnection) -> None:
    df = queries.latest_alerts(conn)
    assert len(df) == 1
    row = df.iloc[0]
    assert row.title == SCRIPT_TITLE and row.url == "https://news.example/a1"
    assert row.source == "https://news.example/feed" and row.evidence == EVIDENCE
    assert list(row.matched_entities) == ["Q1", "Vladimir Putin"]
    assert list(row.matched_names) == ["Nikol Pashinyan", "Vladimir Putin"]
    # ids resolved to names, plus the article's own spellings
    assert {"Nikol Pashinyan", "Pashinyan", "Vladimir Putin", "Putin"} <= set(row.highlight_terms)
    assert "Yerevan" not in set(row.highlight_terms)
    assert row.score == 2.5 and pd.isna(row.acknowledged_at)
    assert queries.latest_alerts(conn, queries.period_start(1)).empty


def test_runs_validations_quarantine(conn: duckdb.DuckDBPyConnection) -> None:
    runs = queries.last_runs(conn)
    assert list(runs["run_id"]) == ["r2", "r1"]
    assert list(runs["duration_seconds"]) == [12.0, 40.0]
    assert list(runs["validation_success"]) == [False, True]
    val = queries.validation_results(conn)
    assert list(val["suite"]) == ["articles"] and not val.iloc[0].success
    assert val.iloc[0].data_docs == "data/gx/index.html"
    q = queries.quarantine(conn)
    assert list(q["reason"]) == ["no usable text after cleaning"]
    assert queries.quarantine_count(conn).iloc[0].quarantined == 1


# --------------------------------------------------------------------------------------- db / locking


def test_read_panels_fresh_then_snapshot_while_locked(db_path: Path) -> None:
    panels = {"n": lambda c: c.execute("SELECT count(*) AS n FROM articles").df()}
    fresh = db.read_panels(db_path, "k", panels)
    assert fresh.state == "fresh" and int(fresh.get("n").iloc[0].n) == 4
    writer = duckdb.connect(str(db_path))  # same process: DuckDB refuses a read-only open now
    try:
        stale = db.read_panels(db_path, "k", panels, retry_seconds=0.2)
        assert stale.state == "snapshot" and int(stale.get("n").iloc[0].n) == 4
        assert db.read_panels(db_path, "other", panels, retry_seconds=0.2).state == "busy"
    finally:
        writer.close()
    # the reader closed its connection: a writer can take the file again at once
    duckdb.connect(str(db_path)).close()


def test_read_panels_missing_empty_unreadable(tmp_path: Path) -> None:
    assert db.read_panels(tmp_path / "nope.duckdb", "k", {}).state == "missing"
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    assert db.read_panels(tmp_path / "empty.duckdb", "k", {}).state == "empty"
    (tmp_path / "junk.duckdb").write_bytes(b"not a database" * 1000)
    assert db.read_panels(tmp_path / "junk.duckdb", "k", {}, retry_seconds=0.1).state == "unreadable"


def test_panel_failing_on_old_schema_is_skipped(db_path: Path) -> None:
    panels = {"ok": lambda c: c.execute("SELECT 1 AS x").df(), "old": lambda c: c.execute("FROM nope").df()}
    res = db.read_panels(db_path, "k", panels)
    assert res.state == "fresh" and res.get("old") is None and res.problems == ("old",)


# ------------------------------------------------------------------------------------------ rendering


def test_highlight_escapes_and_marks() -> None:
    out = app.highlight("Putin & <b>Pashinyan</b> met. PUTIN again; Putinism not.", ["Putin", "Pashinyan"])
    assert "<b>" not in out and "&lt;b&gt;" in out and "&amp;" in out
    assert out.count("<mark>") == 3  # Putin, Pashinyan, PUTIN; not "Putinism"
    assert "<mark>Pashinyan</mark>" in out
    assert app.highlight("AT&T said", ["AT&T"]) == "<mark>AT&amp;T</mark> said"
    assert app.md_escape(":red[x] $x$ [a](javascript:alert(1))") == (
        "\\:red\\[x\\] \\$x\\$ \\[a\\]\\(javascript\\:alert\\(1\\)\\)"
    )


def test_time_helpers() -> None:
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    assert app.ago(datetime(2026, 1, 2, 10, 59, tzinfo=UTC), now) == "1 hour ago"
    assert app.ago(datetime(2025, 12, 30, 12, 0), now) == "3 days ago"  # naive = UTC
    assert app.ago(None, now) == "" and app.fmt_time(pd.NaT) == "—"
    assert app.fmt_time(datetime(2026, 1, 2, 12, 0, tzinfo=UTC)) == "2026-01-02 12:00 UTC"


def test_safe_link() -> None:
    assert app.safe_link("https://e.example/a b(c)") == "https://e.example/a%20b%28c%29"
    assert app.safe_link("javascript:alert(1)") is None
    assert app.safe_link("file:///etc/passwd") is None
    assert app.safe_link(None) is None


# -------------------------------------------------------------------------------------------- the app


def test_app_renders_overview(app_db: Path) -> None:
    at = run_app()
    no_exceptions(at)
    assert at.title[0].value == "presswatch"
    m = metrics(at)
    assert m["Articles stored"] == "4"
    assert m["Unacknowledged alerts"] == "1"
    assert "failed" in m["Last run"]
    texts = rendered_texts(at)
    joined = "\n".join(texts)
    # evidence shown with matched names highlighted, and its HTML neutralised
    assert "<mark>Pashinyan</mark> told <mark>Putin</mark> in Yerevan" in joined
    assert "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;" in joined
    assert "\\:red\\[LOUD\\]" in joined
    # the hostile title is displayed, escaped, never as a tag
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in joined
    assert not any("<script" in t.lower() or "<img" in t.lower() for t in texts)
    # top actors / places, runs, data docs, quarantine
    values = dataframe_values(at)
    assert "Nikol Pashinyan" in values and "Vladimir Putin" in values and "Gyumri" in values
    assert "no usable text after cleaning" in values
    assert any("problems found" in v for v in values)
    assert any(c.value.startswith("file://") and c.value.endswith("data/gx/index.html") for c in at.code)
    assert any("Matched: Nikol Pashinyan, Vladimir Putin" in t for t in texts)
    assert at.query_params.get("period") == "all"


def test_period_filter_changes_counts_and_url(app_db: Path) -> None:
    at = run_app()
    at.radio(key="period").set_value("7d").run()
    no_exceptions(at)
    m = metrics(at)
    assert m["Articles · last 7 days"] == "2"
    assert at.query_params["period"] == "7d"
    values = dataframe_values(at)
    assert "Yerevan" in values and "Gyumri" not in values

    # the period comes back from the URL
    at30 = run_app(period="30d")
    no_exceptions(at30)
    assert at30.radio(key="period").value == "30d"
    assert metrics(at30)["Articles · last 30 days"] == "3"

    # a bad value falls back to the default
    bad = run_app(period="1; DROP TABLE articles")
    no_exceptions(bad)
    assert metrics(bad)["Articles stored"] == "4"


def test_app_on_database_without_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    con.close()
    monkeypatch.setenv("PRESSWATCH_DB", str(path))
    at = run_app()
    no_exceptions(at)
    assert metrics(at)["Articles stored"] == "0"
    assert "never run" in metrics(at)["Last run"]
    assert any("No articles in this period" in i.value for i in at.info)


def test_missing_db_shows_friendly_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSWATCH_DB", str(tmp_path / "nothing" / "here.duckdb"))
    at = run_app()
    no_exceptions(at)
    assert any("No data yet" in i.value and "make run" in i.value for i in at.info)
    assert not (tmp_path / "nothing").exists()  # the dashboard never creates the database


@pytest.fixture
def writer_process(app_db: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding DuckDB's write lock on the file, like the ingest flow loading a batch."""
    code = textwrap.dedent(
        f"""
        import sys, duckdb
        con = duckdb.connect({str(app_db)!r})
        print("locked", flush=True)
        sys.stdin.read()
        con.close()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_locked_db_shows_snapshot_not_error(app_db: Path, request: pytest.FixtureRequest) -> None:
    first = run_app()
    no_exceptions(first)
    assert metrics(first)["Articles stored"] == "4"

    request.getfixturevalue("writer_process")  # another process now holds the write lock
    at = run_app()
    no_exceptions(at)
    assert any("showing the last snapshot" in i.value for i in at.info)
    assert metrics(at)["Articles stored"] == "4"

    # a view never loaded before has no snapshot: a calm "being refreshed" notice, no data, no error
    fresh_view = run_app(period="90d")
    no_exceptions(fresh_view)
    assert any("being refreshed" in i.value for i in fresh_view.info)
    assert not fresh_view.metric


def test_db_held_by_writer_in_same_process(app_db: Path) -> None:
    run_app()  # leaves a snapshot
    writer = duckdb.connect(str(app_db))
    try:
        at = run_app()
    finally:
        writer.close()
    no_exceptions(at)
    assert any("showing the last snapshot" in i.value for i in at.info)
    assert metrics(at)["Unacknowledged alerts"] == "1"
