"""html_to_text on feed fragments, extract_article_html on a news page full of furniture, and
the byte decoding both rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.extract import (
    decode_html,
    decode_markup,
    extract_article_html,
    html_to_text,
    looks_like_mojibake,
    page_title,
)

HTML = Path(__file__).parent / "fixtures" / "html"


# --- html_to_text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("", ""),
        ("Plain text, nothing to do.", "Plain text, nothing to do."),
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        # escaped once, twice, and entities escaped twice inside the text
        ("&lt;p&gt;Once&lt;/p&gt;&lt;p&gt;escaped&lt;/p&gt;", "Once\n\nescaped"),
        (
            "&amp;lt;p&amp;gt;Twice &amp;amp;amp; escaped&amp;lt;/p&amp;gt;&amp;lt;p&amp;gt;Next&amp;lt;/p&amp;gt;",
            "Twice & escaped\n\nNext",
        ),
        ("<p>AT&amp;amp;T</p>", "AT&T"),
        ("Caf&eacute; &mdash; &#8220;quoted&#8221; &hellip;", "Café — “quoted” …"),
        # a literal "<" that is not a tag survives, and so do escaped tags inside real markup
        ("x &lt; y", "x < y"),
        ("<p>Use &lt;b&gt; for bold</p>", "Use <b> for bold"),
        # scripts, styles and embeds are dropped with their content
        ("<p>Keep</p><script>var x = '<p>no</p>';</script><style>p{}</style><iframe>no</iframe>", "Keep"),
        # line breaks: one <br> is a line, two are a paragraph
        ("Line one<br>Line two<br/><br/>New paragraph", "Line one\nLine two\n\nNew paragraph"),
        # whitespace, non-breaking spaces, zero-width spaces, soft hyphens
        ("  <p>  lots \n\t of   space&nbsp;here\u200b  </p>  ", "lots of space here"),
        ("<div>Block <b>with</b> <a href='/x'>inline</a> markup</div>", "Block with inline markup"),
        ("<ul><li>First</li><li>Second</li></ul>", "First\n\nSecond"),
        # plain text: blank lines separate paragraphs, single newlines are wrapping
        ("First line\nwrapped\n\nSecond para", "First line wrapped\n\nSecond para"),
        ("<p>Unclosed <b>bold and <i>italic", "Unclosed bold and italic"),
        ("<!-- a comment --><p>Text</p>", "Text"),
    ],
)
def test_html_to_text(fragment: str, expected: str) -> None:
    assert html_to_text(fragment) == expected


def test_html_to_text_survives_deep_nesting_and_control_characters() -> None:
    deep = "<div>" * 3000 + "deep\x00text\x0b" + "</div>" * 3000
    assert html_to_text(deep) == "deeptext"


# --- extract_article_html ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def news_page() -> str:
    return (HTML / "news_article.html").read_text(encoding="utf-8")


def test_main_text_is_kept(news_page: str) -> None:
    result = extract_article_html(news_page, url="https://ledger.example.org/economy/rail-talks")
    assert result.extractor == "trafilatura"
    assert result.title == "Yerevan and Moscow agree to resume rail freight talks"
    for sentence in (
        "Armenian and Russian transport officials agreed on Tuesday",
        "The delegations met for four hours",
        "week-long waits at the border crossing near Gyumri",
        "We want predictable rules for everyone",
        "Russian Railways, which operates the Armenian network",
        "The next round of talks is expected to take place in Moscow",
    ):
        assert sentence in result.text
    assert result.text.startswith("Armenian and Russian")  # the headline is not repeated
    assert "\n\n" in result.text and "\n\n\n" not in result.text


def test_page_furniture_is_dropped(news_page: str) -> None:
    text = extract_article_html(news_page).text
    for furniture in (
        "Subscribe today",  # navigation
        "BREAKING",  # ticker
        "Most read",  # sidebar
        "Dilijan",  # sidebar links
        "Related stories",  # related links
        "Wheat prices climb",
        "reader42",  # comments
        "border queue was three days long",
        "Fly direct to Sochi",  # advertisement
        "morning newsletter",
        "All rights reserved",  # footer
        "dataLayer",  # scripts
        "font-family",  # styles
        "Share on Facebook",
    ):
        assert furniture not in text


def test_too_little_text_is_no_extraction() -> None:
    page = "<html><head><title>Short</title></head><body><p>Just a line.</p></body></html>"
    result = extract_article_html(page)
    assert (result.text, result.extractor, result.title) == ("", "none", "Short")


def test_min_length_decides_what_counts(news_page: str) -> None:
    assert extract_article_html(news_page, min_length=100_000).extractor == "none"


def test_fallback_tier_takes_over_when_trafilatura_finds_nothing() -> None:
    body = " ".join(f"Sentence number {i} of an article that lives only in structured data." for i in range(10))
    page = (
        '<html><head><script type="application/ld+json">'
        f'{{"@type": "NewsArticle", "headline": "Structured", "articleBody": "{body}"}}'
        "</script></head><body><div id='app'></div></body></html>"
    )
    result = extract_article_html(page)
    assert result.extractor in {"trafilatura", "trafilatura-recall", "baseline"}
    assert "Sentence number 9" in result.text


@pytest.mark.parametrize(
    ("page", "title"),
    [
        (
            "<html><head><title>Headline long enough | The Site</title></head><body></body></html>",
            "Headline long enough",
        ),
        ("<html><head><title>Short | Site</title></head><body></body></html>", "Short | Site"),
        (
            "<html><head><title>The Site</title></head><body><h1>Only in the h1</h1></body></html>",
            "The Site",
        ),
        ("<html><body><h1>Only an h1 &amp; nothing else</h1></body></html>", "Only an h1 & nothing else"),
        (
            "<html><head><title>A long headline that matters - Site</title></head>"
            "<body><h1>Site</h1><h1>A long headline that matters</h1></body></html>",
            "Site",
        ),
        ("", None),
    ],
)
def test_page_title(page: str, title: str | None) -> None:
    assert page_title(page) == title


# --- decoding ---------------------------------------------------------------------------------

RUSSIAN = "Премьер-министр Армении и президент России провели телефонный разговор о ситуации на границе."


def test_decode_html_uses_meta_charset() -> None:
    page = f'<html><head><meta charset="windows-1251"></head><body><p>{RUSSIAN}</p></body></html>'
    assert RUSSIAN in decode_html(page.encode("cp1251"))


def test_decode_html_prefers_valid_utf8_over_a_wrong_declaration() -> None:
    page = f"<html><body><p>{RUSSIAN}</p></body></html>"
    assert RUSSIAN in decode_html(page.encode("utf-8"), "text/html; charset=iso-8859-1")


def test_koi8r_declared_as_windows_1251_is_detected() -> None:
    text, encoding = decode_markup(f"<p>{RUSSIAN} {RUSSIAN}</p>".encode("koi8-r"), ["windows-1251"])
    assert RUSSIAN in text and encoding == "koi8-r"


def test_mojibake_heuristic() -> None:
    assert looks_like_mojibake(RUSSIAN.encode("cp1251").decode("cp1252"))
    assert looks_like_mojibake(RUSSIAN.encode("koi8-r").decode("cp1251"))
    assert not looks_like_mojibake(RUSSIAN)
    assert not looks_like_mojibake("Les élèves français étudient à l'école près de Genève.")
    assert not looks_like_mojibake("Zażółć gęślą jaźń — polska delegacja w Erywaniu.")
