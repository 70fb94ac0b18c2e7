"""Entity resolution: statistical NER spans + the alias index -> canonical actors, places, organisations.

NER alone mislabels this domain (Armenia as PERSON, Nagorno-Karabakh as ORG) and never links "Putin"
to "Vladimir Putin"; the alias index alone cannot find people it has never heard of. The rules here
combine them: a known alias wins over the NER label, NER and context decide for weak aliases (small
towns, homonyms), and names are linked within the article (a surname to the full name seen earlier).
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import re
import string
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache
from typing import NamedTuple

from transforms.entity_index import AliasMatch, Candidate, EntityIndex
from transforms.latin_names import latin_person_spans
from transforms.names import MONTH_NAMES, WEEKDAY_NAMES, script_of, slugify, surname_of
from transforms.records import Entity
from transforms.romanized_places import with_romanized_places
from transforms.transliterate import person_key, romanize, romanize_person

PLACE_LABELS = {"GPE", "LOC"}
ORG_LABELS = {"ORG", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"}
TITLES = frozenset(
    """
    president prime minister foreign defence defense deputy vice mr mrs ms dr sir lord lady king queen
    pope prince princess general gen gen. colonel col secretary senator sen rep representative
    chancellor ambassador envoy speaker spokesman spokeswoman spokesperson premier commander chief head
    leader judge justice governor mayor counterpart state of the former late acting russian armenian
    azerbaijani french german american british us u.s. eu un nato catholicos patriarch archbishop bishop
    father saint st bundeskanzler kanzler kanzlerin präsident präsidentin ministerpräsident
    außenminister außenministerin regierungschef premierminister herr frau président présidente ministre
    chancelier monsieur madame m mme presidente ministro canciller señor президент премьер
    премьер-министр министр глава госсекретарь канцлер господин
    composer conductor singer pianist violinist painter artist writer poet director producer actor actress
    professor prof prof. coach striker captain lawyer attorney archimandrite priest rev reverend
    """.split()
)
NAME_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "du", "la", "le", "bin", "al", "ter", "ibn", "y"}
POSSESSIVE = re.compile(r"^\s*['’]s?\b")
BYLINE = re.compile(
    r"^\s*\(?\s*(by|written by|reporting by|reported by|edited by|photo|photograph|image|credit|source|author"
    r"|фото|фотография|автор|источник|корреспондент|текст|редактор|фотограф|оператор|видео|иллюстрация"
    r"|foto|fotografía|auteur|լուսանկար\w*|հեղինակ)\b[:\s—–-]",
    re.IGNORECASE,
)
# A credit line that is only a name and a role or an agency: «Иван Шилов ИА REGNUM», «Глеб Палехов
# (редактор отдела)», "Jane Doe / AFP".
CREDIT_LINE = re.compile(
    r"^\s*[A-ZА-ЯЁԱ-Ֆ][\w'’-]+(?:\s+[A-ZА-ЯЁԱ-Ֆ][\w'’-]+){1,2}\s*"
    r"(?:\([^)\n]{2,60}\)|/\s*[\w .-]{2,30}|(?:ИА|РИА|ТАСС|AP|AFP|Reuters|EPA|Getty|Sputnik)\b.*|[A-ZА-ЯЁ]{3,}\b.*)\s*$"
)
# A place or person name followed by one of these is a feature or facility named after it
# ("Fergana Valley", "Lachin corridor", "Heydar Aliyev International Airport"), not the place or person.
FEATURE_WORDS = re.compile(
    r"^(?:-\d+)?\s+(?:(?-i:[A-Z][\w-]+)\s+){0,2}(?:valley|river|sea|lake|mountains?|mount|range|gorge|corridor|airport"
    r"|airfield|cave|basin|strait|bay|gulf|peninsula|desert|plateau|highway|pass|canyon|dam|reservoir|pipeline"
    r"|stadium|arena|street|avenue|square|boulevard|prospekt|bridge|park|station|port|center|centre|foundation"
    r"|prize|award|university|institute|school|hospital|museum|cathedral|church|mosque|monastery|palace|fund)\b",
    re.IGNORECASE,
)
# Armenian puts the feature after the name in the genitive: «Իվան Յարիգինի անվան մրցաշար» (the tournament
# named after Ivan Yarygin), «Տիգրան Մեծի պողոտա» (Tigran Mets avenue), «Վազգեն Սարգսյանի մարզադաշտ».
ARMENIAN_FEATURE_AFTER = re.compile(
    r"^[\u0561-\u0587]{0,2}\s+(?:անվան|պողոտ|փողոց|հրապարակ|մարզադաշտ|մարզահամալիր|համալիր|թանգարան|համալսարան"
    r"|դպրոց|հիմնադրամ|մրցանակ|կամուրջ|օդանավակայան|այգի|հուշարձան|լեռնանցք|թունել|ջրամբար|կայարան|գետ|լիճ)"
    r"(?!ային|ական)"  # «Իվանիշվիլին հրապարակային ելույթներում» (in public speeches) is no square
)
# Russian puts an adjective before the feature: «Черное море», «Каспийского моря», «Чудском озере», «Курской АЭС».
RUSSIAN_FEATURE_AFTER = re.compile(
    r"^\s+(?:мор(?:е|я|ю|ем)|озер(?:о|а|у|ом|е)|залив|пролив|водохранилищ|(?-i:ГЭС|АЭС|ТЭЦ))(?!\w{3})", re.IGNORECASE
)
# The same, written before the name: "Lake Sevan", «аэропорт Внуково», «проспект Гарегина Нжде», «имени
# Курчатова» (named after him). The word before the name is compared whole, or by its stem when the stem
# is long enough not to begin other words («озер-о/а/е», but «гора» whole: «город» is not a mountain).
FEATURE_BEFORE_WORDS = frozenset(
    """
    producer company firm brand maker exporter importer distillery winery retailer chain manufacturer supplier
    holding carrier airline operator label
    lake mount mt mt. river airport cape gulf bay strait гора горы горе гору река реки реке реку рекой мыс мыса
    им. имени храм храма храме порт порта порту портом порте
    lago monte río rio lac mont fleuve aéroport aeropuerto calle rue avenue avenida
    see flughafen straße platz
    """.split()
)
FEATURE_BEFORE_STEMS = (
    "озер", "перевал", "аэропорт", "аэродром", "залив", "пролив", "хребт", "вулкан", "станци", "улиц",
    "проспект", "площад", "бульвар", "переул", "шоссе", "набережн", "памятник", "монастыр", "собор", "стадион",
)  # fmt: skip
LEADING_FEATURE = re.compile(
    r"(?:lake|mount|mt\.?|river|cape|gulf|bay|port|fort|camp|sea)\s|(?-i:FC|CF|SC|AC|FK|PFC|BC)\s", re.IGNORECASE
)  # "FC Ararat-Armenia", "BC Urartu": a club
# Russian, Armenian and other quotation marks round a name: a brand, company, newspaper or ship
# («Арарат» brandy, «Джермук» water, «Газпром Армения»), not the place it is named after.
# «Курорт-Кавказ»: the first part of a compound name too; «Մարշալ Բաղրամյան»: a capitalised word before it
QUOTED = re.compile(r"[«„“\"]\s*(?:\w+-|[^\W\d_][\w.]*\s+)?$")
QUOTE_CLOSE = re.compile(r"^\s*[»“”\"]")
STOPWORDS = frozenset(
    "a an the and or but if when while after before since until without with within by for from to of in on at as"
    " as though although because despite during this that these those there here then thus also meanwhile however"
    " yet still even only just both either neither all each every some many most more other such".split()
)
NOT_SURNAME = frozenset(MONTH_NAMES + WEEKDAY_NAMES)
# Nationalities that sports and wire copy put before a name ("Frenchman Julien Castagnac", "Lithuanian Tomas
# Jurgaitis"). "German" is left out: it is a Russian given name too (German Gref).
DEMONYMS = """Frenchman Frenchwoman Englishman Englishwoman Dutchman Dutchwoman Irishman Irishwoman Scotsman Scotswoman
    Welshman Welshwoman American British French Italian Spanish Russian Armenian Georgian Azerbaijani Azeri Ukrainian
    Belarusian Kazakh Kazakhstani Kyrgyz Uzbek Tajik Turkmen Turkish Iranian Israeli Chinese Japanese Korean Indian
    Pakistani Polish Czech Slovak Hungarian Romanian Bulgarian Serbian Croatian Slovenian Greek Cypriot Lithuanian
    Latvian Estonian Finnish Swedish Norwegian Danish Dutch Belgian Swiss Austrian Portuguese Brazilian Argentine
    Argentinian Mexican Canadian Australian Kenyan Ethiopian Egyptian Syrian Lebanese Saudi Emirati Qatari Chechen
    Dagestani Moldovan Mongolian Afghan Iraqi Jordanian Palestinian""".split()
# Words that open a sentence and that NER glues to the name after them: "Today Putin said", "Now Khudavang".
NOT_A_GIVEN_NAME = frozenset(
    (
        *MONTH_NAMES,
        *WEEKDAY_NAMES,
        *"""Today Yesterday Tomorrow Tonight Now Earlier Later Meanwhile Then Still Recently Previously Instead
        Finally First Next Separately Similarly Overall Currently Already Again Afterwards Subsequently Moreover
        Furthermore Nevertheless Nonetheless Thus Hence Indeed Yet Last Ex Former Late Acting Interim Veteran
        Outgoing Incoming Newly Opposition Critics Officials Sources Analysts""".split(),
        *DEMONYMS,
    )
)
GENITIVE_ENDINGS = ("и", "ы", "а", "ի")  # «России», «Украины», «Азербайджана», «Հայաստանի»
# A state's bodies and offices: the country in their name is the place they act for ("Security Council of
# Armenia", «МИД России»); a proper name that contains one ("Bank of Russia") is an institution's name.
STATE_BODY = re.compile(
    r"(?i)\b(?:ministry|minister|government|president|presidency|embassy|consulate|parliament|national assembly"
    r"|security council|armed forces|army|navy|border guards?|prosecutor|ombudsman|defen[cs]e|foreign affairs"
    r"|ministère|gouvernement|ministerium|regierung|botschaft|ministerio|gobierno|embajada)\b"
    r"|(?:министерств|министр|мид|минобороны|минэкономразвития|минфин|правительств|президент|посольств|консульств"
    r"|парламент|госдум|совет безопасности|совбез|вооруж|арми|погранич|прокуратур|генпрокуратур|омбудсмен|аппарат)"
)
MAX_CASE_ENDING = 3  # letters a Russian or Armenian case ending adds to a surname («-ыми», «-ից»)
PLACE_SOURCE_RANK = {"country": 6, "catalog_place": 5, "continent": 5, "capital": 4, "us_state": 3}


# Named tuples, not frozen dataclasses: an article makes ~60 of each, and a tuple is made ~3x faster.
class ResolvedMention(NamedTuple):
    start: int
    end: int
    surface: str
    entity: Entity


class NerSpan(NamedTuple):
    start: int
    end: int
    label: str
    name: str | None = None  # a person's name as the recogniser normalised it (Russian: in the nominative)


class NerSpans:
    """An article's NER spans, queried for those overlapping an alias match by bisection: an article
    has ~100 of each, and a pass over all spans per match was the largest cost of resolution."""

    def __init__(self, spans: list[NerSpan]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self.starts = [s.start for s in self.spans]
        self.longest = max((s.end - s.start for s in self.spans), default=0)

    def overlapping(self, start: int, end: int) -> list[NerSpan]:
        lo = bisect.bisect_right(self.starts, start - self.longest)  # a span starting earlier ends before start
        hi = bisect.bisect_left(self.starts, end)
        return [s for s in self.spans[lo:hi] if start < s.end]


class TakenRanges:
    """Character ranges already given to a mention, so a later candidate overlapping one is skipped."""

    def __init__(self, length: int) -> None:
        self.mask = bytearray(length)

    def add(self, start: int, end: int) -> None:
        self.mask[start:end] = b"\x01" * (end - start)

    def overlaps(self, start: int, end: int) -> bool:
        return self.mask.find(1, start, end) != -1


@dataclass(frozen=True, slots=True)
class _Reading:
    """What resolution needs of one alias's candidates, worked out once per alias and process: an
    article has ~100 alias matches, most of them aliases seen in earlier articles."""

    by_kind: dict[str, list[Candidate]]
    places: list[Candidate]
    only_places: bool  # every candidate is a location
    weight_keys: tuple[str, ...]  # what a match adds to the article's country weights


_readings: dict[int, tuple[tuple[Candidate, ...], _Reading]] = {}
MAX_READINGS = 100_000


def _reading(candidates: tuple[Candidate, ...]) -> _Reading:
    """The reading of a candidates tuple. The index hands out the same tuple for the same alias, so
    it is looked up by identity; the cache holds the tuple itself, so its id is never reused."""
    hit = _readings.get(id(candidates))
    if hit is not None and hit[0] is candidates:
        return hit[1]
    by_kind: dict[str, list[Candidate]] = {}
    for c in candidates:
        by_kind.setdefault(c.entity.kind, []).append(c)
    places = by_kind.get("location", [])
    only_places = bool(places) and len(places) == len(candidates)
    weight_keys: tuple[str, ...] = ()
    if only_places:
        best = max(places, key=lambda c: (c.trusted, c.population))
        if best.trusted and best.entity.country_code:
            weight_keys = (best.entity.country_code, *_division_weight(best))
    reading = _Reading(by_kind, places, only_places, weight_keys)
    if len(_readings) >= MAX_READINGS:
        _readings.clear()  # bounds a long-lived process; the next articles work them out again
    _readings[id(candidates)] = (candidates, reading)
    return reading


# Where a town weighs for its first-level division's other towns, as the division's own name always does.
# A U.S. story's towns are mostly in one state (Atlanta tells which Savannah); a Russian or Armenian story
# lists towns from several (Masis and Artashat in Ararat Province say nothing about which Abovyan).
TOWNS_WEIGH_FOR_THEIR_DIVISION = frozenset({"US"})


def _division_weight(cand: Candidate) -> tuple[str, ...]:
    if (
        not cand.admin
        or cand.source in ("city", "capital")
        and cand.entity.country_code not in TOWNS_WEIGH_FOR_THEIR_DIVISION
    ):
        return ()
    return (cand.admin,)


def _byline_ranges(text: str) -> list[tuple[int, int]]:
    """Short credit lines ("By Jane Doe", "Photo: …"): names there are not the article's actors."""
    ranges = []
    offset = 0
    for line in text.split("\n"):
        if len(line) < 120 and (BYLINE.match(line) or CREDIT_LINE.match(line)):
            ranges.append((offset, offset + len(line)))
        offset += len(line) + 1
    return ranges


