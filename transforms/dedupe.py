"""Article identity by content: the same text under another URL is the same article."""

from __future__ import annotations

import hashlib
import re


def content_hash(title: str | None, body: str) -> str:
    """sha256 over case- and whitespace-folded title and body, so re-wrapped copies hash alike."""
    folded = re.sub(r"\s+", " ", f"{title or ''}\n{body}").strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()
