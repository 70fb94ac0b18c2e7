"""People in Armenian-script text, found by rules: no NER model for Armenian ships in a package.

Armenian capitalises only proper names and the first word of a sentence, and its surnames carry few
endings (-յան, -ունի, -յանց; Russian, Azerbaijani and Georgian ones transcribed: -ով, -ովա, -և,
-շվիլի…), so a person is a capitalised word with a surname ending, optionally after a given name,
or a capitalised pair after an office ("վարչապետ Նիկոլ Փաշինյանը"). The case ending (-ը, -ի, -ից,
-ով…) sits on the last word only and is removed, so every form of a name gives the same name.
"""

from __future__ import annotations

import re

from transforms.resolve import NerSpan

GIVEN_NAMES = frozenset(
    """
    Աբգար Աբրահամ Ադամ Ազատ Ալբերտ Ալեքսան Ալեքսանդր Ալիկ Ահարոն Աղասի Ամալյա Անահիտ Անդրանիկ Անի Աննա Անուշ
    Աշոտ Ապրես Առաքել Առնո Ավետ Ավետիք Ավագ Արա Արամ Արամայիս Արայիկ Արարատ Արգիշտի Արեգ Արեն Արթուր Արծրուն
    Արման Արմեն Արմինե Արշակ Արշալույս Արսեն Արտակ Արտաշես Արտեմ Արտյոմ Արփինե Աստղիկ Աստղինե Բագրատ Բաբկեն Բակո
    Բենիամին Բորիս Գագիկ Գայանե Գառնիկ Գարեգին Գարիկ Գոհար Գուրգեն Գևորգ Գեւորգ Գրիգոր Դավիթ Դիանա Դերենիկ
    Եղիշե Եվա Երվանդ Զարեհ Զարուհի Զավեն Զոհրաբ Էդգար Էդիկ Էդմոն Էդուարդ Էլինար Էմմա Էմիլ Էռնեստ Էրիկ Թաթուլ
    Թաթևիկ Թամարա Թևան Թովմաս Ժաննա Իշխան Իվան Լալա Լաուրա Լևոն Լեւոն Լիանա Լիլիթ Լիլիա Լուսինե Լուսինէ Խաչատուր
    Խաչիկ Ծովինար Կարեն Կարինե Կարո Կարապետ Կոմիտաս Կոնստանտին Հայկ Հայկազ Հակոբ Համբարձում Համլետ Հայարփի
    Հասմիկ Հենրիխ Հովիկ Հովհաննես Հովսեփ Հրայր Հրանտ Հրաչ Հրաչյա Ղազար Մամիկոն Մանե Մանվել Մարատ Մարգարիտ
    Մարիամ Մարինե Մարտին Մելանյա Մհեր Միհրան Միքայել Մկրտիչ Մովսես Մուշեղ Նազարեթ Նաիրա Նանե Նարեկ Ներսես Նիկոլ
    Նորայր Նունե Շահեն Շանթ Շավարշ Շողիկ Ոսկան Չարլզ Պարույր Պետրոս Ջիվան Ռաֆայել Ռաֆֆի Ռոբերտ Ռուբեն Ռուզաննա
    Սահակ Սամվել Սաթենիկ Սարգիս Սեդա Սեյրան Սերժ Սերոբ Սիրանուշ Սոնա Սոս Սուրեն Վաչե Վահագն Վահան Վահե Վաղարշակ
    Վազգեն Վալերի Վարդան Վարդգես Վիգեն Վիկտոր Վլադիմիր Վրեժ Տաթև Տաթեւ Տարոն Տիգրան Տիրան Ցոլակ Փառանձեմ Քրիստինե
    Օլեգ Օֆելյա Ֆելիքս Ֆրունզե Գրետա Լուիզա Նարինե Ալվարդ Անժելա Արմենուհի Գոար Զառա Հռիփսիմե Սիլվա Սվետլանա
    Դմիտրի Սերգեյ Ալեքսեյ Միխայիլ Անդրեյ Նիկոլայ Յուրի Եվգենի Վյաչեսլավ Վալենտինա Մարիա Մարգարիտա Օլգա Իրինա
    Տատյանա Նատալյա Ելենա Եկատերինա Ռամզան Մաքսիմ Անտոն Պավել Իգոր Ռուստամ Կիրիլ Գենադի Վասիլի Ալեքսեյ Պյոտր
    Իլհամ Ջեյհուն Հիքմեթ Մեհրիբան Ռեջեփ Հաքան Մևլութ Մասուդ Աբբաս Ալի Իրակլի Միխեիլ Սալոմե Բիձինա Կախա Գիորգի
    Դոնալդ Ջո Ջոզեֆ Մարկո Էնթնի Էնտոնի Ուրսուլա Կայա Անտոնիու Էմանուել Էմմանուել Օլաֆ Ֆրիդրիխ Անալենա Քեյր
    Ջորջիա Ժոզեպ Շառլ Թոյվո Վոլոդիմիր Անդրի Ալեքսանդր Ռուսլան Քասըմ-Ժոմարտ Ալեքսանդր Նարենդրա Սի Ջեյք Ջեյմս
    Ջոն Մայքլ Դեյվիդ Պիտեր Պոլ Ռիչարդ Ուիլյամ Թոմաս Մարկ Ֆիլիպ Ժան Պիեռ Լուի Կաթրին
    Գոռ Էդվարդ Վարուժան Ռաֆիկ Ռազմիկ Սևակ Սմբատ Սպարտակ Վերոնիկա Ալինա Պոլինա Վիկտորիա
    """.split()
)
# Offices and roles written before a name ("վարչապետ Նիկոլ Փաշինյանը", "պատգամավոր Հայկ Մամիջանյանը").
TITLES = frozenset(
    """
    վարչապետ փոխվարչապետ նախագահ փոխնախագահ նախարար փոխնախարար պատգամավոր դեսպան խոսնակ քարտուղար ղեկավար
    տնօրեն գլխավոր պետ հրամանատար ներկայացուցիչ օմբուդսմեն պաշտպան մարզպետ քաղաքապետ համայնքապետ գյուղապետ
    դատախազ դատավոր փաստաբան փորձագետ քաղաքագետ վերլուծաբան տնտեսագետ լրագրող խմբագիր հաղորդավար մարզիկ ըմբիշ
    մարզիչ երգիչ երգչուհի դերասան գրող բանաստեղծ արքեպիսկոպոս եպիսկոպոս կաթողիկոս հայր պարոն տիկին
    նախագահող առաջնորդ հիմնադիր անդամ գործադիր խորհրդական օգնական կոմիսար ռեժիսոր պրոֆեսոր բժիշկ գեներալ
    գնդապետ փոխգնդապետ մայոր կապիտան լեյտենանտ սերժանտ զինվոր զինծառայող բնակիչ ուսանող
    """.split()
)
# Nouns after a name that make it a settlement's: town, village, community, province, district.
SETTLEMENT_NOUNS = ("քաղաք", "գյուղ", "ավան", "համայնք", "մարզ", "շրջան", "բնակավայր")
# Endings that make a capitalised word a surname on their own (Armenian, and Georgian, Ukrainian, Polish ones)...
SURNAME_ENDINGS = ("յան", "յանց", "եան", "ունի", "ենց", "շվիլի", "զադե", "սկի", "սկայա", "ցկի", "ցկայա", "ենկո")
# ...and the endings of transcribed foreign surnames, which place names share (Բեռլին, Կիև, Էջմիածին):
# a surname only after a given name or an office.
WEAK_SURNAME_ENDINGS = ("ով", "ովա", "և", "ևա", "ին", "ինա", "իա", "ձե", "ուկ", "իչ", "եր", "ոն")
# After another capitalised word that is not a known given name, only the Russian and Azerbaijani
# patronymic surname endings (Օմարով, Զախարովա, Ալիև) make the pair a name.
PAIRED_SURNAME_ENDINGS = ("ով", "ովա", "և", "ևա")
# A surname's instrumental -ով is cut only from these stems (Պապիկյանով, Լավրովով, Պուտինով); a
# transcribed Russian surname ends in -ով itself.
INSTRUMENTAL_STEM_ENDINGS = ("ով", "ովա", "և", "ևա", "ին")
ABSTRACT_NOUN_ENDING = "ության"
# Adjectives of places in -յան, capitalised in the names of bodies («Կենտկոմի Կովկասյան բյուրո», the Caucasian
# Bureau; «Մոսկովյան պատրիարքություն»): no surname.
PLACE_ADJECTIVE_STEMS = ("Կովկասյան", "Անդրկովկասյան", "Մոսկովյան", "Երևանյան", "Պետերբուրգյան", "Եվրասիական")
# Case endings of the last word of a name, longest first; "" keeps the word as it is.
_CASE_ENDINGS = ("ից", "ով", "ին", "ում", "ի", "ը", "ն", "")
# Letters only: the block's punctuation (U+0559-U+0560: ՝ ՛ ՜ ՞) had stuck «՝» to «Բաղդասարենցը՝».
_LETTERS = "\u0531-\u0556\u0561-\u0587"
_WORD = re.compile(f"[{_LETTERS}]+(?:-[{_LETTERS}]+)*")
_SENTENCE_END = re.compile(r"[.:։!?…»\n]\s*$")