def whole_word_occurrences(text: str, word: str):
    r"""(start, end) of every occurrence of `word` not inside a longer word: what the regex
    `(?<!\w)word(?!\w)` finds, by str.find. A regex compiled per surname per article (thousands of
    distinct names) cost more than the search itself."""
    size, start = len(word), text.find(word)
    while start >= 0:
        end = start + size
        if (start == 0 or not _is_word_char(text[start - 1])) and (end == len(text) or not _is_word_char(text[end])):
            yield start, end
            start = text.find(word, end)
        else:
            start = text.find(word, start + 1)


def armenian_spellings(surname: str) -> tuple[str, ...]:
    """An Armenian surname in Latin script as outlets write it: -ian and -yan (Hunanian / Hunanyan)."""
    if surname.endswith("ian") and len(surname) > 5:
        return surname, surname[:-3] + "yan"
    if surname.endswith("yan") and len(surname) > 5:
        return surname, surname[:-3] + "ian"
    return (surname,)


def surname_occurrences(text: str, surname: str):
    """Where the text names a surname: the word itself, and in Cyrillic or Armenian script its case
    forms too («Тоноян»: «Тонояна», «Тонояну»; «Захарова»: «Захаровой»; «Պողոսյան»: «Պողոսյանը»)."""
    if surname[:1] < "\u0400":
        yield from whole_word_occurrences(text, surname)
        return
    stem = surname[:-1] if surname[-1] in "аяоеыиуюьйաեէըիոօ" and len(surname) > 4 else surname
    longest = MAX_CASE_ENDING + len(surname) - len(stem)
    start = text.find(stem)
    while start >= 0:  # str.find, not a regex compiled per surname: ~50 surnames an article
        end = start + len(stem)
        if start == 0 or not _is_word_char(text[start - 1]):
            while end < len(text) and _is_word_char(text[end]) and end - start - len(stem) <= longest:
                end += 1
            if end - start - len(stem) <= longest:
                yield start, end
        start = text.find(stem, end)


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what the regex \w matches in a str pattern


# "the Belgorod and Kursk regions", «в Белгородской и Курской областях», «Արարատի և Արմավիրի մարզերում»:
# two regions share one plural noun, so neither is written as its full name. Singular of each plural.
REGION_PLURALS = {
    "regions": "region", "provinces": "province", "oblasts": "oblast", "districts": "district",
    "областях": "область", "областей": "область", "областям": "область", "областями": "область",
    "области": "область", "краях": "край", "краев": "край", "краёв": "край", "районах": "район",
    "районов": "район", "районы": "район", "округах": "округ", "округов": "округ", "республиках": "республика",
    "մարզերում": "մարզ", "մարզերի": "մարզ", "մարզեր": "մարզ", "մարզերը": "մարզ", "մարզերից": "մարզ",
    "երկրամասերում": "երկրամաս", "երկրամասերի": "երկրամաս", "երկրամասեր": "երկրամաս", "երկրամասերը": "երկրամաս",
    "երկրամասերից": "երկրամաս", "краям": "край", "краями": "край",
}  # fmt: skip
# What stands before such a plural noun: "Belgorod and Kursk", "Брянской, Курской и Белгородской".
COORDINATED_BEFORE = re.compile(
    r"(?<!\w)((?:[^\W\d_][\w-]*,\s+){0,8}[^\W\d_][\w-]*\s+(?:and|и|և|եւ|ու|y|et|und)\s+[^\W\d_][\w-]*)\s+$",
    re.IGNORECASE,
)
_COORDINATED_WORD = re.compile(r"(?<!\w)[^\W\d_][\w-]*")
_JOINERS = frozenset({"and", "и", "և", "եւ", "ու", "y", "et", "und"})
REGION_PLURAL = re.compile(r"(?<!\w)(?:" + "|".join(REGION_PLURALS) + r")(?!\w)", re.IGNORECASE)
_REGION_PLURAL_LOWERED = re.compile(r"(?:" + "|".join(REGION_PLURALS) + r")(?!\w)")
COORDINATION_REACH = 80  # characters before the plural noun that can hold the coordinated names


