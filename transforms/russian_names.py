"""A Russian person's name in the nominative, from the case form the text uses.

«встретился с Николом Пашиняном», «по словам Марии Захаровой», «Гарнику Даниеляну»: before a name is
linked or stored it must be one form («Никол Пашинян», «Мария Захарова», «Гарник Даниелян»). All
words of a name stand in the same case, so the case is read off the word the dictionary knows best
(usually the given name) and every word is put back from that case; the given name also tells the
gender, which decides «Захаровой» -> «Захарова», not «Захаров». Surnames the dictionary does not know
(most Armenian ones) are restored by the regular Russian surname endings.
"""

from __future__ import annotations

import re
from typing import Protocol

from transforms.transliterate import ARMENIAN_GIVEN_NAMES, armenian_given_name

NAME_TAGS = ("Name", "Surn", "Patr")
COMMON_POS = frozenset({"NOUN", "ADJF", "ADJS", "PRTF", "PREP", "CONJ", "PRCL", "ADVB", "NUMR"})
_INITIAL = re.compile(r"^[А-ЯЁ]\.$")
# A patronymic in any case: «Викторович», «Викторовича», «Викторовной», «Ильинична»
_PATRONYMIC = re.compile(r"(?:ович|евич|ьич|овн|евн|ичн)\w{0,3}$")
# A man's surname in the nominative: in every other case it takes an ending («Меликяна», «Петрову»).
_MALE_NOMINATIVE_SURNAME = re.compile(r"\w\w(?:ян|ов|ев|ёв|ин|ын|ский|цкий)$")
# An Armenian surname in an oblique case. Only men's -ян surnames decline, so «Мкртчяна» is a man's
# genitive whatever the dictionary makes of the given name before it («Ваагна»: a woman's name to it).
_ARMENIAN_OBLIQUE = re.compile(r"(\w\wян)(а|у|ом|е)$")
_OBLIQUE_CASES = {"а": "gent", "у": "datv", "ом": "ablt", "е": "loct"}
# not -ской: «Донской» is a man's nominative as well as a woman's oblique case
_ADJECTIVAL_SURNAME_CASE = re.compile(r"\w\w(?:ск|цк)(ого|ому|им|ом|ая|ую)$")
# A woman's surname in an oblique case (all of them end alike): never her nominative.
_FEMALE_OBLIQUE = re.compile(r"\w\w(?:ской|цкой|овой|евой|иной|ыной)$")
_ADJECTIVAL_CASES = {
    "ого": ("gent", "masc"), "ому": ("datv", "masc"), "им": ("ablt", "masc"), "ом": ("loct", "masc"),
    "ая": ("nomn", "femn"), "ую": ("accs", "femn"),
}  # fmt: skip


class Parse(Protocol):
    """What is used of a pymorphy3 parse."""

    tag: object
    score: float
    is_known: bool

    def inflect(self, grammemes: set[str]): ...


class Analyzer(Protocol):
    def parse(self, word: str) -> list[Parse]: ...


def _case_and_gender(parses: list[Parse]) -> tuple[str | None, str | None, float]:
    """The case and gender of a given name the dictionary knows, with its confidence."""
    for p in parses:
        if "Name" in p.tag and p.tag.case and p.is_known:  # a guessed Name is often an unknown surname
            return p.tag.case, p.tag.gender, p.score
    return None, None, 0.0


