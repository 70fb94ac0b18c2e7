"""Per-article language, so non-English text skips English NER and uses alias matching only."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import numpy as np

MIN_CHARS = 40
SAMPLE_CHARS = 2000  # a few paragraphs settle the language; the classifier's cost grows with the length

# English function words that are not common words of other languages written in Latin script
# (no "in", "is", "an", "was", "will", "her", "die": German, Dutch, Italian and French have them).
# They make up ~20-25 % of the words of English prose and almost none of any other language's.
ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and that with from his she its are were has have had said which this been would not but they their"
    " who after about than by".split()
)
ENGLISH_SHARE = 0.10  # of the sample's words: English for certain, the classifier is not asked
ENGLISH_MIN_WORDS = 30
# Clear English has at least this many ASCII letters: ENGLISH_SHARE of ENGLISH_MIN_WORDS words are function
# words, each of at least two ASCII letters (no other letter lowercases into one; the Kelvin sign's "k" is
# in none of them). A Russian sample has fewer and is not split into words for nothing (~0.1 ms).
ENGLISH_MIN_ASCII_LETTERS = int(ENGLISH_SHARE * ENGLISH_MIN_WORDS) * min(map(len, ENGLISH_FUNCTION_WORDS))
_LETTER_WORD = re.compile(r"[^\W\d_]+")
# The languages news about the region comes in. The classifier knows 142, and on a short text it
# picks rare ones (a three-line English wire item came out as Nigerian Pidgin, which skips English NER).
NEWS_LANGUAGES = (
    "en ru hy uk be ka az tr fa ar he fr de es it pt nl pl cs sk sl hr sr bg mk ro hu el sv da no fi et lv lt"
    " kk ky uz tg tk mn zh ja ko hi ur id vi".split()
)


def article_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell.

    Clear English prose (most of what presswatch reads) is recognised by its function words (~0.13 ms
    an article), Russian and Armenian by their letters (~0.09 and ~0.05 ms), against ~1 ms for the
    classifier, which is asked only about anything else."""
    sample = _sample(text)
    if sample.letters < MIN_CHARS:
        return None
    if sample.ascii_letters >= ENGLISH_MIN_ASCII_LETTERS and is_clearly_english(sample.text):
        return "en"
    if (by_script := _language_by_script(sample)) is not None:
        return by_script
    code, _score = _classifier().classify(sample.text)
    return code


class Sample(NamedTuple):
    """The part of a text its language is told from, with its letters and script characters counted."""

    text: str
    letters: int
    ascii_letters: int
    cyrillic: int  # characters of CYRILLIC_BLOCK, letters or not
    armenian: int  # characters of ARMENIAN_BLOCK


def _sample(text: str) -> Sample:
    """The sample and its counts, taken over its UTF-16 code units by numpy. A Python call per
    character (str.isalpha, a regex match per Cyrillic letter) made this ~0.3 ms of a Russian article's
    ~0.5 ms of language check; as array operations it is ~0.03 ms. A character beyond the BMP takes two
    code units, so only then are letters counted one by one; the script counts are exact either way (a
    surrogate is in no script's block)."""
    sample = text[:SAMPLE_CHARS]
    units = np.frombuffer(sample.encode("utf-16-le", "surrogatepass"), dtype="<u2")
    if len(units) == len(sample):
        letters = int(np.count_nonzero(_is_bmp_letter()[units]))
    else:
        letters = sum(map(str.isalpha, sample))
    folded = units | 0x20  # A-Z onto a-z, and no other code unit onto a-z
    return Sample(
        sample,
        letters,
        ascii_letters=int(np.count_nonzero((folded >= ord("a")) & (folded <= ord("z")))),
        cyrillic=int(np.count_nonzero((units >= CYRILLIC_BLOCK[0]) & (units <= CYRILLIC_BLOCK[1]))),
        armenian=int(np.count_nonzero((units >= ARMENIAN_BLOCK[0]) & (units <= ARMENIAN_BLOCK[1]))),
    )


@lru_cache(maxsize=1)
def _is_bmp_letter() -> np.ndarray:
    """str.isalpha of every BMP character as a lookup table: 64 KB, built once a process in ~10 ms."""
    return np.fromiter((chr(code).isalpha() for code in range(0x10000)), dtype=bool, count=0x10000)


def russian_likeness(text: str) -> int:
    """2 for a text with a letter only Russian uses, 0 for one with a letter Russian lacks, else 1: which
    of a town's Cyrillic names (Russian, Ukrainian, Bulgarian…) is the Russian one, and whether a
    Cyrillic sample is Russian. Each letter is looked for in the lowered text (str.__contains__, in C),
    not in a set of its characters: a set makes a string object per character of a 2,000-character sample."""
    lower = text.lower()
    if any(map(lower.__contains__, NOT_RUSSIAN)):
        return 0
    return 2 if any(map(lower.__contains__, RUSSIAN_ONLY)) else 1


ARMENIAN_BLOCK = (0x531, 0x587)  # Ա to և, with the few Armenian punctuation marks between capitals and small letters
CYRILLIC_BLOCK = (0x400, 0x4FF)
# Letters only Russian uses among the Cyrillic languages of the region (ы, э, ъ, ё), and letters Russian
# never uses (Ukrainian і ї є ґ, Belarusian ў, Kazakh/Kyrgyz/Tajik/Serbian/Macedonian/Chuvash-only letters).
RUSSIAN_ONLY = frozenset("ыэъё")
NOT_RUSSIAN = frozenset("іїєґўәғқңөұүһҳҷӣӯјљњћџђѓќѕӈӑӗӳ")


def _language_by_script(sample: Sample) -> str | None:
    """Armenian and Russian told by their letters, without the classifier (~0.75 ms an article): only
    Armenian is written in Armenian script, and a Cyrillic text with ы/э and none of the other Cyrillic
    languages' own letters is Russian."""
    if sample.armenian > 0.6 * sample.letters:
        return "hy"
    if sample.cyrillic > 0.6 * sample.letters and russian_likeness(sample.text) == 2:
        return "ru"
    return None


def languages_by_script(texts) -> set[str]:
    """The languages among `texts` that their letters alone tell (Russian, Armenian): cheap enough for
    the flow process to look at a batch before tagging starts (flows/tagging.py, preloading)."""
    found = set()
    for text in texts:
        sample = _sample(text)
        if sample.letters >= MIN_CHARS and (language := _language_by_script(sample)) is not None:
            found.add(language)
    return found


def is_clearly_english(sample: str) -> bool:
    words = _LETTER_WORD.findall(sample)
    if len(words) < ENGLISH_MIN_WORDS:
        return False
    function_words = sum(1 for word in words if word.lower() in ENGLISH_FUNCTION_WORDS)
    return function_words >= ENGLISH_SHARE * len(words)


@lru_cache(maxsize=1)
def _classifier():
    """py3langid's classifier, limited to NEWS_LANGUAGES."""
    from py3langid import langid

    identifier = langid._get_identifier()  # the module's own: loaded once, shared by forked workers
    identifier.set_languages([code for code in NEWS_LANGUAGES if code in identifier.nb_classes])
    return identifier


def load_language_model() -> None:
    """Load the classifier's model now. py3langid loads it (73 MB) on the first `classify`, so
    without this every tagging worker loaded a private copy; the fork server calls it to share one."""
    _classifier().classify("preload")
