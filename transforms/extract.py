"""Readable text out of HTML: the main text of a web page, or a feed item's HTML fragment.

Pages and feeds arrive with navigation, scripts, entities encoded twice and bytes in an
encoding nobody declared. These functions turn them into plain text with paragraphs separated
by a blank line, which is what tagging and alert evidence work on. Pure: text in, text out.
"""

from __future__ import annotations

import codecs
import html as html_lib
import re
from collections.abc import Iterable
from dataclasses import dataclass

import trafilatura
from charset_normalizer import from_bytes
from lxml import etree
from lxml import html as lxml_html


@dataclass(frozen=True)
class ExtractedText:
    """Main text of a page; extractor names the tier that produced it ("none": nothing usable)."""

    title: str | None
    text: str
    extractor: str


# --- feed fragments ---------------------------------------------------------------------------

# An HTML tag whose brackets were escaped once or more: &lt;p&gt;, &amp;lt;/p&amp;gt;
_ENCODED_TAG = re.compile(r"&(?:amp;)*lt;/?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*?)?/?&(?:amp;)*gt;")
_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_MARKUP = re.compile(r"<[a-zA-Z!/?]")
# Characters lxml refuses and invisible ones that only split words.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = re.compile(r"[\u00ad\u200b\u2060\ufeff]")
_DROPPED_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math", "canvas",
     "head", "title", "form", "button", "select", "textarea", "audio", "video", "map"}
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "aside", "header", "footer", "main", "nav", "blockquote",
     "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr",
     "caption", "figure", "figcaption", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "address",
     "details", "summary", "center", "fieldset", "body", "html"}
)  # fmt: skip
_PARA, _LINE = "\u2029", "\u2028"  # paragraph / line break markers while walking the tree


def html_to_text(fragment: str) -> str:
    """Feed summary or content HTML → plain text with paragraphs separated by "\\n\\n".

    Unescapes markup escaped once or twice (`&lt;p&gt;`, `&amp;lt;p&amp;gt;`), drops scripts,
    styles and embeds, turns block elements into paragraph breaks and <br> into line breaks,
    and collapses all other whitespace.
    """
    if not fragment:
        return ""
    text = fragment
    for _ in range(3):  # each round removes one level of escaping
        if _MARKUP.search(text) or not _ENCODED_TAG.search(text):
            break  # escaped tags next to real ones are literal text ("use &lt;b&gt; for bold")
        text = html_lib.unescape(text)
    if _MARKUP.search(text):
        marked = _markup_to_text(text)
        # lxml gives up on absurd nesting (> 255 levels); plain tag stripping still reads it
        text = marked if marked.strip() else re.sub(r"<[^>]*>", " ", text)
    else:
        text = _plain_to_marked(html_lib.unescape(text))
    for _ in range(2):  # "&amp;amp;" survives one unescape as "&amp;"
        if not _ENTITY.search(text):
            break
        text = html_lib.unescape(text)
    return _marked_to_text(text)


def _plain_to_marked(text: str) -> str:
    """Plain text: blank lines separate paragraphs, single newlines are just wrapping."""
    return _PARA.join(re.split(r"\n[ \t\r\f\v]*\n", text.replace("\r\n", "\n")))


def _markup_to_text(markup: str) -> str:
    markup = _CONTROL.sub("", markup)
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]*>", " ", markup)
    out: list[str] = []
    # Iterative walk: deeply nested markup must not hit the recursion limit.
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if closing:
            if tag in _BLOCK_TAGS:
                out.append(_PARA)
            if element.tail:
                out.append(_collapse(element.tail))
            continue
        if tag is None or tag in _DROPPED_TAGS:  # comments, processing instructions, scripts
            if element.tail:
                out.append(_collapse(element.tail))
            continue
        if tag in _BLOCK_TAGS:
            out.append(_PARA)
        elif tag == "br":
            out.append(_LINE)
        elif tag in ("td", "th"):
            out.append(" ")
        if element.text:
            out.append(_collapse(element.text))
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))
    return "".join(out)


def _collapse(text: str) -> str:
    return re.sub(r"[^\S\u2028\u2029]+", " ", text)


def _marked_to_text(marked: str) -> str:
    marked = _INVISIBLE.sub("", _CONTROL.sub("", marked))
    marked = re.sub(r"\u2028[^\S\u2028\u2029]*\u2028", _PARA, marked)  # <br><br> is a paragraph break
    paragraphs = []
    for block in marked.split(_PARA):
        lines = [" ".join(line.split()) for line in block.split(_LINE)]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


# --- web pages --------------------------------------------------------------------------------


def extract_article_html(html: str, url: str | None = None, min_length: int = 200) -> ExtractedText:
    """Main text of a news page, dropping navigation, sidebars, related links and comments.

    Tries trafilatura (which itself compares against readability and jusText), then
    trafilatura tuned for recall, then its baseline (JSON-LD articleBody, <article>, <p>);
    the first result of at least `min_length` characters wins, as in Media Cloud's chain.
    A page where no tier reaches `min_length` gives text "" and extractor "none".
    """
    title = page_title(html)
    tiers = (
        ("trafilatura", lambda: trafilatura.extract(html, url=url, **_TRAFILATURA_OPTIONS)),
        (
            "trafilatura-recall",
            lambda: trafilatura.extract(html, url=url, favor_recall=True, **_TRAFILATURA_OPTIONS),
        ),
        ("baseline", lambda: trafilatura.baseline(html)[1]),
    )
    for name, run in tiers:
        try:
            text = run() or ""
        except Exception:  # a crashing tier is a failed tier; the next one runs
            continue
        text = _without_headline(_paragraphs(text), title)
        if len(text) >= min_length:
            return ExtractedText(title=title, text=text, extractor=name)
    return ExtractedText(title=title, text="", extractor="none")


