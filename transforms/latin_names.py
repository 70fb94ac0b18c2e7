"""Russian and Armenian people in Latin-script text that the English model misreads.

spaCy's small English model learned English and Western names: «Yevgenia Larina, a teacher» comes
back as the place "Yevgenia", «Gegharkunik Governor Gevorg Ohanian» as one organisation. A known
Russian, Armenian, Georgian, Azerbaijani or Central Asian given name followed by a capitalised word with
such a surname ending is a person whatever the model says; the span replaces the model's spans it
overlaps (`transforms.resolve`). Western names are left to the model.
"""

from __future__ import annotations

import re

from transforms.transliterate import LATIN_ARMENIAN_GIVEN_NAMES

# Russian given names as English-language media write them (simplified BGN/PCGN and the usual variants).
LATIN_RUSSIAN_GIVEN_NAMES = frozenset(
    """
    Aleksandr Alexander Aleksei Alexei Alexey Anatoly Anatoliy Andrei Andrey Anton Arkady Artyom Artem Boris
    Dmitry Dmitri Dmitriy Denis Fyodor Gennady Georgy Gleb Grigory Igor Ilya Innokenty Ivan Kirill Konstantin
    Leonid Maxim Maksim Mikhail Nikita Nikolai Nikolay Oleg Pavel Pyotr Roman Ruslan Semyon Sergei Sergey
    Stanislav Stepan Timofei Vadim Valentin Valery Valeriy Vasily Vasiliy Viktor Vitaly Vladimir Vladislav
    Vsevolod Vyacheslav Yaroslav Yegor Yevgeny Yevgeniy Yuri Yury Zakhar
    Alexandra Alla Alyona Anastasia Anna Antonina Darya Daria Galina Inna Irina Kristina Ksenia Lyudmila
    Larisa Lyubov Margarita Maria Mariya Marina Nadezhda Natalya Natalia Nina Oksana Olga Polina Raisa Sofia
    Svetlana Tamara Tatyana Tatiana Ulyana Valentina Valeria Vera Veronika Viktoria Yana Yekaterina Yelena
    Yevgenia Yulia Zhanna Zoya
    """.split()
)
# Georgian, Azerbaijani, North Caucasian and Central Asian given names, met in the same stories.
LATIN_REGIONAL_GIVEN_NAMES = frozenset(
    """
    Giorgi Guram Irakli Lasha Levan Mamuka Mikheil Nikoloz Otar Shota Tengiz Tornike Vakhtang Zurab Zviad Beka
    Gela Nino Tamar Ketevan Salome Eka Nana Tea Mariam Ilham Elnur Elchin Rashad Farid Jeyhun Hikmet Mehriban Anar
    Vugar Elmar Orkhan Emin Kamran Rufat Tural Ramiz Rasim Zaur Murad Nigar Leyla Aygun Ramil Rinat Ilnur Marat
    Azamat Aslan Akhmed Magomed Shamil Ramzan Rustam Timur Inal Alan Soslan Khasan Dzhambulat Aynura Ainura Dinara
    Gulnara Aigul Kassym Nursultan Sadyr Emomali Shavkat Farrukh Farrukhjon Bakhtiyor Azizbek Ulugbek Daniyar
    Nodar Zaza Merab Gia Kakha Nika Archil Tamaz Temur Badri Revaz Sandro Ilia Lado Gocha Paata Besik Dato Khatia
    Tinatin Maia Natia Sopho Lela Manana Teona Nato
    """.split()
)
# Frequent English given names, which diaspora copy puts before Armenian surnames ("Jennifer Hagopian", "Paul
# Kouzoujian") where the English model often misses the name: taken as a name only before a surname in -ian/-yan.
ENGLISH_GIVEN_NAMES = frozenset(
    """
    Aaron Adam Alan Albert Alex Alexis Alice Alicia Allison Amanda Amber Amy Andrea Andrew Angela Ann Anne Anthony
    Ashley Audrey Barbara Ben Benjamin Beth Betty Bill Bob Brandon Brenda Brian Bruce Carl Carol Caroline Catherine
    Charles Cheryl Chris Christina Christine Christopher Cindy Claire Daniel Danielle David Deborah Debra Dennis Diana
    Diane Donald Donna Dorothy Douglas Edward Elizabeth Ellen Emily Emma Eric Erica Evelyn Frank Gary George Gloria
    Grace Gregory Hannah Harold Heather Helen Henry Jack Jacob Jacqueline James Jane Janet Jason Jean Jeff Jeffrey
    Jennifer Jeremy Jerry Jessica Joan Joanne Joe John Jonathan Joseph Joshua Joyce Judith Judy Julia Julie Justin
    Karen Katherine Kathleen Kathy Keith Kelly Kenneth Kevin Kim Kimberly Kyle Larry Laura Lauren Laurie Leslie
    Linda Lisa Lori Louis Lucy Margaret Maria Marie Marilyn Mark Martha Martin Mary Matthew Megan Melissa Michael
    Michelle Nancy Nathan Nicholas Nicole Pamela Patricia Patrick Paul Peter Philip Rachel Raymond Rebecca Richard
    Robert Roger Ronald Rose Russell Ruth Ryan Samantha Samuel Sandra Sara Sarah Scott Sean Sharon Shirley Stephanie
    Stephen Steve Steven Susan Suzanne Teresa Terry Thomas Timothy Tyler Victoria Vincent Virginia Walter Wayne
    William Zachary
    """.split()
)
_CAPITALISED_NEXT = re.compile(r" [A-Z][a-z]")
_ARMENIAN_SURNAME = re.compile(r"[A-Z][a-z]{2,}(?:ian|yan)(?:-[A-Z][a-z]+)?")
GIVEN_NAMES = LATIN_RUSSIAN_GIVEN_NAMES | LATIN_ARMENIAN_GIVEN_NAMES | LATIN_REGIONAL_GIVEN_NAMES
_SURNAME = (
    r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:ov|ova|ev|eva|yov|yova|in|ina|yn|yna|sky|skaya|skiy|tsky|tskaya|enko|uk|chuk"
    r"|yan|ian|yants|ants|uni|ents|shvili|dze|ovich|evich|li|ly|zade|iani|ava|aeva|oev|oeva|ia|ua)"
    r"(?:-[A-Z][a-z]+)?"  # a second surname after it: "Talin Kurkjian-Ross"
)
# The Western Armenian particle of a priest's descendants: "Sona Der Kaloustian-Webb", "Lara Der Mugrdechian"
_PARTICLE = r"(?:Der|Ter) "
_PATRONYMIC = r"[A-Z][a-z]+(?:ovich|evich|ovna|evna|ichna)"
# the surname ends the name: "Arpi Mardigian-Lowell" is not Arpi Mardigian
_PERSON = re.compile(rf"(?<![\w-])([A-Z][a-z]+) (?:{_PATRONYMIC} )?((?:{_PARTICLE})?{_SURNAME})(?![\w-])")
_GIVEN_NAME_BEFORE = re.compile(r"(?<![\w-])([A-Z][a-z]+) $")
# A wife's maiden name in brackets, as obituaries write it: "Alice (Gulesserian) Kouzoujian" is Alice Kouzoujian
_MAIDEN_NAME = re.compile(rf"\b([A-Z][a-z]+) \([A-Z][a-z]+\) ((?:{_PARTICLE})?{_SURNAME})(?![\w-])")
# A nickname in quotes between a given name and a surname: 'Hayk "Hako" Mnatsakanyan', 'Richard "Dick"
# Kalebjian', 'Lara "Lulu" Der Mugrdechian'. English NER splits such a name or misses it; the quotes say it is one.
_NICKNAMED = re.compile(
    r"\b([A-Z][a-z]+) [\"“]([A-Z][\w.]*)[\"”] "
    r"((?:(?:Der|Ter|De|Di|Da|Van|Von|Le|La|El|Al) )?[A-Z][a-z]+(?:-[A-Z][a-z]+)?)"
    r"(?![\w-])"
)