def _capitalised(word: str) -> bool:
    """A capitalised word, not an abbreviation (ԱԳՆ, ՀՀ, ԵՄ are bodies and countries)."""
    return "\u0531" <= word[0] <= "\u0556" and not (len(word) > 1 and "\u0531" <= word[1] <= "\u0556")


def surname_stem(word: str, weak: bool = False, paired: bool = False) -> str | None:
    """The surname without its case ending ("Փաշինյանից" -> "Փաշինյան"), or None if it is not one;
    `weak` also accepts the endings of transcribed foreign surnames (after a given name or an office),
    `paired` the Russian ones (after another capitalised word)."""
    word = word.replace("եւ", "և")
    endings = SURNAME_ENDINGS + (WEAK_SURNAME_ENDINGS if weak else PAIRED_SURNAME_ENDINGS if paired else ())
    for ending in _CASE_ENDINGS:
        stem = word[: len(word) - len(ending)] if ending else word
        if ending and stem.endswith("այ"):
            stem = stem[:-1]  # «Սկվորցովայի», «Զախարովայից»: a name in -ա takes a glide before its ending
        if (ending and not word.endswith(ending)) or len(stem) < 4 or not stem.endswith(endings):
            continue
        if ending == "ում":
            continue  # the locative: «Աբովյանում» is in the town of Abovyan; a person is never «in»
        if ending == "ով" and not stem.endswith(SURNAME_ENDINGS + INSTRUMENTAL_STEM_ENDINGS):
            continue  # «Սիմոնով» is Simonov, not Simon in the instrumental
        if stem.endswith(ABSTRACT_NOUN_ENDING):
            return None  # «Ոստիկանության», «Ազատությանն»: nouns in -ություն, not -յան surnames
        if stem in PLACE_ADJECTIVE_STEMS:
            return None
        return _without_article_of_origin(stem)  # «Արզնեցին»: not a Russian -in
    return None


