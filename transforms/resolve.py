"""Entity resolution: statistical NER spans + the alias index -> canonical actors, places, organisations.

NER alone mislabels this domain (Armenia as PERSON, Nagorno-Karabakh as ORG) and never links "Putin"
to "Vladimir Putin"; the alias index alone cannot find people it has never heard of. The rules here
combine them: a known alias wins over the NER label, NER and context decide for weak aliases (small
towns, homonyms), and names are linked within the article (a surname to the full name seen earlier).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from transforms.entity_index import AliasMatch, Candidate, EntityIndex
from transforms.names import slugify
from transforms.records import Entity

PLACE_LABELS = {"GPE", "LOC"}
ORG_LABELS = {"ORG", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"}
TITLES = {
    "president",
    "prime",
    "minister",
    "foreign",
    "defence",
    "defense",
    "deputy",
    "vice",
    "mr",
    "mrs",
    "ms",
    "dr",
    "sir",
    "lord",
    "lady",
    "king",
    "queen",
    "pope",
    "prince",
    "princess",
    "general",
    "gen",
    "gen.",
    "colonel",
    "col",
    "secretary",
    "senator",
    "sen",
    "rep",
    "representative",
    "chancellor",
    "ambassador",
    "envoy",
    "speaker",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "premier",
    "commander",
    "chief",
    "head",
    "leader",
    "judge",
    "justice",
    "governor",
    "mayor",
    "counterpart",
    "state",
    "of",
    "the",
    "former",
    "late",
    "acting",
    "russian",
    "armenian",
    "azerbaijani",
    "french",
    "german",
    "american",
    "british",
    "us",
    "u.s.",
    "eu",
    "un",
    "nato",
    "catholicos",
    "patriarch",
    "archbishop",
    "bishop",
    "father",
    "saint",
    "st",
}
NAME_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "du", "la", "le", "bin", "al", "ter", "ibn", "y"}
POSSESSIVE = re.compile(r"^\s*['’]s?\b")
BYLINE = re.compile(
    r"^\s*(by|written by|reporting by|reported by|edited by|photo|photograph|image|credit|source|author)\b[:\s]",
    re.IGNORECASE,
)
NOT_SURNAME = {
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
}


@dataclass(frozen=True, slots=True)
class ResolvedMention:
    start: int
    end: int
    surface: str
    entity: Entity


@dataclass(frozen=True, slots=True)
class NerSpan:
    start: int
    end: int
    label: str


def _overlapping(spans: list[NerSpan], start: int, end: int) -> list[NerSpan]:
    return [s for s in spans if s.start < end and start < s.end]


def _byline_ranges(text: str) -> list[tuple[int, int]]:
    """Short credit lines ("By Jane Doe", "Photo: …"): names there are not the article's actors."""
    ranges = []
    offset = 0
    for line in text.split("\n"):
        if len(line) < 120 and BYLINE.match(line):
            ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    return ranges


def _in_ranges(ranges: list[tuple[int, int]], start: int) -> bool:
    return any(a <= start < b for a, b in ranges)


def _country_weights(matches: list[AliasMatch]) -> Counter:
    """How strongly each country is present, from matches that are places without doubt."""
    weights: Counter = Counter()
    for m in matches:
        places = [c for c in m.candidates if c.entity.kind == "location"]
        if not places or any(c.entity.kind != "location" for c in m.candidates):
            continue
        best = max(places, key=lambda c: (c.trusted, c.population))
        if best.trusted and best.entity.country_code:
            weights[best.entity.country_code] += 1
    return weights


def _place_score(cand: Candidate, weights: Counter) -> tuple:
    """Prefer the reading that fits the other places in the article, then the more prominent place."""
    code = cand.entity.country_code
    context = 2 * weights.get(code, 0) + sum(weights.get(n, 0) for n in cand.neighbours) if code else 0
    rank = {"country": 6, "catalog_place": 5, "continent": 5, "capital": 4, "us_state": 3}.get(cand.source, 1)
    return (context, rank, math.log10(cand.population + 1))


def _choose_place(places: list[Candidate], weights: Counter) -> Candidate:
    return max(places, key=lambda c: _place_score(c, weights))


def _accept_place(
    cand: Candidate, m: AliasMatch, text: str, ner: list[NerSpan], weights: Counter, index: EntityIndex
) -> bool:
    over = _overlapping(ner, m.start, m.end)
    exact_place = any(s.label in PLACE_LABELS and s.start <= m.start and s.end >= m.end for s in over)
    for span in over:
        longer = span.end - span.start > m.end - m.start
        if not longer:
            continue
        if span.label == "PERSON":
            return False  # "Antony" in "Antony Blinken", "Jordan" in "Jordan Peterson"
        if span.label in ORG_LABELS and not POSSESSIVE.match(text[m.end : m.end + 3]):
            return False  # "Moscow" in "The Moscow Times"
    if m.surface in index.not_a_place and not exact_place:
        return False
    if cand.trusted:
        return True
    if exact_place:
        return True
    code = cand.entity.country_code
    return bool(code and weights.get(code, 0) > 0)


