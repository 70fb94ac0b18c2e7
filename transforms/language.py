"""Per-article language, so non-English text skips English NER and uses alias matching only."""

from __future__ import annotations

MIN_CHARS = 40
SAMPLE_CHARS = 2000  # a few paragraphs settle the language; the classifier's cost grows with the length


def article_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_CHARS:
        return None
    import py3langid

    code, _score = py3langid.classify(sample)
    return code


def load_language_model() -> None:
    """Load the classifier's model now. py3langid loads it (73 MB) on the first `classify`, so
    without this every tagging worker loaded a private copy; the fork server calls it to share one."""
    import py3langid

    py3langid.classify("preload")