_TRAFILATURA_OPTIONS = {
    "include_comments": False,
    "include_tables": False,
    "include_images": False,
    "include_links": False,
    "deduplicate": True,
    "output_format": "txt",
}


def _paragraphs(text: str) -> str:
    """trafilatura puts one paragraph per line; the pipeline separates them with a blank line."""
    lines = (" ".join(line.split()) for line in _INVISIBLE.sub("", text).splitlines())
    return "\n\n".join(line for line in lines if line)


def _without_headline(text: str, title: str | None) -> str:
    """Drop a leading paragraph that repeats the headline: the title is stored separately."""
    first, _, rest = text.partition("\n\n")
    if title and rest and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return text


_SITE_SUFFIX = re.compile(r"\s+[|\-–—:·•]\s+[^|\-–—:·•]{2,60}$")


def page_title(html: str) -> str | None:
    """Headline of a page: og:title, else an <h1> the <title> agrees with, else <title> without
    its " | Site name" suffix, else the first <h1>."""
    try:
        doc = lxml_html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*>", "", _CONTROL.sub("", html)))
    except (etree.ParserError, ValueError):
        return None
    meta = doc.xpath("//meta[@property='og:title' or @name='og:title' or @name='twitter:title']/@content")
    candidates = [" ".join(str(m).split()) for m in meta]
    h1s = [" ".join(h.text_content().split()) for h in doc.iter("h1")]
    title_el = doc.find(".//title")
    page = " ".join(title_el.text_content().split()) if title_el is not None else ""
    candidates += [h for h in h1s if h and page and h in page]
    if page:
        stripped = _SITE_SUFFIX.sub("", page)
        candidates.append(stripped if len(stripped) >= 15 else page)
    candidates += h1s
    for candidate in candidates:
        if candidate:
            return html_lib.unescape(candidate)[:500]
    return None


# --- bytes to text ----------------------------------------------------------------------------

# Declared names that browsers and feed readers read as a superset encoding (WHATWG).
_SUPERSETS = {
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252",
    "ascii": "cp1252", "iso-8859-9": "cp1254", "gb2312": "gb18030", "gbk": "gb18030",
    "x-gbk": "gb18030", "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "shift_jis": "cp932",
    "sjis": "cp932", "big5": "big5hkscs", "tis-620": "cp874", "iso-8859-11": "cp874",
}  # fmt: skip
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)  # fmt: skip
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")


def charset_from_content_type(content_type: str | None) -> str | None:
    match = re.search(r"charset\s*=\s*[\"']?([a-zA-Z0-9_.:-]+)", content_type or "", re.IGNORECASE)
    return match.group(1) if match else None


def decode_html(content: bytes, content_type: str | None = None) -> str:
    """An HTML page's bytes as text: HTTP charset, then <meta charset>, then detection."""
    meta = _META_CHARSET.search(content[:4096])
    declared = [charset_from_content_type(content_type), meta.group(1).decode("ascii") if meta else None]
    return decode_markup(content, declared)[0]


def decode_markup(content: bytes, declared: Iterable[str | None]) -> tuple[str, str]:
    """Decode feed or page bytes; returns (text, encoding used).

    Order: byte-order mark; valid UTF-8 (multi-byte UTF-8 is never an accident, so it beats a
    declared single-byte charset); each declared charset whose result is not mojibake;
    charset-normalizer's guess; finally the first declared charset (or cp1252) with
    replacement characters.
    """
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace"), encoding
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    known = [enc for enc in (codec_name(d) for d in declared if d) if enc and enc != "utf-8"]
    for encoding in known:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not looks_like_mojibake(text):
            return text, encoding
    best = from_bytes(content).best()
    if best is not None and best.encoding:
        text = str(best)
        if not looks_like_mojibake(text):
            return text, codec_name(best.encoding) or best.encoding
    fallback = known[0] if known else "cp1252"
    return content.decode(fallback, errors="replace"), fallback


def codec_name(name: str) -> str | None:
    """Python's codec name for a declared charset, read as browsers read it (latin-1 → cp1252)."""
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name.replace("_", "-")
    except LookupError:
        return None


def looks_like_mojibake(text: str, sample: int = 50_000) -> bool:
    """True when decoded text shows the marks of the wrong single-byte codec.

    C1 control characters or replacement characters; Latin-1 letters making up a quarter of
    all letters (Cyrillic or CJK read as Latin); or Cyrillic that is mostly upper case
    (KOI8-R read as Windows-1251 and vice versa swap the cases).
    """
    text = re.sub(r"<[^>]*>|https?://\S+", " ", text[:sample])
    if _C1_CONTROLS.search(text) or "\ufffd" in text:
        return True
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 8:
        return False
    latin_extended = sum(1 for c in letters if "\u00c0" <= c <= "\u024f")
    if latin_extended / len(letters) > 0.25:
        return True
    cyrillic = [c for c in letters if "\u0400" <= c <= "\u04ff"]
    return len(cyrillic) >= 20 and sum(c.isupper() for c in cyrillic) / len(cyrillic) > 0.6