def _read_instead(matches: list[AliasMatch], found: list[AliasMatch]) -> list[AliasMatch]:
    """The alias matches with `found` in place of those it overlaps, in text order."""
    if not found:
        return matches
    kept = [m for m in matches if not any(f.start < m.end and m.start < f.end for f in found)]
    return sorted(kept + found, key=lambda m: m.start)


def _region_plurals(text: str):
    """What REGION_PLURAL finds. Ignoring case, it tried its alternatives at every character (0.2 s a
    batch of 512 Russian articles); the lowered text is searched with case for where one can start
    (~3x faster), and each such place is matched by REGION_PLURAL itself. No word of the list holds a
    non-word character, so a place rejected there (inside a longer word) hides no other."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a letter that lowers to two ("İ"): offsets would shift
        yield from REGION_PLURAL.finditer(text)
        return
    for hit in _REGION_PLURAL_LOWERED.finditer(lowered):
        plural = REGION_PLURAL.match(text, hit.start())
        if plural is not None:
            yield plural


def _with_coordinated_regions(text: str, matches: list[AliasMatch], index: EntityIndex) -> list[AliasMatch]:
    """The alias matches, with each region named in a coordination read as that region: "Belgorod" in
    "the Belgorod and Kursk regions" is Belgorod Oblast, not the city."""
    found = []
    for plural in _region_plurals(text):
        noun = REGION_PLURALS[plural.group().lower()]
        offset = max(0, plural.start() - COORDINATION_REACH)
        hit = COORDINATED_BEFORE.search(text, offset, plural.start())
        if hit is None:
            continue
        # "the Sumy, Kharkiv, Poltava and Chernihiv regions": every word of the list before the noun
        for word in _COORDINATED_WORD.finditer(text, hit.start(1), hit.end(1)):
            if word.group().lower() in _JOINERS:
                continue
            regions = tuple(c for c in index.lookup(f"{word.group()} {noun}") if c.entity.kind == "location")
            if regions:
                found.append(AliasMatch(word.start(), word.end(), word.group(), regions))
    return _read_instead(matches, found)


# A Russian district in any case: «Почепским районом», «Шебекинскому городскому округу», «в Курском районе»,
# and districts that share the noun: «в Ефремовском, Кимовском и Богородицком районах».
_ADJECTIVE_ENDING = r"(?:ий|ого|ому|им|ом|ой|ая|ую|ое|их|ым|ими)(?!\w)"
# «Наро-Фоминском»: a hyphenated adjective keeps its capitals
DISTRICT_ADJECTIVE = re.compile(r"(?<!\w)([А-ЯЁ](?:[а-яё]|-[А-ЯЁа-яё])+?(?:ск|цк))" + _ADJECTIVE_ENDING)
_ANY_DISTRICT_ADJECTIVE = r"[А-ЯЁ](?:[а-яё]|-[А-ЯЁа-яё])+?(?:ск|цк)" + _ADJECTIVE_ENDING
DISTRICT = re.compile(
    rf"(?<!\w){_ANY_DISTRICT_ADJECTIVE}(?:,\s+{_ANY_DISTRICT_ADJECTIVE})*(?:\s+и\s+{_ANY_DISTRICT_ADJECTIVE})?\s+"
    r"(?:(?:городск|муниципальн)\w*\s+)?(?:район|округ)\w*"
)


# A settlement named after its kind: «в сёлах Гурьево, Кукуй и Грицово», «в селе Краснокумском»,
# «станице Незлобной», «Մովսես գյուղում». War and disaster reports name villages no gazetteer of towns
# over 1,000 people lists; the noun says they are places, and the name is read in the nominative.
_SETTLEMENT_NOUNS = {
    "neut": r"сел(?:о|а|е|у|ом|ах|ами)|сёл(?:ах|ами)?",
    "femn": r"деревн(?:я|и|е|ю|ей|ях|ями)|станиц(?:а|ы|е|у|ей|ах|ами)",
    "masc": r"пос[её]л(?:ок|ка|ке|ку|ком|ках|ками)|хутор(?:а|е|у|ом|ах|ами)?|аул(?:а|е|у|ом|ах)?",
}
# One word, or an adjective and a word: «Гурьево», «Верхний Ларс», «Красной Поляне»
_SETTLEMENT_NAME = (
    r"(?:[А-ЯЁ][а-яё]+(?:ий|ый|ой|ая|ое|ие|ые|его|ого|ему|ому|ей|ем|ом|им|ым|ую|ых)\s+(?=[А-ЯЁ]))?"
    r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁа-яё][а-яё]+)?"
)
SETTLEMENTS = re.compile(
    r"(?<!\w)(?:(?P<neut>"
    + _SETTLEMENT_NOUNS["neut"]
    + r")|(?P<femn>"
    + _SETTLEMENT_NOUNS["femn"]
    + r")|(?P<masc>"
    + _SETTLEMENT_NOUNS["masc"]
    + r"))\s+(?P<names>"
    + rf"{_SETTLEMENT_NAME}(?:,\s+{_SETTLEMENT_NAME})*(?:\s+и\s+{_SETTLEMENT_NAME})?)(?!\w)"
)
_ARMENIAN_NAME = r"[\u0531-\u0556][\u0561-\u0587]{2,}"
# «Մովսես գյուղում», «Այգաբաց բնակավայրում», and lists: «Ծովակ, Ախպրաձոր և Կութ գյուղերում»
ARMENIAN_SETTLEMENT = re.compile(
    rf"(?<![\u0531-\u0587])({_ARMENIAN_NAME}(?:,\s+{_ARMENIAN_NAME})*(?:\s+(?:և|եւ)\s+{_ARMENIAN_NAME})?)"
    r"\s+(?:գյուղ|ավան|բնակավայր)(?:երում|երից|երի|երը|երին|եր|ում|ից|ի|ը|ն|ին)?(?![\u0561-\u0587])"
)  # the noun and its case endings only: «գյուղատնտեսության» (agriculture) and «ավանդ» (tradition) are not
# The nominative of an adjective-like settlement name, by the gender of its noun: село Краснокумское,
# посёлок Шаумянский, станица Незлобная.
_ADJECTIVE_NAME = re.compile(r"(.+?)(ом|ой|ого|ому|ым|ая|ое|ий|ый|ую)$")
_NOMINATIVE_ENDINGS = {"neut": "ое", "femn": "ая", "masc": "ий"}


def _with_settlements(text: str, matches: list[AliasMatch], index: EntityIndex) -> list[AliasMatch]:
    """The alias matches, plus every village named after its kind that the gazetteer does not know."""
    if not SETTLEMENT_HINT.search(text):
        return matches
    # a place the alias scan found there stands («посёлок Верхний Ларс» is Upper Lars, not «Верхний»)
    placed = [(m.start, m.end) for m in matches if any(c.entity.kind == "location" for c in m.candidates)]
    named: list[tuple[int, int, str]] = []  # (start, end, the name in the nominative)
    for hit in SETTLEMENTS.finditer(text):
        gender = next(g for g in ("neut", "femn", "masc") if hit.group(g))
        for name in re.finditer(_SETTLEMENT_NAME, text[hit.start("names") : hit.end("names")]):
            start = hit.start("names") + name.start()
            named.append((start, start + len(name.group()), _nominative_place(name.group(), gender)))
    for hit in ARMENIAN_SETTLEMENT.finditer(text):
        names = list(re.finditer(_ARMENIAN_NAME, hit.group(1)))
        if "եր" not in text[hit.end(1) : hit.end()]:
            # a singular noun names one village: «Հայկ Տավուշեցին և Չինարի գյուղից» (Hayk from Tavush and Chinari)
            names = names[-1:]
        for name in names:
            named.append((hit.start(1) + name.start(), hit.start(1) + name.end(), name.group()))
    found = [
        _settlement(text, start, end, nominative, index)
        for start, end, nominative in named
        # a place the scan found in part of the name does not: «села Малая Талинка» is not Talinka
        if not any(a < end and start < b and not (start <= a and b <= end and b - a < end - start) for a, b in placed)
    ]
    return _read_instead(matches, found) if found else matches


# The AP stylebook's abbreviations of U.S. states, as American copy writes them after a town ("WATERTOWN,
# Mass.", "Providence, R.I.", "Glendale, Calif."). Alone most are words or titles ("Mass", "Miss."), so one
# counts only after a capitalised word and a comma.
AP_STATE_ABBREVIATIONS = {
    "Ala.": "Alabama", "Ariz.": "Arizona", "Ark.": "Arkansas", "Calif.": "California", "Colo.": "Colorado",
    "Conn.": "Connecticut", "Del.": "Delaware", "Fla.": "Florida", "Ga.": "Georgia (U.S. state)",
    "Ill.": "Illinois", "Ind.": "Indiana", "Kan.": "Kansas", "Ky.": "Kentucky", "La.": "Louisiana",
    "Md.": "Maryland", "Mass.": "Massachusetts", "Mich.": "Michigan", "Minn.": "Minnesota",
    "Miss.": "Mississippi", "Mo.": "Missouri", "Mont.": "Montana", "Neb.": "Nebraska", "Nev.": "Nevada",
    "N.H.": "New Hampshire", "N.J.": "New Jersey", "N.M.": "New Mexico", "N.Y.": "New York (state)",
    "N.C.": "North Carolina", "N.D.": "North Dakota", "Okla.": "Oklahoma", "Ore.": "Oregon",
    "Pa.": "Pennsylvania", "R.I.": "Rhode Island", "S.C.": "South Carolina", "S.D.": "South Dakota",
    "Tenn.": "Tennessee", "Vt.": "Vermont", "Va.": "Virginia", "Wash.": "Washington (state)",
    "W.Va.": "West Virginia", "Wis.": "Wisconsin", "Wyo.": "Wyoming",
}  # fmt: skip
_AP_STATE_BY_FOLD = {abbreviation.casefold(): state for abbreviation, state in AP_STATE_ABBREVIATIONS.items()}
# Opening with the literal ", " (the letter before it is checked in Python): a look-behind first made the
# engine try it at every character, 4x slower (~0.15 ms an article, ~3 % of a Russian article's resolution)
AP_STATE = re.compile(
    r", (" + "|".join(re.escape(a) for a in sorted(AP_STATE_ABBREVIATIONS, key=len, reverse=True)) + ")",
    re.IGNORECASE,
)


def _with_state_abbreviations(text: str, matches: list[AliasMatch], index: EntityIndex) -> list[AliasMatch]:
    """The alias matches, with each AP abbreviation of a U.S. state after a town read as the state."""
    if ", " not in text:
        return matches
    found = []
    for hit in AP_STATE.finditer(text):
        if not (hit.start() and text[hit.start() - 1] in string.ascii_letters):
            continue  # "1971, Ky." is no town's
        town = text.rfind(" ", 0, hit.start()) + 1
        if not text[town : town + 1].isupper():
            continue  # "she said, Miss. Jones"
        name = _AP_STATE_BY_FOLD[hit.group(1).casefold()]
        state = tuple(c for c in index.lookup(name.split(" (")[0]) if c.entity.name == name)
        if state:
            found.append(AliasMatch(hit.start(1), hit.end(1), hit.group(1), state[:1]))
    return _read_instead(matches, found)


def _nominative_place(name: str, gender: str) -> str:
    if " " in name:  # «Верхний Ларс»: an adjective before the name; it is read in the nominative only
        first, rest = name.split(" ", 1)
        return f"{_nominative_place(first, 'masc' if first.endswith(('ий', 'ый', 'ой')) else gender)} {rest}"
    adjective = _ADJECTIVE_NAME.match(name)
    if adjective is None or not adjective.group(1).endswith(("ск", "цк", "н", "в", "ов", "ин")):
        return name  # «Гурьево», «Кукуй»: a noun after its kind keeps the nominative
    stem = adjective.group(1)
    ending = _NOMINATIVE_ENDINGS[gender]
    if gender == "masc" and not stem.endswith(("ск", "цк")):
        ending = "ый"  # посёлок Красный, Новый
    return stem + ending


def _settlement(text: str, start: int, end: int, nominative: str, index: EntityIndex) -> AliasMatch:
    """A match for the settlement: the gazetteer's places of that name (the noun settles that it is one:
    «селе Краснокумском» is the village whatever else the word could be), else a new place."""
    known = tuple(
        c for written in (nominative, text[start:end]) for c in index.lookup(written) if c.entity.kind == "location"
    )
    return AliasMatch(start, end, text[start:end], known or (_new_place(romanize(nominative)),))


def _new_place(name: str, country: str | None = None) -> Candidate:
    """A place the catalogue and gazetteer lack (a village, a district), named here: trusted, as the
    text's own words (its kind, «район») say it is a place."""
    return Candidate(Entity(f"location:{slugify(name)}", "location", name, country), "catalog_place")


