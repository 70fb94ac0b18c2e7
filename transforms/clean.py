"""Turn raw article text into headline + body without page furniture.

Entities that appear only in breadcrumbs, "Related articles" blocks or share/comment widgets are not
what the article is about, so the furniture goes before tagging.
"""

from __future__ import annotations

import re
import unicodedata

# A line that starts the trailing furniture of a page: everything from it on is dropped.
END_MARKERS = re.compile(
    r"^(related( articles| posts| stories| news| coverage)?|more (from|stories|news)"
    r"|you (may|might) also like|recommended( for you)?|editor'?s'? (choice|picks?)|popular( now| posts)?"
    r"|most (read|popular|viewed)|trending( now)?|latest news|leave a (reply|comment)|comments?( \(\d+\))?"
    r"|\d+ comments?|share this( article| story)?:?|like this:?|tags?:.*|subscribe to our newsletter.*"
    r"|sign up for our newsletter.*"
    # Russian, Armenian, French, German, Spanish
    r"|теги:.*|метки:.*|другие новости.*|новости по теме.*|самое (читаемое|популярное).*|комментарии.*"
    r"|нашли ошибку.*|добавить комментарий.*|оставить комментарий.*|loading comments.*|պիտակներ.*"
    r"|նմանատիպ նյութեր.*|sur le même sujet.*|noticias relacionadas.*)\s*:?$",
    re.IGNORECASE,
)
# "Read also" and its kin: a block of links at the end of a page, or one link in the middle of the article
# (then only it goes, and the article goes on: `_links_follow` tells which).
READ_ALSO = re.compile(
    r"^(read (more|also|next)|see also|more on this|читайте (также|еще|ещё|нас).*|смотрите также.*|по теме:?"
    r"|ранее по теме.*|կարդացեք նաև.*|կարդացեք նաեւ.*|lire aussi.*|à lire aussi.*|lesen sie auch.*"
    r"|mehr zum thema.*|leer más.*|lea también.*|te puede interesar.*)\s*:?$",
    re.IGNORECASE,
)

# Short lines that are page furniture wherever they appear.
FURNITURE_LINE = re.compile(
    r"^(share\.?|share on \w+|tweet|print|email|e-mail|whatsapp|telegram|facebook|twitter|copy link"
    r"|exit mobile version|skip to (main )?content|advertisement|-*\s*advertis(e)?ment\s*-*|sponsored( content)?"
    r"|your email address will not be published.*|required fields are marked.*|(source|posted|written) by \[.*\]"
    r"|\[[a-z_ ]+\]|follow us on .*|click here to .*|all rights reserved.*|©.*|copyright .*"
    r"|реклама|поделиться.*|подписывайтесь .*|подпишитесь .*|telegram|вконтакте|одноклассники|vk|дзен"
    r"|нашли ошибку\?.*|все права защищены.*|բաժանորդագրվեք.*|կիսվել.*|գովազդ|publicidad|anzeige|publicité"
    r"|partager.*|teilen.*|compartir.*)$",
    re.IGNORECASE,
)
# Words of a site's navigation menu, which scraped pages put before the headline.
MENU_WORDS = frozenset(
    """
    home news latest world politics business economy sport sports culture society opinion video videos photo
    photos multimedia live regions region tech science health lifestyle analysis features top main menu search
    главное лента новостей новости политика экономика общество происшествия спорт культура мультимедиа
    видео фото мир регионы наука технологии аналитика интервью мнения армения россия кавказ все
    լրահոս լուրեր քաղաքականություն հասարակություն տնտեսություն սպորտ մշակույթ աշխարհ տեսանյութ
    լուսանկար մամուլ իրավունք բանակ գլխավոր
    """.split()
)
MENU_SEPARATORS = re.compile(r"\s+[|•·/>»›]\s+")
DATE_LINE = re.compile(
    r"^[\W\d_]*(?:\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}:\d{2}|\d{1,2}\s+\w+\s+\d{4})[\W\d_]*(?:\w+[\W\d_]*){0,3}$"
)

