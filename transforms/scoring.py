"""Set-based precision/recall/F1 of per-article entity names against hand-made gold.

The team's scoring: per article, the set of canonical names found versus the gold set, summed over
articles; names listed as boilerplate, other places or bylines count neither for nor against.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)  # (article, name)
    false_positives: list[tuple[str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, article: str, predicted: set[str], gold: set[str], ignored: set[str]) -> None:
        predicted, gold = predicted - ignored, gold - ignored
        self.tp += len(predicted & gold)
        self.fp += len(predicted - gold)
        self.fn += len(gold - predicted)
        self.misses += [(article, n) for n in sorted(gold - predicted)]
        self.false_positives += [(article, n) for n in sorted(predicted - gold)]


def ignored_names(gold_row: dict) -> set[str]:
    return (
        set(gold_row.get("boilerplate_entities", []))
        | set(gold_row.get("other_places", []))
        | set(gold_row.get("bylines", []))
    )