SETTLEMENT_HINT = re.compile(r"сел|сёл|деревн|станиц|пос[её]л|хутор|аул|գյուղ|ավան|բնակավայր")


def _with_districts(text: str, matches: list[AliasMatch], index: EntityIndex) -> list[AliasMatch]:
    """The alias matches, with each Russian district read as the district: «Брянским районом» is Bryansky
    District, not the city the adjective's stem folds to. A district the catalogue lacks gets the name
    English Wikipedia gives districts ("Pochepsky District") and the country of the town it is named after."""
    if "район" not in text and "округ" not in text:
        return matches
    found = []
    for listed in DISTRICT.finditer(text):
        adjectives = list(DISTRICT_ADJECTIVE.finditer(text, listed.start(), listed.end()))
        for hit in adjectives:
            stop = listed.end() if hit is adjectives[-1] else hit.end()  # the last one takes the noun
            found.append(AliasMatch(hit.start(), stop, text[hit.start() : stop], (_district(hit.group(1), index),)))
    return _read_instead(matches, found)


def _district(stem: str, index: EntityIndex) -> Candidate:
    """The district an adjective's stem («Кимовск») names: the catalogue's, else one named the way
    English Wikipedia names districts, in the country of the town it is named after."""
    adjective = stem + "ий"
    for noun in ("район", "округ"):
        for c in index.lookup(f"{adjective} {noun}"):
            if c.entity.kind == "location":
                return c
    town = next((c for c in index.lookup(stem[:-2]) if c.entity.kind == "location"), None)
    return _new_place(f"{romanize(adjective)} District", town.entity.country_code if town else None)


def _within_lines(ner: list[NerSpan], text: str) -> list[NerSpan]:
    """NER spans cut at line breaks: «Текст: Катерина Туманова⏎⏎Оверчук считает» is a credit and a
    name, not one person. A cut span loses the recogniser's normalised name (it named the whole)."""
    if not any(text.find("\n", s.start, s.end) != -1 for s in ner):
        return ner
    out = []
    for s in ner:
        if text.find("\n", s.start, s.end) == -1:
            out.append(s)
            continue
        start = s.start
        for piece in text[s.start : s.end].split("\n"):
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                out.append(NerSpan(start + lead, start + lead + len(piece.strip()), s.label))
            start += len(piece) + 1
    return out


_NAME_GOES_ON = re.compile(r" [A-Z]")


def _with_latin_people(text: str, ner: list[NerSpan]) -> list[NerSpan]:
    """The NER spans, with each Russian or Armenian name the rules find in Latin script
    (`transforms.latin_names`) in place of the spans it overlaps; a PERSON span that holds it stays."""
    people = [
        NerSpan(start, end, "PERSON", name)
        for start, end, name in latin_person_spans(text)
        # a longer name goes on after it: "Karen Demirchyan Complex", "Vazgen Sargsyan Republican Stadium"
        # (not "Tigran Sahakian and Igor Kazansky", which the model took for one organisation)
        if not any(s.label != "PERSON" and s.start < end < s.end and _NAME_GOES_ON.match(text, end) for s in ner)
    ]
    if not people:
        return ner
    # a PERSON span holding the name whole and more stays, unless words stand before the given name: "Economy
    # Narek Teryan" (Deputy Minister of Economy), "Counselor Tigran Sahakian"; one that is just the name gives way
    # to the rule's, which knows the name ("Siran" in "Siran and Hagop Tashjian" is Siran Tashjian)
    kept = [
        s
        for s in ner
        if not any(
            s.start < p.end and p.start < s.end and not (s.label == "PERSON" and s.start == p.start and s.end > p.end)
            for p in people
        )
    ]
    holds = [p for p in people if not any(s.label == "PERSON" and s.start <= p.start and s.end >= p.end for s in kept)]
    return sorted(kept + holds, key=lambda s: s.start)


# "Jr." or "III" right after a name is part of it (father and son are two people); the model stops before it
GENERATION_AFTER = re.compile(r" (?:Jr\.|Sr\.|II|III|IV)(?![\w.])")


def _with_generation_suffixes(text: str, ner: list[NerSpan]) -> list[NerSpan]:
    """The NER spans, each person's running on over a "Jr." or "III" that follows it."""
    return [
        s._replace(end=hit.end(), name=s.name + hit.group() if s.name else None)
        if s.label == "PERSON" and (hit := GENERATION_AFTER.match(text, s.end)) is not None
        else s
        for s in ner
    ]


def _surname_of_an_armenian_rule_name(m: AliasMatch, span: NerSpan) -> bool:
    """The match is the surname of a name the Armenian rules read as a known given name and a surname
    («Իգոր Դոնեցկովը» is Igor Donetskov, not Donetsk): they know the given name, so the place gives way."""
    name = span.name or ""
    return m.start > span.start and " " in name and script_of(name) == "armenian"


def _in_hyphenated_word(text: str, m: AliasMatch, span: NerSpan) -> bool:
    return (m.start > span.start and text[m.start - 1] == "-") or (m.end < span.end and text[m.end] == "-")


