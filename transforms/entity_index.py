"""The alias index: every known spelling of every catalogue/gazetteer entity, and the scan over text.

Built once per process from the catalogue files and the geonames gazetteer (see flows/catalog.py);
scanning an article is a dictionary lookup per capitalised token, cheap beside NER.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transforms.names import alias_key, starts_capitalised, text_tokens, token_key
from transforms.records import Entity

# How a candidate was found; decides whether a dictionary match alone is enough evidence.
TRUSTED_SOURCES = {"actor", "organization", "country", "region", "capital", "catalog_place", "continent", "us_state"}


@dataclass(frozen=True, slots=True)
class Candidate:
    entity: Entity
    source: str  # actor | organization | country | region | capital | catalog_place | continent | us_state | city
    population: int = 0
    neighbours: tuple[str, ...] = ()
    admin: str | None = None  # first-level division, e.g. "US-GA", to place homonyms by their state

    @property
    def trusted(self) -> bool:
        """A trusted alias is a location/actor/org on sight; others need NER or context to agree."""
        return self.source in TRUSTED_SOURCES or self.population >= 500_000


@dataclass(frozen=True, slots=True)
class AliasMatch:
    start: int
    end: int
    surface: str
    candidates: tuple[Candidate, ...]


@dataclass
class EntityIndex:
    aliases: dict[tuple[str, ...], tuple[Candidate, ...]] = field(default_factory=dict)
    first_tokens: set[str] = field(default_factory=set)
    max_tokens: int = 1
    not_a_place: frozenset[str] = frozenset()
    surnames: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)  # actor surname -> actors

    def add(self, alias: str, candidate: Candidate) -> None:
        key = alias_key(alias)
        if not key or not starts_capitalised(key[0]):
            return
        existing = self.aliases.get(key, ())
        if any(c.entity.entity_id == candidate.entity.entity_id for c in existing):
            return
        self.aliases[key] = (*existing, candidate)
        self.first_tokens.add(key[0])
        self.max_tokens = max(self.max_tokens, len(key))

    def lookup(self, alias: str) -> tuple[Candidate, ...]:
        return self.aliases.get(alias_key(alias), ())

    def scan(self, text: str) -> list[AliasMatch]:
        """Longest non-overlapping alias matches, left to right."""
        tokens = text_tokens(text)
        keys = [token_key(tok) for tok, _, _ in tokens]
        matches: list[AliasMatch] = []
        i = 0
        n = len(tokens)
        while i < n:
            if keys[i] not in self.first_tokens:
                i += 1
                continue
            best = None
            for length in range(min(self.max_tokens, n - i), 0, -1):
                found = self.aliases.get(tuple(keys[i : i + length]))
                if found:
                    best = (length, found)
                    break
            if best is None:
                i += 1
                continue
            length, found = best
            start, end = tokens[i][1], tokens[i + length - 1][2]
            matches.append(AliasMatch(start, end, text[start:end], found))
            i += length
        return matches
