"""Towns an Armenian text names that the gazetteer knows only in Latin script.

geonames lists Armenian names for few towns outside Armenia: «Փոթիի» (Poti), «Իսֆահան» (Isfahan), «Բանդար
Աբբասի» (Bandar Abbas), «Կասպիյսկում» (Kaspiysk) matched nothing. Armenian capitalises only proper names
inside a sentence, so a capitalised word there whose romanized stem has the loose key (`place_key`) of a
town's Latin name is read as that town, when the article also names the town's country: without that
evidence a surname or a brand with the same key would turn into a town somewhere.
"""

from __future__ import annotations

import re

from transforms.entity_index import AliasMatch, AliasScanner
from transforms.names import token_key
from transforms.transliterate import person_key

# One or two capitalised Armenian words (a capital, then small letters, the case ending included), found at
# every word, overlapping: in «Բեռները Բանդար Աբբասի» the second and third words are the name.
_NAME = re.compile(r"(?<![\w«\"-])(?=([Ա-Ֆ][ա-ֆև]+(?: [Ա-Ֆ][ա-ֆև]+)?(?![\w-])))")
_SENTENCE_END = re.compile(r"(?:^|[.:։!?…\n])\s*$")


def place_key(name: str) -> str:
    """`person_key`, with y between consonants read as i: «Կամիշին» romanizes to Kamishin, geonames
    writes Kamyshin."""
    return _CONSONANT_Y.sub("i", person_key(name))


_CONSONANT_Y = re.compile(r"(?<=[^aeiou ])y(?=[^aeiou ])")


def with_romanized_places(
    text: str, matches: list[AliasMatch], index: AliasScanner, people: list[tuple[int, int]]
) -> list[AliasMatch]:
    """`matches` and the towns found by their romanized Armenian names, in text order. `people`: the
    spans of people named in full, whose names are never towns («Իգոր Պետրովսկին» is not Petrovsk)."""
    if not index.romanized_places or not re.search("[ա-ֆ]", text):
        return matches
    countries = {c.entity.country_code for m in matches for c in m.candidates if c.entity.kind == "location"}
    countries.discard(None)
    found: list[AliasMatch] = []
    for hit in _NAME.finditer(text):
        start, end = hit.start(1), hit.end(1)
        if _SENTENCE_END.search(text, max(0, start - 3), start):
            continue  # the first word of a sentence is capitalised whatever it is
        if any(p_start < end and start < p_end for p_start, p_end in people):
            continue
        inside = [m for m in matches if start <= m.start and m.end <= end]
        if any((m.start, m.end) == (start, end) for m in inside):
            continue  # the alias scan knows these words already
        if any(m.start < end and start < m.end for m in [*matches, *found] if m not in inside):
            continue
        match = _town(hit.group(1), start, index, countries)
        if match is not None and all(m.end - m.start < match.end - match.start for m in inside):
            found.append(match)  # the longer name wins: «Բանդար Աբբասի» is the port, not Mahmoud Abbas
            matches = [m for m in matches if m not in inside]
    return sorted(matches + found, key=lambda m: m.start) if found else matches


def _town(surface: str, start: int, index: AliasScanner, countries: set[str]) -> AliasMatch | None:
    """The town the words name, two words first, then the first word alone."""
    words = surface.split(" ")
    for n in range(len(words), 0, -1):
        written = " ".join(words[:n])
        # the last word with its case ending cut, or whole: the cut also takes the -ն of «Իսֆահան»
        for last in dict.fromkeys((token_key(words[n - 1]), words[n - 1])):
            key = place_key(" ".join([*words[: n - 1], last]))
            candidates = tuple(
                c
                for name in index.romanized_places.get(key, ())
                for c in index.lookup(name)
                if c.entity.kind == "location" and c.entity.country_code in countries
            )
            if candidates:
                return AliasMatch(start, start + len(written), written, candidates)
    return None
