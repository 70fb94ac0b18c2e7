"""Headline detection and page-furniture removal on plain-text articles."""

from transforms.clean import normalize_text, split_headline, strip_boilerplate
from transforms.prepare import prepare_article
from transforms.records import RawArticle


def test_first_line_is_the_headline():
    title, body, flags = split_headline("Putin and Pashinyan talk\n\nThe two leaders spoke on Monday.")
    assert title == "Putin and Pashinyan talk"
    assert body == "The two leaders spoke on Monday."
    assert flags == []


def test_breadcrumb_glued_to_headline_is_removed():
    text = "HomeWorldEuropeLeaders meet in Yerevan\n\nLeaders meet in Yerevan\n\nThe leaders met on Friday."
    title, body, _ = split_headline(text)
    assert title == "Leaders meet in Yerevan"
    assert body == "The leaders met on Friday."


def test_breadcrumb_with_separators_is_removed():
    title, _, _ = split_headline("Home > News > Caucasus > Talks resume in Moscow\n\nBody text here.")
    assert title == "Talks resume in Moscow"


def test_site_names_rubrics_and_dates_above_the_headline_are_not_the_headline():
    """Scraped pages put the outlet, a rubric, a time stamp or the dateline above the headline; the
    dashboard shows the headline, and the lines above stay in the body (a dateline names a place)."""
    cases = {
        "Интерфакс | В мире | 16 января 2027, 12:41\n\nМВД: граждане Армении смогут въезжать только по "
        "загранпаспортам\n\nЕреван. 16 января. INTERFAX.RU - Граждане Армении...": "МВД: граждане Армении смогут "
        "въезжать только по загранпаспортам",
        "РБК  Бизнес › Транспорт\n\n«Аэрофлот» сократит рейсы в Ереван\n\nТекст.": "«Аэрофлот» сократит рейсы в Ереван",
        "Eurasianet\n\nArmenia: Lake Sevan rises again, but farmers pay the price\n\nText.": "Armenia: Lake Sevan "
        "rises again, but farmers pay the price",
        "ՎԱՆԱՁՈՐ, փետրվարի 11. /Արմենպրես/.\n\nՌԴ դեսպանատունը նոտա է հղել Վանաձորի եկեղեցու հարցով\n\nՏեքստ։": "ՌԴ "
        "դեսպանատունը նոտա է հղել Վանաձորի եկեղեցու հարցով",
        "Sputnik Армения\nНовости  Экономика  Политика  Общество  Мнения\nЭкономикаОверчук и Григорян договорились в "
        "Сочи\n\nТекст.": "Оверчук и Григорян договорились в Сочи",
        "Известия › Политика\n\nОпубликовано 02.03.2027, 00:01\n\nОсторожно, Ереван: МИД посоветовал россиянам "
        "подумать\n\nТекст.": "Осторожно, Ереван: МИД посоветовал россиянам подумать",
    }
    for text, headline in cases.items():
        title, body, flags = split_headline(text)
        assert (title, flags) == (headline, []), text
    _, body, _ = split_headline("ՎԱՆԱՁՈՐ, փետրվարի 11. /Արմենպրես/.\n\nՌԴ դեսպանատունը նոտա է հղել հարցով\n\nՏեքստ։")
    assert body.startswith("ՎԱՆԱՁՈՐ")
    # a short headline with no longer line under it stays the headline
    assert split_headline("Putin visits Yerevan\n\nThe Russian president arrived on Monday. He met the premier.")[
        0
    ] == ("Putin visits Yerevan")


def test_paragraph_first_line_is_not_a_headline():
    para = (
        "Armenia's Prime Minister visited Moscow on Monday to hold talks with the Russian President amid tensions."
        " The negotiations followed a summit of the Eurasian Economic Union. Both leaders attended it."
    )
    title, body, flags = split_headline(para + "\n\nSecond paragraph.")
    assert flags == ["title_derived"]
    assert title.startswith("Armenia's Prime Minister visited Moscow") and title.endswith("tensions.")
    assert body.startswith(para)  # the paragraph stays in the body: nothing is lost