def _plausible_people(
    ner: list[NerSpan], matches: list[AliasMatch], text: str, not_a_place: frozenset[str]
) -> list[NerSpan]:
    """NER spans without the PERSON spans that hold a country, a capital, a catalogue place or an
    organisation beside other words, or start with a feature word: "Yerevan Brandy", "Leave Yerevan
    Alone" and "Armenia Hold Talks" (a title-case headline), "Lake Issyk-Kul", «Հայաստանի Հանրային»
    (Armenia's Public TV), «Մոսկվայից Զախարովան» (from Moscow, Zakharova). A name is not made that way,
    and such a span would hide the place in it."""
    starts = [m.start for m in matches]
    kept = []
    for span in ner:
        if span.label == "PERSON":
            lo, hi = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
            inside = [m for m in matches[lo:hi] if m.end <= span.end + MAX_CASE_ENDING]
            if any(
                _place_or_body(m)
                and (m.start, m.end) != (span.start, span.end)
                and m.surface not in not_a_place
                and not (
                    _opens_the_name(m, span, text)
                    and not POSSESSIVE.match(text[m.end : m.end + 3])  # "Russia's Kamchatka" is no one's name
                    and _ends_in_a_surname(span.name or text[span.start : span.end])
                )
                and not _in_hyphenated_word(text, m, span)  # «Павла Орлова-Томского»: a double surname
                and not _surname_of_an_armenian_rule_name(m, span)
                for m in inside
            ):
                continue
            words = text[span.start : span.end]
            if text[span.start - 1 : span.start] in ("«", "„") and text[span.end : span.end + 1] in ("»", "“"):
                continue  # «Մարշալ Բաղրամյան» կայարան, станция «Гарегин Нжде»: a name in guillemets names a thing
            if LEADING_FEATURE.match(words) or COMPANY_TAIL.search(words) or HEADLINE_VERB.search(words):
                continue  # "Lake Issyk-Kul", "Ararat Brilliant Works", "Kobakhidze Meets Azerbaijani Counterpart"
            if any((m.start, m.end) == (span.start, span.end) and _a_town_of_several_words(m) for m in inside):
                continue  # "a crane operator in Novy Urengoy" tagged PERSON: no one is named so
        kept.append(span)
    return kept


# The verbs of title-case headlines (a related-links block: "Kobakhidze Meets Azerbaijani Counterpart"): no
# name has one inside.
HEADLINE_VERB = re.compile(
    r"\s(?:Meets|Says|Visits|Calls|Signs|Holds|Warns|Urges|Discusses|Hosts|Receives|Slams|Rejects|Accuses|Denies"
    r"|Vows|Arrives|Resigns|Appoints|Praises|Condemns|Welcomes|Threatens|Demands|Announces|Agrees)\b"
)
COMPANY_TAIL = re.compile(
    r"\s(?:Works|Company|Co\.?|Corp\.?|Corporation|Group|Holding|Holdings|Bank|LLC|Ltd\.?|Inc\.?|CJSC|OJSC|JSC"
    r"|Plant|Factory|Mills?|Airlines|Motors|Partners|Advisory|Capital|Consulting|Ventures|Investments?|Trading"
    r"|Logistics|Systems|Technologies|Industries|Solutions|Air|Airways|Airport|Forum|Summit|Festival|Foundation"
    r"|Institute|University|College|Museum|Hotel|Stadium|Arena|Academy|School|High"
    r"|FC|United|Rovers|Wanderers|Athletic|Albion|Hotspur|North End"  # clubs: "Preston North End"
    r"|Armenians|Russians|Georgians|Azerbaijanis|Ukrainians|Americans|Iranians|Turks|Kurds|Yazidis)$"
)
TOWN_OF_SEVERAL_WORDS_MIN_POPULATION = 20_000


def _a_town_of_several_words(m: AliasMatch) -> bool:
    """A name of two or more words that is a town of some size, and no person's (Novy Urengoy, Mineralnye Vody)."""
    return (
        " " in m.surface.strip()
        and not any(c.entity.kind == "actor" for c in m.candidates)
        and any(
            c.entity.kind == "location" and (c.trusted or c.population >= TOWN_OF_SEVERAL_WORDS_MIN_POPULATION)
            for c in m.candidates
        )
    )


# Nominative endings of Russian, Armenian, Ukrainian and Georgian surnames, in Cyrillic and Latin.
SURNAME_ENDING = re.compile(
    r"\w\w(?:ян|янц|ов|ова|ев|ева|ёв|ёва|ин|ина|ын|ына|ский|ская|цкий|цкая|енко|швили|дзе"
    r"|yan|ian|ov|ova|ev|eva|in|ina|sky|skaya|enko|shvili|dze)$"
)


def _opens_the_name(m: AliasMatch, span: NerSpan, text: str) -> bool:
    """The match is the name's first word: at the span's start, or where the name starts once the words
    before it are cut («Матенадарана Гаяне Тер-Мартиросян» is Gayane Ter-Martirosyan, not Guyana)."""
    return m.start == span.start or (span.name is not None and span.name.split()[0] == m.surface)


def _ends_in_a_surname(name: str) -> bool:
    """«Карине Бабаян»: a given name that is also a place's name (Karin, old Erzurum) before a word with
    a surname's ending is a person's name, not a place beside other words."""
    words = name.split()
    # any part of a double surname: "Talin Kurkjian-Ross"
    return len(words) >= 2 and any(SURNAME_ENDING.search(part) for part in words[-1].split("-"))


def _place_or_body(m: AliasMatch) -> bool:
    """The alias reads as a trusted place or an organisation, never as a person."""
    return not any(c.entity.kind == "actor" for c in m.candidates) and any(
        c.entity.kind == "organization" or (c.entity.kind == "location" and c.trusted) for c in m.candidates
    )


def _named_after(text: str, start: int, end: int, place: bool = False) -> bool:
    """A feature, street or institution named after a person: "Heydar Aliyev International Airport",
    «проспект Гарегина Нжде», «АЭС имени Курчатова»."""
    after = text[end : end + 40]
    if FEATURE_WORDS.match(after) or ARMENIAN_FEATURE_AFTER.match(after) or RUSSIAN_FEATURE_AFTER.match(after):
        return True
    if start < 2 or not text[start - 1].isspace():
        return False
    space = text.rfind(" ", max(0, start - 25), start - 1)
    word = text[space + 1 : start - 1].lower()
    if word in FEATURE_BEFORE_WORDS or word.startswith(FEATURE_BEFORE_STEMS):
        # «на улицах Еревана» are the streets of the city, «улица Пушкина», «улица Абовяна» are named after people
        return not (place and word in STREETS_OF and not SURNAME_GENITIVE.search(text[start:end]))
    before = text[max(0, start - 160) : start]
    if not any(noun in before for noun in STREET_NOUNS) or not STREET_LIST_BEFORE.search(before):
        return False
    return not place or SURNAME_GENITIVE.search(text[start:end]) is not None


STREETS_OF = frozenset({"улицах", "улицам", "улицами", "улиц"})  # «на улицах Еревана»: the streets of a town
SURNAME_GENITIVE = re.compile(r"\w(?:яна|ова|ева|ёва|ина|ына|ского|цкого)$")  # Абовяна, Пушкина: a person's
# The street nouns STREET_LIST_BEFORE opens with, without their capital: a plain substring test first spares
# the pattern's search over 160 characters for most names (~10 % of the Russian resolution's time)
STREET_NOUNS = ("лиц", "роспект", "ереулк", "ульвар")
# Streets named in a list after their noun: «на улицах Абовяна, Туманяна, Терьяна и Пушкина» (each a street)
_LISTED_NAME = r"[А-ЯЁ][а-яё-]+(?:\s+[А-ЯЁ][а-яё-]+)?"
STREET_LIST_BEFORE = re.compile(
    rf"(?<!\w)(?:[Уу]лиц|[Пп]роспект|[Пп]ереулк|[Бб]ульвар)\w*\s+(?:{_LISTED_NAME},\s+)+(?:{_LISTED_NAME}\s+и\s+)?$"
    rf"|(?<!\w)(?:[Уу]лиц|[Пп]роспект|[Пп]ереулк|[Бб]ульвар)\w*\s+{_LISTED_NAME}\s+и\s+$"
)


# The text itself calling a name a settlement: «Մովսես գյուղում» (in the village of Movses), «в селе
# Ивановка», "the village of Movses", "Movses village". Armenian has no NER to say so.
SETTLEMENT_AFTER = re.compile(
    r"^[\u0561-\u0587]{0,3}\s+(?:գյուղ|քաղաք|համայնք|բնակավայր)|^\s+(?:village|town|settlement)\b", re.IGNORECASE
)
SETTLEMENT_BEFORE = re.compile(
    r"(?:\b(?:сел[оае]|деревн[яеи]|посёлк[еа]|поселк[еа]|посёлок|поселок|город[ае]?|хутор[ае]?)"
    r"|\b(?:village|town) of)\s+$",
    re.IGNORECASE,
)


def _called_a_settlement(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 16) : start]
    return bool(SETTLEMENT_AFTER.match(text[end : end + 20]) or SETTLEMENT_BEFORE.search(before))


def _crossing(span: NerSpan, m: AliasMatch) -> bool:
    """The two overlap and neither contains the other."""
    return span.start < m.start < span.end < m.end or m.start < span.start < m.end < span.end


def _in_ranges(ranges: list[tuple[int, int]], start: int) -> bool:
    return any(a <= start < b for a, b in ranges)


def _country_weights(matches: list[AliasMatch]) -> Counter:
    """How strongly each country (and U.S. state) is present, from matches that are places without doubt
    (every reading a place, the best of them trusted)."""
    weights: Counter = Counter()
    for m in matches:
        for key in _reading(m.candidates).weight_keys:
            weights[key] += 1
    return weights


