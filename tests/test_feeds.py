"""fetch_feeds against a local HTTP server (127.0.0.1 only) serving the fixtures; polling state,
backoff, adaptive intervals and the DuckDB store."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from flows import feeds
from flows.config import FeedConfig, FetchConfig
from flows.feed_store import load_feed_states, save_feed_states
from flows.feeds import FeedState, due_feeds, fetch_feeds, record_new_items

FIXTURES = Path(__file__).parent / "fixtures"
FEEDS = FIXTURES / "feeds"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RSS = "application/rss+xml; charset=utf-8"
UA = "presswatch-test/1.0 (+https://presswatch.example.org)"


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """A threaded server, so a sleeping handler does not hold up the next request."""
    httpserver = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    httpserver.start()
    yield httpserver
    httpserver.clear()
    httpserver.stop()


@pytest.fixture(autouse=True)
def clean_server(server: HTTPServer) -> Iterator[None]:
    server.clear()
    yield
    server.clear()


def config(**overrides: object) -> FetchConfig:
    settings: dict[str, object] = {
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "max_bytes": 200_000,
        "max_redirects": 3,
        "user_agent": UA,
        "max_concurrency": 4,
        "per_host_interval_seconds": 0.0,
        "allow_private_addresses": True,  # the test server is on 127.0.0.1
    }
    settings.update(overrides)
    return FetchConfig(**settings)


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def poll(state: FeedState, **kwargs: object) -> feeds.FeedResult:
    fetch = kwargs.pop("fetch", None) or config()
    (result,) = fetch_feeds([state], fetch, NOW, fetch_full_text=kwargs.pop("fetch_full_text", False), **kwargs)
    return result


def paths(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


# --- conditional GET --------------------------------------------------------------------------


def test_etag_then_304_parses_nothing(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    seen_headers: list[dict[str, str]] = []

    def handler(request: Request) -> Response:
        seen_headers.append(dict(request.headers))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(
            fixture("rss20_basic.xml"),
            content_type=RSS,
            headers={"ETag": '"v1"', "Last-Modified": "Tue, 12 Mar 2024 10:00:00 GMT"},
        )

    server.expect_request("/feed.xml").respond_with_handler(handler)
    parses = []
    real_parse = feeds.parse_feed
    monkeypatch.setattr(feeds, "parse_feed", lambda *a, **k: parses.append(1) or real_parse(*a, **k))

    state = FeedState(url=server.url_for("/feed.xml"), name="Ledger")
    first = poll(state)
    assert first.error is None and not first.not_modified
    assert [a.title for a in first.articles] == [
        "Pashinyan and Putin speak by phone about transit corridor",
        "Yerevan hosts regional energy forum",
    ]
    assert all(a.source == state.url for a in first.articles)
    s = first.state
    assert (s.etag, s.last_modified, s.last_status, s.title, s.items_seen) == (
        '"v1"', "Tue, 12 Mar 2024 10:00:00 GMT", "ok", "Caucasus Ledger — Politics", 2,
    )  # fmt: skip
    assert (s.last_fetched_at, s.next_due_at) == (NOW, NOW + timedelta(seconds=feeds.DEFAULT_POLL_SECONDS))

    second = poll(first.state)
    assert second.not_modified and second.error is None
    assert (second.articles, second.quarantined) == ([], [])
    assert second.state.last_status == "not_modified" and second.state.etag == '"v1"'
    assert len(parses) == 1  # the 304 cost no parsing

    assert seen_headers[0]["User-Agent"] == UA and "If-None-Match" not in seen_headers[0]
    assert seen_headers[1]["If-None-Match"] == '"v1"'
    assert seen_headers[1]["If-Modified-Since"] == "Tue, 12 Mar 2024 10:00:00 GMT"


# --- failures and backoff ---------------------------------------------------------------------


def test_404_backs_off_exponentially_and_marks_unhealthy(server: HTTPServer) -> None:
    server.expect_request("/gone.xml").respond_with_data("nope", status=404)
    state = FeedState(url=server.url_for("/gone.xml"), consecutive_failures=2)
    result = poll(state)
    assert result.error == f"feed {state.url} returned 404 (3rd failure; next try in 2 h)"
    assert (result.state.last_status, result.state.consecutive_failures, result.state.healthy) == ("http 404", 3, True)
    assert result.state.next_due_at == NOW + timedelta(hours=2)
    assert result.state.last_error == result.error and result.articles == []

    fifth = poll(replace(state, consecutive_failures=4))
    assert fifth.state.healthy is False and "5th failure; next try in 8 h" in fifth.error
    capped = poll(replace(state, consecutive_failures=12))
    assert capped.state.next_due_at == NOW + timedelta(hours=24)


def test_500_then_recovery_resets_failures(server: HTTPServer) -> None:
    server.expect_oneshot_request("/flaky.xml").respond_with_data("boom", status=500)
    server.expect_request("/flaky.xml").respond_with_data(fixture("rss20_basic.xml"), content_type=RSS)
    failed = poll(FeedState(url=server.url_for("/flaky.xml")))
    assert failed.error is not None and "returned 500 (1st failure; next try in 30 min)" in failed.error
    recovered = poll(replace(failed.state, consecutive_failures=6, healthy=False))
    assert recovered.error is None and len(recovered.articles) == 2
    assert (recovered.state.consecutive_failures, recovered.state.healthy, recovered.state.last_error) == (
        0,
        True,
        None,
    )


def test_429_and_503_honour_retry_after(server: HTTPServer) -> None:
    server.expect_request("/busy.xml").respond_with_data("slow down", status=429, headers={"Retry-After": "120"})
    retry_at = "Fri, 01 May 2026 15:00:00 GMT"  # three hours after NOW
    server.expect_request("/maint.xml").respond_with_data("later", status=503, headers={"Retry-After": retry_at})
    busy = poll(FeedState(url=server.url_for("/busy.xml")))
    assert busy.state.next_due_at == NOW + timedelta(seconds=120)
    assert "returned 429 (1st failure; next try in 2 min, as Retry-After asks)" in busy.error
    maint = poll(FeedState(url=server.url_for("/maint.xml")))
    assert maint.state.next_due_at == NOW + timedelta(hours=3)


def test_read_timeout(server: HTTPServer) -> None:
    def sleepy(request: Request) -> Response:
        time.sleep(1.6)
        return Response(fixture("rss20_basic.xml"), content_type=RSS)

    server.expect_request("/sleepy.xml").respond_with_handler(sleepy)
    started = time.monotonic()
    result = poll(FeedState(url=server.url_for("/sleepy.xml")))
    assert time.monotonic() - started < 1.5
    assert result.state.last_status == "timeout"
    assert "did not answer within 1 s (read timeout) (1st failure" in result.error


def test_slow_drip_hits_the_request_deadline(server: HTTPServer) -> None:
    def drip(request: Request) -> Response:
        def body() -> Iterator[bytes]:
            for _ in range(40):  # one byte every 0.25 s: never idle for the read timeout
                yield b" "
                time.sleep(0.25)

        return Response(body(), content_type=RSS)

    server.expect_request("/drip.xml").respond_with_handler(drip)
    started = time.monotonic()
    result = poll(FeedState(url=server.url_for("/drip.xml")))
    assert time.monotonic() - started < 4
    assert result.state.last_status == "timeout"
    assert "too slow: body not complete after 2 s" in result.error


def test_redirect_loop(server: HTTPServer) -> None:
    server.expect_request("/a.xml").respond_with_data("", status=302, headers={"Location": "/b.xml"})
    server.expect_request("/b.xml").respond_with_data("", status=301, headers={"Location": server.url_for("/a.xml")})
    result = poll(FeedState(url=server.url_for("/a.xml")))
    assert result.state.last_status == "redirect loop"
    assert "redirects in a loop" in result.error and "/b.xml" in result.error
    assert result.state.redirected_to is None


def test_too_many_redirects(server: HTTPServer) -> None:
    for i in range(6):
        server.expect_request(f"/hop{i}").respond_with_data("", status=307, headers={"Location": f"/hop{i + 1}"})
    result = poll(FeedState(url=server.url_for("/hop0")))
    assert result.state.last_status == "too many redirects"
    assert paths(server) == ["/hop0", "/hop1", "/hop2", "/hop3"]


def test_permanent_redirect_is_recorded_and_used(server: HTTPServer) -> None:
    server.expect_request("/old.xml").respond_with_data("", status=301, headers={"Location": "/new.xml"})
    server.expect_request("/new.xml").respond_with_data(fixture("rss20_basic.xml"), content_type=RSS)
    first = poll(FeedState(url=server.url_for("/old.xml")))
    assert first.error is None and len(first.articles) == 2
    assert first.state.redirected_to == server.url_for("/new.xml")
    assert first.state.url == server.url_for("/old.xml")  # the identity stays the configured URL
    assert all(a.source == server.url_for("/old.xml") for a in first.articles)
    poll(first.state)
    assert paths(server) == ["/old.xml", "/new.xml", "/new.xml"]


def test_temporary_redirect_is_followed_but_not_recorded(server: HTTPServer) -> None:
    server.expect_request("/tmp.xml").respond_with_data("", status=302, headers={"Location": "/real.xml"})
    server.expect_request("/real.xml").respond_with_data(fixture("rss20_basic.xml"), content_type=RSS)
    result = poll(FeedState(url=server.url_for("/tmp.xml")))
    assert result.error is None and result.state.redirected_to is None


@pytest.mark.parametrize("with_length", [True, False])
def test_body_over_max_bytes(server: HTTPServer, with_length: bool) -> None:
    big = b"<rss>" + b" " * 300_000 + b"</rss>"

    def handler(request: Request) -> Response:
        if with_length:
            return Response(big, content_type=RSS)
        return Response(iter([big[i : i + 16384] for i in range(0, len(big), 16384)]), content_type=RSS)

    server.expect_request("/big.xml").respond_with_handler(handler)
    result = poll(FeedState(url=server.url_for("/big.xml")))
    assert result.state.last_status == "too large"
    assert "sent a body larger than 200 KB; not read" in result.error


def test_gzip_bomb_is_cut_off(server: HTTPServer) -> None:
    bomb = gzip.compress(b"<rss>" + b" " * 5_000_000)
    assert len(bomb) < 200_000
    server.expect_request("/bomb.xml").respond_with_data(bomb, content_type=RSS, headers={"Content-Encoding": "gzip"})
    result = poll(FeedState(url=server.url_for("/bomb.xml")))
    assert result.state.last_status == "too large"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"Service temporarily unavailable, try again later", "text/plain", "not XML, not an RSS or Atom feed"),
        (fixture("not_a_feed.html"), "text/html", "an HTML page, not an RSS or Atom feed"),
        (b"", RSS, "empty document"),
    ],
)
def test_body_that_is_not_a_feed(server: HTTPServer, body: bytes, content_type: str, reason: str) -> None:
    server.expect_request("/x.xml").respond_with_data(body, content_type=content_type)
    result = poll(FeedState(url=server.url_for("/x.xml")))
    assert result.state.last_status == "not a feed"
    assert f"returned no feed: {reason}" in result.error


def test_entity_bomb_feed_fails_and_is_quarantined(server: HTTPServer) -> None:
    server.expect_request("/lol.xml").respond_with_data(fixture("billion_laughs.xml"), content_type=RSS)
    result = poll(FeedState(url=server.url_for("/lol.xml")))
    assert result.error is not None and "expansion bomb" in result.error
    assert len(result.quarantined) == 1 and result.articles == []


@pytest.mark.parametrize("header", [True, False])
def test_gzip_body_with_or_without_content_encoding(server: HTTPServer, header: bool) -> None:
    headers = {"Content-Encoding": "gzip"} if header else {}
    content_type = RSS if header else "application/octet-stream"
    server.expect_request("/gz.xml").respond_with_data(
        gzip.compress(fixture("rss20_basic.xml")), content_type=content_type, headers=headers
    )
    result = poll(FeedState(url=server.url_for("/gz.xml")))
    assert result.error is None and len(result.articles) == 2


def test_bozo_feed_is_a_success_with_a_warning(server: HTTPServer) -> None:
    server.expect_request("/cut.xml").respond_with_data(fixture("truncated.xml"), content_type=RSS)
    result = poll(FeedState(url=server.url_for("/cut.xml")))
    assert result.error is None and result.state.last_status == "ok"
    assert result.warning is not None and "XML error" in result.warning
    assert [a.title for a in result.articles][:2] == ["First complete item", "Second complete item"]


# --- safety -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://10.0.0.8/feed.xml",
        "http://172.16.5.4/feed.xml",
        "http://192.168.1.1/rss",
        "http://[::1]:8080/feed",
        "http://[::ffff:127.0.0.1]/feed",
        "http://0.0.0.0/feed",
        "http://100.64.0.1/feed",  # carrier-grade NAT
    ],
)
def test_ssrf_guard_refuses_private_addresses_without_a_request(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sent = []
    monkeypatch.setattr(feeds._Fetcher, "_send", lambda self, *a: sent.append(a))
    result = poll(FeedState(url=url), fetch=config(allow_private_addresses=False))
    assert result.state.last_status == "blocked"
    assert "private, loopback, link-local or reserved address; refused" in result.error
    assert sent == []


def test_ssrf_guard_refuses_the_local_test_server(server: HTTPServer) -> None:
    server.expect_request("/feed.xml").respond_with_data(fixture("rss20_basic.xml"), content_type=RSS)
    result = poll(FeedState(url=server.url_for("/feed.xml")), fetch=config(allow_private_addresses=False))
    assert result.state.last_status == "blocked"
    assert server.log == []  # no request reached the server


def test_ssrf_guard_checks_what_host_names_resolve_to(monkeypatch: pytest.MonkeyPatch) -> None:
    lookups = []

    def resolver(host: str, port: int) -> list[str]:
        lookups.append((host, port))
        return ["93.184.216.34", "10.1.2.3"]  # one public, one private: refused

    monkeypatch.setattr(feeds, "resolve_addresses", resolver)
    result = poll(FeedState(url="https://intranet.example.test/feed"), fetch=config(allow_private_addresses=False))
    assert lookups == [("intranet.example.test", 443)]
    assert "points at 10.1.2.3" in result.error


def test_ssrf_guard_at_connect_time_defeats_dns_rebinding(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter([["127.0.0.1"], ["8.8.8.8"]])
    monkeypatch.setattr(feeds, "resolve_addresses", lambda host, port: next(answers))
    connects = []

    class FakeBackend:
        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            connects.append((host, port))
            return "stream"

    guarded = feeds._GuardedBackend(FakeBackend())
    with pytest.raises(feeds.FetchError, match="points at 127.0.0.1"):
        guarded.connect_tcp("rebind.example.test", 80)
    assert connects == []
    assert guarded.connect_tcp("rebind.example.test", 80) == "stream"
    assert connects == [("8.8.8.8", 80)]  # connects to the address it checked, not the name


def test_ssrf_guard_applies_to_redirect_targets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "resolve_addresses", lambda host, port: ["8.8.8.8"])
    sent = []

    def fake_send(self, url, headers):  # no network: the "public" feed answers with a redirect
        sent.append(url)
        return 302, httpx.Headers({"Location": "http://169.254.169.254/latest/meta-data/"}), b""

    monkeypatch.setattr(feeds._Fetcher, "_send", fake_send)
    result = poll(FeedState(url="https://news.example.org/feed"), fetch=config(allow_private_addresses=False))
    assert sent == ["https://news.example.org/feed"]
    assert result.state.last_status == "blocked"
    assert "was redirected to http://169.254.169.254/latest/meta-data/, which points at 169.254.169.254" in (
        result.error
    )


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://ftp.example.org/feed.xml", "gopher://x/1", "feeds.example.org/rss"]
)
def test_only_http_and_https(url: str) -> None:
    result = poll(FeedState(url=url), fetch=config(allow_private_addresses=False))
    assert result.state.last_status == "bad url"
    assert "only http and https are fetched" in result.error


# --- several feeds ----------------------------------------------------------------------------


def test_two_feeds_on_one_host_are_at_least_a_second_apart(server: HTTPServer) -> None:
    arrivals: dict[str, float] = {}
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            arrivals[request.path] = time.monotonic()
        return Response(fixture("minified_one_line.xml"), content_type=RSS)

    server.expect_request("/one.xml").respond_with_handler(handler)
    server.expect_request("/two.xml").respond_with_handler(handler)
    states = [FeedState(url=server.url_for("/one.xml")), FeedState(url=server.url_for("/two.xml"))]
    results = fetch_feeds(states, config(per_host_interval_seconds=1.0), NOW, fetch_full_text=False)
    assert [r.error for r in results] == [None, None]
    assert abs(arrivals["/one.xml"] - arrivals["/two.xml"]) >= 0.95


def test_one_failing_feed_does_not_stop_the_others(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.expect_request("/ok.xml").respond_with_data(fixture("rss20_basic.xml"), content_type=RSS)
    server.expect_request("/err.xml").respond_with_data("boom", status=500)
    server.expect_request("/crash.xml").respond_with_data(fixture("rss10_rdf.xml"), content_type=RSS)
    real_parse = feeds.parse_feed

    def parse_or_crash(content, url, **kwargs):
        if url.endswith("/crash.xml"):
            raise RuntimeError("parser bug")
        return real_parse(content, url, **kwargs)

    monkeypatch.setattr(feeds, "parse_feed", parse_or_crash)
    states = [
        FeedState(url=server.url_for("/err.xml")),
        FeedState(url="ftp://example.org/feed"),
        FeedState(url=server.url_for("/crash.xml")),
        FeedState(url=server.url_for("/ok.xml")),
    ]
    results = fetch_feeds(states, config(), NOW, fetch_full_text=False)
    assert [r.state.url for r in results] == [s.url for s in states]
    assert [r.state.last_status for r in results] == ["http 500", "bad url", "unexpected error", "ok"]
    assert "failed unexpectedly: RuntimeError: parser bug" in results[2].error
    assert len(results[3].articles) == 2


# --- full text --------------------------------------------------------------------------------


def test_short_items_get_the_article_page_text(server: HTTPServer) -> None:
    server.expect_request("/summary.xml").respond_with_data(fixture("summary_only.xml"), content_type=RSS)
    server.expect_request("/articles/rail-talks").respond_with_data(
        (FIXTURES / "html" / "news_article.html").read_bytes(), content_type="text/html; charset=utf-8"
    )
    server.expect_request("/articles/missing").respond_with_data("not here", status=404)
    result = poll(FeedState(url=server.url_for("/summary.xml")), fetch_full_text=True)
    assert result.error is None
    rail, missing, long = result.articles
    assert rail.url == server.url_for("/articles/rail-talks")  # utm_source dropped before fetching
    assert rail.extractor == "trafilatura" and rail.flags == []
    assert "week-long waits at the border crossing near Gyumri" in rail.body
    assert "reader42" not in rail.body
    assert (missing.extractor, missing.flags, missing.body) == (
        "feed-summary", ["summary_only"], "This teaser is all we will ever get.",
    )  # fmt: skip
    assert long.extractor == "feed-summary" and long.flags == []
    assert sorted(paths(server)) == ["/articles/missing", "/articles/rail-talks", "/summary.xml"]


def test_full_text_off_or_already_known_means_summary_only(server: HTTPServer) -> None:
    server.expect_request("/summary.xml").respond_with_data(fixture("summary_only.xml"), content_type=RSS)
    result = poll(FeedState(url=server.url_for("/summary.xml")), fetch_full_text=False)
    assert [a.flags for a in result.articles] == [["summary_only"], ["summary_only"], []]
    known = {server.url_for("/articles/rail-talks"), server.url_for("/articles/missing")}
    poll(FeedState(url=server.url_for("/summary.xml")), fetch_full_text=True, known_urls=known)
    assert paths(server) == ["/summary.xml", "/summary.xml"]  # no page fetched either time


# --- scheduling -------------------------------------------------------------------------------


def test_due_feeds() -> None:
    new = FeedState(url="https://a.example.org/feed")
    due = FeedState(url="https://b.example.org/feed", next_due_at=NOW - timedelta(minutes=1))
    exactly = FeedState(url="https://c.example.org/feed", next_due_at=NOW)
    later = FeedState(url="https://d.example.org/feed", next_due_at=NOW + timedelta(minutes=1))
    assert due_feeds([new, due, exactly, later], NOW) == [new, due, exactly]


def test_record_new_items_adapts_the_interval() -> None:
    fetched = FeedState(url="https://a.example.org/feed", last_fetched_at=NOW, last_status="ok", items_seen=20)
    calibrated = record_new_items(fetched, 20, NOW)  # first fetch: everything is new, no signal
    assert calibrated.poll_interval_seconds == feeds.DEFAULT_POLL_SECONDS
    assert calibrated.last_new_items == 20

    quiet = record_new_items(calibrated, 0, NOW)
    assert quiet.poll_interval_seconds == 2700 and quiet.next_due_at == NOW + timedelta(seconds=2700)
    steady = record_new_items(calibrated, 3, NOW)
    assert steady.poll_interval_seconds == 1800
    busy = record_new_items(calibrated, 15, NOW)
    assert busy.poll_interval_seconds == 900

    slowest = replace(calibrated, poll_interval_seconds=80_000)
    assert record_new_items(slowest, 0, NOW).poll_interval_seconds == feeds.MAX_POLL_SECONDS
    fastest = replace(calibrated, poll_interval_seconds=400)
    assert record_new_items(fastest, 20, NOW).poll_interval_seconds == feeds.MIN_POLL_SECONDS

    failing = replace(calibrated, consecutive_failures=2, next_due_at=NOW + timedelta(hours=1))
    assert record_new_items(failing, 0, NOW) == failing  # backoff keeps the schedule


# --- store ------------------------------------------------------------------------------------


def test_feed_states_round_trip_through_duckdb() -> None:
    con = duckdb.connect()
    con.execute((Path(feeds.__file__).parent / "schema.sql").read_text())
    configured = [
        FeedConfig(url="https://a.example.org/feed", name="A"),
        FeedConfig(url="https://b.example.org/feed"),
        FeedConfig(url="https://a.example.org/feed", name="duplicate"),
    ]
    fresh = load_feed_states(con, configured)
    assert [(s.url, s.name, s.next_due_at) for s in fresh] == [
        ("https://a.example.org/feed", "A", None),
        ("https://b.example.org/feed", None, None),
    ]
    assert due_feeds(fresh, NOW) == fresh  # new feeds are due now

    changed = replace(
        fresh[0], title="Feed A", etag='"e"', last_modified="Tue, 12 Mar 2024 10:00:00 GMT", last_fetched_at=NOW,
        last_status="http 404", consecutive_failures=3, next_due_at=NOW + timedelta(hours=2), items_seen=7,
        last_new_items=2, poll_interval_seconds=900, healthy=False, last_error="feed ... returned 404",
        redirected_to="https://a2.example.org/feed",
    )  # fmt: skip
    save_feed_states(con, [changed, fresh[1]])
    save_feed_states(con, [changed])  # upsert, not a second row
    assert con.execute("SELECT count(*) FROM feeds").fetchone() == (2,)

    con.execute("SET TimeZone = 'Asia/Yerevan'")  # stored instants come back as UTC anyway
    (loaded,) = load_feed_states(con, [FeedConfig(url="https://a.example.org/feed", name="Renamed")])
    assert loaded == replace(changed, name="Renamed")
    assert loaded.next_due_at.tzinfo == UTC
