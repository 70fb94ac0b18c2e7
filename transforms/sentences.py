"""Sentence spans that never cross a line break: a headline or a paragraph without final punctuation
is its own sentence, not glued to the next one."""

from __future__ import annotations


def split_at_line_breaks(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Line breaks are found with str.find: a loop over every character cost ~0.2 ms an article in
    the tagging processes, beside ~50 ms of NER."""
    out: list[tuple[int, int]] = []
    for start, end in spans:
        piece_start = start
        i = text.find("\n", start, end)
        while i != -1:
            if text[piece_start:i].strip():
                out.append((piece_start, i))
            piece_start = i + 1
            i = text.find("\n", piece_start, end)
        if text[piece_start:end].strip():
            out.append((piece_start, end))
    return out
