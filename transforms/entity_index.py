"""The alias index: every known spelling of every catalogue/gazetteer entity, and the scan over text.

Built once per process from the catalogue files and the geonames gazetteer (see flows/catalog.py);
scanning an article is a dictionary lookup per capitalised token, cheap beside NER.

Two forms with one reading interface (`lookup`, `scan`, `surnames`, `person_keys`, `not_a_place`):
`EntityIndex` is the builder (a dict of candidate objects, easy to add to and to inspect);
`PackedEntityIndex` is what tagging uses. As objects, the 217k aliases of 171k gazetteer places took
186 MB of Python objects in every tagging process and 3 s to unpickle; every lookup also wrote to
them (reference counts), so forked workers slowly copied the pages they shared. Packed, the aliases
are a dict of plain strings to row numbers and the candidates one bytes blob, decoded on first use
and kept per process: ~50 MB, shared by forked workers without copies, loaded in a fraction of a second.
"""

from __future__ import annotations

import pickle
from array import array
from dataclasses import dataclass, field
from itertools import accumulate, compress
from typing import NamedTuple

from transforms.names import alias_key, starts_capitalised, text_tokens, token_key, token_keys
from transforms.records import Entity

# How a candidate was found; decides whether a dictionary match alone is enough evidence.
TRUSTED_SOURCES = {"actor", "organization", "country", "region", "capital", "catalog_place", "continent", "us_state"}
KEY_SEPARATOR = " "  # never inside a token (tokens are words or single non-space characters)


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


class AliasMatch(NamedTuple):  # ~100 an article: a named tuple is made ~3x faster than a frozen dataclass
    start: int
    end: int
    surface: str
    candidates: tuple[Candidate, ...]


class AliasScanner:
    """Lookup and scan over any form of the index: subclasses say how a key's candidates are found."""

    first_tokens: dict[str, int]  # first token of an alias -> the most tokens of an alias starting with it
    first_pairs: dict[str, int]  # first two tokens (joined by KEY_SEPARATOR) -> the most tokens of such an alias
    not_a_place: frozenset[str]
    surnames: dict[str, tuple[Candidate, ...]]  # person_key of an actor's surname -> actors
    person_keys: dict[str, tuple[Candidate, ...]]  # person_key of an actor's full name, in any script -> actors
    romanized_places: dict[str, tuple[str, ...]]  # person_key of a town's Latin name -> that name (an alias)

    def candidates(self, key: tuple[str, ...]) -> tuple[Candidate, ...]:
        raise NotImplementedError

    def lookup(self, alias: str) -> tuple[Candidate, ...]:
        return self.candidates(alias_key(alias))

    def scan(self, text: str) -> list[AliasMatch]:
        """Longest non-overlapping alias matches, left to right."""
        tokens, ends = text_tokens(text)
        keys = token_keys(tokens)
        first_tokens = self.first_tokens
        for j in compress(range(len(tokens)), map(str.isupper, tokens)):  # C-speed filter: few are capitals
            # a dateline's capitals (YEREVAN, МОСКВА): the place, when no alias is written in capitals
            if len(tokens[j]) >= 4 and keys[j] not in first_tokens:
                keys[j] = token_key(tokens[j].capitalize())
                if keys[j] not in first_tokens and "ԵՎ" in tokens[j]:
                    keys[j] = token_key(tokens[j].capitalize().replace("եվ", "և"))  # ԵՐԵՎԱՆ is Երևան
        matches: list[AliasMatch] = []
        n = len(tokens)
        covered = 0  # tokens before this one are inside a match already
        first_pairs = self.first_pairs
        for at in [j for j, key in enumerate(keys) if key in first_tokens]:  # most tokens start no alias
            if at < covered:
                continue
            longest = min(first_tokens[keys[at]], n - at)
            if longest > 1:  # "The" starts aliases of up to 17 tokens, "The government" none of 2 or more
                longest = min(longest, first_pairs.get(keys[at] + KEY_SEPARATOR + keys[at + 1], 1))
            for length in range(longest, 0, -1):
                found = self.candidates(tuple(keys[at : at + length]))
                if found:
                    start, end = ends[at] - len(tokens[at]), ends[at + length - 1]
                    matches.append(AliasMatch(start, end, text[start:end], found))
                    covered = at + length
                    break
        return matches