# Regular surname endings by case, for surnames the dictionary does not know: (oblique ending, nominative).
_MALE_SURNAME_ENDINGS = {
    "gent": (("ского", "ский"), ("цкого", "цкий"), ("ова", "ов"), ("ева", "ев"), ("ёва", "ёв"), ("ина", "ин"),
             ("ына", "ын"), ("а", "")),
    "datv": (("скому", "ский"), ("цкому", "цкий"), ("ову", "ов"), ("еву", "ев"), ("ину", "ин"), ("у", "")),
    "accs": (("ского", "ский"), ("ова", "ов"), ("ева", "ев"), ("ина", "ин"), ("а", "")),
    "ablt": (("ским", "ский"), ("цким", "цкий"), ("овым", "ов"), ("евым", "ев"), ("иным", "ин"), ("ом", ""),
             ("ем", "")),
    "loct": (("ском", "ский"), ("ове", "ов"), ("еве", "ев"), ("ине", "ин"), ("е", "")),
}  # fmt: skip
_FEMALE_SURNAME_ENDINGS = {
    case: (("ской", "ская"), ("цкой", "цкая"), ("овой", "ова"), ("евой", "ева"), ("иной", "ина"))
    for case in ("gent", "datv", "ablt", "loct")
} | {"accs": (("скую", "ская"), ("ову", "ова"), ("еву", "ева"), ("ину", "ина"))}


def _regular_surname(word: str, case: str, gender: str | None) -> str:
    table = (_FEMALE_SURNAME_ENDINGS if gender == "femn" else _MALE_SURNAME_ENDINGS).get(case, ())
    lower = word.lower()
    for ending, nominative in table:
        if lower.endswith(ending) and len(lower) - len(ending) >= 2:
            return word[: len(word) - len(ending)] + nominative
    return word


def _inflected(parses: list[Parse], case: str, gender: str | None) -> str | None:
    """The nominative of the parse that agrees with the name's case (and gender, when known)."""
    fits = [
        p
        for p in parses
        if p.tag.case == case
        and any(t in p.tag for t in NAME_TAGS)
        and (gender is None or p.tag.gender is None or str(p.tag.gender) == gender)
        and "plur" not in p.tag
    ]
    for p in sorted(fits, key=lambda p: -p.score):
        grammemes = {"nomn", "sing"} | ({gender} if gender in ("masc", "femn") else set())
        form = p.inflect(grammemes) or p.inflect({"nomn"})
        if form is not None:
            return form.word
    return None


def _restore_case(original: str, lemma: str) -> str:
    """«никол» -> «Никол»: the written word's capital, the lemma's letters."""
    return lemma[:1].upper() + lemma[1:] if original[:1].isupper() else lemma