def _clean_person(surface: str) -> str | None:
    """'President Vladimir Putin’s' -> 'Vladimir Putin'; None when what is left is not a name."""
    surface = POSSESSIVE.sub("", re.sub(r"['’]s?$", "", surface.strip()))
    tokens = surface.replace("\n", " ").split()
    while tokens and tokens[0].lower().rstrip(".") in TITLES:
        tokens.pop(0)
    if not tokens or any(ch.isdigit() for ch in surface):
        return None
    for tok in tokens:
        if not tok[:1].isupper() and tok.lower() not in NAME_PARTICLES:
            return None
    return " ".join(tokens)


def _actor(name: str) -> Entity:
    return Entity(f"actor:{slugify(name)}", "actor", name)


def _match_known_person(name: str, index: EntityIndex) -> Entity | None:
    """Catalogue lookup, tolerant of transliteration of the first name (Sergey/Sergei Shoigu)."""
    for cand in index.lookup(name):
        if cand.entity.kind == "actor":
            return cand.entity
    tokens = name.split()
    if len(tokens) >= 2:
        for cand in index.surnames.get(tokens[-1], ()):
            if cand.entity.name.split()[0][:1] == tokens[0][:1]:
                return cand.entity
    return None


def resolve_entities(text: str, ner: list[NerSpan], index: EntityIndex) -> list[ResolvedMention]:
    """All entity mentions of one article text, each linked to a canonical entity."""
    matches = index.scan(text)
    weights = _country_weights(matches)
    bylines = _byline_ranges(text)
    resolved: list[ResolvedMention] = []
    taken: list[tuple[int, int]] = []

    for m in matches:
        over = _overlapping(ner, m.start, m.end)
        labels = {s.label for s in over}
        by_kind: dict[str, list[Candidate]] = {}
        for c in m.candidates:
            by_kind.setdefault(c.entity.kind, []).append(c)
        entity = None
        if "actor" in by_kind and ("PERSON" in labels or "location" not in by_kind):
            if not _in_ranges(bylines, m.start):
                entity = by_kind["actor"][0].entity
        elif "organization" in by_kind and not (labels & PLACE_LABELS and "location" in by_kind):
            entity = by_kind["organization"][0].entity
        elif "location" in by_kind:
            cand = _choose_place(by_kind["location"], weights)
            if _accept_place(cand, m, text, ner, weights, index):
                entity = cand.entity
        if entity is not None:
            resolved.append(ResolvedMention(m.start, m.end, m.surface, entity))
            taken.append((m.start, m.end))

    # People NER found that the catalogue does not know by that spelling.
    full_names: dict[str, Entity] = {r.entity.name.split()[-1]: r.entity for r in resolved if r.entity.kind == "actor"}
    singles: list[tuple[NerSpan, str]] = []
    for span in ner:
        if span.label != "PERSON" or any(a < span.end and span.start < b for a, b in taken):
            continue
        if _in_ranges(bylines, span.start):
            continue
        name = _clean_person(text[span.start : span.end])
        if name is None:
            continue
        start = span.start + text[span.start : span.end].find(name.split()[0])
        end = start + len(name) if text[start : start + len(name)] == name else span.end
        if len(name.split()) == 1:
            singles.append((NerSpan(start, end, "PERSON"), name))
            continue
        entity = _match_known_person(name, index) or _actor(name)
        resolved.append(ResolvedMention(start, end, text[start:end], entity))
        taken.append((start, end))
        full_names.setdefault(entity.name.split()[-1], entity)

    for span, name in singles:
        entity = full_names.get(name)
        if entity is None:
            known = index.surnames.get(name, ())
            entity = known[0].entity if len(known) == 1 else None
        if entity is not None:
            resolved.append(ResolvedMention(span.start, span.end, text[span.start : span.end], entity))
            taken.append((span.start, span.end))

    # Surnames of people already named in this article, where NER missed them ("Macron and Michel").
    for surname, entity in full_names.items():
        if len(entity.name.split()) < 2 or surname in NOT_SURNAME or surname in index.not_a_place:
            continue
        for hit in re.finditer(rf"(?<!\w){re.escape(surname)}(?!\w)", text):
            if any(a < hit.end() and hit.start() < b for a, b in taken) or _in_ranges(bylines, hit.start()):
                continue
            resolved.append(ResolvedMention(hit.start(), hit.end(), hit.group(), entity))
            taken.append((hit.start(), hit.end()))

    resolved.sort(key=lambda r: r.start)
    return resolved