def _place_score(cand: Candidate, weights: Counter) -> tuple:
    """Prefer the reading that fits the other places in the article, then the more prominent place.

    A macro-region (no country) fits any article: "Middle East" is never a hamlet in Maryland.
    """
    code = cand.entity.country_code
    context = 10**6 if code is None else 2 * weights.get(code, 0) + sum(weights.get(n, 0) for n in cand.neighbours)
    state = weights.get(cand.admin, 0) if cand.admin else 0  # Augusta, Georgia vs Augusta, Maine
    rank = PLACE_SOURCE_RANK.get(cand.source, 1)
    return (context, rank, state, math.log10(cand.population + 1))


CITY_OVER_ITS_STATE = 500_000  # New York, Washington: news names the city, unless it says "state"
_STATE_WORD = re.compile(
    r"\b(?:[Ss]tate(?!['’]s|\s+(?:[Dd]epartment|Duma|[Ss]ecretary|[Mm]edia|TV|[Vv]isit|Council|University|[Uu]nion))"
    r"|штат\w*|նահանգ\w*)"
)


def _choose_place(
    places: list[Candidate],
    weights: Counter,
    named_with_state: bool = False,
    surface: str = "",
    text_around: str = "",
) -> Candidate:
    """``named_with_state``: the text writes the place with its state after it ("Moscow, Idaho").
    ``text_around``: a few words either side of the mention ("New York state", "the state of Washington")."""
    if len(places) == 1:  # most place aliases have one reading: nothing to score
        return places[0]
    best = max(places, key=lambda c: _place_score(c, weights))
    state = next((c for c in places if c.source == "us_state"), None)
    if state is not None and _STATE_WORD.search(text_around):
        return state  # "Washington state", "the state of New York"
    if best.source == "us_state" and not named_with_state:
        city = max((c for c in places if c.trusted and c.source in ("city", "capital")), key=lambda c: c.population,
                   default=None)  # fmt: skip
        if city is not None and city.population >= CITY_OVER_ITS_STATE:
            return city  # "the UN General Assembly in New York", "talks in Washington": the city
    if best.source != "city" or named_with_state:
        return best
    if country := next((c for c in places if c.source == "country"), None):
        # a country's name is the country, not a town named after it: "Brazil" in an article that also
        # names Los Angeles is not Brazil, Indiana (a U.S. state's name still follows the context)
        return country
    biggest = max(places, key=lambda c: c.population)
    if (
        biggest.trusted
        and biggest.population >= MUCH_LARGER * max(best.population, 1)
        and (biggest.source == "capital" or _own_name(surface, biggest))
    ):
        return biggest  # "Moscow" and "St. Petersburg" in a story about a Californian exporter are Russia's
    return best


def _own_name(surface: str, cand: Candidate) -> bool:
    """The surface is the place's own name, not one of geonames' alternates (Teresina is also «Poti»)."""
    return slugify(re.sub(r"\bSt\. ", "Saint ", surface)) == slugify(cand.entity.name)


MUCH_LARGER = 20  # a trusted city this many times the size of its homonym wins over the article's context
_STATE_AFTER = re.compile(r",\s+(?:[A-Z][a-z]+ ?){1,2}\b")


LIST_JOINER = re.compile(r",|\b(?:and|or|и|или|և|ու|y|et|und)\b")


def _only_places_and_filler(text: str, index: EntityIndex) -> bool:
    """The words are a conjunction, stopwords, punctuation and places: the rest of a NER span that lists
    places ("Voskepar and Baghanis"), not of a name that contains one ("Paris Saint-Germain")."""
    if not LIST_JOINER.search(text):
        return False
    rest = [w for w in re.findall(r"\w+", text) if w.lower() not in STOPWORDS]
    return bool(rest) and all(any(c.entity.kind == "location" for c in index.lookup(w)) for w in rest)


def _only_filler(text: str) -> bool:
    """True when what is left of a NER span around a name is only stopwords or punctuation."""
    return all(w.lower() in STOPWORDS for w in re.findall(r"\w+", text))


# A Russian adjective: the match key strips its ending to a town's name («Украинские» -> «Украинск», «Черного»
# -> «Чернь»). A town's own case forms never end so (-а, -у, -ом, -е, -ой), unless its name is an adjective
# itself (Grozny, Pionersky, Krasnaya Polyana), as its English name shows. Regions and countries are named
# by adjectives anyway («Курская область», «Китайская Народная Республика»). -ской is an adjective's
# («Минской конвенции»), never a town's own form, but -ой alone is («Тулой»).
RUSSIAN_ADJECTIVE = re.compile(r"^[А-ЯЁ][а-яё]+(?:ие|ий|ый|ая|ое|ые|ого|его|ому|ему|ую|ими|ыми|их|ых|[сц]кой)$")
ADJECTIVAL_NAME = re.compile(r"(?:y|i|ye|oe|aya|iy|yy|skiy|skoye|skoe|ne|ske)\b")  # -ne, -ske: Ukrainian (Yuzhne)


REGION_TITLE = re.compile(r"\b(?:Oblast|Krai|District|Province|Region|Republic|Okrug)\b")


def _adjective_of_a_town(surface: str, cand: Candidate) -> bool:
    """A Russian adjective read as a town whose name is no adjective: «Украинские» as Ukrainsk."""
    name = cand.entity.name.split(",")[0]  # "Star, Bryansk Oblast" is the town of Star
    return (
        cand.source in ("city", "capital", "catalog_place")
        and RUSSIAN_ADJECTIVE.search(surface) is not None
        and not ADJECTIVAL_NAME.search(name)
        and not REGION_TITLE.search(name)  # «Белгородской и Курской областях»: the first is an oblast
    )


class _PlaceEvidence(NamedTuple):
    """What the text around an alias match says of it as a place, whichever reading is chosen."""

    ruled_out: bool  # a feature named after it, a brand in quotes, part of a name, a word before a place
    exact_place: bool  # NER or the text itself calls the match a place
    called_a_settlement: bool


def _place_evidence(m: AliasMatch, text: str, over: list[NerSpan], index: EntityIndex) -> _PlaceEvidence:
    """``over``: the NER spans overlapping the match."""
    exact_place = any(
        s.label in PLACE_LABELS
        and s.start <= m.start
        and s.end >= m.end
        and _only_filler(text[s.start : m.start] + " " + text[m.end : s.end])
        for s in over
    )
    called_a_settlement = _called_a_settlement(text, m.start, m.end)
    exact_place = exact_place or called_a_settlement
    ruled_out = _PlaceEvidence(True, exact_place, called_a_settlement)
    if _named_after(text, m.start, m.end, place=True):
        return ruled_out  # "Fergana Valley", "Zvartnots airport", «озеро Севан»: a feature named after the place
    if QUOTED.search(text[max(0, m.start - 24) : m.start]) and QUOTE_CLOSE.match(text[m.end : m.end + 2]):
        return ruled_out  # «Арарат» (the brandy), «Джермук» (the water): a name in quotes is a brand or a company
    for span in over:
        longer = span.end - span.start > m.end - m.start
        if not longer:
            continue
        rest = text[span.start : m.start] + " " + text[m.end : span.end]
        if _only_filler(rest):
            continue  # "Without Ashgabat" tagged PERSON: the span is the place plus filler words
        if span.label == "PERSON":
            return ruled_out  # "Antony" in "Antony Blinken", "Jordan" in "Jordan Peterson"
        if span.label in ORG_LABELS and not POSSESSIVE.match(text[m.end : m.end + 3]):
            if _only_places_and_filler(rest, index):
                continue  # "Voskepar and Baghanis" tagged WORK_OF_ART: a list of places
            return ruled_out  # "Moscow" in "The Moscow Times"
    if m.surface in index.not_a_place and (not exact_place or text[max(0, m.start - 4) : m.start] == "the "):
        return ruled_out  # "the West", "May": words first, places only when NER agrees
    return _PlaceEvidence(False, exact_place, called_a_settlement)


class _PlaceChecks:
    """Whether an article's alias matches are places. The text's evidence is worked out once a match:
    the second look and the resolution both ask for an untrusted place, and a quarter of the checks
    (26 % over 512 Russian articles) repeated an earlier one; only the reading and the country weights
    change between them."""

    def __init__(self, text: str, spans: NerSpans, index: EntityIndex, person_words: set[str]) -> None:
        self.text, self.spans, self.index, self.person_words = text, spans, index, person_words
        self.evidence: dict[tuple[int, int, str], _PlaceEvidence] = {}

    def accepts(self, cand: Candidate, m: AliasMatch, weights: Counter, over: list[NerSpan] | None = None) -> bool:
        """``over``: the NER spans overlapping the match, when the caller has them already."""
        key = (m.start, m.end, m.surface)
        evidence = self.evidence.get(key)
        if evidence is None:
            if over is None:
                over = self.spans.overlapping(m.start, m.end)
            evidence = self.evidence[key] = _place_evidence(m, self.text, over, self.index)
        if evidence.ruled_out:
            return False
        if _adjective_of_a_town(m.surface, cand):
            return False  # «Украинские военные», «Минские соглашения», «Черное море»: not Ukrainsk, Minsk, Chern
        if cand.trusted and not cand.entity.name.startswith("The "):
            return True
        if m.surface in self.person_words and not evidence.called_a_settlement:
            return False  # "Kemp" after "Governor Brian Kemp" is the governor, not Kemp, Texas
        if evidence.exact_place:
            return True
        code = cand.entity.country_code
        return bool(code and weights.get(code, 0) > 0)