@dataclass
class EntityIndex(AliasScanner):
    """The builder: aliases as a dict of candidate objects."""

    aliases: dict[tuple[str, ...], tuple[Candidate, ...]] = field(default_factory=dict)
    first_tokens: dict[str, int] = field(default_factory=dict)
    first_pairs: dict[str, int] = field(default_factory=dict)
    not_a_place: frozenset[str] = frozenset()
    surnames: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)
    person_keys: dict[str, tuple[Candidate, ...]] = field(default_factory=dict)
    romanized_places: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def add(self, alias: str, candidate: Candidate) -> None:
        key = alias_key(alias)
        if not key or not starts_capitalised(key[0]):
            return
        existing = self.aliases.get(key, ())
        if any(c.entity.entity_id == candidate.entity.entity_id for c in existing):
            return
        self.aliases[key] = (*existing, candidate)
        self.first_tokens[key[0]] = max(self.first_tokens.get(key[0], 0), len(key))
        if len(key) > 1:
            pair = key[0] + KEY_SEPARATOR + key[1]
            self.first_pairs[pair] = max(self.first_pairs.get(pair, 0), len(key))

    def candidates(self, key: tuple[str, ...]) -> tuple[Candidate, ...]:
        return self.aliases.get(key, ())

    def packed(self) -> PackedEntityIndex:
        return PackedEntityIndex.pack(self)


def _encode(c: Candidate) -> bytes:
    e = c.entity
    fields = (e.entity_id, e.kind, e.name, e.country_code, e.latitude, e.longitude, e.wikidata_id)
    return pickle.dumps((fields, c.source, c.population, c.neighbours, c.admin), protocol=pickle.HIGHEST_PROTOCOL)


def _decode(data: bytes) -> Candidate:
    fields, source, population, neighbours, admin = pickle.loads(data)
    return Candidate(Entity(*fields), source, population, neighbours, admin)


class PackedEntityIndex(AliasScanner):
    """The index tagging reads: no Python object per candidate until a text mentions it."""

    def __init__(self) -> None:
        self.rows: dict[str, int] = {}  # alias key (tokens joined by KEY_SEPARATOR) -> row
        self.row_starts = array("I", [0])  # row r's candidates: row_candidates[row_starts[r]:row_starts[r + 1]]
        self.row_candidates = array("I")
        self.blob = b""  # candidate c: blob[blob_starts[c]:blob_starts[c + 1]]
        self.blob_starts = array("Q", [0])
        self.first_tokens: dict[str, int] = {}
        self.first_pairs: dict[str, int] = {}
        self.not_a_place: frozenset[str] = frozenset()
        self.surnames: dict[str, tuple[Candidate, ...]] = {}
        self.person_keys: dict[str, tuple[Candidate, ...]] = {}
        self.romanized_places: dict[str, tuple[str, ...]] = {}
        self._decoded: dict[int, tuple[Candidate, ...]] = {}  # row -> candidates, this process's cache

    @classmethod
    def pack(cls, index: EntityIndex) -> PackedEntityIndex:
        packed = cls()
        numbers: dict[int, int] = {}  # id(candidate) -> its number: a candidate shared by aliases is stored once
        blobs: list[bytes] = []
        for key, candidates in index.aliases.items():
            packed.rows[KEY_SEPARATOR.join(key)] = len(packed.rows)
            for c in candidates:
                number = numbers.get(id(c))
                if number is None:
                    number = numbers[id(c)] = len(blobs)
                    blobs.append(_encode(c))
                packed.row_candidates.append(number)
            packed.row_starts.append(len(packed.row_candidates))
        packed.blob = b"".join(blobs)
        packed.blob_starts.extend(accumulate(len(b) for b in blobs))
        packed.first_tokens = dict(index.first_tokens)
        packed.first_pairs = dict(index.first_pairs)
        packed.not_a_place = index.not_a_place
        packed.surnames = dict(index.surnames)
        packed.person_keys = dict(index.person_keys)
        packed.romanized_places = dict(index.romanized_places)
        return packed

    def candidates(self, key: tuple[str, ...]) -> tuple[Candidate, ...]:
        row = self.rows.get(KEY_SEPARATOR.join(key))
        if row is None:
            return ()
        found = self._decoded.get(row)
        if found is None:
            starts, blob = self.blob_starts, self.blob
            numbers = self.row_candidates[self.row_starts[row] : self.row_starts[row + 1]]
            found = self._decoded[row] = tuple(_decode(blob[starts[c] : starts[c + 1]]) for c in numbers)
        return found

    def __len__(self) -> int:
        return len(self.rows)

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "_decoded"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _decoded={})
