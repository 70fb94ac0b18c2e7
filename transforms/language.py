"""Per-article language, so non-English text skips English NER and uses alias matching only."""

from __future__ import annotations

import re
from functools import lru_cache

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
_LETTER_WORD = re.compile(r"[^\W\d_]+")
# The languages news about the region comes in. The classifier knows 142, and on a short text it
# picks rare ones (a three-line English wire item came out as Nigerian Pidgin, which skips English NER).
NEWS_LANGUAGES = (
    "en ru hy uk be ka az tr fa ar he fr de es it pt nl pl cs sk sl hr sr bg mk ro hu el sv da no fi et lv lt"
    " kk ky uz tg tk mn zh ja ko hi ur id vi".split()
)


def article_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when the text is too short to tell.

    Clear English prose (most of what presswatch reads) is recognised by its function words, at a
    twentieth of the classifier's cost (0.05 vs 1 ms an article; it was ~2 % of tagging); anything
    else goes to the classifier."""
    sample, letters = _sample(text)
    if letters < MIN_CHARS:
        return None
    if is_clearly_english(sample):
        return "en"
    if (by_script := _language_by_script(sample, letters)) is not None:
        return by_script
    code, _score = _classifier().classify(sample)
    return code


def _sample(text: str) -> tuple[str, int]:
    """The part of a text its language is told from, and how many letters it has."""
    sample = text[:SAMPLE_CHARS]
    return sample, sum(map(str.isalpha, sample))


def russian_likeness(word: str) -> int:
    """2 for a word with a letter only Russian uses, 0 for one with a letter Russian lacks, else 1:
    which of a town's Cyrillic names (Russian, Ukrainian, Bulgarian…) is the Russian one."""
    lower = set(word.lower())
    if lower & NOT_RUSSIAN:
        return 0
    return 2 if lower & RUSSIAN_ONLY else 1


ARMENIAN_LETTERS = re.compile(r"[\u0531-\u0587]")
CYRILLIC_LETTERS = re.compile(r"[\u0400-\u04ff]")
# Letters only Russian uses among the Cyrillic languages of the region (ы, э, ъ, ё), and letters Russian
# never uses (Ukrainian і ї є ґ, Belarusian ў, Kazakh/Kyrgyz/Tajik/Serbian/Macedonian/Chuvash-only letters).
RUSSIAN_ONLY = frozenset("ыэъё")
NOT_RUSSIAN = frozenset("іїєґўәғқңөұүһҳҷӣӯјљњћџђѓќѕӈӑӗӳ")


def _language_by_script(sample: str, letters: int) -> str | None:
    """Armenian and Russian told by their letters, without the classifier (~0.75 ms an article): only
    Armenian is written in Armenian script, and a Cyrillic text with ы/э and none of the other Cyrillic
    languages' own letters is Russian."""
    if len(ARMENIAN_LETTERS.findall(sample)) > 0.6 * letters:
        return "hy"
    if len(CYRILLIC_LETTERS.findall(sample)) > 0.6 * letters:
        lower = set(sample.lower())
        if lower & RUSSIAN_ONLY and not lower & NOT_RUSSIAN:
            return "ru"
    return None


def languages_by_script(texts) -> set[str]:
    """The languages among `texts` that their letters alone tell (Russian, Armenian): cheap enough for
    the flow process to look at a batch before tagging starts (flows/tagging.py, preloading)."""
    found = set()
    for text in texts:
        sample, letters = _sample(text)
        if letters >= MIN_CHARS and (language := _language_by_script(sample, letters)) is not None:
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