NICKNAME = re.compile(r"\s[\"“][A-Z][\w.]*[\"”]\s")
LATIN_PATRONYMIC = re.compile(r"[a-z](?:ovich|evich|ovna|evna|ichna|inichna)$")


def _clean_person(surface: str) -> str | None:
    """'President Vladimir Putin’s' -> 'Vladimir Putin'; None when what is left is not a name."""
    surface = POSSESSIVE.sub("", re.sub(r"['’]s?$", "", surface.strip()))
    surface = NICKNAME.sub(" ", surface)  # 'Hayk "Hako" Mnatsakanyan' is Hayk Mnatsakanyan
    tokens = surface.replace("\n", " ").split()
    while tokens and (
        tokens[0].lower().rstrip(".") in TITLES or tokens[0].lower() in STOPWORDS or tokens[0] in NOT_A_GIVEN_NAME
    ):
        tokens.pop(0)
    if not tokens or any(ch.isdigit() for ch in surface):
        return None
    for tok in tokens:
        if not tok[:1].isupper() and tok.lower() not in NAME_PARTICLES:
            return None
    if len(tokens) >= 3 and tokens[-1] in MONTH_ABBREVIATIONS:
        tokens.pop()  # a byline's date run into the name: "Ani Voskevazyan  Oct 20, 2032"
    if len(tokens) >= 3 and not MIDDLE_INITIAL.match(tokens[0]):
        # "Igor Valentinovich Kazansky", "Michael J. Norian": no patronymic and no middle initial, so that
        # every mention of the person is one name ("Michael Norian" in the next story), as Wikipedia
        # titles most people; "J. Edgar Hoover" keeps his, which opens the name
        tokens = [
            tokens[0],
            *(t for t in tokens[1:-1] if not LATIN_PATRONYMIC.search(t) and not MIDDLE_INITIAL.match(t)),
            tokens[-1],
        ]
    return " ".join(tokens)


MIDDLE_INITIAL = re.compile(r"[A-Z]\.$")
MONTH_ABBREVIATIONS = frozenset({*(month[:3] for month in MONTH_NAMES if len(month) > 3), "Sept"})  # not May


@lru_cache(maxsize=20_000)  # the same people recur across articles; keying and romanizing cost ~40 µs
def _actor(name: str) -> Entity:
    """A person the catalogue does not know: a Latin name, and an id every spelling of it shares."""
    return Entity(f"actor:{slugify(person_key(name))}", "actor", romanize_person(name))


class _NewPeople:
    """The people an article names that the catalogue does not know, one entity per spelling key.

    When the article spells one of them two ways ("Tatevik Hunanian", later "Hunanyan"), the
    Wikipedia-style Armenian -yan spelling names the entity."""

    def __init__(self) -> None:
        self.by_key: dict[str, Entity] = {}

    def person(self, name: str) -> Entity:
        made = _actor(name)
        known = self.by_key.setdefault(made.entity_id, made)
        if known is not made and _prefer_spelling(made.name, known.name):
            self.by_key[made.entity_id] = made
        return self.by_key[made.entity_id]

    def saw_surname(self, entity: Entity, surname: str) -> None:
        """The article writes the surname of a person it named in full, perhaps spelled the other way."""
        known = self.by_key.get(entity.entity_id)
        if known is not None and _prefer_spelling(surname, known.name):
            words = known.name.split()
            self.by_key[entity.entity_id] = dataclasses.replace(known, name=" ".join([*words[:-1], surname]))

    def with_chosen_spelling(self, resolved: list[ResolvedMention]) -> list[ResolvedMention]:
        chosen = self.by_key
        return [r._replace(entity=chosen[r.entity.entity_id]) if r.entity.entity_id in chosen else r for r in resolved]


def _prefer_spelling(new: str, old: str) -> bool:
    return new.endswith("yan") and old.endswith("ian")


def _match_known_person(name: str, index: EntityIndex) -> Entity | None:
    """Catalogue lookup by alias, then by spelling key (Alexei/Alexey Overchuk, «Алексей Оверчук»),
    then by surname with the first name's initial (Sergey/Sergei Shoigu)."""
    for cand in index.lookup(name):
        if cand.entity.kind == "actor":
            return cand.entity
    key = person_key(name)
    known = index.person_keys.get(key, ())
    if len(known) == 1:
        return known[0].entity
    words = key.split()
    if len(words) >= 2:
        for cand in index.surnames.get(words[-1], ()):
            given = person_key(cand.entity.name).split()[0]
            if given[:3] == words[0][:3] and SequenceMatcher(None, given, words[0]).ratio() >= 0.75:
                return cand.entity  # Sergey/Sergei, not Ashot/Anna, not Ararat/Aram Manukyan
    return None


def _other_first_name(text: str, m: AliasMatch, actor: Entity) -> bool:
    """'Marisol Vance' is not JD Vance: a bare-surname alias preceded by a different first name."""
    if len(m.surface.split()) > 1:
        return False
    before = re.search(r"([A-Z][\w'’-]+) $", text[max(0, m.start - 40) : m.start])
    if not before:
        return False
    word = before.group(1)
    if word.lower().rstrip(".") in TITLES or word.lower() in STOPWORDS or word in NOT_A_GIVEN_NAME:
        return False
    return word[:1] != actor.name[:1]


def _named_otherwise(
    m: AliasMatch, over: list[NerSpan], person_names: dict[NerSpan, str | None], actor: Entity, index: EntityIndex
) -> bool:
    """A catalogue surname inside a longer name NER found for someone else: «Тоноян Гарик» (a list,
    surname first) is not Davit Tonoyan, "Hunter Biden" is not Joe Biden."""
    for span in over:
        name = person_names.get(span)
        if name is None or len(name.split()) < 2 or span.end - span.start <= m.end - m.start:
            continue
        known = _match_known_person(name, index)
        if known is None or known.entity_id != actor.entity_id:
            return True
    return False


def _person_names(text: str, ner: list[NerSpan]) -> dict[NerSpan, str | None]:
    """Each PERSON span's cleaned name (`_clean_person`; of the recogniser's normalised name when it
    gives one), worked out once per article."""
    return {span: _clean_person(span.name or text[span.start : span.end]) for span in ner if span.label == "PERSON"}


# The forms an Armenian given name takes as a person's mention (the article, genitive, dative,
# instrumental); «Նարեկում» (in Narek) and «Նարեկից» (from Narek) read as the village.
ARMENIAN_PERSON_FORMS = ("", "ը", "ն", "ի", "ին", "ով")


def russian_surname_forms(surname: str) -> tuple[str, ...]:
    """The oblique cases of a Russian surname in the nominative: «слова Шаталова» after «Глеб Шаталов» is
    the deputy, not the village of Shatalovo («Шаталова» is also its genitive)."""
    if not ("\u0400" <= surname[-1:] <= "\u04ff"):
        return ()
    if surname.endswith(("ий", "ой")):
        stem = surname[:-2]
        return tuple(stem + e for e in ("ого", "ому", "им", "ом"))
    if surname.endswith("а"):
        return tuple(surname[:-1] + e for e in ("ой", "у"))
    return tuple(surname + e for e in ("а", "у", "ым", "ом", "е"))


def _person_name_words(names: dict[NerSpan, str | None]) -> set[str]:
    """Last names of the multi-word people NER sees in the article, and their given names (in the
    Armenian case forms a person's mention takes): «Նարեկը» after «Նարեկ Մանուկյանը» is the
    weightlifter, not the village of Narek; Armenian text has no NER to tell."""
    words = set()
    for name in names.values():
        parts = name.split() if name else []
        if len(parts) >= 2:
            words.add(parts[-1])
            words.update(russian_surname_forms(parts[-1]))
            if "\u0531" <= parts[0][0] <= "\u0587":  # elsewhere NER tells "Sisian Boghossian" from Sisian
                words.update(parts[0] + ending for ending in ARMENIAN_PERSON_FORMS)
    return words


