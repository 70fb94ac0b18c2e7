"""Dashboard tests: the panel queries (with and without summary tables), the read-only/lock handling,
and every page of the Streamlit app via AppTest (the browser test is tests/test_browser.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboards import app, db, queries
from flows.search_index import refresh_search_index
from flows.summaries import refresh_summaries

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "flows" / "schema.sql"
APP = ROOT / "dashboards" / "app.py"

NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
SCRIPT_TITLE = "<script>alert(1)</script>"
EVIDENCE = "Pashinyan told Putin in Yerevan that the base stays <img src=x onerror=alert(1)> :red[LOUD]"
SPIKE_EVIDENCE = "12 articles on armenia-russia in 6 h (usually 2)"

# (article_id, url, title, body, published, fetched, source, language, story_id)
ARTICLES = [
    (
        "a1",
        "https://news.example/a1",
        SCRIPT_TITLE,
        "Pashinyan told Putin in Yerevan that the base stays.",
        NOW - 2 * DAY,
        NOW - 2 * DAY,
        "https://news.example/feed",
        "en",
        "a1",
    ),
    (
        "a2",
        "https://other.example/a2",
        "Pashinyan visits Gyumri",
        "Nikol Pashinyan spoke in Gyumri about gas prices.",
        NOW - 20 * DAY,
        NOW - 20 * DAY,
        "https://other.example/rss",
        "en",
        "a2",
    ),
    (
        "a3",
        "https://other.example/a3",
        "Putin speaks in Moscow",
        "Vladimir Putin said Moscow will talk to Armenia.",
        NOW - 200 * DAY,
        NOW - 200 * DAY,
        "https://other.example/rss",
        "ru",
        "a3",
    ),
    (
        "a4",
        "file:///seeds/brief.txt",
        "Undated brief",
        "The CSTO met in Yerevan. 100% sure_thing.",
        None,
        NOW - DAY,
        "seeds",
        "en",
        "a4",
    ),
    (
        "a5",
        "https://copy.example/a5",
        "Pashinyan and Putin talk",
        "A copy: Pashinyan told Putin the base stays.",
        NOW - 2 * DAY + timedelta(hours=3),
        NOW - 2 * DAY + timedelta(hours=3),
        "https://copy.example/rss",
        "en",
        "a1",
    ),
]
ENTITIES = [
    ("Q1", "actor", "Nikol Pashinyan", "AM", None, None),
    ("Q2", "actor", "Vladimir Putin", "RU", None, None),
    ("Q3", "location", "Gyumri", "AM", 40.79, 43.85),
    ("Q4", "location", "Moscow", "RU", 55.75, 37.62),
    ("Q5", "location", "Yerevan", "AM", 40.18, 44.51),
    ("Q6", "location", "Armenia", "AM", None, None),
    ("org:csto", "organization", "CSTO", None, None, None),
]
# (article_id, entity_id, surface, field)
MENTIONS = [
    ("a1", "Q1", "Pashinyan", "body"),
    ("a1", "Q2", "Putin", "body"),
    ("a1", "Q5", "Yerevan", "body"),
    ("a2", "Q1", "Pashinyan", "title"),
    ("a2", "Q3", "Gyumri", "title"),
    ("a2", "Q1", "Nikol Pashinyan", "body"),
    ("a2", "Q3", "Gyumri", "body"),
    ("a3", "Q2", "Putin", "title"),
    ("a3", "Q4", "Moscow", "title"),
    ("a3", "Q6", "Armenia", "body"),
    ("a4", "org:csto", "CSTO", "body"),
    ("a4", "Q5", "Yerevan", "body"),
    ("a5", "Q1", "Pashinyan", "title"),
    ("a5", "Q2", "Putin", "title"),
    ("a5", "Q1", "Pashinyan", "body"),
    ("a5", "Q2", "Putin", "body"),
]


def build_db(path: Path) -> Path:
    """A small presswatch database covering every panel: 5 articles (2, 2, 20 and 200 days old, one
    undated fetched yesterday; a1 and a5 are one story), a hostile title, two open alerts (one a spike)
    and one acknowledged, a sighting, runs, validations, quarantine and feeds in every state."""
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        texts = {}
        for aid, url, title, body, published, fetched, source, lang, story in ARTICLES:
            texts[aid] = {"title": title, "body": body}
            con.execute(
                "INSERT INTO articles (article_id, url, title, body, published_at, fetched_at, source, language,"
                " run_id, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'r1', ?)",
                [aid, url, title, body, published, fetched, source, lang, story],
            )
        con.executemany(
            "INSERT INTO entities (entity_id, kind, name, country_code, latitude, longitude) VALUES (?, ?, ?, ?, ?, ?)",
            ENTITIES,
        )
        for i, (aid, eid, surface, field) in enumerate(MENTIONS):
            start = texts[aid][field].find(surface)
            assert start >= 0, (aid, surface)
            con.execute(
                "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?, ?)",
                [aid, eid, surface, start, start + len(surface), field, 0 if field == "title" else 1 + i % 2],
            )
        con.execute(
            "INSERT INTO alerts (alert_id, rule, article_id, created_at, evidence, score, matched_entities,"
            " evidence_spans, acknowledged_at, story_id) VALUES"
            " ('al1', 'armenia-russia', 'a1', ?, ?, 2.5, ['Q1', 'Vladimir Putin'], '[[0, 40]]', NULL, 'a1'),"
            " ('al2', 'armenia-russia', 'a3', ?, 'Putin said Moscow will talk to Armenia.', 3, ['Armenia'],"
            "  '[[0, 10]]', ?, 'a3'),"
            " ('al3', 'spike:armenia-russia', 'a5', ?, ?, 6.0, [], NULL, NULL, NULL)",
            [
                NOW - 2 * DAY + timedelta(hours=1),
                EVIDENCE,
                NOW - 200 * DAY,
                NOW - 199 * DAY,
                NOW - timedelta(hours=1),
                SPIKE_EVIDENCE,
            ],
        )
        con.execute(
            "INSERT INTO sightings VALUES ('a1', 'https://mirror.example/a1', 'https://mirror.example/rss', ?, 'r2')",
            [NOW - DAY],
        )
        con.execute(
            """INSERT INTO runs (run_id, started_at, finished_at, status, articles_new, articles_quarantined,
                                 mentions_new, alerts_new, validation_success, message) VALUES
               ('r1', ?, ?, 'completed', 5, 0, 16, 2, TRUE, NULL),
               ('r2', ?, ?, 'failed', 0, 1, 0, 0, FALSE, 'feed timeout')""",
            [
                NOW - 3 * DAY,
                NOW - 3 * DAY + timedelta(seconds=40),
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
        con.execute(
            """INSERT INTO feeds (url, name, last_fetched_at, last_status, consecutive_failures, next_due_at,
                                  healthy, last_error) VALUES
               ('https://news.example/feed', 'News Example', ?, 'ok', 0, ?, TRUE, NULL),
               ('https://other.example/rss', 'Other Example', ?, 'HTTP 502', 2, ?, TRUE, 'HTTP 502 Bad Gateway'),
               ('https://gone.example/rss', 'Gone Example', ?, 'error', 9, ?, FALSE,
                'cannot resolve host gone.example')""",
            [NOW, NOW + timedelta(minutes=30), NOW, NOW + timedelta(minutes=40), NOW, NOW + timedelta(hours=4)],
        )
    finally:
        con.close()
    return path


def with_summaries(path: Path, search: bool = True) -> Path:
    con = duckdb.connect(str(path))
    try:
        refresh_summaries(con)
        if search:
            refresh_search_index(con)
    finally:
        con.close()
    return path


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No presswatch.toml from the checkout, no leftover snapshots or session flashes between tests."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PRESSWATCH_CONFIG", raising=False)
    monkeypatch.delenv("PRESSWATCH_DB", raising=False)
    db.clear_snapshots()
    yield
    db.clear_snapshots()


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_db(tmp_path_factory.mktemp("base") / "presswatch.duckdb")


@pytest.fixture(scope="module")
def summary_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return with_summaries(build_db(tmp_path_factory.mktemp("summary") / "presswatch.duckdb"))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return build_db(tmp_path / "presswatch.duckdb")


@pytest.fixture(params=["base", "summary"])
def conn(request: pytest.FixtureRequest) -> Iterator[duckdb.DuckDBPyConnection]:
    """The same questions answered from the base tables and from the summary tables."""
    path = request.getfixturevalue(f"{request.param}_db")
    c = duckdb.connect(str(path), read_only=True)
    queries.prepare(c)
    yield c
    c.close()


@pytest.fixture
def app_db(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PRESSWATCH_DB", str(db_path))
    return db_path


def run_app(**query: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params.update(query)
    return at.run()


def _page_script(path: str, root: str) -> None:
    import sys as _sys

    _sys.path.insert(0, root)
    from dashboards import app as _app

    _app.run_page(path)


def run_page(path: str, **query: str) -> AppTest:
    """One page of the app (st.navigation pages are functions, which AppTest cannot switch to)."""
    at = AppTest.from_function(_page_script, args=(path, str(ROOT)), default_timeout=60)
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


def unsafe_html(texts: list[str]) -> list[str]:
    return [t for t in texts if "<script" in t.lower() or "<img" in t.lower()]


# ---------------------------------------------------------------------------------------------- queries


def test_periods_are_whole_utc_days() -> None:
    now = datetime(2026, 3, 10, 15, 30, tzinfo=UTC)
    assert queries.period_start(7, now) == datetime(2026, 3, 4, tzinfo=UTC)
    assert queries.previous_start(7, now) == datetime(2026, 2, 25, tzinfo=UTC)
    assert queries.period_start(1, now) == datetime(2026, 3, 10, tzinfo=UTC)
    assert queries.period_start(None, now) is None and queries.previous_start(None, now) is None


def test_capabilities(base_db: Path, summary_db: Path) -> None:
    for path, expect in ((base_db, False), (summary_db, True)):
        c = duckdb.connect(str(path), read_only=True)
        caps = queries.capabilities(c)
        c.close()
        assert caps.articles == 5 and caps.summaries is expect and caps.search_index is expect
        assert caps.alert_story and caps.article_story and caps.summary_lag == 0


def test_header_and_period_counts(conn: duckdb.DuckDBPyConnection) -> None:
    head = queries.header_counts(conn).iloc[0]
    assert (head.articles_total, head.alerts_unacknowledged, head.alerts_total) == (5, 2, 3)
    assert head.last_run_status == "failed" and head.runs_total == 2
    week = queries.period_counts(conn, queries.period_start(7), queries.previous_start(7)).iloc[0]
    assert (week.articles, week.articles_previous) == (3, 0)  # a1, a5 (2 days), a4 (fetched yesterday)
    assert (week.alerts, week.alerts_previous) == (2, 0)  # by when they were raised
    month = queries.period_counts(conn, queries.period_start(30), queries.previous_start(30)).iloc[0]
    assert (month.articles, month.articles_previous) == (4, 0)
    everything = queries.period_counts(conn, None, None).iloc[0]
    assert (everything.articles, everything.alerts) == (5, 3)


def test_header_counts_on_empty_tables(tmp_path: Path) -> None:
    c = duckdb.connect(str(tmp_path / "e.duckdb"))
    c.execute(SCHEMA.read_text(encoding="utf-8"))
    row = queries.header_counts(c).iloc[0]
    assert row.articles_total == 0 and row.alerts_unacknowledged == 0
    assert pd.isna(row.last_run_status)
    assert queries.period_counts(c, queries.period_start(7), queries.previous_start(7)).iloc[0].articles == 0
    c.close()


def test_articles_over_time(conn: duckdb.DuckDBPyConnection) -> None:
    df = queries.articles_per_day(conn)
    assert df["articles"].sum() == 5 and df["alert_articles"].sum() == 2  # a1 and a3 have armenia-russia alerts
    assert list(df["day"]) == sorted(df["day"])
    assert queries.articles_per_day(conn, queries.period_start(7))["articles"].sum() == 3
    assert queries.articles_per_day(conn, rule="other-rule")["alert_articles"].sum() == 0
    hourly = queries.articles_over_time(conn, queries.period_start(7), "armenia-russia", "hour")
    assert hourly["articles"].sum() == 3 and hourly["topic"].sum() == 1
    assert (hourly["bucket"].dt.minute == 0).all()
    spike = queries.articles_over_time(conn, None, "spike:armenia-russia", "day")
    assert spike["topic"].sum() == 1
    with pytest.raises(ValueError):
        queries.articles_over_time(conn, None, "x", "minute")


def test_top_entities_with_change(conn: duckdb.DuckDBPyConnection) -> None:
    actors = queries.top_actors(conn)
    assert dict(zip(actors["name"], actors["articles"], strict=True)) == {"Nikol Pashinyan": 3, "Vladimir Putin": 3}
    assert actors["previous"].isna().all()  # all time: no previous period
    week = queries.top_actors(conn, queries.period_start(7), prev_since=queries.previous_start(7))
    assert dict(zip(week["name"], week["articles"], strict=True)) == {"Nikol Pashinyan": 2, "Vladimir Putin": 2}
    assert list(week["previous"]) == [0, 0]
    month = queries.top_locations(conn, queries.period_start(30), prev_since=queries.previous_start(30))
    assert dict(zip(month["name"], month["articles"], strict=True)) == {"Yerevan": 2, "Gyumri": 1}
    quarter = queries.top_actors(conn, queries.period_start(12), prev_since=queries.previous_start(12))
    # 12 days: a1, a5 in the period; a2 (20 days old) in the 12 days before
    assert dict(zip(quarter["name"], quarter["previous"], strict=True)) == {"Nikol Pashinyan": 1, "Vladimir Putin": 0}
    assert set(queries.top_locations(conn)["name"]) == {"Gyumri", "Moscow", "Yerevan", "Armenia"}
    assert len(queries.top_actors(conn, limit=1)) == 1
    assert list(queries.top_entities(conn, "organization")["name"]) == ["CSTO"]


def test_filters_are_parameters_not_sql(conn: duckdb.DuckDBPyConnection) -> None:
    assert queries.top_entities(conn, "actor' OR '1'='1").empty
    hostile = queries.ArticleFilters(
        text="x' OR 1=1 --", source="' OR '1'='1", entity_id="Q1' OR '1'='1", language="en'--"
    )
    assert queries.search_articles(conn, hostile).total == 0
    assert queries.search_articles(conn, queries.ArticleFilters(source="seeds' OR 'a'='a")).total == 0


def test_map_locations(conn: duckdb.DuckDBPyConnection) -> None:
    places = queries.map_locations(conn)
    assert dict(zip(places["name"], places["articles"], strict=True)) == {"Yerevan": 2, "Gyumri": 1, "Moscow": 1}
    assert places.set_index("name").loc["Yerevan", "latitude"] == pytest.approx(40.18)
    week = queries.map_locations(conn, queries.period_start(7))
    assert list(week["name"]) == ["Yerevan"]
    assert list(queries.unmapped_locations(conn)["name"]) == ["Armenia"]
    assert queries.unmapped_locations(conn, queries.period_start(7)).empty


def test_co_mentions(conn: duckdb.DuckDBPyConnection) -> None:
    net = queries.co_mentions(conn)
    assert set(net.nodes["name"]) == {"Nikol Pashinyan", "Vladimir Putin", "Yerevan", "Gyumri", "Moscow", "Armenia"}
    assert "CSTO" not in set(net.nodes["name"])  # organisations are not in the network
    edges = {frozenset((r.name_a, r.name_b)): r.articles for r in net.edges.itertuples()}
    assert edges[frozenset(("Nikol Pashinyan", "Vladimir Putin"))] == 2  # a1 and a5
    assert edges[frozenset(("Nikol Pashinyan", "Gyumri"))] == 1
    assert edges[frozenset(("Vladimir Putin", "Moscow"))] == 1
    assert net.edges["articles"].is_monotonic_decreasing
    week = queries.co_mentions(conn, queries.period_start(7), nodes=3, edges=2)
    assert len(week.nodes) == 3 and len(week.edges) <= 2
    assert frozenset((week.edges.iloc[0].name_a, week.edges.iloc[0].name_b)) == {"Nikol Pashinyan", "Vladimir Putin"}
    assert week.nodes["tracked"].all()


def test_open_alerts_with_outlets_and_highlights(conn: duckdb.DuckDBPyConnection) -> None:
    df = queries.open_alerts(conn)
    assert list(df["alert_id"]) == ["al3", "al1"]  # newest first, acknowledged al2 left out
    al1 = df.set_index("alert_id").loc["al1"]
    assert al1.title == SCRIPT_TITLE and al1.url == "https://news.example/a1" and al1.evidence == EVIDENCE
    assert list(al1.matched_names) == ["Nikol Pashinyan", "Vladimir Putin"]
    assert {"Nikol Pashinyan", "Pashinyan", "Vladimir Putin", "Putin"} <= set(al1.highlight_terms)
    assert "Yerevan" not in set(al1.highlight_terms)
    # 1 (the article) + 1 sighting + 1 other article of the same story (a5)
    assert al1.outlets == 3
    assert set(al1.outlet_list) == {
        "https://news.example/feed",
        "https://mirror.example/rss",
        "https://copy.example/rss",
    }
    spike = df.set_index("alert_id").loc["al3"]
    assert spike.rule == "spike:armenia-russia" and list(spike.matched_names) == [] and spike.outlets == 1
    assert queries.open_alerts(conn, limit=1)["alert_id"].tolist() == ["al3"]
    assert queries.open_alerts(conn, limit=1, offset=1)["alert_id"].tolist() == ["al1"]
    assert sorted(queries.open_alert_ids(conn)) == ["al1", "al3"]
    latest = queries.latest_alerts(conn, queries.period_start(7))
    assert list(latest["alert_id"]) == ["al3", "al1"]


def test_alerts_without_story_columns(tmp_path: Path) -> None:
    """An older database: no story_id on alerts or articles; outlets = 1 + sightings."""
    path = build_db(tmp_path / "old.duckdb")
    con = duckdb.connect(str(path))
    con.execute("ALTER TABLE alerts DROP COLUMN story_id")
    con.execute("ALTER TABLE articles DROP COLUMN story_id")
    con.close()
    c = duckdb.connect(str(path), read_only=True)
    caps = queries.capabilities(c)
    assert not caps.alert_story and not caps.article_story
    al1 = queries.open_alerts(c, caps=caps).set_index("alert_id").loc["al1"]
    assert al1.outlets == 2
    c.close()


def test_search_newest_first_and_filters(conn: duckdb.DuckDBPyConnection) -> None:
    F = queries.ArticleFilters
    everything = queries.search_articles(conn, F())
    assert everything.total == 5 and everything.mode == "none"
    assert list(everything.rows["article_id"]) == ["a4", "a5", "a1", "a2", "a3"]
    assert everything.rows.set_index("article_id").loc["a4", "date_source"] == "fetched"
    assert queries.search_articles(conn, F(source="https://other.example/rss")).total == 2
    assert list(queries.search_articles(conn, F(language="ru")).rows["article_id"]) == ["a3"]
    by_entity = queries.search_articles(conn, F(entity_id="Q1"))
    assert list(by_entity.rows["article_id"]) == ["a5", "a1", "a2"]
    both = queries.search_articles(conn, F(entity_id="Q1", source="https://other.example/rss"))
    assert list(both.rows["article_id"]) == ["a2"]
    week_ago = (NOW - 7 * DAY).date()
    recent = queries.search_articles(conn, F(date_from=week_ago))
    assert set(recent.rows["article_id"]) == {"a1", "a4", "a5"}
    old = queries.search_articles(conn, F(date_to=week_ago))
    assert set(old.rows["article_id"]) == {"a2", "a3"}
    one_day = (NOW - 20 * DAY).date()
    assert list(queries.search_articles(conn, F(date_from=one_day, date_to=one_day)).rows["article_id"]) == ["a2"]
    page2 = queries.search_articles(conn, F(), limit=2, offset=2)
    assert list(page2.rows["article_id"]) == ["a1", "a2"] and page2.total == 5


def test_text_search_bm25_and_ilike(base_db: Path, summary_db: Path) -> None:
    F = queries.ArticleFilters
    for path, mode in ((base_db, "ilike"), (summary_db, "bm25")):
        c = duckdb.connect(str(path), read_only=True)
        queries.prepare(c)
        gyumri = queries.search_articles(c, F(text="Gyumri"))
        assert gyumri.mode == mode and list(gyumri.rows["article_id"]) == ["a2"]
        assert queries.search_articles(c, F(text="nothing-like-this")).total == 0
        with_filter = queries.search_articles(c, F(text="Putin", language="ru"))
        assert list(with_filter.rows["article_id"]) == ["a3"]
        with_entity = queries.search_articles(c, F(text="Putin", entity_id="Q5"))
        assert list(with_entity.rows["article_id"]) == ["a1"]
        c.close()
    c = duckdb.connect(str(summary_db), read_only=True)
    queries.prepare(c)
    stemmed = queries.search_articles(c, F(text="talks"))  # porter stemming: talks ~ talk
    assert set(stemmed.rows["article_id"]) == {"a3", "a5"}
    assert stemmed.rows["score"].is_monotonic_decreasing
    c.close()


def test_ilike_escapes_wildcards(base_db: Path) -> None:
    c = duckdb.connect(str(base_db), read_only=True)
    queries.prepare(c)
    assert queries.like_pattern("100%_a\\b") == "%100\\%\\_a\\\\b%"
    assert list(queries.search_articles(c, queries.ArticleFilters(text="100%")).rows["article_id"]) == ["a4"]
    assert list(queries.search_articles(c, queries.ArticleFilters(text="sure_thing")).rows["article_id"]) == ["a4"]
    assert queries.search_articles(c, queries.ArticleFilters(text="%")).total == 1  # a literal %, not "anything"
    c.close()


def test_article_detail_and_filter_options(conn: duckdb.DuckDBPyConnection) -> None:
    detail = queries.article_detail(conn, "a2")
    assert detail["article"].iloc[0].title == "Pashinyan visits Gyumri"
    m = detail["mentions"]
    title = m[m["field"] == "title"]
    assert [("Pashinyan visits Gyumri"[r.start_char : r.end_char], r.kind) for r in title.itertuples()] == [
        ("Pashinyan", "actor"),
        ("Gyumri", "location"),
    ]
    assert queries.article_detail(conn, "nope")["article"].empty
    assert list(queries.article_detail(conn, "a1")["alerts"]["alert_id"]) == ["al1"]
    opts = queries.filter_options(conn)
    assert set(opts["sources"]["source"]) == {
        "https://news.example/feed",
        "https://other.example/rss",
        "seeds",
        "https://copy.example/rss",
    }
    assert opts["entities"].iloc[0]["name"] in {"Nikol Pashinyan", "Vladimir Putin"}


def test_runs_validations_quarantine_feeds(conn: duckdb.DuckDBPyConnection) -> None:
    runs = queries.last_runs(conn)
    assert list(runs["run_id"]) == ["r2", "r1"]
    assert list(runs["duration_seconds"]) == [12.0, 40.0]
    val = queries.validation_results(conn)
    assert list(val["suite"]) == ["articles"] and not val.iloc[0].success
    assert val.iloc[0].data_docs == "data/gx/index.html"
    q = queries.quarantine(conn)
    assert list(q["reason"]) == ["no usable text after cleaning"]
    assert queries.quarantine_count(conn).iloc[0].quarantined == 1
    assert queries.quarantine_reasons(conn).iloc[0].inputs == 1
    feeds = queries.feed_health(conn)
    assert list(zip(feeds["name"], feeds["status"], strict=True)) == [
        ("Gone Example", "failing"),
        ("Other Example", "backing off"),
        ("News Example", "healthy"),
    ]


# --------------------------------------------------------------------------------------- db / locking


def test_read_panels_fresh_then_snapshot_while_locked(db_path: Path) -> None:
    panels = {"n": lambda c: c.execute("SELECT count(*) AS n FROM articles").df()}
    fresh = db.read_panels(db_path, "k", panels)
    assert fresh.state == "fresh" and int(fresh.get("n").iloc[0].n) == 5
    writer = duckdb.connect(str(db_path))  # same process: DuckDB refuses a read-only open now
    try:
        stale = db.read_panels(db_path, "k", panels, retry_seconds=0.2)
        assert stale.state == "snapshot" and int(stale.get("n").iloc[0].n) == 5
        assert db.read_panels(db_path, "other", panels, retry_seconds=0.2).state == "busy"
    finally:
        writer.close()
    duckdb.connect(str(db_path)).close()  # the reader closed its connection: a writer can take the file


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
    assert app.highlight("AT&T said", ["AT&T"]) == "<mark>AT&amp;T</mark> said"
    assert app.md_escape(":red[x] $x$ [a](javascript:alert(1))") == (
        "\\:red\\[x\\] \\$x\\$ \\[a\\]\\(javascript\\:alert\\(1\\)\\)"
    )


def test_mark_spans_by_offsets() -> None:
    text = "<b>Putin</b> met Pashinyan.\n\nIn    Yerevan, 1. item"
    spans = [
        app.Span(3, 8, "actor", 'Vladimir "V" Putin'),
        app.Span(17, 26, "actor", "Nikol Pashinyan"),
        app.Span(18, 20, "actor", "overlap, skipped"),
        app.Span(35, 42, "location", "Yerevan"),
        app.Span(40, 400, "location", "out of range, skipped"),
    ]
    paragraphs = app.mark_spans(text, spans)
    assert len(paragraphs) == 2
    first, second = paragraphs
    assert first.startswith("&lt;b&gt;<mark") and "&lt;/b&gt;" in first
    assert 'title="Person: Vladimir &quot;V&quot; Putin"' in first and ">Putin</mark>" in first
    assert ">Pashinyan</mark>" in first and "overlap" not in first
    assert second == (
        'In <mark style="background-color:#b7e4c7; padding:0 2px; border-radius:3px" '
        'title="Place: Yerevan">Yerevan</mark>, 1\\. item'
    )
    assert app.mark_spans("", []) == []


def test_small_helpers() -> None:
    now = datetime(2026, 1, 2, 12, 0, tzinfo=UTC)
    assert app.ago(datetime(2026, 1, 2, 10, 59, tzinfo=UTC), now) == "1 hour ago"
    assert app.ago(datetime(2025, 12, 30, 12, 0), now) == "3 days ago"  # naive = UTC
    assert app.ago(datetime(2026, 1, 2, 12, 30, tzinfo=UTC), now) == "in 30 minutes"
    assert app.ago(None, now) == "" and app.fmt_time(pd.NaT) == "—"
    assert app.fmt_time(datetime(2026, 1, 2, 12, 0, tzinfo=UTC)) == "2026-01-02 12:00 UTC"
    assert app.change_label(12, 10) == "+2 (+20%)" and app.change_label(5, 10) == "−5 (−50%)"
    assert app.change_label(3, 0) == "new" and app.change_label(3, 3) == "same" and app.change_label(3, None) == ""
    assert app.safe_link("https://e.example/a b(c)") == "https://e.example/a%20b%28c%29"
    assert app.safe_link("javascript:alert(1)") is None and app.safe_link("file:///etc/passwd") is None
    assert app.outlet_name("https://www.news.am/eng/rss/") == "news.am" and app.outlet_name("/srv/seeds") == "seeds"
    assert app.dot_quote('a "b" \\c\nd') == '"a \\"b\\" \\\\c d"'


# -------------------------------------------------------------------------------------------- the app


def test_overview(app_db: Path) -> None:
    at = run_app(period="all")
    no_exceptions(at)
    assert at.title[0].value == "presswatch · Overview"
    m = metrics(at)
    assert m["Articles stored"] == "5" and m["Unacknowledged alerts"] == "2" and m["Alerts raised"] == "3"
    assert m["Last run"] == "Failed"
    texts = rendered_texts(at)
    joined = "\n".join(texts)
    assert ":material/notifications_active: **2 unacknowledged alerts**" in joined  # the header, on every page
    assert "<mark>Pashinyan</mark> told <mark>Putin</mark> in Yerevan" in joined
    assert "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;" in joined and "\\:red\\[LOUD\\]" in joined
    assert "&lt;script&gt;alert\\(1\\)&lt;/script&gt;" in joined  # the hostile title, as text
    assert not unsafe_html(texts)
    assert "**seen in 3 outlets** (news\\.example, mirror\\.example, copy\\.example)" in joined
    assert ":material/trending_up: Coverage spike on armenia\\-russia" in joined
    assert "Unacknowledged alerts (2)" in joined
    values = dataframe_values(at)
    assert "Nikol Pashinyan" in values and "Yerevan" in values
    assert at.query_params.get("period") == "all"
    assert [b.key for b in at.button if b.key and b.key.startswith("ack_")] == ["ack_all", "ack_al3", "ack_al1"]


def test_period_filter_changes_counts_and_url(app_db: Path) -> None:
    at = run_app()
    assert at.radio(key="w_period").value == "7d"  # the default: the week an analyst reviews
    assert metrics(at)["Articles · last 7 days"] == "3"
    at.radio(key="w_period").set_value("30d").run()
    no_exceptions(at)
    assert metrics(at)["Articles · last 30 days"] == "4"
    assert at.query_params["period"] == "30d"
    values = dataframe_values(at)
    assert "Gyumri" in values and "Moscow" not in values

    at90 = run_app(period="90d")  # a shared link
    no_exceptions(at90)
    assert at90.radio(key="w_period").value == "90d" and metrics(at90)["Articles · last 90 days"] == "4"

    bad = run_app(period="1; DROP TABLE articles")
    no_exceptions(bad)
    assert metrics(bad)["Articles · last 7 days"] == "3"


def test_acknowledge_one_then_all(app_db: Path) -> None:
    at = run_app(period="all")
    at.button(key="ack_al1").click().run()
    no_exceptions(at)
    assert any("Acknowledged 1 alert" in s.value for s in at.success)
    assert metrics(at)["Unacknowledged alerts"] == "1"
    assert [b.key for b in at.button if b.key and b.key.startswith("ack_al") and b.key != "ack_all"] == ["ack_al3"]
    con = duckdb.connect(str(app_db), read_only=True)
    assert con.execute("SELECT acknowledged_at IS NOT NULL FROM alerts WHERE alert_id = 'al1'").fetchone()[0]
    con.close()
    at.button(key="ack_all").click().run()
    no_exceptions(at)
    assert metrics(at)["Unacknowledged alerts"] == "0"
    assert any("every alert has been acknowledged" in s.value for s in at.success)
    assert any("no unacknowledged alerts" in c.value for c in at.caption)


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
    assert metrics(first)["Articles · last 7 days"] == "3"

    request.getfixturevalue("writer_process")  # another process now holds the write lock
    at = run_app()
    no_exceptions(at)
    assert any("showing the last snapshot" in i.value for i in at.info)
    assert metrics(at)["Articles · last 7 days"] == "3"

    # acknowledging while the run holds the file: a calm "try again", no error box
    at.button(key="ack_al1").click().run()
    no_exceptions(at)
    assert any(app.BUSY_ACK in i.value for i in at.info)

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
    assert metrics(at)["Unacknowledged alerts"] == "2"


def test_app_on_database_without_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "fresh.duckdb"
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    con.close()
    monkeypatch.setenv("PRESSWATCH_DB", str(path))
    at = run_app()
    no_exceptions(at)
    assert metrics(at)["Articles · last 7 days"] == "0"
    assert metrics(at)["Last run"] == "Never run"
    assert any("No articles in this period" in i.value for i in at.info)
    assert any("every alert has been acknowledged" in s.value for s in at.success)
    for page in ("map", "network", "articles", "data"):
        no_exceptions(run_page(page))


def test_missing_db_shows_friendly_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSWATCH_DB", str(tmp_path / "nothing" / "here.duckdb"))
    for at in (run_app(), run_page("articles"), run_page("data")):
        no_exceptions(at)
        assert any("No data yet" in i.value and "make run" in i.value for i in at.info)
    assert not (tmp_path / "nothing").exists()  # the dashboard never creates the database


@pytest.mark.parametrize("summaries", [False, True])
def test_map_page(db_path: Path, monkeypatch: pytest.MonkeyPatch, summaries: bool) -> None:
    if summaries:
        with_summaries(db_path, search=False)
    monkeypatch.setenv("PRESSWATCH_DB", str(db_path))
    at = run_page("map", period="all")
    no_exceptions(at)
    assert at.title[0].value == "presswatch · Map"
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert deck["mapStyle"].startswith("data:")  # its own style inline: no basemap fetched from the internet
    borders = next(layer for layer in deck["layers"] if layer["@@type"] == "GeoJsonLayer")
    countries = {f["properties"]["name"] for f in borders["data"]["features"]}
    assert {"Armenia", "Azerbaijan", "Georgia", "Russia", "Turkey"} <= countries  # drawn from the packaged data
    points = next(layer for layer in deck["layers"] if layer.get("pickable"))
    assert [p["name"] for p in points["data"]] == ["Yerevan", "Gyumri", "Moscow"]
    assert "Yerevan" in dataframe_values(at)
    assert any("without a point on the map" in c.value and "Armenia (1)" in c.value for c in at.caption)
    week = run_page("map", period="7d")
    assert [
        p["name"]
        for p in next(
            la for la in json.loads(week.get("deck_gl_json_chart")[0].proto.json)["layers"] if la.get("pickable")
        )["data"]
    ] == ["Yerevan"]


def test_network_page(app_db: Path) -> None:
    at = run_page("network", period="all", nodes="5")
    no_exceptions(at)
    dot = at.get("graphviz_chart")[0].proto.spec
    assert "layout=neato" in dot and '"Nikol Pashinyan"' in dot and '"Vladimir Putin"' in dot
    assert dot.count("shape=") == 5 and at.query_params["nodes"] == "5"
    assert "Articles naming both" in at.dataframe[0].value.columns
    assert at.slider(key="w_nodes").value == 5


def test_articles_page_filters_read_and_escaping(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRESSWATCH_DB", str(with_summaries(db_path)))
    at = run_page("articles")
    no_exceptions(at)
    titles = [m.value.split("  \n")[0] for m in at.markdown if m.value.startswith("**") and ":gray[" in m.value]
    assert titles[:2] == ["**Undated brief**", "**Pashinyan and Putin talk**"]
    assert "**&lt;script&gt;alert\\(1\\)&lt;/script&gt;**" in titles
    assert not unsafe_html(rendered_texts(at))

    at.text_input(key="w_q").set_value("Gyumri").run()
    no_exceptions(at)
    assert at.query_params["q"] == "Gyumri"
    assert any("**1 article** · best matches first" in m.value for m in at.markdown)
    at.button(key="read_a2").click().run()
    no_exceptions(at)
    assert at.query_params["article"] == "a2"
    marked = "\n".join(m.value for m in at.markdown)
    assert 'title="Person: Nikol Pashinyan">Pashinyan</mark> visits' in marked
    assert 'title="Place: Gyumri">Gyumri</mark> about gas prices' in marked

    # filters from a shared link, including the open article with the hostile title
    shared = run_page(
        "articles",
        entity="Q1",
        source="https://news.example/feed",
        article="a1",
        **{"from": (NOW - 7 * DAY).date().isoformat()},
    )
    no_exceptions(shared)
    assert shared.selectbox(key="w_entity").value == "Q1"
    assert shared.date_input(key="w_from").value == (NOW - 7 * DAY).date()
    assert any("**1 article**" in m.value for m in shared.markdown)
    texts = rendered_texts(shared)
    assert any(t.startswith("### &lt;script&gt;alert\\(1\\)&lt;/script&gt;") for t in texts)
    assert not unsafe_html(texts)
    shared.button(key="close_article").click().run()
    assert "article" not in shared.query_params

    junk = run_page("articles", entity="nope", lang="xx", to="not-a-date", page="-3")
    no_exceptions(junk)
    assert junk.selectbox(key="w_entity").value is None and junk.date_input(key="w_to").value is None
    assert any("**5 articles**" in m.value for m in junk.markdown)


def test_articles_page_without_search_index(app_db: Path) -> None:
    at = run_page("articles", q="sure_thing")
    no_exceptions(at)
    assert any("**1 article** · newest first (text match" in m.value for m in at.markdown)


def test_data_page(app_db: Path) -> None:
    at = run_page("data")
    no_exceptions(at)
    m = metrics(at)
    assert [m[app.FEED_ICONS[s]] for s in ("healthy", "backing off", "failing")] == ["1", "1", "1"]
    values = dataframe_values(at)
    assert "no usable text after cleaning" in values and "cannot resolve host gone.example" in values
    assert any("problems found" in v for v in values) and "✗ failing" in values
    assert any(c.value.startswith("file://") and c.value.endswith("data/gx/index.html") for c in at.code)
    assert not unsafe_html(rendered_texts(at))


def test_stale_summaries_on_small_db_fall_back_to_base_tables(db_path: Path) -> None:
    with_summaries(db_path, search=False)
    con = duckdb.connect(str(db_path))
    con.execute(
        "INSERT INTO articles (article_id, url, title, body, fetched_at, source, language, run_id)"
        " VALUES ('a6', 'https://news.example/a6', 'Late', 'Pashinyan again.', now(), 'seeds', 'en', 'r3')"
    )
    con.execute("INSERT INTO mentions VALUES ('a6', 'Q1', 'Pashinyan', 0, 9, 'body', 1)")
    con.close()
    c = duckdb.connect(str(db_path), read_only=True)
    caps = queries.capabilities(c)
    assert caps.summary_lag == 1 and not caps.summaries  # small file: exact base-table answers instead
    assert queries.top_actors(c, caps=caps).set_index("name").loc["Nikol Pashinyan", "articles"] == 4
    c.close()


def test_same_answers_from_summaries_and_base(base_db: Path, summary_db: Path) -> None:
    """Every counting panel gives the same numbers whichever tables it reads."""
    out = {}
    for name, path in (("base", base_db), ("summary", summary_db)):
        c = duckdb.connect(str(path), read_only=True)
        queries.prepare(c)
        rows = {}
        for days in (None, 7, 30, 365):
            since, prev = queries.period_start(days), queries.previous_start(days)
            for kind in ("actor", "location", "organization"):
                rows[(kind, days)] = queries.top_entities(c, kind, since, 20, prev_since=prev).to_dict("records")
            rows[("trend", days)] = queries.articles_over_time(c, since, "armenia-russia", "day").to_dict("records")
            rows[("map", days)] = queries.map_locations(c, since).to_dict("records")
            net = queries.co_mentions(c, since)
            rows[("net", days)] = (net.nodes.drop(columns="tracked").to_dict("records"), net.edges.to_dict("records"))
            rows[("counts", days)] = queries.period_counts(c, since, prev).to_dict("records")
        out[name] = rows
        c.close()
    assert _plain(out["base"]) == _plain(out["summary"])


def _plain(value):
    """Comparable values: NaN/NaT/None all become None, numpy numbers become Python numbers."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if not isinstance(value, str) and pd.isna(value):
        return None
    return value.item() if hasattr(value, "item") else value


