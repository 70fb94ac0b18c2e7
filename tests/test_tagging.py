"""Tagging quality: the hand-labelled set's scores, and the resolution rules on small cases."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import REPO

from flows.config import load_settings
from flows.evaluation import read_jsonl, score_tagging, tag_files
from flows.tagging import setup_for, tag_articles
from transforms.prepare import prepare_article
from transforms.records import Mention, RawArticle

LABELLED = REPO / "tests" / "labelled" / "tagging"
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def settings():
    return load_settings(REPO / "presswatch.toml")


def _tag(settings, text: str, title: str = "Report"):
    raw = RawArticle("https://example.org/a", "test", title, text, datetime.now(UTC))
    result = tag_articles([prepare_article(raw)], setup_for(settings))[0]
    names = {e.entity_id: e for e in result.entities}
    by_kind: dict[str, set[str]] = {"actor": set(), "location": set(), "organization": set()}
    for m in result.mentions:
        by_kind[names[m.entity_id].kind].add(names[m.entity_id].name)
    return by_kind


def test_labelled_set_meets_the_quality_bar(settings):
    rows = read_jsonl(LABELLED / "gold.jsonl")
    scores = score_tagging(rows, tag_files([LABELLED / r["file"] for r in rows], settings))
    for kind, score in scores.items():
        report = (
            f"{kind}: P {score.precision:.3f} R {score.recall:.3f} misses {score.misses} extra {score.false_positives}"
        )
        assert score.precision >= 0.95, report
        assert score.recall >= 0.93, report
        assert score.f1 >= 0.95, report


def test_countries_and_capitals_are_never_people(settings):
    tags = _tag(settings, "Armenia and Yerevan were discussed. Goris and Jermuk, towns in Armenia, were shelled.")
    assert {"Armenia", "Yerevan", "Goris", "Jermuk"} <= tags["location"]
    assert not tags["actor"]


def test_surname_links_to_full_name_in_the_article(settings):
    tags = _tag(settings, "Charles Michel met Nikol Pashinyan. Later Michel said Pashinyan was right. Putin spoke.")
    assert tags["actor"] == {"Charles Michel", "Nikol Pashinyan", "Vladimir Putin"}


def test_unknown_people_become_entities(settings):
    tags = _tag(settings, "Hovhannes Grigoryan, a farmer in Tavush, said the road was closed. Grigoryan added more.")
    assert "Hovhannes Grigoryan" in tags["actor"]


def test_demonyms_organisations_and_names_inside_organisations_are_not_places(settings):
    text = (
        "Russian and Azeri officials spoke to The Moscow Times. The Kremlin and the CSTO declined to comment,"
        " as did the European Union."
    )
    tags = _tag(settings, text)
    assert not tags["location"] & {"Russia", "Azerbaijan", "Moscow"}
    assert {"Moscow Kremlin", "Collective Security Treaty Organization", "European Union"} <= tags["organization"]


def test_russian_and_armenian_names_the_english_model_misreads_are_people(settings):
    tags = _tag(
        settings,
        "Yevgenia Larina, a teacher from Novosibirsk, is spending her third summer by the lake. "
        "Gegharkunik Governor Gevorg Ohanian said the beaches were full.",
    )
    assert {"Yevgenia Larina", "Gevorg Ohanyan"} <= tags["actor"]
    assert "Yevgenia" not in tags["location"]


def test_homonym_follows_the_other_places(settings):
    caucasus = _tag(settings, "Armenia, Azerbaijan and Georgia met in Tbilisi. Georgia hosted the talks.")
    us = _tag(settings, "Voters in Atlanta and Savannah went to the polls as Georgia counted ballots in Fulton County.")
    assert "Georgia" in caucasus["location"]
    assert "Georgia (U.S. state)" in us["location"] and "Georgia" not in us["location"]


def test_a_big_city_named_like_its_state_is_the_city_unless_the_text_says_state(settings):
    """ "The UN General Assembly in New York" and "talks in Washington" are the cities; "Washington state" and
    "the state of New York" are the states."""
    cities = _tag(
        settings, "Lavrov may meet Mirzoyan at the UN General Assembly in New York; talks in Washington follow."
    )
    assert {"New York City", "Washington, D.C."} <= cities["location"]
    assert not {"New York (state)", "Washington (state)"} & cities["location"]
    states = _tag(settings, "Wildfires in Washington state forced evacuations. The state of New York sent crews.")
    assert {"Washington (state)", "New York (state)"} <= states["location"]


def test_towns_whose_names_differ_only_by_accents_are_both_kept(settings):
    """Chile's «Los Ángeles» once took the id of Los Angeles, and the U.S. city fell out of the gazetteer."""
    tags = _tag(settings, "The fighter moved to Los Angeles at eleven. Los Angeles has a large Armenian community.")
    assert tags["location"] == {"Los Angeles"}