def given_name(word: str) -> str | None:
    """The given name a word is, with a case ending removed ("Նիկոլին" -> "Նիկոլ"), or None."""
    if word in GIVEN_NAMES:
        return word
    for ending in _CASE_ENDINGS[:-1]:
        if word.endswith(ending) and word[: -len(ending)] in GIVEN_NAMES:
            return word[: -len(ending)]
    return None


def armenian_person_spans(text: str) -> list[NerSpan]:
    """PERSON spans with each person's name in its base form."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    spans: list[NerSpan] = []
    i = 0
    while i < len(words):
        start, end, word = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else None
        if nxt is not None and text[end : nxt[0]] == " " and nxt[2].startswith(SETTLEMENT_NOUNS):
            i += 1  # «Աբովյան քաղաքում», «Թումանյան համայնքի»: a town, whatever its name looks like
            continue
        adjacent = nxt is not None and text[end : nxt[0]] == " " and _capitalised(nxt[2])
        # a given name before a surname takes no case ending: «Արտյոմը Գոհարի» is two people
        first = word if _capitalised(word) and word in GIVEN_NAMES else None
        if first and adjacent and (patronymic := _patronymic_surname(text, words, i + 1)):
            # «Արամ Սարգսի Ավետիսյանը» (court and official style): given name, father's name, surname
            spans.append(NerSpan(start, words[i + 2][1], "PERSON", f"{first} {patronymic}"))
            i += 3
            continue
        if (clergy := _clergy_name(text, words, i)) is not None:
            # «Եզրաս արքեպիսկոպոս Ներսիսյանը», «Տեր Ներսես քահանա Գալոյանը»: a cleric's rank between the names
            spans.append(NerSpan(start, words[i + 2][1], "PERSON", clergy))
            i += 3
            continue
        if first and adjacent and (last := surname_stem(nxt[2], weak=True) or _second_name(nxt[2])):
            spans.append(NerSpan(start, nxt[1], "PERSON", f"{first} {last}"))
            i += 2
            continue
        titled = _after_title(text, words, i)
        # two capitalised words mid-sentence are a name: Armenian capitalises nothing else
        paired = i > 0 and _capitalised(words[i - 1][2]) and text[words[i - 1][1] : start] == " "
        paired = paired and not _starts_sentence(text, words[i - 1][0])
        if _capitalised(word) and (last := surname_stem(word, weak=titled, paired=paired)):
            if adjacent and surname_stem(nxt[2]) and not surname_stem(word) and _could_be_given_name(word):
                i += 1  # «մարզիչ Պարգև Առաքելյանը»: a given name ending like a foreign surname, then a surname
                continue
            prev = words[i - 1] if i > 0 else None
            before = words[i - 2] if i > 1 else None
            if (
                prev is not None
                and before is not None
                and not surname_stem(prev[2])
                and _patronymic_surname(text, words, i - 1)
                and _capitalised(before[2])
                and text[before[1] : prev[0]] == " "
                and not spans_end_at(spans, before[1])
                and _could_be_given_name(before[2])
            ):
                spans.append(NerSpan(before[0], end, "PERSON", f"{before[2]} {last}"))
            elif (
                prev is not None
                and text[prev[1] : start] == " "
                and _capitalised(prev[2])
                and not spans_end_at(spans, prev[1])
                and _could_be_given_name(prev[2])  # «Պուտինը Փաշինյանին» is two people, not one
            ):
                spans.append(NerSpan(prev[0], end, "PERSON", f"{prev[2]} {last}"))
            else:
                spans.append(NerSpan(start, end, "PERSON", last))
        elif _capitalised(word) and titled and not _starts_sentence(text, start):
            if adjacent and (last := surname_stem(nxt[2], weak=True)):
                # «վարչապետ Օլժաս Բեկտենովը»: a given name the list lacks, after an office, before a surname
                spans.append(NerSpan(start, nxt[1], "PERSON", f"{word} {last}"))
                i += 2
                continue
            spans.append(NerSpan(start, end, "PERSON", _bare(word)))
        i += 1
    return _without_article_after_a_vowel(spans)


_VOWELS = "աեէիոօ"


def _without_article_after_a_vowel(spans: list[NerSpan]) -> list[NerSpan]:
    """A foreign name ending in a vowel takes the article -ն («Կիպրոնոն», «Բենեդետտին»), where one ending in a
    consonant takes -ը. Putin, Biden and Lenin end in -ն themselves, so it goes only where the article also
    names the person without it («Կիպրոնո»)."""
    last_words = {span.name.split()[-1] for span in spans if span.name}
    fixed = []
    for span in spans:
        words = (span.name or "").split()
        last = words[-1] if words else ""
        if last.endswith("ն") and last[-2:-1] in _VOWELS and last[:-1] in last_words:
            span = span._replace(name=" ".join([*words[:-1], last[:-1]]))
        fixed.append(span)
    return fixed


# Words that start Armenian news sentences and are not names ("Yesterday Petrosyan said…").
SENTENCE_STARTERS = frozenset(
    """
    Երեկ Այսօր Վաղը Նաև Նաեւ Ըստ Այս Այդ Նա Նրանք Մինչ Իսկ Բայց Սակայն Նշենք Հիշեցնենք Հիշեցնեմ Ավելի Նախկինում
    Նախօրեին Հետո Այնուհետև Այնուհետեւ Ապա Երբ Եթե Քանի Թեև Թեեւ Ինչպես Որպես Մասնավորապես Փոխարենը Արդյունքում
    Միաժամանակ Բացի Ընդ Դրանից Այդպիսով Հատկապես Վերջերս Շուտով Արդեն Նույն Մյուս Բոլոր Պաշտոնական Լրագրողների
    """.split()
)


# A cleric's rank, written between his given name and surname.
CLERGY_RANKS = frozenset({"կաթողիկոս", "պատրիարք", "արքեպիսկոպոս", "եպիսկոպոս", "վարդապետ", "աբեղա", "քահանա"})


def _clergy_name(text: str, words: list[tuple[int, int, str]], i: int) -> str | None:
    """«Given rank Surname» -> "Given Surname", or None."""
    if i + 2 >= len(words):
        return None
    (start, end, given), (r_start, r_end, rank), (s_start, _, surname) = words[i : i + 3]
    if rank not in CLERGY_RANKS or text[end:r_start] != " " or text[r_end:s_start] != " ":
        return None
    if not (_capitalised(given) and _capitalised(surname)) or given in SENTENCE_STARTERS:
        return None
    last = surname_stem(surname)
    return f"{given} {last}" if last else None


def _could_be_given_name(word: str) -> bool:
    """A sentence's first word before a surname: a given name unless it is a known sentence opener, an
    office («Մարզպետ Խաչատրյանը», «Լեյտենանտ Մարտիրոսյանի») or carries a case or plural ending no
    given name has in the nominative. A genitive -ի stays possible (Մերի, Անի): «Վանաձորի Թումանյան
    փողոց» is dropped as a street named after someone when it is resolved."""
    if word in GIVEN_NAMES:
        return True
    if word.lower() in TITLES:
        return False
    return word not in SENTENCE_STARTERS and len(word) >= 3 and not word.endswith(("ը", "ում", "ից", "ով", "ներ"))


RUSSIAN_PATRONYMIC_IN_ARMENIAN = ("ևիչ", "եւիչ", "ովիչ", "ևնա", "եւնա", "ովնա", "իչնա")


def _patronymic_surname(text: str, words: list[tuple[int, int, str]], i: int) -> str | None:
    """The surname after a father's name in the genitive at `i` («Սարգսի Ավետիսյանի» -> Ավետիսյան): the
    middle of «Արամ Սարգսի Ավետիսյան», the way courts and officials write a full name."""
    if i + 1 >= len(words):
        return None
    _, end, father = words[i]
    nxt_start, _, nxt = words[i + 1]
    # or a Russian patronymic transcribed: «Վադիմ Սերգեևիչ Օկսկի», «Աննա Իվանովնա Պետրովա»
    fathers = father.endswith("ի") or father.endswith(RUSSIAN_PATRONYMIC_IN_ARMENIAN)
    if not (_capitalised(father) and fathers and text[end:nxt_start] == " " and _capitalised(nxt)):
        return None
    return surname_stem(nxt, weak=True)  # «Էդգար Սամվելի Բաղդասարով»: a Russified surname too


def _second_name(word: str) -> str | None:
    """The word after a known given name, read as the surname, unless it is itself a given name with a
    case ending («Արտյոմը Գոհարի»: Gohar's, a second person)."""
    if word not in GIVEN_NAMES and given_name(word):
        return None
    return _bare(word)


ORIGIN_WITH_ARTICLE = "ցին"


def _without_article_of_origin(word: str) -> str:
    """A name of origin in -ցի (Արզնեցի, of Arzni) with its article -ն is the name: «Լևոն Արզնեցին»."""
    return word[:-1] if word.endswith(ORIGIN_WITH_ARTICLE) else word


def _bare(word: str) -> str:
    """A name word without a definite or genitive ending, when what is left is still a word. A name ending in
    a vowel takes a glide before the ending («Կիպրոնոյի», «Մարիայից»), which goes with it."""
    for ending in ("յի", "յից", "յով"):
        if word.endswith(ending) and word[-len(ending) - 1 : -len(ending)] in "աո" and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    if word.endswith(ORIGIN_WITH_ARTICLE):
        return _without_article_of_origin(word)
    for ending in ("ը", "ի", "ին", "ից", "ով"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def spans_end_at(spans: list[NerSpan], offset: int) -> bool:
    return bool(spans) and spans[-1].end == offset


def _after_title(text: str, words: list[tuple[int, int, str]], i: int) -> bool:
    if i == 0:
        return False
    prev_start, prev_end, prev = words[i - 1]
    return text[prev_end : words[i][0]] == " " and (prev in TITLES or prev.rstrip("ի") in TITLES)


def _starts_sentence(text: str, offset: int) -> bool:
    before = text[max(0, offset - 3) : offset]
    return offset == 0 or bool(_SENTENCE_END.search(before)) or before.endswith("\n")