def test_parse_day() -> None:
    assert app.parse_day("2026-01-02") == date(2026, 1, 2) and app.parse_day("junk") is None


def test_data_version_changes_when_a_run_lands_or_alerts_are_acknowledged(db_path: Path) -> None:
    """What the auto-refresh compares every 30 s."""

    def version() -> tuple:
        c = duckdb.connect(str(db_path), read_only=True)
        try:
            return queries.data_version(c)
        finally:
            c.close()

    before = version()
    assert version() == before
    c = duckdb.connect(str(db_path), read_only=True)
    queries.prepare(c)
    head = queries.header_counts(c).iloc[0]
    c.close()
    # the page stores this from its header read; equal values must compare equal, or every check reloads the page
    from_header = (
        head.runs_finished_max,
        int(head.runs_total),
        int(head.articles_total),
        int(head.alerts_unacknowledged),
    )
    assert from_header == tuple(before)
    con = duckdb.connect(str(db_path))
    con.execute("INSERT INTO runs (run_id, started_at, finished_at, status) VALUES ('r3', now(), now(), 'completed')")
    con.close()
    after_run = version()
    assert after_run != before
    from flows.alerting import acknowledge_alerts

    assert acknowledge_alerts(db_path, ["al1"]) == 1
    assert version() != after_run