def test_towns_take_their_wikipedia_title_where_it_is_disambiguated(settings):
    tags = _tag(settings, "Residents of Masis and Abovyan joined farmers from Sevan. Lake Sevan was calm.")
    assert {"Masis, Armenia", "Abovyan, Armenia", "Sevan, Armenia"} <= tags["location"]
    ru = _tag(settings, "Жители Масиса и Абовяна приехали в Ереван.", "Новости")
    assert {"Masis, Armenia", "Abovyan, Armenia", "Yerevan"} <= ru["location"]


def test_features_named_after_places_are_not_the_places(settings):
    tags = _tag(settings, "Trucks queued on the Lachin corridor near Heydar Aliyev International Airport in Baku.")
    assert "Baku" in tags["location"]
    assert "Heydar Aliyev" not in tags["actor"]


def test_aliases_in_other_languages_and_scripts(settings):
    ru = _tag(settings, "Премьер-министр Армении Никол Пашинян провел переговоры с Путиным в Москве.", "Переговоры")
    assert {"Nikol Pashinyan", "Vladimir Putin"} <= ru["actor"]
    assert {"Armenia", "Moscow"} <= ru["location"]
    fr = _tag(
        settings,
        "Le Premier ministre arménien a rencontré Vladimir Poutine à Moscou et parlé de l'Arménie.",
        "Rencontre",
    )
    assert "Vladimir Putin" in fr["actor"] and "Moscow" in fr["location"]


def test_packed_index_finds_the_same_candidates_as_the_built_one(settings, tmp_path, monkeypatch):
    """Tagging reads the packed index from the cache; it must answer exactly like the index it was packed from."""
    import pickle

    import flows.catalog
    from flows.catalog import build_index, load_index

    t = settings.tagging
    built = build_index(settings.path(t.catalog_dir), t.min_city_population)
    packed = pickle.loads(pickle.dumps(built.packed()))  # as the cache stores it
    for alias in ["Nikol Pashinyan", "Yerevan", "Nagorno-Karabakh", "Georgia", "Atlanta", "Москва", "Nowhere-on-earth"]:
        assert packed.lookup(alias) == built.lookup(alias), alias
    text = "Lavrov met Pashinyan in Yerevan; later Tbilisi, Baku, the CSTO and Atlanta, Georgia, were mentioned."
    assert packed.scan(text) == built.scan(text)
    assert len(packed.scan(text)) >= 6
    assert packed.surnames == built.surnames and packed.not_a_place == built.not_a_place
    assert packed.romanized_places == built.romanized_places

    stale = tmp_path / "entity-index-0000000000000000.pickle"
    stale.write_bytes(b"an index from an older catalogue")
    monkeypatch.setattr(flows.catalog, "build_index", lambda *_: built)  # the cache's handling, not a second build
    load_index(settings.path(t.catalog_dir), t.min_city_population, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] != [stale.name] and not stale.exists(), "old caches are removed"
    assert len(list(tmp_path.glob("entity-index-*.pickle"))) == 1


def _child_pids() -> set[int]:
    """This process's children, less multiprocessing's resource tracker (a few MB, kept by design)."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            pids |= {int(pid) for pid in (task / "children").read_text().split()}
        except OSError:  # a thread that ended after it was listed
            continue
    alive = set()
    for pid in pids:
        try:
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                alive.add(pid)
        except OSError:  # exited between the two reads
            pass
    return alive


def _no_new_children(before: set[int], seconds: float = 10.0) -> bool:
    """True once no child beyond `before` is left; a stopped process may take a moment to be reaped
    on a busy machine."""
    deadline = time.monotonic() + seconds
    while _child_pids() - before and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _child_pids() - before


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_closing_the_tagging_pool_leaves_no_process_behind(settings):
    """After a run's batches the tagging workers and their fork server (model, index: ~270 MB) go,
    and a later run's pool starts afresh."""
    from flows.tagging_pool import close_pool, pool_for

    raw = RawArticle(
        "https://example.org/a", "test", "Talks", "Nikol Pashinyan met Vladimir Putin in Yerevan.", datetime.now(UTC)
    )
    article = prepare_article(raw)
    before = _child_pids()
    for _ in range(2):  # the second round proves a pool can start again after the server stopped
        tagged = pool_for(setup_for(settings), 1).tag([article])
        assert {m.surface for m in tagged[0].mentions} >= {"Nikol Pashinyan", "Yerevan"}
        assert _child_pids() - before  # the fork server and a worker
        close_pool()
        assert _no_new_children(before)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_the_tagging_pool_gives_what_tagging_in_this_process_gives(settings):
    """A worker sends back each article's language and tags, not the article (flows/tagging_pool.py):
    the flow process's own article, with its language set, must come out as tagging it here would."""
    from flows.tagging_pool import close_pool, pool_for

    wire = REPO / "tests" / "labelled" / "wire"
    files = sorted(wire.glob("en_0[12]_*.txt")) + sorted(wire.glob("ru_0[12]_*.txt")) + sorted(wire.glob("hy_01_*.txt"))

    def articles():
        return [prepare_article(RawArticle(f"file://{f}", "test", None, f.read_text(), NOW)) for f in files]

    here = tag_articles(articles(), setup_for(settings))
    sent = articles()
    try:
        pooled = pool_for(setup_for(settings), 1).tag(sent)
    finally:
        close_pool()
    assert [t.article.language for t in here] == ["en", "en", "ru", "ru", "hy"]
    assert pooled == here
    assert all(p.article is a for p, a in zip(pooled, sent, strict=True))
    assert all(type(m) is Mention for t in pooled for m in t.mentions)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_head_start_loads_the_model_only_when_local_files_are_new(seeded, tmp_path):
    """`presswatch run` starts the tagging model while Prefect starts, but only for new work: a
    run over files already read loads no spaCy (and checking creates no database)."""
    import shutil

    from conftest import SEEDS, write_config

    from flows.head_start import start_ahead
    from flows.tagging_pool import close_pool

    before = _child_pids()
    config, _db, _summary = seeded
    assert start_ahead(load_settings(str(config), None), None) is False
    assert _child_pids() - before == set()

    shutil.copytree(SEEDS, tmp_path / "seeds")
    fresh = load_settings(str(write_config(tmp_path, local=[str(tmp_path / "seeds")])), None)
    try:
        assert start_ahead(fresh, None) is True
        assert _child_pids() - before  # the fork server, loading the model
        assert not fresh.db_path.exists()
    finally:
        close_pool()
    assert _no_new_children(before)