def nominative_name(name: str, morph: Analyzer) -> str:
    """«Николом Пашиняном» -> «Никол Пашинян»; initials («С. Лавров», «Лавров С.В.») are dropped."""
    words = [w for w in name.split() if not _INITIAL.match(w) and not re.fullmatch(r"(?:[А-ЯЁ]\.){2,}", w)]
    # «Мельник Денис Олегович»: surname first before a given name and patronymic, whatever else it means
    surname_first = len(words) == 3 and bool(_PATRONYMIC.search(words[2]))
    while len(words) > 1 and not surname_first and _common_word(words[0], morph) and not _armenian_given_name(words[0]):
        words.pop(0)  # «Дубль Спертяна»: a headline's noun in the span; but «Гранта Матевосяна» is Hrant
    if not words:
        return name
    if len(words) == 3 and not surname_first and institution_before(words, morph):
        words.pop(0)  # «Матенадарана Гаяне Тер-Мартиросян»: slovnet ran the employer into the name
    # In a hyphenated name only the last part declines: «Касым-Жомартом», «Тер-Петросяна».
    heads = [w.rsplit("-", 1)[0] + "-" if "-" in w else "" for w in words]
    words = [w[len(h) :] for w, h in zip(words, heads, strict=True)]
    parses = [morph.parse(w) for w in words]
    case = gender = None
    best = 0.0
    for word_parses in parses:
        c, g, score = _case_and_gender(word_parses)
        if c and score > best:
            case, gender, best = c, g, score
    if case is None:  # no known given name: the surname's own reading decides
        for word_parses in parses:
            surn = [p for p in word_parses if "Surn" in p.tag and p.tag.case and "plur" not in p.tag]
            if surn:
                top = max(surn, key=lambda p: p.score)
                case, gender = top.tag.case, top.tag.gender
                break
    if case is None and len(words) == 1 and (armenian := re.match(r"(.+ян)(?:а|у|ом|е)$", words[0])):
        return heads[0] + armenian.group(1)  # «Спертяна»: an Armenian surname only men's forms decline
    if len(words) > 1 and case in (None, "nomn") and (oblique := _ARMENIAN_OBLIQUE.search(words[-1])):
        case, gender = _OBLIQUE_CASES[oblique.group(2)], "masc"  # «Ваагна Мкртчяна», «Гранта Матевосяна»
    elif len(words) > 1 and (adjectival := _ADJECTIVAL_SURNAME_CASE.search(words[-1])):
        # a surname like an adjective says case and gender itself: «Габриэла Айвазовского» (of him, though
        # «Габриэла» reads as a woman's name), «Ярослава Воронежская» (she, not «of Yaroslav»)
        case, gender = _ADJECTIVAL_CASES[adjectival.group(1)]
    if (
        len(words) == 2
        and words[0] in ARMENIAN_GIVEN_NAMES
        and words[0].endswith("е")
        and re.search(r"\w\wян$", words[-1])
    ):
        case = "nomn"  # «Марине Гаспарян», «Армине Тер-Саакян»: Armenian names in -е, not «Марина» in the dative
    if gender == "femn" and case in (None, "nomn") and len(words) > 1 and _FEMALE_OBLIQUE.search(words[-1]):
        case = "gent"  # «Нинель Карачаровской»: an indeclinable woman's name; her surname shows the case
    if case is None and re.search(r"(?:ым|ого|ому)$", words[-1]):
        case, gender = ("ablt" if words[-1].endswith("ым") else "gent" if words[-1].endswith("го") else "datv"), "masc"
    if gender == "masc" and len(words) > 1 and _MALE_NOMINATIVE_SURNAME.search(words[-1]):
        case = "nomn"  # «Егише Меликян»: a man's surname that declines stands bare only in the nominative
    if len(words) == 3 and (told := _case_of_patronymic(words[1])):
        case, gender = told  # «Валерия Андреевна Ставрова» is she, in the nominative, not «of Valery Stavrov»
    if case is not None and case != "nomn":
        # a Russian double surname declines both parts: «Орлова-Томского» -> «Орлов-Томский»
        heads = [_regular_surname(h[:-1], case, gender) + "-" if h else h for h in heads]
        words = [
            head + _nominative(word, word_parses, case, gender)
            for head, word, word_parses in zip(heads, words, parses, strict=True)
        ]
    else:
        words = [head + word for head, word in zip(heads, words, strict=True)]
    return " ".join(_name_order(words, parses))


# A patronymic's ending tells the case and gender of the whole name, which a given name (Валерия: hers, or
# «of Valery») and a surname (Ставрова) may not.
_PATRONYMIC_CASES = (
    (("ович", "евич", "ьич"), ("nomn", "masc")),
    (("овича", "евича", "ьича"), ("gent", "masc")),
    (("овичу", "евичу", "ьичу"), ("datv", "masc")),
    (("овичем", "евичем", "ьичом"), ("ablt", "masc")),
    (("овиче", "евиче", "ьиче"), ("loct", "masc")),
    (("овна", "евна", "ична"), ("nomn", "femn")),
    (("овны", "евны", "ичны"), ("gent", "femn")),
    (("овне", "евне", "ичне"), ("datv", "femn")),
    (("овной", "евной", "ичной"), ("ablt", "femn")),
    (("овну", "евну", "ичну"), ("accs", "femn")),
)


def _case_of_patronymic(word: str) -> tuple[str, str] | None:
    lower = word.lower()
    for endings, told in _PATRONYMIC_CASES:
        if lower.endswith(endings) and len(lower) > 6:
            return told
    return None


def _armenian_given_name(word: str) -> bool:
    """An Armenian given name the dictionary reads as a common noun («Гранта»: of a grant) or does not know
    («Ашот», «Айказа»), in any case: in the Russian spellings or, romanized, among the Latin ones."""
    return any(
        armenian_given_name(stem)
        for end in ("", "а", "у", "ом", "е")
        if word.endswith(end) and (stem := word[: len(word) - len(end)])
    )