GLUED_RUBRIC = re.compile(r"([A-ZА-ЯЁԱ-Ֆ][a-zа-яёա-ֆ]+)(?=[A-ZА-ЯЁԱ-Ֆ])")
SENTENCE_MARKS = re.compile(r"[.!?:;«»\"“”]")
DECIMAL = re.compile(r"\d+[.,:]\d+")
# «NEWS.am», «Aravot.am»: a site's name as a menu part
SITE_NAME = re.compile(r"^[\w-]+\.(?:am|ru|com|net|org|info|ge|az|ua|by|kz|news)$", re.IGNORECASE)
SITE_TAGLINE = re.compile(r"\s[—–-]\s")  # "Site — news of the city", before a menu
BREADCRUMB_SEPARATORS = re.compile(r"\s*(?:>|»|›|/|\|)\s*")
MAX_HEADLINE_CHARS = 250


def _without_control_chars(line: str) -> str:
    """Most lines are printable (a C-speed check); only the others are filtered character by character."""
    if line.isprintable():
        return line
    return "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch)[0] != "C")


# Latin letters that look like Cyrillic ones, typed or OCR'd inside Russian words («Mоскве» with a Latin M):
# such a word matches no alias until they are made Cyrillic. The same number of characters, so offsets hold.
LATIN_LOOKALIKES = str.maketrans("ABCEHKMOPTXaceopxy", "АВСЕНКМОРТХасеорху")
MIXED_SCRIPT = re.compile(r"[A-Za-z][А-Яа-яЁё]|[А-Яа-яЁё][A-Za-z]")  # a Latin letter touching a Cyrillic one
MIXED_SCRIPT_WORD = re.compile(r"\w*(?:[A-Za-z][А-Яа-яЁё]|[А-Яа-яЁё][A-Za-z])\w*")


def _cyrillic_lookalikes(text: str) -> str:
    if not MIXED_SCRIPT.search(text):  # one cheap search; most texts have no such word
        return text
    return MIXED_SCRIPT_WORD.sub(lambda m: m.group().translate(LATIN_LOOKALIKES), text)