def test_surname_occurrences_are_whole_words_like_the_regex():
    import random
    import re

    from transforms.resolve import whole_word_occurrences

    rng = random.Random(7)
    alphabet = ["Vance", "vance", "Vances", "_", " ", "-", "é", "1", "ß", "Ян", "'", "\n", "Vanc"]
    for _ in range(500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        for word in ("Vance", "Ян", "O'Neil"):
            expected = [m.span() for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text)]
            assert list(whole_word_occurrences(text, word)) == expected, (text, word)


def test_sentences_are_cut_at_line_breaks_and_blank_pieces_dropped():
    """Each spaCy sentence is cut at every line break inside it; pieces that are only whitespace go.
    Checked against the plain per-character definition on random texts."""
    import random

    from transforms.sentences import split_at_line_breaks

    def by_character(text, spans):
        out = []
        for start, end in spans:
            piece = start
            for i in range(start, end):
                if text[i] == "\n":
                    if text[piece:i].strip():
                        out.append((piece, i))
                    piece = i + 1
            if text[piece:end].strip():
                out.append((piece, end))
        return out

    text = "Headline without a stop\n\nFirst sentence. Second\nline.\n \n"
    assert split_at_line_breaks(text, [(0, 40), (40, len(text))]) == [(0, 23), (25, 40), (40, 47), (48, 53)]
    rng = random.Random(11)
    for _ in range(300):
        text = "".join(rng.choice(["a", "b", " ", "\n", ".", "é"]) for _ in range(rng.randint(0, 40)))
        cuts = sorted({0, len(text), *(rng.randint(0, len(text)) for _ in range(3))})
        spans = list(zip(cuts, cuts[1:], strict=False))
        assert split_at_line_breaks(text, spans) == by_character(text, spans), (text, spans)


def test_a_batch_is_cut_into_chunks_of_about_equal_text_length():
    """Each article goes to exactly one chunk, chunks keep input order, no chunk carries more text than
    another by more than two articles' lengths, so the workers that take them finish together, and each
    chunk holds articles of neighbouring lengths (slovnet pads every 8 texts to the longest)."""
    import random

    from flows.tagging_pool import balanced_chunks

    rng = random.Random(3)
    lengths = [rng.randint(200, 20_000) for _ in range(512)]
    chunks = balanced_chunks(lengths, 16)
    assert len(chunks) == 16
    assert sorted(i for chunk in chunks for i in chunk) == list(range(512))
    assert all(chunk == sorted(chunk) for chunk in chunks)
    loads = [sum(lengths[i] for i in chunk) for chunk in chunks]
    assert max(loads) - min(loads) <= 2 * max(lengths)
    spans = sorted((min(lengths[i] for i in chunk), max(lengths[i] for i in chunk)) for chunk in chunks)
    assert all(longest <= next_shortest for (_, longest), (next_shortest, _) in zip(spans, spans[1:], strict=False))
    assert sorted(balanced_chunks(lengths[:3], 16)) == [[0], [1], [2]]
    assert balanced_chunks([], 16) == []
    assert balanced_chunks([0, 0, 0], 2) == [[0, 1], [2]]


def test_region_plurals_are_found_as_the_case_insensitive_pattern_finds_them():
    from transforms.resolve import REGION_PLURAL, _region_plurals

    texts = [
        "в Белгородской и Курской областях, в ОБЛАСТЯХ и Областями; подобластях нет",
        "the Sumy and Kharkiv Regions; REGIONS; subregions; regionsx",
        "İstanbul and Ankara provinces",  # a letter that lowers to two
        "Արարատի և Արմավիրի մարզերում",
        "",
    ]
    for text in texts:
        assert [m.span() for m in _region_plurals(text)] == [m.span() for m in REGION_PLURAL.finditer(text)]
