"""Feed documents (RSS 0.9x/1.0/2.0, Atom) → RawArticle records, surviving what real feeds do.

Real feeds declare the wrong encoding or none, put whitespace or PHP warnings before the XML
declaration, escape HTML twice, end mid-item, use relative links, omit links and dates, and
occasionally carry entity-expansion bombs. Each item becomes a RawArticle or a Quarantined
record with a reason; one bad item never costs the rest of the feed. Pure: bytes in, records
out. feedparser only ever sees a byte stream, so it cannot fetch URLs or open files.
"""

from __future__ import annotations

import io
import re
import time
import xml.sax
from dataclasses import dataclass, field
from datetime import datetime
from html.entities import name2codepoint
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from transforms.dates import DATE_UNPARSED, parse_date
from transforms.extract import charset_from_content_type, codec_name, decode_markup, html_to_text
from transforms.records import Quarantined, RawArticle
from transforms.urls import canonical_url

PAYLOAD_CHARS = 2000  # how much of a rejected document or item is kept for the user to inspect
MAX_ENTITY_DECLARATIONS = 64


@dataclass
class ParsedFeed:
    """What one feed document yielded. bozo: the document's defects in one line, or None."""

    title: str | None
    articles: list[RawArticle] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    bozo: str | None = None
    items_total: int = 0


def parse_feed(content: bytes, feed_url: str, *, content_type: str | None, fetched_at: datetime) -> ParsedFeed:
    """Parse one feed document fetched from `feed_url`.

    A document that is not a feed (HTML, JSON, empty) gives no items and a bozo reason; a
    document declaring dangerous XML entities is refused and quarantined whole; a broken
    document gives the items feedparser's lenient parser recovers, with the error in bozo.
    """
    notes: list[str] = []
    text = _decoded(content, content_type, notes)
    text = _without_leading_junk(text, notes)

    danger = unsafe_entity_declaration(text)
    if danger:
        reason = f"feed {feed_url} declares {danger}; refused to parse it (XML entity attack guard)"
        return ParsedFeed(
            title=None,
            quarantined=[Quarantined(feed_url, "parse", reason, payload=text[:PAYLOAD_CHARS])],
            bozo=f"refused: declares {danger}",
        )
    not_feed = _not_a_feed(text)
    if not_feed:
        return ParsedFeed(title=None, bozo=not_feed)

    parsed = feedparser.parse(
        io.BytesIO(_with_numeric_html_entities(_with_utf8_declaration(text)).encode("utf-8")),
        # No content-location: feedparser would resolve an opaque guid ("story-7731") against it
        # and make it look like a link. Relative links are resolved in _entry_link instead.
        response_headers={"content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=False,  # links inside content HTML go with the markup anyway
        sanitize_html=True,
    )
    if not parsed.get("version") and not parsed.entries:
        root = re.search(r"<([A-Za-z][\w:.-]*)", text)
        return ParsedFeed(title=None, bozo=f"not an RSS or Atom feed (root element <{root.group(1) if root else '?'}>)")
    if parsed.get("bozo"):
        notes.append(_bozo_text(parsed.get("bozo_exception")))

    feed_title = _one_line(html_to_text(parsed.feed.get("title", ""))) or None
    result = ParsedFeed(title=feed_title, items_total=len(parsed.entries))
    seen: set[str] = set()
    for index, entry in enumerate(parsed.entries, 1):
        outcome = _item_to_article(entry, index, feed_url, fetched_at)
        if isinstance(outcome, Quarantined):
            result.quarantined.append(outcome)
        elif outcome.url not in seen:  # the same story listed twice in one document
            seen.add(outcome.url)
            result.articles.append(outcome)
    result.bozo = "; ".join(notes) or None
    if result.bozo and parsed.get("bozo"):
        result.bozo += f"; {len(parsed.entries)} items recovered"
    return result


# --- document level ---------------------------------------------------------------------------

_XML_DECL = re.compile(r"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")
_XML_DECL_BYTES = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']""")


def _decoded(content: bytes, content_type: str | None, notes: list[str]) -> str:
    """Bytes → text. The XML declaration is tried before the HTTP charset: servers default to
    ISO-8859-1 for text/xml far more often than feeds lie in their own declaration."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf")
    match = _XML_DECL_BYTES.match(head)
    xml_charset = match.group(1).decode("ascii", "replace") if match else None
    http_charset = charset_from_content_type(content_type)
    text, encoding = decode_markup(content, [xml_charset, http_charset])
    declared = xml_charset or http_charset
    if not re.search(r"[^\x00-\x7f]", text[:200_000]):
        return text  # ASCII reads the same in every declared encoding
    if declared and codec_name(declared) not in (encoding, None):
        if encoding[:6] != (codec_name(declared) or "")[:6]:  # utf-16 declared, utf-16-le read
            notes.append(f"declared encoding {declared} but content is {encoding}")
    elif not declared and not encoding.startswith("utf-"):
        notes.append(f"no encoding declared; detected {encoding}")
    return text


def _without_leading_junk(text: str, notes: list[str]) -> str:
    """Whitespace, BOMs or server warnings before the XML declaration make strict parsers fail."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("<?xml"):
        return stripped
    # An XML declaration is only legal at the very start, so whatever precedes it is junk.
    start = re.search(r"<\?xml", stripped[:4096])
    if start is None and not stripped.startswith("<"):
        start = re.search(r"<rss[\s>]|<feed[\s>]|<rdf:RDF[\s>]", stripped[:4096])
    if start:
        notes.append(f"{start.start()} characters of junk before the XML")
        return stripped[start.start() :]
    return stripped


def _with_utf8_declaration(text: str) -> str:
    """The text is re-encoded as UTF-8, so the declaration must say so."""
    match = _XML_DECL.match(text)
    if not match:
        return text
    return text[: match.start(1)] + "utf-8" + text[match.end(1) :]


_NAMED_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})