def normalize_text(text: str) -> str:
    """NFC, unified newlines, no NULs or control characters, trailing spaces trimmed, Latin look-alike
    letters inside Cyrillic words made Cyrillic."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = (_without_control_chars(line).replace("\u00a0", " ").rstrip() for line in text.split("\n"))
    return _cyrillic_lookalikes("\n".join(lines).strip())


def _looks_like_headline(line: str) -> bool:
    """A headline is short and is not a run of several sentences."""
    if len(line) > MAX_HEADLINE_CHARS:
        return False
    return len(re.findall(r"[.!?][\"”’']?\s+[A-Z]", line)) == 0


def _strip_breadcrumb(first: str, following: list[str]) -> str:
    """'HomeEuropeHeadline' or 'Home > Europe > Headline' -> 'Headline'."""
    nxt = next((ln for ln in following if ln.strip()), "")
    if nxt and len(first) > len(nxt) and first.endswith(nxt.strip()):
        return nxt.strip()
    if re.match(r"^home\s*(?:>|»|›|/|\|)", first, re.IGNORECASE):
        return BREADCRUMB_SEPARATORS.split(first)[-1].strip()
    parts = MENU_SEPARATORS.split(first)
    if len(parts) >= 3 and all(len(p.split()) <= 3 for p in parts[:-1]) and len(parts[-1].split()) >= 4:
        return parts[-1].strip()  # «Новости / Политика / Пашинян заявил …»
    # «ЭкономикаОверчук и Григорян …», «КультураВыставкиВ Третьяковке …»: rubrics glued to the headline, the
    # first a menu word
    chain = False
    while (glued := GLUED_RUBRIC.match(first)) and (
        glued.group(1).casefold() in MENU_WORDS or (chain and len(glued.group(1)) >= 4)
    ):
        first, chain = first[glued.end() :], True
    return first


# An agency dateline opens the first paragraph of wire copy: "YEREVAN, Dec 5 (Reuters) -", "MOSCOW (AP) —",
# «МОСКВА, 5 декабря. /ТАСС/.», «ЕРЕВАН, 5 дек — Sputnik.», «ԵՐԵՎԱՆ, 15 ՀՈԿՏԵՄԲԵՐԻ, ԱՐՄԵՆՊՐԵՍ։».
_CAPS_PLACE = r"[A-ZА-ЯЁԱ-Ֆ][A-ZА-ЯЁԱ-Ֆ'’.-]+(?:[ /][A-ZА-ЯЁԱ-Ֆ][A-ZА-ЯЁԱ-Ֆ'’.-]+)*"
DATELINE = re.compile(
    rf"^{_CAPS_PLACE}(?:"
    r"(?:,\s*[^()\n]{1,25}?)?\s*\([^)\n]{2,30}\)\s*[-—–.:]+"  # YEREVAN, Dec 5 (Reuters) -   MOSCOW (AP) —
    r"|,\s*[^/\n]{1,25}?\s*/[^/\n]{2,20}/\.?"  # МОСКВА, 5 декабря. /ТАСС/.
    r"|,\s*[^—–\n]{1,25}?\s+[—–-]\s*[\w .-]{2,25}?\."  # ЕРЕВАН, 5 дек — Sputnik.
    r"|,\s*[^,\n]{1,25},\s*[A-ZА-ЯЁԱ-Ֆ]{3,}[.:։]"  # ԵՐԵՎԱՆ, 15 ՀՈԿՏԵՄԲԵՐԻ, ԱՐՄԵՆՊՐԵՍ։
    r")\s"
)


def is_menu_line(line: str) -> bool:
    """A site's menu, rubric or date line above the headline: «Главное Лента новостей Политика …»,
    "Լրահոս | Քաղաքականություն | Սպորտ", "12 марта 2025, 14:35"."""
    words = re.findall(r"[^\W\d_]+", line.casefold())
    if not words:
        return False
    if DATE_LINE.match(line):
        return True
    segments = MENU_SEPARATORS.split(line)
    # «Интерфакс | В мире | 16 января 2027, 12:41», «РБК Бизнес › Транспорт»: short rubrics and a date. Two
    # parts split by " / " may be a headline ("Yerevan / Moscow talks"), by "›" or "|" hardly. A ticker's
    # figures («USD 386.20 ▼ | EUR 421.75 ▲ | Ереван +27°») are short parts too.
    short = [
        DATE_LINE.match(seg)
        or SITE_NAME.match(seg)
        or (len(seg.split()) <= 3 and not SENTENCE_MARKS.search(DECIMAL.sub("0", seg)))
        for seg in segments
    ]
    if (len(segments) >= 3 or (len(segments) == 2 and " / " not in line)) and all(short):
        return True
    if len(segments) >= 4 and all(short[1:]) and SITE_TAGLINE.search(segments[0]):
        return True  # «Ростов-Экспресс — новости Ростова и области | Город | Область | Происшествия»: a site's menu
    if SENTENCE_MARKS.search(line.replace("...", "")):
        return False
    return len(words) >= 3 and sum(w in MENU_WORDS for w in words) >= 0.6 * len(words)


def _first_sentence(paragraph: str, cut_mark: str) -> str:
    """A title derived from a paragraph: its first sentence, cut at a word (then `cut_mark` added) when
    longer than a headline."""
    sentence = re.split(r"(?<=[.!?])\s+", paragraph, maxsplit=1)[0]
    if len(sentence) <= MAX_HEADLINE_CHARS:
        return sentence
    return sentence[:MAX_HEADLINE_CHARS].rsplit(" ", 1)[0] + cut_mark


def split_headline(text: str) -> tuple[str | None, str, list[str]]:
    """Split a plain-text article into (headline, body, flags).

    The first non-empty line is the headline unless it reads like a paragraph, in which case the
    article has no headline line: the title is derived from its first sentence and the body keeps it all.
    Menu, rubric and date lines above it are page furniture and are dropped.
    """
    lines = text.split("\n")
    idx = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    while idx is not None:
        nxt = next((i for i in range(idx + 1, len(lines)) if lines[i].strip()), None)
        line = lines[idx].strip()
        # a menu line, or a site's name right above its menu («Кавказский узел» / «Новости | Армения | …»)
        if not (
            is_menu_line(line) or (nxt is not None and _is_short_furniture(line) and is_menu_line(lines[nxt].strip()))
        ):
            break
        idx = nxt
    if idx is None:
        return None, "", []
    idx, above = _past_short_furniture(lines, idx)
    first = lines[idx].strip()
    rest = lines[idx + 1 :]
    dateline = DATELINE.match(first)
    if dateline or not any(ln.strip() for ln in rest):
        # one paragraph, or wire copy whose first paragraph opens with its dateline: no headline line
        lead = first[dateline.end() :] if dateline else first
        return _first_sentence(lead, cut_mark=""), "\n".join(lines[idx:]).strip(), ["title_derived"]
    if not _looks_like_headline(first):
        return _first_sentence(first, cut_mark="…"), "\n".join(lines[idx:]).strip(), ["title_derived"]
    title = _strip_breadcrumb(first, rest)
    body_lines = list(rest)
    nxt = next((i for i, ln in enumerate(body_lines) if ln.strip()), None)
    if nxt is not None and body_lines[nxt].strip() == title:
        del body_lines[nxt]  # the headline repeated under the breadcrumb line
    return title, "\n".join(above + body_lines).strip(), []


def _letter_words(line: str) -> int:
    return len(re.findall(r"[^\W\d_]{2,}", line))


def _is_short_furniture(line: str) -> bool:
    """A rubric, site name or date above the headline ("Eurasianet", «Культура / Театр», "Опубликовано
    02.03.2027, 00:01"), or a dateline on a line of its own («ՎԱՆԱՁՈՐ, փետրվարի 11. /Արմենպրես/.»)."""
    dateline = DATELINE.match(line + " ")
    if dateline and dateline.end() >= len(line):
        return True
    return _letter_words(line) <= 3 and not re.search(r"[!?«»\"“”]", line)


def _past_short_furniture(lines: list[str], idx: int) -> tuple[int, list[str]]:
    """The headline's line when one or two short furniture lines stand above it, and those lines.

    The headline is the first line below them of four words or more that reads like one; without such a
    line the first line stays the headline (a short headline is kept). The lines above are not dropped:
    unlike a menu they may name the article's place (a dateline) and cost nothing to keep in the body."""
    above: list[str] = []
    skipped = 0
    at: int | None = idx
    while at is not None and skipped < 3:
        line = lines[at].strip()
        if _is_short_furniture(line):
            above.append(line)
        elif not is_menu_line(line):  # a menu below a site name goes, as one at the top does
            break
        skipped += 1
        at = next((i for i in range(at + 1, len(lines)) if lines[i].strip()), None)
    if not skipped or at is None:
        return idx, []
    candidate = lines[at].strip()
    if _letter_words(candidate) >= 4 and _looks_like_headline(candidate) and not DATELINE.match(candidate):
        return at, above
    return idx, []


def _links_follow(lines: list[str]) -> bool:
    """What follows an end marker is a block of links (short lines, few sentences), not the article's
    own paragraphs: most of its text is in lines under 150 characters without a full stop inside."""
    rest = [ln.strip() for ln in lines if ln.strip()]
    if not rest:
        return True
    linky = sum(len(ln) for ln in rest if len(ln) < 150 and not re.search(r"[.!?…](?:\s|$)", ln[:-1]))
    return linky >= 0.6 * sum(len(ln) for ln in rest)


def strip_boilerplate(body: str) -> str:
    """Drop furniture lines, cut trailing related/comment blocks, and repeated paragraphs."""
    lines = body.split("\n")
    total = sum(len(ln) for ln in lines) or 1
    kept: list[str] = []
    seen_paragraphs: set[str] = set()
    consumed = 0
    skip_next = False
    for i, line in enumerate(lines):
        stripped = line.strip()
        consumed += len(line)
        if skip_next and stripped:
            skip_next = False
            continue  # the one headline an inline "Read also" points to
        if stripped and END_MARKERS.match(stripped) and consumed > 0.3 * total:
            break
        if stripped and READ_ALSO.match(stripped) and consumed > 0.3 * total:
            if _links_follow(lines[i + 1 :]):
                break
            skip_next = True  # an inline "Read also" in the middle of the article: the article goes on
            continue
        if stripped and len(stripped) < 120 and FURNITURE_LINE.match(stripped):
            continue
        if len(stripped) > 80:
            key = stripped.casefold()
            if key in seen_paragraphs:
                continue
            seen_paragraphs.add(key)
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    title = re.sub(r"\s+", " ", normalize_text(title)).strip()
    return title or None
