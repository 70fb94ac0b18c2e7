"""Tagging: spaCy NER over a batch (nlp.pipe), then entity resolution into canonical entities.

spaCy and the entity index are loaded once per process and only when a run has new articles.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from flows.ner import SpacyRecogniser, recogniser
from transforms.language import article_language, languages_by_script
from transforms.records import Article, Entity, Mention, TaggedArticle
from transforms.resolve import NerSpan, resolve_entities
from transforms.sentences import rule_sentences, split_at_line_breaks
from transforms.stories import minhash

ENGLISH = {"en", None}  # a text too short to tell its language is most likely English here


@lru_cache(maxsize=4)
def load_entity_index(catalog_dir: str, min_city_population: int, cache_dir: str | None):
    from flows.catalog import load_index

    return load_index(Path(catalog_dir), min_city_population, Path(cache_dir) if cache_dir else None)


@dataclass(frozen=True)
class TaggingSetup:
    model: str
    catalog_dir: str
    min_city_population: int
    cache_dir: str | None
    nlp_batch_size: int
    keep_freed_mb: int
    language_models: tuple[tuple[str, str], ...] = ()  # (language, recogniser name); see flows/ner.py
    preload_languages: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # hashable for the per-process caches, also when rebuilt from JSON (lists) in the fork server
        object.__setattr__(self, "language_models", tuple(tuple(pair) for pair in self.language_models))
        object.__setattr__(self, "preload_languages", tuple(self.preload_languages))

    def preloaded_recognisers(self) -> list[str]:
        """The recognisers of `preload_languages` (a language without one has nothing to load)."""
        models = dict(self.language_models)
        return sorted({models[language] for language in self.preload_languages if language in models})

    def preloading_for(self, texts: Iterable[str]) -> TaggingSetup:
        """This setup preloading only the languages `texts` (a run's first new articles) are written in,
        as far as their script tells: a run of English articles does not hold the Russian NER (~50 MB
        beside the model) in its tagging processes. A language that turns up later in the run is
        loaded by each tagging process when it first meets it."""
        present = languages_by_script(texts)
        return replace(self, preload_languages=tuple(lang for lang in self.preload_languages if lang in present))


def setup_for(settings) -> TaggingSetup:
    """The tagging setup a Settings object describes (paths resolved against the config file)."""
    t = settings.tagging
    return TaggingSetup(
        t.model,
        str(settings.path(t.catalog_dir)),
        t.min_city_population,
        str(settings.path(t.cache_dir)),
        t.nlp_batch_size,
        t.keep_freed_mb,
        tuple(sorted(t.language_models.items())),
        tuple(t.preload_languages),
    )


def _mentions(article: Article, resolved, sentence_starts: list[int]) -> tuple[list[Mention], list[Entity]]:
    """Split offsets in title+body into (field, offset) and attach the sentence index."""
    import bisect

    body_offset = len(article.title) + 2 if article.title and "title_derived" not in article.flags else 0
    mentions, entities = [], []
    for r in resolved:
        if body_offset and r.start < body_offset:
            field, start, end = "title", r.start, r.end
        else:
            field, start, end = "body", r.start - body_offset, r.end - body_offset
        sentence = max(bisect.bisect_right(sentence_starts, r.start) - 1, 0)
        mentions.append(Mention(article.article_id, r.entity.entity_id, r.surface, field, start, end, sentence))
        entities.append(r.entity)
    return mentions, entities


def tag_articles(articles: list[Article], setup: TaggingSetup) -> list[TaggedArticle]:
    """Tag a batch: detect each article's language (unless its feed gave it), run the language's NER
    (`flows/ner.py`), and resolve its spans and the alias matches into entities.

    English docs are resolved as soon as nlp.pipe yields them and then dropped: holding a whole
    chunk's docs (~100 KB each) cost memory and cache for nothing. Offsets index the text the doc was
    made from (spaCy keeps it verbatim); `doc.text` would rebuild it from every token, twice an article
    (0.8 ms of the ~5 ms each article costs beside NER)."""
    if not articles:
        return []
    english = SpacyRecogniser(setup.model, setup.nlp_batch_size)
    index = load_entity_index(setup.catalog_dir, setup.min_city_population, setup.cache_dir)
    for article in articles:
        if article.language is None:  # detected here, in the tagging processes, not in the flow process
            article.language = article_language(f"{article.title or ''}\n{article.body}")
    texts = [a.text for a in articles]
    models = dict(setup.language_models)
    is_english = [a.language in ENGLISH for a in articles]
    other = _other_languages(articles, texts, is_english, models, setup.nlp_batch_size)
    english_docs = english.docs(text for text, en in zip(texts, is_english, strict=True) if en)
    tagged = []
    for i, (article, text) in enumerate(zip(articles, texts, strict=True)):
        if is_english[i]:
            doc = next(english_docs)
            spans, sents = english.spans(doc), [(s.start_char, s.end_char) for s in doc.sents]
        else:
            spans, sents = other.get(i, ([], None))
            if sents is None:
                sents = rule_sentences(text)
        resolved = resolve_entities(text, spans, index)
        sentences = split_at_line_breaks(text, sents)
        mentions, entities = _mentions(article, resolved, [s for s, _ in sentences])
        tagged.append(TaggedArticle(article, mentions, entities, sentences, minhash(article.body)))
    return tagged


def _other_languages(
    articles: list[Article], texts: list[str], is_english: list[bool], models: dict[str, str], batch_size: int
) -> dict[int, tuple[list[NerSpan], list[tuple[int, int]] | None]]:
    """NER spans (and sentences, where the recogniser gives them) of the non-English articles, by
    position, one recogniser call per language."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, article in enumerate(articles):
        if not is_english[i] and article.language in models:
            groups[models[article.language]].append(i)
    found: dict[int, tuple[list[NerSpan], list[tuple[int, int]] | None]] = {}
    for name, positions in groups.items():
        rec = recogniser(name, batch_size)
        if isinstance(rec, SpacyRecogniser):
            for i, doc in zip(positions, rec.docs(texts[i] for i in positions), strict=True):
                found[i] = (rec.spans(doc), [(s.start_char, s.end_char) for s in doc.sents])
        else:
            for i, spans in zip(positions, rec.spans_of([texts[i] for i in positions]), strict=True):
                found[i] = (spans, None)
    return found