def test_related_block_and_share_furniture_are_cut():
    body = "\n".join(
        [
            "Real paragraph one about talks in Yerevan between the two ministers." * 3,
            "Share.",
            "Real paragraph two about the security situation in the South Caucasus." * 3,
            "Related articles",
            "Borrell tells the European Parliament that the situation in Afghanistan was critical",
        ]
    )
    cleaned = strip_boilerplate(body)
    assert "Afghanistan" not in cleaned and "Share." not in cleaned
    assert "paragraph two" in cleaned


def test_end_marker_at_the_top_does_not_cut_the_article():
    body = "Related\n" + "A long article body about the border talks near Goris. " * 20
    assert "border talks" in strip_boilerplate(body)


def test_repeated_paragraphs_are_kept_once():
    para = "The G7 summit concluded with a joint statement urging de-escalation in the Middle East region."
    assert strip_boilerplate(f"{para}\n\n{para}").count("G7 summit") == 1


def test_normalize_removes_control_characters_and_nul():
    assert normalize_text("a\x00b\r\nc\u00a0d ") == "ab\nc d"


def test_prepare_article_identifies_and_tagging_detects_language():
    from datetime import UTC, datetime

    raw = RawArticle(
        "file:///tmp/A.txt",
        "/tmp",
        None,
        "Пашинян и Путин провели переговоры\n\nПремьер-министр Армении Никол Пашинян провел переговоры с"
        " президентом России Владимиром Путиным в Москве.",
        datetime.now(UTC),
    )
    article = prepare_article(raw)
    assert article.language is None  # detected by tagging, off the flow's own process
    from transforms.language import article_language

    assert article_language(f"{article.title}\n{article.body}") == "ru"
    assert article.title == "Пашинян и Путин провели переговоры"
    assert len(article.article_id) == 16 and len(article.content_hash) == 64


ENGLISH_PROSE = (
    "Armenia's prime minister said on Tuesday that the talks with Moscow had been difficult, but that both"
    " sides would keep the channel open. The two governments have disagreed about the role of the Russian"
    " border guards, which were withdrawn from the airport after a request from Yerevan. Officials who spoke"
    " to reporters said the next round of talks was expected after the summit of the alliance in Minsk."
)
OTHER_PROSE = {
    "fr": "Le ministre des Affaires étrangères a rencontré hier à Moscou son homologue arménien pour discuter"
    " des relations entre les deux pays. Selon le porte-parole, la discussion a été constructive et les deux"
    " parties ont convenu de renforcer la coopération commerciale et la sécurité à la frontière.",
    "de": "Der Außenminister hat sich gestern in Moskau mit seinem armenischen Amtskollegen getroffen, um über"
    " die Beziehungen zwischen beiden Ländern zu sprechen. Laut dem Sprecher war das Gespräch konstruktiv,"
    " und beide Seiten vereinbarten, die Handelsbeziehungen und die Sicherheit an der Grenze zu stärken.",
    "nl": "De minister van Buitenlandse Zaken heeft gisteren in Moskou gesproken met zijn Armeense collega over"
    " de betrekkingen tussen beide landen. Volgens de woordvoerder was het gesprek constructief en werd"
    " afgesproken om de samenwerking op het gebied van handel en veiligheid aan de grens te versterken.",
    "es": "El ministro de Asuntos Exteriores se reunió ayer en Moscú con su homólogo armenio para hablar de las"
    " relaciones entre los dos países. Según el portavoz, la conversación fue constructiva y ambas partes"
    " acordaron reforzar la cooperación comercial y la seguridad en la frontera común entre ellos.",
}


def test_clear_english_skips_the_classifier_and_other_languages_reach_it(monkeypatch):
    import transforms.language
    from transforms.language import article_language

    asked = []
    classifier = transforms.language._classifier()

    class Counting:
        def classify(self, text):
            asked.append(text)
            return classifier.classify(text)

    monkeypatch.setattr(transforms.language, "_classifier", Counting)
    assert article_language(ENGLISH_PROSE) == "en"
    assert asked == []  # recognised by its function words
    for code, prose in OTHER_PROSE.items():
        assert article_language(prose) == code
    assert len(asked) == len(OTHER_PROSE)
    # English words inside another language's text do not make it English
    mixed = OTHER_PROSE["de"] + " Er sagte: „The talks were useful.“ " + OTHER_PROSE["de"]
    assert article_language(mixed) == "de"


