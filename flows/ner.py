"""Named-entity recognisers per language, loaded once per process and only when a text needs one.

English uses the configured spaCy pipeline (`[tagging] model`); other languages use what
`[tagging] language_models` names for them:
- a spaCy pipeline name (French `fr_core_news_sm`, Spanish `es_core_news_sm`): its `ner` only;
- `natasha` for Russian: the slovnet NER model and navec embeddings that the `natasha` wheel ships
  (no download at run time), with names put back in the nominative by pymorphy3;
- `armenian-rules` for Armenian, which has no shipped model: given names, surname endings, offices
  (`transforms/armenian_names.py`).
A language with no entry gets alias matching only (the catalogue and the gazetteer).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from transforms.armenian_names import armenian_person_spans
from transforms.resolve import NerSpan
from transforms.russian_names import institution_before, is_patronymic, nominative_name

# The small pipelines' `ner` has its own embedding layer: nothing else is needed for entities.
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer"]
# Labels of the other pipelines (WikiNER: PER/LOC/ORG/MISC; slovnet: PER/LOC/ORG) in OntoNotes terms.
LABELS = {"PER": "PERSON", "LOC": "LOC", "ORG": "ORG", "MISC": "MISC"}
NATASHA = "natasha"
ARMENIAN_RULES = "armenian-rules"


class ModelError(Exception):
    """A configured NER model cannot be loaded; the message says how to install it."""


@lru_cache(maxsize=8)
def load_nlp(model: str):
    """A spaCy pipeline with only `ner` and a rule-based sentencizer."""
    import warnings

    import spacy

    try:
        with warnings.catch_warnings():
            # es_core_news_sm 3.1 warns that it was trained with an older spaCy; it is checked on our texts
            warnings.filterwarnings("ignore", message=r"\[W095\]")
            nlp = spacy.load(model, exclude=UNUSED_COMPONENTS)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {model!r} is not installed; install its package or change [tagging] in the config"
        ) from exc
    nlp.add_pipe("sentencizer", first=True)
    return nlp


class SpacyRecogniser:
    def __init__(self, model: str, batch_size: int) -> None:
        self.nlp = load_nlp(model)
        self.batch_size = batch_size

    def docs(self, texts: Iterable[str]) -> Iterator:
        """spaCy docs, each with its entities and sentences."""
        return self.nlp.pipe(texts, batch_size=self.batch_size)

    @staticmethod
    def spans(doc) -> list[NerSpan]:
        return [NerSpan(e.start_char, e.end_char, LABELS.get(e.label_, e.label_)) for e in doc.ents]


@lru_cache(maxsize=1)
def _natasha_models():
    """slovnet's news NER with its navec embeddings, from the data files inside the natasha wheel.

    natasha's own modules import pymorphy2 (broken on Python 3.11) and are never imported: only the
    package's location is looked up."""
    spec = importlib.util.find_spec(NATASHA)
    if spec is None or spec.origin is None:
        raise ModelError("Russian NER needs the 'natasha' package (its wheel ships the model); run `make install`")
    data = Path(spec.origin).parent / "data"
    import pymorphy3
    from navec import Navec
    from slovnet import NER

    ner = NER.load(str(data / "model" / "slovnet_ner_news_v1.tar"))
    ner.navec(Navec.load(str(data / "emb" / "navec_news_v1_1B_250K_300d_100q.tar")))
    return ner, pymorphy3.MorphAnalyzer()


