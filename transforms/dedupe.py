"""Article identity by content: the same text under another URL is the same article."""

from __future__ import annotations

import hashlib


def content_hash(title: str | None, body: str) -> str:
    """sha256 over case- and whitespace-folded title and body, so re-wrapped copies hash alike."""
    folded = " ".join(f"{title or ''}\n{body}".split()).casefold()  # str.split: the whitespace of re's \s
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()
