"""Read articles from local files: .txt (headline line + body) and .html (main text extracted).

Every file becomes either a RawArticle or a Quarantined record with a reason; nothing raises.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from transforms.dates import DATE_FROM_FILE, DATE_FROM_TEXT, date_near_top
from transforms.records import FileStamp, Quarantined, RawArticle

ARTICLE_SUFFIXES = {".txt", ".html", ".htm"}
MAX_LINE_CHARS = 100_000  # no article paragraph is this long; such a line is a dump, not prose
MIN_LETTER_SHARE = 0.5  # decoded text with fewer letters than this is binary noise, not an article


def list_local_files(source: Path) -> tuple[list[Path], list[Quarantined]]:
    """Article files under a file or directory, sorted; links that leave the directory are refused."""
    if source.is_file():
        return [source], []
    if not source.is_dir():
        return [], [Quarantined(str(source), "load", f"source {source} does not exist", None)]
    root = source.resolve()
    files: list[Path] = []
    refused: list[Quarantined] = []
    for path in sorted(source.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(source).parts):
            continue
        if (path.is_symlink() or path.is_file()) and not path.resolve().is_relative_to(root):
            # a link out of the source folder (or through a linked folder) could expose any file on the host
            refused.append(Quarantined(str(path), "load", "symlink points outside the source directory", None))
            continue
        if path.is_file() and path.suffix.lower() in ARTICLE_SUFFIXES:
            files.append(path)
    return files, refused


def stamp_file(path: Path) -> FileStamp | None:
    """Size and modification time, taken before the file is read (a later edit changes them: re-read next run)."""
    try:
        st = path.stat()
    except OSError:
        return None  # gone or unreadable: reading it reports why
    return FileStamp(str(path.resolve()), st.st_size, st.st_mtime_ns)


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) first; otherwise the most plausible legacy encoding
    (Windows-1251, KOI8-R, ISO-8859-x…), provided the result reads as text."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None or best.encoding is None:
            raise
        text = str(best)
        visible = [ch for ch in text if not ch.isspace()]
        if not visible or sum(ch.isalpha() for ch in visible) / len(visible) < MIN_LETTER_SHARE:
            raise UnicodeDecodeError("unknown", data[:1], 0, 1, "no encoding gives readable text") from None
        return text


def read_local_article(path: Path, fetched_at: datetime, max_bytes: int) -> RawArticle | Quarantined:
    """One file -> RawArticle (title may be None for .txt: the clean step finds the headline)."""
    ref = str(path)
    try:
        stat = path.stat()
        size = stat.st_size
        if size == 0:
            return Quarantined(ref, "load", "empty file (0 bytes)", ref)
        if size > max_bytes:
            return Quarantined(ref, "load", f"file is {size:,} bytes, over the {max_bytes:,}-byte limit", ref)
        data = path.read_bytes()
    except OSError as exc:
        return Quarantined(ref, "load", f"cannot read file: {exc.strerror or exc}", ref)
    if b"\x00" in data[:8192]:
        return Quarantined(ref, "load", "binary file (contains NUL bytes), not an article", ref)
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        return Quarantined(ref, "load", "undecodable text: not UTF-8 and no legacy encoding fits", ref)
    if not text.strip():
        return Quarantined(ref, "load", "file has no text (only whitespace)", ref)
    longest = max(len(line) for line in text.split("\n"))
    if longest > MAX_LINE_CHARS:
        return Quarantined(ref, "load", f"a line of {longest:,} characters: not an article", ref)
    url = path.resolve().as_uri()
    source = str(path.parent.resolve())
    if path.suffix.lower() in {".html", ".htm"}:
        from transforms.extract import extract_article_html

        extracted = extract_article_html(text, url)
        if not extracted.text.strip():
            return Quarantined(ref, "load", "no article text found in the HTML page", text[:2000])
        published, flag = local_article_date(extracted.text, stat.st_mtime)
        return RawArticle(
            url,
            source,
            extracted.title,
            extracted.text,
            fetched_at,
            published,
            extractor=extracted.extractor,
            flags=[flag],
        )
    published, flag = local_article_date(text, stat.st_mtime)
    return RawArticle(url, source, None, text, fetched_at, published, extractor="txt", flags=[flag])


def local_article_date(text: str, mtime: float) -> tuple[datetime, str]:
    """A file has no date field: the date its text states near the top, else when the file was last
    written (what a reader of a folder of clippings goes by), with a flag saying which."""
    stated = date_near_top(text)
    if stated is not None:
        return stated, DATE_FROM_TEXT
    return datetime.fromtimestamp(mtime, UTC), DATE_FROM_FILE