def is_patronymic(word: str) -> bool:
    return bool(_PATRONYMIC.search(word))


def _common_word(word: str, morph: Analyzer) -> bool:
    """A noun or adjective the dictionary knows, never a name: «Дубль», «Глава» in a headline's span.
    Verbs are kept: a name that spells a verb («Давит») is a name NER found, not a stray word."""
    parses = morph.parse(word)
    return all(
        p.is_known and p.tag.POS in COMMON_POS and not any(t in p.tag for t in (*NAME_TAGS, "Geox", "Orgn"))
        for p in parses
    )


def _name_order(words: list[str], parses: list[list[Parse]]) -> list[str]:
    """Given name first, no patronymic: «Лавров Сергей Викторович», «Сергей Викторович Лавров» ->
    «Сергей Лавров»; «Хачатуров Юрий» (a list, surname first) -> «Юрий Хачатуров»."""
    given = [i for i, ps in enumerate(parses) if _given_reading(words[i], ps)]
    kept = [i for i in range(len(words)) if not (len(words) > 1 and i > 0 and _patronymic(words[i], parses[i]))]
    surname_first = len(words) == 3 and kept == [0, 1]  # «Саркисян Гор Ашотович»: the given name before the patronymic
    if len(kept) == 2 and (surname_first or (kept[1] in given and kept[0] not in given)):
        kept.reverse()
    return [words[i] for i in kept]


def institution_before(words: list[str], morph: Analyzer) -> bool:
    """The first of three words is no part of the name after it: slovnet ran a place or employer into
    it («жителя Ванадзора Айказа Мурадяна», «Матенадарана Гаяне Тер-Мартиросян»), or a village named like
    a surname («общины Баграмян Ашот Пахлеванян»: surname, given name, surname is no one's name)."""
    if len(words) != 3 or any(_PATRONYMIC.search(w) for w in words):
        return False
    first, second = morph.parse(words[0]), morph.parse(words[1])
    if not (_armenian_given_name(words[1]) or any("Name" in p.tag and p.is_known for p in second)):
        return False
    if _armenian_given_name(words[0]) or any(p.is_known and "Name" in p.tag for p in first):
        return False  # two given names
    if any(p.is_known and t in p.tag for p in first for t in NAME_TAGS) or _MALE_NOMINATIVE_SURNAME.search(words[0]):
        return bool(_MALE_NOMINATIVE_SURNAME.search(words[2]) or _ARMENIAN_OBLIQUE.search(words[2]))
    return True


def _patronymic(word: str, parses: list[Parse]) -> bool:
    """A father's name, not a surname with the same ending: «Иван Паскевич», «Адам Мицкевич» (the
    dictionary knows them as surnames, and no reading of theirs is a patronymic)."""
    return bool(_PATRONYMIC.search(word)) and (
        any("Patr" in p.tag for p in parses) or not any("Surn" in p.tag for p in parses)
    )


def _given_reading(word: str, parses: list[Parse]) -> bool:
    """A given name: its best reading, or (for a word that is also a noun, «Роман», «Лев») any known
    singular reading, unless it has a surname's ending («Арутюнов» is also the plural of Арутюн)."""
    if "Name" in parses[0].tag and parses[0].is_known and "plur" not in parses[0].tag:
        return True
    return not _MALE_NOMINATIVE_SURNAME.search(word) and any(
        "Name" in p.tag and p.is_known and "plur" not in p.tag for p in parses
    )


def _nominative(word: str, word_parses: list[Parse], case: str, gender: str | None) -> str:
    if any("Name" in p.tag and p.tag.case == case and p.is_known for p in word_parses):
        lemma = _inflected(word_parses, case, gender) or word
    else:  # a surname: its regular ending is safer than pymorphy's guess from the word's tail
        regular = _regular_surname(word, case, gender)
        lemma = regular if regular != word else (_inflected(word_parses, case, gender) or word)
    return _restore_case(word, lemma)
