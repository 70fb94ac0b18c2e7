"""Alert rules: does a tagged article cover the relation a rule watches (e.g. Armenia–Russia)?

A rule has two sides, each a set of canonical entity names plus optional terms (demonyms,
inflected forms). An article fires when both sides meet in the headline, or in at least
`min_pair_sentences` sentence windows (a sentence and its `window` neighbours) that carry a
relation cue and no exclusion. The README's "Alert rules" section is the user-facing spec.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from transforms.records import Alert, TaggedArticle


@dataclass(frozen=True)
class RuleSpec:
    name: str
    side_a: frozenset[str]
    side_b: frozenset[str]
    terms_a: tuple[str, ...] = ()
    terms_b: tuple[str, ...] = ()
    window: int = 1
    min_pair_sentences: int = 2
    headline_pair: bool = True
    cues: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    min_score: float = 1.0

    @classmethod
    def from_mapping(cls, rule: dict) -> RuleSpec:
        """From a config rule (a [[alerts.rules]] table as a dict)."""
        return cls(
            rule["name"],
            frozenset(rule["side_a"]),
            frozenset(rule["side_b"]),
            tuple(rule.get("terms_a", ())),
            tuple(rule.get("terms_b", ())),
            rule.get("window", 1),
            rule.get("min_pair_sentences", 2),
            rule.get("headline_pair", True),
            tuple(rule.get("cues", ())),
            tuple(rule.get("exclusions", ())),
            rule.get("min_score", 1.0),
        )


def _term_pattern(terms: tuple[str, ...]) -> re.Pattern | None:
    """Terms match at a word start; a trailing '*' allows any ending (for inflected languages)."""
    if not terms:
        return None
    parts = [re.escape(t[:-1]) + r"\w*" if t.endswith("*") else re.escape(t) + r"(?!\w)" for t in terms]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


@dataclass
class CompiledRule:
    spec: RuleSpec
    terms_a: re.Pattern | None
    terms_b: re.Pattern | None
    cues: re.Pattern | None
    exclusions: re.Pattern | None


def compile_rule(spec: RuleSpec) -> CompiledRule:
    return CompiledRule(
        spec,
        _term_pattern(spec.terms_a),
        _term_pattern(spec.terms_b),
        _term_pattern(spec.cues),
        _term_pattern(spec.exclusions),
    )


def alert_id_for(rule: str, article_id: str) -> str:
    return hashlib.sha256(f"{rule}\x00{article_id}".encode()).hexdigest()[:16]


def evaluate_rule(rule: CompiledRule, tagged: TaggedArticle, names: dict[str, str]) -> Alert | None:
    """The alert this article raises under the rule, or None. `names` maps entity_id -> canonical name."""
    spec = rule.spec
    text = tagged.article.text
    sentences = tagged.sentences or [(0, len(text))]
    n = len(sentences)
    side_a: list[set[str]] = [set() for _ in range(n)]
    side_b: list[set[str]] = [set() for _ in range(n)]
    for m in tagged.mentions:
        name = names.get(m.entity_id)
        if m.sentence >= n or name is None:
            continue
        if name in spec.side_a:
            side_a[m.sentence].add(name)
        if name in spec.side_b:
            side_b[m.sentence].add(name)
    for i, (s, e) in enumerate(sentences):
        sentence = text[s:e]
        if rule.terms_a and (hit := rule.terms_a.search(sentence)):
            side_a[i].add(hit.group())
        if rule.terms_b and (hit := rule.terms_b.search(sentence)):
            side_b[i].add(hit.group())

    title_len = len(tagged.article.title or "") if "title_derived" not in tagged.article.flags else 0
    headline = [i for i, (s, _) in enumerate(sentences) if title_len and s < title_len]
    headline_hit = bool(
        spec.headline_pair
        and headline
        and set().union(*(side_a[i] for i in headline))
        and set().union(*(side_b[i] for i in headline))
    )
    pairs: list[int] = []
    matched: set[str] = set()
    for i in range(n):
        lo, hi = max(0, i - spec.window), min(n, i + spec.window + 1)
        if not side_a[i] and not side_b[i]:
            continue
        a = set().union(*side_a[lo:hi])
        b = set().union(*side_b[lo:hi])
        if not (a and b) or not (side_a[i] and b or side_b[i] and a):
            continue
        window_text = text[sentences[lo][0] : sentences[hi - 1][1]]
        if rule.exclusions and rule.exclusions.search(window_text):
            continue
        if rule.cues and not rule.cues.search(window_text):
            continue
        pairs.append(i)
        matched |= a | b
    score = len(pairs) + (2.0 if headline_hit else 0.0)
    fired = headline_hit or len(pairs) >= spec.min_pair_sentences
    if not fired or score < spec.min_score:
        return None
    if headline_hit:
        for i in headline:
            matched |= side_a[i] | side_b[i]
    evidence_idx = sorted(set(headline if headline_hit else []) | set(pairs[:3]))[:4]
    spans = tuple(sentences[i] for i in evidence_idx)
    evidence = " … ".join(text[s:e].strip() for s, e in spans)
    return Alert(
        alert_id_for(spec.name, tagged.article.article_id),
        spec.name,
        tagged.article.article_id,
        score,
        tuple(sorted(matched)),
        evidence,
        spans,
        tagged.article.story_id,
    )