def _places_inside(m: AliasMatch, index: EntityIndex, weights: Counter) -> list[ResolvedMention]:
    """A descriptive organisation alias still names its place: "Russian military base in Gyumri", and
    a body of a country ("Security Council of Armenia", «Министерство обороны России», «МИД России»),
    as the team's gold counts Russia in "President of Russia". A name that merely contains a country
    ("Sputnik Armenia", "Radio Free Europe") does not."""
    cut = max(m.surface.rfind(" in "), m.surface.rfind(" at "))
    found = []
    if cut >= 0:
        tail_start = cut + 4
        for inner in index.scan(m.surface[tail_start:]):
            places = [
                c
                for c in inner.candidates
                if c.entity.kind == "location" and (c.trusted or weights.get(c.entity.country_code or "", 0))
            ]
            if places:
                start = m.start + tail_start + inner.start
                found.append(ResolvedMention(start, start + len(inner.surface), inner.surface, places[0].entity))
        return found
    if not STATE_BODY.search(m.surface):
        return found
    words = m.surface.split(" ")
    for k in (3, 2, 1):  # "of the United States", "of South Korea", "of Armenia", «России»
        if len(words) <= k:
            continue
        tail = " ".join(words[-k:])
        country = next((c for c in index.lookup(tail) if c.source == "country"), None)
        if country is None:
            continue
        before = " ".join(words[:-k]) + " "
        of_country = before.endswith((" of ", " de ", " des ", " der ", " del ")) or (
            tail[:1] >= "\u0400" and tail.endswith(GENITIVE_ENDINGS)
        )
        if of_country:
            start = m.start + len(before)
            found.append(ResolvedMention(start, start + len(tail), tail, country.entity))
        break
    if not found and len(words) > 1:
        # the country first: "Russia's Foreign Ministry", «Ռուսաստանի ԱԳՆ» (its genitive)
        head = re.sub(r"['’]s$", "", words[0])
        country = next((c for c in index.lookup(head) if c.source == "country"), None)
        if country is not None and (head != words[0] or head[:1] >= "\u0530"):
            found.append(ResolvedMention(m.start, m.start + len(head), head, country.entity))
    return found


def _full_name_before(text: str, surname: str, index: EntityIndex) -> str | None:
    """'Marisol Vance' when the article writes a first name before a surname NER saw alone (not a
    place or an organisation: "Yerevan Brandy" is not a person)."""
    hit = re.search(rf"\b([A-Z][\w'’-]+) {re.escape(surname)}\b", text)
    if not hit:
        return None
    word = hit.group(1)
    if POSSESSIVE.search(word[-2:]):
        return None  # "Russia's Kamchatka": a possessive is no given name
    if (
        word.lower() in STOPWORDS
        or word.lower() in TITLES
        or word in NOT_A_GIVEN_NAME
        or any(c.entity.kind != "actor" for c in index.lookup(word))
    ):
        return None
    return f"{word} {surname}"


def _people_named_in_full(text: str, ner: list[NerSpan]) -> list[tuple[int, int]]:
    """Spans of people named in full, and of their surnames alone («Իգոր Պետրովսկին» ... «Պետրովսկին»). A
    lone surname of nobody named here («Աբովյանի») may be the town named after someone."""
    people = [s for s in ner if s.label == "PERSON"]
    full = [s for s in people if " " in text[s.start : s.end].strip()]
    surnames = {(s.name or text[s.start : s.end]).split()[-1] for s in full}
    return [(s.start, s.end) for s in people if s in full or (s.name or text[s.start : s.end]) in surnames]


def resolve_entities(text: str, ner: list[NerSpan], index: EntityIndex) -> list[ResolvedMention]:
    """All entity mentions of one article text, each linked to a canonical entity."""
    matches = _with_coordinated_regions(text, index.scan(text), index)
    matches = _with_districts(text, _with_settlements(text, matches, index), index)  # «села Погарского района»
    matches = _with_state_abbreviations(text, matches, index)  # "Watertown, Mass."
    people = _people_named_in_full(text, ner)
    matches = with_romanized_places(text, matches, index, people)  # «Փոթիի», «Բանդար Աբբասի»: Latin-only towns
    ner = _with_generation_suffixes(text, _with_latin_people(text, _within_lines(ner, text)))
    ner = _plausible_people(ner, matches, text, index.not_a_place)
    bylines = _byline_ranges(text)
    person_names = _person_names(text, ner)
    person_words = _person_name_words(person_names)
    spans = NerSpans(ner)
    weights = _country_weights(matches)
    places = _PlaceChecks(text, spans, index, person_words)
    # Second look: places NER or the first context confirms (Atlanta, Savannah) tell which Georgia is meant.
    for m in matches:
        reading = _reading(m.candidates)
        if reading.only_places:
            cand = _choose_place(reading.places, weights)
            if not cand.trusted and places.accepts(cand, m, weights):
                weights[cand.entity.country_code] += 1
                for key in _division_weight(cand):
                    weights[key] += 1
    resolved: list[ResolvedMention] = []
    taken = TakenRanges(len(text))

    for m in matches:
        over = spans.overlapping(m.start, m.end)
        if any(s.label == "PERSON" and _crossing(s, m) for s in over):
            continue  # «Совета безопасности Армен|ии» read into «Армен Григорян»: NER's person wins
        labels = {s.label for s in over}
        by_kind = _reading(m.candidates).by_kind
        entity = None
        if "actor" in by_kind and ("PERSON" in labels or "location" not in by_kind):
            actor = by_kind["actor"][0].entity
            if (
                not _in_ranges(bylines, m.start)
                and not _named_after(text, m.start, m.end)
                and not _other_first_name(text, m, actor)
                and not _named_otherwise(m, over, person_names, actor, index)
            ):
                entity = actor
        elif "organization" in by_kind and not (labels & PLACE_LABELS and "location" in by_kind):
            entity = by_kind["organization"][0].entity
            resolved += _places_inside(m, index, weights)
        elif "location" in by_kind:
            readings = by_kind["location"]
            named_with_state = (
                len(readings) > 1
                and _STATE_AFTER.match(text, m.end) is not None
                and any(c.entity.country_code == "US" and c.admin and weights.get(c.admin) for c in readings)
            )
            around = text[max(0, m.start - 14) : m.end + 24]
            cand = _choose_place(readings, weights, named_with_state, m.surface, around)
            if places.accepts(cand, m, weights, over):
                entity = cand.entity
        if entity is not None:
            resolved.append(ResolvedMention(m.start, m.end, m.surface, entity))
            taken.add(m.start, m.end)

    # People NER found that the catalogue does not know by that spelling.
    linked: dict[str, Entity] = {}  # person_key of a surname -> the person this article names in full
    written: dict[str, Entity] = {}  # a surname as the text writes it (its base form) -> that person
    for r in resolved:
        if r.entity.kind == "actor" and (surname := surname_of(r.entity.name)):
            linked.setdefault(person_key(surname), r.entity)
            written.setdefault(surname, r.entity)
    made = _NewPeople()
    singles: list[tuple[NerSpan, str]] = []
    for span in ner:
        if span.label != "PERSON" or taken.overlaps(span.start, span.end):
            continue
        if _in_ranges(bylines, span.start) or _named_after(text, span.start, span.end):
            continue
        name = person_names[span]
        if name is None:
            continue
        if span.name:  # the recogniser's own span, its name normalised (another case, initials dropped)
            start, end = span.start, span.end
        else:
            start = span.start + text[span.start : span.end].find(name.split()[0])
            end = start + len(name) if text[start : start + len(name)] == name else span.end
        if len(name.split()) == 1:
            singles.append((NerSpan(start, end, "PERSON"), name))
            continue
        entity = _match_known_person(name, index) or made.person(name)
        resolved.append(ResolvedMention(start, end, text[start:end], entity))
        taken.add(start, end)
        for surname in {name.split()[-1], surname_of(entity.name)} - {None}:
            linked.setdefault(person_key(surname), entity)
            written.setdefault(surname, entity)

    for span, name in singles:
        entity = linked.get(person_key(name))
        if entity is not None:
            made.saw_surname(entity, romanize_person(name))
        if entity is None and (full := _full_name_before(text, name, index)):
            entity = _match_known_person(full, index) or made.person(full)
            linked[person_key(name)] = entity
        if entity is None:
            known = index.surnames.get(person_key(name), ())
            entity = known[0].entity if len(known) == 1 else None
        if entity is not None:
            resolved.append(ResolvedMention(span.start, span.end, text[span.start : span.end], entity))
            taken.add(span.start, span.end)

    # Surnames of people already named in this article, where NER missed them ("Macron and Michel").
    for surname, entity in written.items():
        if surname in NOT_SURNAME or surname in index.not_a_place:
            continue
        for spelling in armenian_spellings(surname):
            for start, end in surname_occurrences(text, spelling):
                if taken.overlaps(start, end) or _in_ranges(bylines, start):
                    continue
                resolved.append(ResolvedMention(start, end, text[start:end], entity))
                taken.add(start, end)
                if spelling != surname:
                    made.saw_surname(entity, spelling)

    resolved = made.with_chosen_spelling(resolved)
    resolved = _prefer_people_named_here(resolved)
    resolved.sort(key=lambda r: r.start)
    return resolved


def _prefer_people_named_here(resolved: list[ResolvedMention]) -> list[ResolvedMention]:
    """A bare surname means the person of that surname named in full in this article, not a namesake
    in the catalogue: "Vance" after "Marisol Vance" is not JD Vance; «Тоноян» after «Тоноян Гарик» (a
    list, surname first) is Garik Tonoyan. Surnames are compared by spelling key, so a case form
    («Тонояна») finds its person too."""
    named_here: dict[str, Entity] = {}
    for r in resolved:
        if r.entity.kind == "actor" and len(r.surface.split()) >= 2 and (surname := surname_of(r.entity.name)):
            named_here.setdefault(person_key(surname), r.entity)
    if not named_here:
        return resolved
    out = []
    for r in resolved:
        if r.entity.kind == "actor" and " " not in r.surface:
            key = person_key(r.surface)
            local = next((named_here[k] for k in (key, key[:-1], key[:-2]) if k in named_here), None)
            if local is not None and local.entity_id != r.entity.entity_id:
                r = ResolvedMention(r.start, r.end, r.surface, local)
        out.append(r)
    return out