class NatashaRecogniser:
    """Russian: slovnet finds the spans; each person's name is given in the nominative."""

    MAX_NAMES = 20_000  # names in the nominative kept per process: the same people recur across articles

    def __init__(self) -> None:
        self.ner, self.morph = _natasha_models()
        self.nominatives: dict[str, str] = {}

    def nominative(self, written: str) -> str:
        """pymorphy3 takes ~1 ms a name, as long as slovnet takes for ~15 words: worked out once a form."""
        found = self.nominatives.get(written)
        if found is None:
            if len(self.nominatives) >= self.MAX_NAMES:
                self.nominatives.clear()
            found = self.nominatives[written] = nominative_name(written, self.morph)
        return found

    def spans_of(self, texts: list[str]) -> Iterator[list[NerSpan]]:
        """Spans per text, in input order. slovnet pads each batch of 8 texts to its longest: articles
        of 180 to 990 words in file order ran 37 % padding through its convolutions, shortest-first
        about 1 %: the same spans for 20-26 % less CPU (7-21 % with two tagging processes on two cores)."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        markups: list = [None] * len(texts)
        for i, markup in zip(order, self.ner.map([texts[i] for i in order]), strict=True):
            markups[i] = markup
        for text, markup in zip(texts, markups, strict=True):
            spans = []
            for start, stop, label in surname_first_joined(text, [(s.start, s.stop, s.type) for s in markup.spans]):
                stop = bracket_trimmed(text, start, stop)
                if stop <= start:
                    continue
                label = LABELS.get(label, label)
                if label == "PERSON" and institution_before(text[start:stop].split(), self.morph):
                    start = _FIRST_WORD.match(text, start).end()  # the place stays a place: «жителя Ванадзора Айказа …»
                name = self.nominative(text[start:stop]) if label == "PERSON" else None
                spans.append(NerSpan(start, stop, label, name))
            yield spans


_BRACKET_OR_QUOTE = re.compile(r"\s*[(\[«\"]")
_FIRST_WORD = re.compile(r"\S+\s+")


def bracket_trimmed(text: str, start: int, stop: int) -> int:
    """The end of a span cut before a bracket or an opening quote: slovnet runs a name into the role
    or place that follows it in brackets («Эрик Карапетян (Зимзимов)», «Анаит Бабаян (Шушан)»)."""
    cut = _BRACKET_OR_QUOTE.search(text, start, stop)
    if cut is None or cut.start() == start:
        return stop
    return cut.start()


# A Russian surname's nominative, which slovnet sometimes labels an organisation before a given name and patronymic.
_SURNAME_WORD = re.compile(r"[А-ЯЁ][а-яё]+(?:ов|ев|ёв|ин|ын|ский|цкий|ян|ова|ева|ёва|ина|ына|ская|цкая)")
# A capitalised word that opens a list item: at a line's start, after "7. ", or after a comma or semicolon.
_LIST_ITEM_WORD = re.compile(r"(?:^|\n|\d[.)]\s|[,;]\s)([А-ЯЁ][а-яё-]+)\s$")
# A capitalised word right before a span, not an initial: the given name before «Арамовна Давтян».
_GIVEN_BEFORE = re.compile(r"(?<![\w.])([А-ЯЁ][а-яё]+) $")


def surname_first_joined(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Full names slovnet cuts around a patronymic, joined again:
    - «Лысенко Дмитрий Олегович» in a list of defendants comes back as two people, the surname and
      «Дмитрий Олегович»: one word right before a given name and patronymic is their surname; when
      slovnet leaves the surname out («Мельник Денис Олегович», «Абовяна Артура Гагиковича»), the
      capitalised word that opens the list item is taken as it;
    - «Анна Васильевна» + «Кузнецова»: a surname right after a given name and patronymic is theirs;
    - «Лусине Арамовна Давтян» found as «Арамовна Давтян»: the capitalised word before is the given name."""
    joined: list[tuple[int, int, str]] = []
    for start, stop, label in spans:
        words = text[start:stop].split()
        if label == "PER" and len(words) == 2 and is_patronymic(words[1]) and _took_the_surname(text, joined, start):
            # «из села Филипповка Чусовитин Андрей Михайлович»: slovnet ran the surname into the place before
            before_start, before_stop, before_label = joined[-1]
            cut = text.rindex(" ", before_start, before_stop)
            joined[-1] = (before_start, cut, before_label)
            start = cut + 1
        elif label == "PER" and len(words) == 2 and is_patronymic(words[1]):
            item = _LIST_ITEM_WORD.search(text, max(0, start - 40), start)
            if item is not None and item.end() == start and not (joined and joined[-1][1] > item.start(1)):
                start = item.start(1)
        if label == "PER" and len(words) == 2 and is_patronymic(words[0]):
            given = _GIVEN_BEFORE.search(text, max(0, start - 30), start)
            if given is not None and not (joined and joined[-1][1] > given.start(1)):
                start = given.start(1)
        if joined and label == "PER" and text[joined[-1][1] : start] == " ":
            before_start, before_stop, before_label = joined[-1]
            before = text[before_start:before_stop].split()
            after = text[start:stop].split()
            surname_then_name = len(before) == 1 and len(after) == 2 and is_patronymic(after[1])
            name_then_surname = len(before) == 2 and is_patronymic(before[1]) and len(after) == 1
            if before_label != "PER":  # «Сызранцев Павел Андреевич»: the surname read as an organisation
                name_then_surname = False
                surname_then_name = surname_then_name and bool(_SURNAME_WORD.fullmatch(before[0]))
            if surname_then_name or name_then_surname:
                joined[-1] = (before_start, stop, label)
                continue
        joined.append((start, stop, label))
    return joined


def _took_the_surname(text: str, joined: list[tuple[int, int, str]], start: int) -> bool:
    """The span before a given name and patronymic is a place or organisation of several words that ends,
    one space before them, in a capitalised word: their surname."""
    if not joined or joined[-1][2] == "PER" or text[joined[-1][1] : start] != " ":
        return False
    before = text[joined[-1][0] : joined[-1][1]].split()
    return len(before) >= 2 and before[-1][:1].isupper() and before[-1].isalpha()


class ArmenianRules:
    def spans_of(self, texts: list[str]) -> Iterator[list[NerSpan]]:
        for text in texts:
            yield armenian_person_spans(text)


@lru_cache(maxsize=8)
def recogniser(name: str, batch_size: int):
    """The recogniser a `[tagging] language_models` entry names."""
    if name == NATASHA:
        return NatashaRecogniser()
    if name == ARMENIAN_RULES:
        return ArmenianRules()
    return SpacyRecogniser(name, batch_size)