def test_dashboard_on_ducklake_storage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `*.lake.sqlite` database (flows/lake.py): read through its catalog, summaries work, search uses ILIKE."""
    lake_mod = pytest.importorskip("flows.lake")
    try:
        lake_mod._extension_file("ducklake")
    except duckdb.Error:
        pytest.skip("the ducklake extension package is not installed")
    src = build_db(tmp_path / "src.duckdb")
    lake = tmp_path / "pw.lake.sqlite"
    con = lake_mod.connect_lake(lake)
    con.execute(lake_mod.lake_schema(SCHEMA.read_text(encoding="utf-8")))
    con.execute(f"ATTACH '{src}' AS src (READ_ONLY)")
    for table in (
        "articles",
        "entities",
        "mentions",
        "alerts",
        "sightings",
        "runs",
        "validations",
        "quarantine",
        "feeds",
    ):
        con.execute(f"INSERT INTO lake.main.{table} SELECT * FROM src.main.{table}")
    con.execute("DETACH src")
    assert refresh_summaries(con).mode == "full"
    assert refresh_search_index(con).mode == "unsupported"
    con.close()
    monkeypatch.setenv("PRESSWATCH_DB", str(lake))
    at = run_app(period="all")
    no_exceptions(at)
    assert metrics(at)["Articles stored"] == "5" and metrics(at)["Unacknowledged alerts"] == "2"
    found = run_page("articles", q="Gyumri")
    no_exceptions(found)
    assert any("**1 article** · newest first (text match" in m.value for m in found.markdown)