# A couple under one surname, as donor and benefactor lists write them: "Arshag and Lucy Garabedian", "Siran and
# Hagop Tashjian" (the first given name one of the lists above).
_COUPLE = re.compile(rf"\b([A-Z][a-z]+) and ([A-Z][a-z]+) ({_SURNAME})(?![\w-])")
# "General Andranik and Drastamat Kanayan" are two men: a title or a name before the first given name
_AFTER_A_CAPITALISED_WORD = re.compile(r"[A-Z][\w.]*\s+$")
_COUPLE_TITLE = re.compile(r"(?:Drs|Mr\. and Mrs|Messrs)\.?\s+$")  # "Drs. Levon and Talin Kurkjian-Ross": both


def latin_person_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of each Russian or Armenian name in a Latin-script text, and of each name written
    with a nickname in quotes (whatever its origin)."""
    spans = []
    for m in _PERSON.finditer(text):
        # (not a maiden name before the married one: "Margaret Mahakian Boyd")
        english = (
            m.group(1) in ENGLISH_GIVEN_NAMES
            and _ARMENIAN_SURNAME.fullmatch(m.group(2)) is not None
            and not _CAPITALISED_NEXT.match(text, m.end())
        )
        if (m.group(1) not in GIVEN_NAMES and not english) or m.group(2) in GIVEN_NAMES:
            continue
        start, given = m.start(), m.group(1)
        first = _GIVEN_NAME_BEFORE.search(text, max(0, start - 20), start)
        if first is not None and first.group(1) in GIVEN_NAMES:
            # "Hagop Manoug Kouzoujian": the second given name is the father's, as an Armenian patronymic is,
            # and is left out like one (the headline's "Hagop M. Kouzoujian" is the same man)
            start, given = first.start(1), first.group(1)
        spans.append((start, m.end(), f"{given} {m.group(2)}"))  # without the patronymic, as Wikipedia titles people
    spans += [(m.start(), m.end(), f"{m.group(1)} {m.group(3)}") for m in _NICKNAMED.finditer(text)]
    spans += [(m.start(), m.end(), f"{m.group(1)} {m.group(2)}") for m in _MAIDEN_NAME.finditer(text)]
    spans += [
        (m.start(1), m.end(1), f"{m.group(1)} {m.group(3)}")  # the first of the couple; NER reads the second
        for m in _COUPLE.finditer(text)
        if m.group(1) in GIVEN_NAMES
        and (
            not _AFTER_A_CAPITALISED_WORD.search(text, max(0, m.start() - 40), m.start())
            or _COUPLE_TITLE.search(text, max(0, m.start() - 40), m.start())
        )
    ]
    return sorted(spans)