def _with_numeric_html_entities(text: str) -> str:
    """HTML entities (&nbsp;, &eacute;) are undefined in XML and push feedparser into its lenient
    parser; numeric character references mean the same and keep strict parsing."""

    def numeric(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_ENTITIES or name not in name2codepoint:
            return match.group(0)
        return f"&#{name2codepoint[name]};"

    return _NAMED_ENTITY.sub(numeric, text)


_ENTITY_DECL = re.compile(
    r"""<!ENTITY\s+(%\s+)?([^\s"'>]+)\s+(?:(SYSTEM|PUBLIC)\b|"([^"]*)"|'([^']*)')""", re.IGNORECASE
)
_ENTITY_REF = re.compile(r"&(?!#)[^;\s]+;|%[^;\s]+;")


def unsafe_entity_declaration(text: str) -> str | None:
    """Describe a dangerous <!ENTITY> in the document's prolog, or None.

    Dangerous: external entities (SYSTEM/PUBLIC: file or network reads), parameter entities,
    entities that refer to other entities (the "billion laughs" expansion bomb) and
    implausibly many declarations. Plain character entities such as
    <!ENTITY nbsp "&#160;"> are harmless and allowed.
    """
    prolog = _prolog(text)
    if "<!ENTITY" not in prolog.upper():
        return None
    declarations = list(_ENTITY_DECL.finditer(prolog))
    if len(declarations) > MAX_ENTITY_DECLARATIONS:
        return f"{len(declarations)} XML entities"
    if not declarations:
        return "a malformed XML entity declaration"
    for decl in declarations:
        name = decl.group(2)
        if decl.group(3):
            return f"external XML entity '{name}' ({decl.group(3).upper()})"
        if decl.group(1):
            return f"parameter XML entity '{name}'"
        value = decl.group(4) if decl.group(4) is not None else decl.group(5) or ""
        if _ENTITY_REF.search(value):
            return f"XML entity '{name}' that expands other entities (expansion bomb)"
        if len(value) > 1000:
            return f"XML entity '{name}' with a {len(value)}-character value"
    return None


def _prolog(text: str) -> str:
    """Everything before the root element, including a DOCTYPE's internal subset."""
    doctype = re.search(r"<!DOCTYPE", text[:100_000], re.IGNORECASE)
    root = re.search(r"<[A-Za-z]", text[:100_000])
    if doctype and (root is None or doctype.start() < root.start()):
        bracket = text.find("[", doctype.start())
        close = text.find(">", doctype.start())
        if bracket != -1 and (close == -1 or bracket < close):
            end = text.find("]", bracket)
            end = text.find(">", end) if end != -1 else -1
            return text[: end + 1] if end != -1 else text[:100_000]
        return text[: close + 1]
    return text[: root.start()] if root else text[:100_000]


def _not_a_feed(text: str) -> str | None:
    """A one-line reason when the document is obviously not XML or is an HTML page."""
    if not text.strip():
        return "empty document"
    head = re.sub(r"^(\s*(<\?xml[^>]*\?>|<!--.*?-->))*\s*", "", text[:4096], flags=re.DOTALL)
    if re.match(r"<!DOCTYPE\s+html|<html[\s>]", head, re.IGNORECASE):
        return "an HTML page, not an RSS or Atom feed"
    if not head.startswith("<"):
        kind = "JSON" if head[:1] in "{[" else "not XML"
        snippet = " ".join(head[:40].split())
        return f"{kind}, not an RSS or Atom feed (starts with {snippet!r})"
    return None


def _bozo_text(exc: Any) -> str:
    if isinstance(exc, xml.sax.SAXParseException):
        return f"XML error at line {exc.getLineNumber()}, column {exc.getColumnNumber()}: {exc.getMessage()}"
    message = " ".join(str(exc).split()) if exc is not None else ""
    return f"{type(exc).__name__}: {message}"[:300]


# --- item level -------------------------------------------------------------------------------


def _item_to_article(entry: Any, index: int, feed_url: str, fetched_at: datetime) -> RawArticle | Quarantined:
    title = _one_line(html_to_text(entry.get("title", "")))
    body, extractor = _entry_body(entry)
    link = _entry_link(entry, feed_url)
    ref = link or f"{feed_url}#item-{index}"
    if not title and not body:
        return Quarantined(
            ref, "parse", f"item {index} in feed {feed_url} has no title and no text; skipped", _payload(entry)
        )
    if link is None:
        guid, raw_link = entry.get("id"), entry.get("link") if not entry.get("guidislink") else None
        why = f"its guid {guid!r} is not a URL" if guid else "no guid either"
        if raw_link:
            why = f"its link {raw_link[:100]!r} is not http(s)"
        label = f"'{title[:80]}'" if title else f"item {index}"
        return Quarantined(
            ref,
            "parse",
            f"item has no link: {label} in feed {feed_url}: {why}; skipped",
            _payload(entry),
        )
    published_at, flag = _entry_date(entry, fetched_at)
    return RawArticle(
        url=canonical_url(link),
        source=feed_url,
        title=title or None,
        body=body,
        fetched_at=fetched_at,
        published_at=published_at,
        extractor=extractor,
        flags=[flag] if flag else [],
    )


def _entry_body(entry: Any) -> tuple[str, str]:
    """Full content (content:encoded, atom:content) when it is the longer text, else the summary."""
    contents = [html_to_text(c.get("value", "")) for c in entry.get("content", []) or []]
    content = max(contents, key=len, default="")
    summary = html_to_text(entry.get("summary", "") or "")
    if content and len(content) >= len(summary):
        return content, "feed-content"
    return summary, "feed-summary"


def _entry_link(entry: Any, feed_url: str) -> str | None:
    """The item's absolute http(s) link: <link>, another link element, or a URL guid."""
    guid = entry.get("id") or ""
    candidates = []
    link = entry.get("link")
    # feedparser copies a permalink guid into `link` (resolved against the feed URL): a guid
    # like "story-7731" is an identifier, not a link.
    if link and not (entry.get("guidislink") and not _is_http(guid)):
        candidates.append(link)
    candidates += [lk.get("href") for lk in entry.get("links", []) or [] if lk.get("rel") in ("alternate", None)]
    if _is_http(guid):
        candidates.append(guid)
    for candidate in candidates:
        if candidate:
            absolute = urljoin(feed_url, candidate.strip())
            if _is_http(absolute):
                return absolute
    return None


def _is_http(value: str) -> bool:
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def _entry_date(entry: Any, fetched_at: datetime) -> tuple[datetime | None, str | None]:
    """Publication date: published, else updated (dc:date), else created; our parser first,
    feedparser's own reading (it knows some non-English formats) only when ours gives up."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        parsed, flag = parse_date(raw, now=fetched_at)
        if flag == DATE_UNPARSED and entry.get(f"{key}_parsed"):
            iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", entry[f"{key}_parsed"])
            parsed, flag = parse_date(iso, now=fetched_at)
        return parsed, flag
    return parse_date(None)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _payload(entry: Any) -> str:
    fields = {k: entry.get(k) for k in ("title", "link", "id", "published", "summary") if entry.get(k)}
    return repr(fields)[:PAYLOAD_CHARS]
