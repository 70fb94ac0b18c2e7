"""canonical_url / article_id_for and parse_date on the URLs and date strings feeds really carry."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from transforms.dates import date_near_top, parse_date
from transforms.urls import article_id_for, canonical_url

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


# --- canonical_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # scheme and host case, fragment, default port, empty path
        ("HTTPS://News.Example.ORG:443/Politics/Story?id=7#comments", "https://news.example.org/Politics/Story?id=7"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/a", "http://example.org:8080/a"),
        ("https://example.org./a", "https://example.org/a"),
        ("  https://example.org/a  ", "https://example.org/a"),
        # tracking parameters go, everything else stays in its order and spelling
        (
            "https://example.org/a?utm_source=rss&b=2&UTM_Medium=feed&a=1&fbclid=xyz&gclid=1&yclid=2",
            "https://example.org/a?b=2&a=1",
        ),
        (
            "https://example.org/a?mc_cid=1&mc_eid=2&_ga=3&ga_source=x&q=armenia%20russia",
            "https://example.org/a?q=armenia%20russia",
        ),
        ("https://example.org/a?utm_source=x&utm_campaign=y", "https://example.org/a"),
        ("https://example.org/a?at_medium=RSS&at_campaign=KARANGA&id=1", "https://example.org/a?id=1"),
        ("https://x.example.com/s/1?ref_src=twsrc%5Etfw", "https://x.example.com/s/1"),
        # `ref` is content on some sites and tracking on others: only traffic-source values go
        ("https://example.org/a?ref=rss", "https://example.org/a"),
        ("https://code.example.org/repo/file?ref=main", "https://code.example.org/repo/file?ref=main"),
        # "#!" routes select content
        ("https://example.org/#!/news/123", "https://example.org/#!/news/123"),
        # redirect wrappers whose target is a parameter
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://grain.example.com/news/1%3Futm_source%3Dga%26id%3D5&ct=ga",
            "https://grain.example.com/news/1?id=5",
        ),
        ("https://www.google.co.uk/url?q=https://news.example.org/a&sa=U", "https://news.example.org/a"),
        ("https://news.google.com/news/url?sa=t&url=https://news.example.org/b", "https://news.example.org/b"),
        ("https://l.facebook.com/l.php?u=https%3A%2F%2Fnews.example.org%2Fc&h=AT0", "https://news.example.org/c"),
        # not unwrappable offline: kept as they are
        ("https://t.co/AbCdEf123", "https://t.co/AbCdEf123"),
        ("https://www.google.com/search?q=armenia", "https://www.google.com/search?q=armenia"),
        # local files keep their identity exactly
        ("file:///data/seeds/000_Story.txt", "file:///data/seeds/000_Story.txt"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "HTTPS://News.Example.ORG:443/a?utm_source=x&id=1#top",
        "https://www.google.com/url?url=https://news.example.org/a%3Fref%3Drss",
        "https://example.org/a?ref=main&b=",
        "not a url at all",
    ],
)
def test_canonical_url_is_idempotent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


def test_article_id_follows_the_canonical_url() -> None:
    a = article_id_for("https://News.Example.org/story?utm_source=rss#comments")
    b = article_id_for("https://news.example.org/story")
    assert a == b
    assert len(a) == 16 and int(a, 16) >= 0
    assert article_id_for("https://news.example.org/other") != a


# --- parse_date -------------------------------------------------------------------------------


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected", "flag"),
    [
        ("Tue, 12 Mar 2024 09:30:00 +0400", utc(2024, 3, 12, 5, 30), None),  # RFC 822
        ("Tue, 12 Mar 2024 09:30:00 GMT", utc(2024, 3, 12, 9, 30), None),
        ("2024-03-12T09:30:00Z", utc(2024, 3, 12, 9, 30), None),  # ISO 8601
        ("2024-03-12T09:30:00.123456789+04:00", utc(2024, 3, 12, 5, 30, 0, 123456), None),
        ("20240312T093000Z", utc(2024, 3, 12, 9, 30), None),
        ("2020/1/10", utc(2020, 1, 10), None),  # date only: midnight UTC, no flag
        ("Friday, January 29, 2021 04:42 PM", utc(2021, 1, 29, 16, 42), "date_timezone_assumed"),
        ("Fri, 29 Jan 2021 16:42:00 EST", utc(2021, 1, 29, 21, 42), None),
        ("Fri, 29 Jan 2021 16:42:00 BST", utc(2021, 1, 29, 15, 42), None),
        ("Fri, 29 Jan 2021 16:42:00 MSK", utc(2021, 1, 29, 13, 42), None),
        ("Fri, 29 Jan 2021 16:42:00 AMT", utc(2021, 1, 29, 12, 42), None),  # Armenia Time
        ("2021-01-29 12:00 GMT+3", utc(2021, 1, 29, 9, 0), None),  # not POSIX-inverted
        ("Fri, 29 Jan 21 16:42:00 +0000", utc(2021, 1, 29, 16, 42), None),  # two-digit year
        ("29 Jan 99", utc(1999, 1, 29), None),
        ("05.01.2021 16:42", utc(2021, 1, 5, 16, 42), "date_timezone_assumed"),  # dotted: day first
        ("Fri, 29 Jan 2021 16:42:00 XYZ", utc(2021, 1, 29, 16, 42), "date_timezone_assumed"),
        ("1611938520", utc(2021, 1, 29, 16, 42), None),  # Unix seconds
        (None, None, "date_missing"),
        ("   ", None, "date_missing"),
        ("EST", None, "date_unparsed"),  # a zone is not a date: never "today"
        ("Jan 29", None, "date_unparsed"),  # no year: never the current one
        ("sometime last week", None, "date_unparsed"),
        ("2021-13-45", None, "date_unparsed"),
        ("Mon, 01 Jan 0001 00:00:00 +0000", None, "date_implausible"),  # not 2001
        ("Thu, 01 Jan 1970 00:00:00 +0000", None, "date_implausible"),
        ("Sun, 01 Jan 2040 00:00:00 +0000", None, "date_in_future"),
    ],
)
def test_parse_date(value: str | None, expected: datetime | None, flag: str | None) -> None:
    parsed, got_flag = parse_date(value, now=NOW)
    assert (parsed, got_flag) == (expected, flag)
    if parsed is not None:
        assert parsed.tzinfo is UTC


def test_two_digit_years_take_the_latest_century_not_in_the_future() -> None:
    assert parse_date("1 Jan 26", now=NOW) == (utc(2026, 1, 1), None)
    assert parse_date("1 Jan 95", now=NOW) == (utc(1995, 1, 1), None)
    assert parse_date("1 Jan 30", now=NOW) == (None, "date_implausible")  # 1930, not 2030


def test_a_few_hours_ahead_is_tolerated() -> None:
    parsed, flag = parse_date("2026-05-01T20:00:00Z", now=NOW)
    assert parsed == utc(2026, 5, 1, 20) and flag is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Headline\n12 September 2023\nBody text.", datetime(2023, 9, 12, tzinfo=UTC)),
        ("Headline\nPublished: 2023-09-12 10:30 GMT+4\nBody.", datetime(2023, 9, 12, 6, 30, tzinfo=UTC)),
        ("Headline\n\nYEREVAN, September 12, 2023 — Armenia said ...", datetime(2023, 9, 12, tzinfo=UTC)),
        ("Moscow, 12 Sept. 2023 (Reuters) - The Kremlin said", datetime(2023, 9, 12, tzinfo=UTC)),
        ("Headline\nOn Tuesday, September 12, 2023, the prime minister called ...", None),  # prose: an event
        ("Headline\n(2 November) a statement said", None),  # no year
        ("Armenia, Russia: talks resume\nBody", None),  # a headline with a comma is no dateline
        ("Headline\n" + "Para.\n" * 8 + "12 September 2023", None),  # too far down to be the article's date
    ],
)
def test_date_near_the_top_of_a_local_article(text, expected):
    assert date_near_top(text, now=datetime(2026, 12, 6, tzinfo=UTC)) == expected


def test_local_file_dated_by_its_text_or_else_its_modification_time(tmp_path):
    from flows.sources import read_local_article

    now = datetime(2026, 12, 6, tzinfo=UTC)
    dated = tmp_path / "dated.txt"
    dated.write_text("Talks in Yerevan\n\nYEREVAN, March 3, 2026 — Ministers met on Tuesday.\n", encoding="utf-8")
    undated = tmp_path / "undated.txt"
    undated.write_text("Talks in Yerevan\n\nMinisters met on Tuesday to discuss gas.\n", encoding="utf-8")
    os.utime(undated, (1_700_000_000, 1_700_000_000))

    by_text = read_local_article(dated, now, 100_000)
    assert (by_text.published_at, by_text.flags) == (datetime(2026, 3, 3, tzinfo=UTC), ["date_from_text"])
    by_file = read_local_article(undated, now, 100_000)
    assert (by_file.published_at, by_file.flags) == (datetime.fromtimestamp(1_700_000_000, UTC), ["date_from_file"])