def test_the_language_sample_counts_what_a_check_per_character_counts():
    """The letters and scripts of the sample are counted by numpy over UTF-16 code units
    (transforms/language.py): the same counts as str.isalpha and the script blocks one character at a
    time, also for numerals that regexes take for word characters and characters beyond the BMP."""
    from transforms.language import ARMENIAN_BLOCK, CYRILLIC_BLOCK, SAMPLE_CHARS, _sample

    texts = [
        "Москва, 12 мая. ЁЛКА, ² ½ Ⅻ и Kelvin \u212a: «ТАСС»",
        "Երևան 𝐀𝐁 😀 Գյումրի, ՀՀ",
        "plain ASCII text_with_under 123 and \ud800 a lone surrogate",
        "",
        "Пашинян " * 400,
    ]
    for text in texts:
        sample = text[:SAMPLE_CHARS]
        counts = _sample(text)
        assert counts.text == sample
        assert counts.letters == sum(ch.isalpha() for ch in sample)
        assert counts.ascii_letters == sum(ch.isascii() and ch.isalpha() for ch in sample)
        assert counts.cyrillic == sum(CYRILLIC_BLOCK[0] <= ord(ch) <= CYRILLIC_BLOCK[1] for ch in sample)
        assert counts.armenian == sum(ARMENIAN_BLOCK[0] <= ord(ch) <= ARMENIAN_BLOCK[1] for ch in sample)


def test_russian_with_english_words_in_it_stays_russian():
    """A Russian text is not split into words for the English check unless it has enough Latin letters to
    be English; with a few English words in it, it is Russian either way."""
    from transforms.language import article_language

    russian = "Премьер-министр Армении Никол Пашинян провёл переговоры с Путиным в Москве. " * 6
    assert article_language(russian) == "ru"
    assert article_language(russian + " The Kremlin said that the talks of the leaders were useful.") == "ru"


def test_a_ticker_a_site_line_and_a_sites_menu_above_the_headline_are_not_the_headline():
    """A currency and weather ticker, «NEWS.am | Общество | 12:41, 12 сентября 2028», and a site's name with its
    tagline before its menu are page furniture; the headline is the line after them."""
    news_am = (
        "USD 386.20 ▼ | EUR 421.75 ▲ | RUB 4.52 ▼ | Ереван +27°\nNEWS.am | Общество | 12:41, 12 сентября 2028\n"
        "Генпрокуратура Армении вернула России материалы пяти уголовных дел\n\nЕреван, 12 сентября - NEWS.am. "
        "Генеральная прокуратура Армении вернула материалы пяти дел."
    )
    assert split_headline(news_am)[0] == "Генпрокуратура Армении вернула России материалы пяти уголовных дел"
    regional = (
        "Ростов-Экспресс — новости Ростова и области | Город | Область | Происшествия | Транспорт\n"
        "Главное за 19 октября: мост в Аксае и штрафы перевозчикам\n\nЮжное управление оштрафовало перевозчиков."
    )
    assert split_headline(regional)[0] == "Главное за 19 октября: мост в Аксае и штрафы перевозчикам"
    headline_with_tags = "Putin: talks with Pashinyan | Armenia | Russia | Video\n\nThe leaders spoke by phone."
    assert split_headline(headline_with_tags)[0] == "Putin: talks with Pashinyan | Armenia | Russia | Video"


def test_a_sites_name_above_its_menu_is_not_the_headline():
    text = (
        "Кавказский узел\nНовости | Армения | Азербайджан | Грузия | Северный Кавказ | Юг России | Хроники\n\n"
        "Армения\n24 февраля 2029, 21:15\n\nРоссийские эмигранты провели в Ереване акцию\n\n"
        "В субботу в Ереване прошла акция."
    )
    assert split_headline(text)[0] == "Российские эмигранты провели в Ереване акцию"
