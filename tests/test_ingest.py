"""End to end: the real flow (Prefect, spaCy, GX, DuckDB) over the seeds and over bad input."""

from __future__ import annotations

import os
import shutil

from conftest import SEEDS, query, write_config

from flows.ingest import ingest


def _names(db, file_suffix: str, kind: str) -> set[str]:
    rows = query(
        db,
        "SELECT DISTINCT e.name FROM articles a JOIN mentions m USING (article_id) JOIN entities e USING (entity_id)"
        " WHERE a.url LIKE $1 AND e.kind = $2",
        [f"%{file_suffix}", kind],
    )
    return {r[0] for r in rows}


def test_seeds_are_stored_tagged_and_alerted(seeded):
    _config, db, summary = seeded
    assert summary.new == 5 and summary.duplicate == 0 and summary.quarantined == 0
    assert query(db, "SELECT count(*) FROM articles")[0][0] == 5
    urls = [r[0] for r in query(db, "SELECT url FROM articles")]
    assert all(u.startswith("file://") for u in urls)

    actors = _names(db, "004_cd7da63109fc39ea.txt", "actor")
    assert {"Vladimir Putin", "Nikol Pashinyan", "Suren Papikyan", "Sergei Shoigu", "Antony Blinken"} <= actors
    places = _names(db, "004_cd7da63109fc39ea.txt", "location")
    assert {"Armenia", "Azerbaijan", "Goris", "Jermuk", "Baku", "Yerevan", "Moscow", "Nagorno-Karabakh"} <= places
    assert "Europe" not in places  # only in the breadcrumb glued to the headline
    assert "Ukraine" not in places  # "Ukrainian forces" is an adjective

    places_001 = _names(db, "001_260851e484365e24.txt", "location")
    assert {"Nagorno-Karabakh", "Moscow", "Yerevan", "Russia", "Armenia"} <= places_001  # "Karabakh" resolved
    # the related-articles block of seed 003 is furniture: its people and places are not tagged
    assert "Josep Borrell" not in _names(db, "003_d6378f1791aee0fd.txt", "actor")
    assert "Afghanistan" not in _names(db, "003_d6378f1791aee0fd.txt", "location")


def test_one_canonical_entity_per_person(seeded):
    _config, db, _summary = seeded
    putins = query(db, "SELECT entity_id FROM entities WHERE name LIKE '%Putin%'")
    assert len(putins) == 1
    surfaces = {r[0] for r in query(db, "SELECT DISTINCT surface FROM mentions WHERE entity_id = $1", [putins[0][0]])}
    assert "Putin" in surfaces and "Vladimir Putin" in surfaces


def test_mention_offsets_point_at_the_surface_text(seeded):
    _config, db, _summary = seeded
    rows = query(
        db,
        "SELECT m.surface, CASE m.field WHEN 'title' THEN a.title ELSE a.body END, m.start_char, m.end_char"
        " FROM mentions m JOIN articles a USING (article_id)",
    )
    assert rows
    for surface, text, start, end in rows:
        assert text[start:end] == surface


def test_every_seed_raises_one_armenia_russia_alert_with_evidence(seeded):
    _config, db, summary = seeded
    rows = query(db, "SELECT rule, article_id, evidence, matched_entities FROM alerts")
    assert summary.alerts == 5 and len(rows) == 5
    assert {r[0] for r in rows} == {"armenia-russia"}
    assert len({r[1] for r in rows}) == 5
    for _rule, _aid, evidence, matched in rows:
        assert evidence and len(evidence) > 20
        assert matched


def test_run_and_validation_are_recorded(seeded):
    _config, db, summary = seeded
    status, new, validation = query(
        db, "SELECT status, articles_new, validation_success FROM runs WHERE run_id = $1", [summary.run_id]
    )[0]
    assert (status, new, validation) == ("completed", 5, True)
    suites = {r[0] for r in query(db, "SELECT suite FROM validations WHERE run_id = $1", [summary.run_id])}
    assert suites == {"articles", "mentions"}


def test_a_run_leaves_the_dashboard_summaries_and_search_index_current(seeded):
    _config, db, _summary = seeded
    assert query(db, "SELECT articles FROM summary.state") == [(5,)]
    assert query(db, "SELECT count(*) FROM fts_main_articles.docs") == [(5,)]
    assert query(db, "SELECT count(DISTINCT docid) FROM fts_main_articles.pw_postings") == [(5,)]


def test_a_run_of_several_batches_indexes_each_article_once(tmp_path, prefect_harness, monkeypatch):
    """While the last batch is tagged the run indexes what it has stored; its end indexes the rest."""
    from flows import search_index

    refreshes = []
    real = search_index.refresh_search_index

    def recorded(con):
        result = real(con)
        refreshes.append((result.mode, result.added))
        return result

    monkeypatch.setattr(search_index, "refresh_search_index", recorded)
    config = write_config(tmp_path, local=[str(SEEDS)])
    config.write_text(config.read_text().replace("[tagging]", "[tagging]\nbatch_articles = 2"))
    assert ingest(config=str(config)).new == 5
    db = tmp_path / "pw.duckdb"
    assert refreshes == [("full", 4), ("incremental", 1)]  # batches of 2, 2, 1
    indexed = query(db, "SELECT name FROM fts_main_articles.docs ORDER BY name")
    assert indexed == query(db, "SELECT article_id FROM articles ORDER BY article_id")
    assert query(db, "SELECT num_docs FROM fts_main_articles.stats") == [(5,)]


def test_rerun_changes_nothing(seeded):
    config, db, _summary = seeded
    tables = ("articles", "mentions", "entities", "alerts", "sightings", "quarantine", "local_files")
    before = [query(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables]
    again = ingest(config=str(config))
    after = [query(db, f"SELECT count(*) FROM {t}")[0][0] for t in tables]
    assert (again.new, again.duplicate, again.alerts, again.unchanged_files) == (0, 0, 0, 5)
    assert before == after


def test_bad_files_are_quarantined_and_the_rest_is_stored(tmp_path, prefect_harness):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS / "002_c3c427b7305100ec.txt", src / "good.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (src / "blank.txt").write_text("   \n\n  ")
    (src / "copy-of-good.txt").write_bytes((SEEDS / "002_c3c427b7305100ec.txt").read_bytes())
    config = write_config(tmp_path, local=[str(src)])
    summary = ingest(config=str(config))
    db = tmp_path / "pw.duckdb"
    assert summary.new == 1
    assert summary.duplicate == 1  # same text under another name is a sighting, not a second article
    reasons = dict(query(db, "SELECT regexp_extract(input_ref, '[^/]+$'), reason FROM quarantine"))
    assert set(reasons) == {"empty.txt", "binary.txt", "blank.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert query(db, "SELECT count(*) FROM sightings")[0][0] == 1

    again = ingest(config=str(config))  # unchanged bad files are not read or quarantined again
    assert (again.new, again.duplicate, again.quarantined, again.unchanged_files) == (0, 0, 0, 5)
    assert query(db, "SELECT count(*) FROM quarantine")[0][0] == 3


def test_only_new_or_changed_files_are_read_again(tmp_path, prefect_harness):
    src = tmp_path / "in"
    src.mkdir()
    for name in ("001_260851e484365e24.txt", "002_c3c427b7305100ec.txt"):
        shutil.copy(SEEDS / name, src / name)
    config = write_config(tmp_path, local=[str(src)])
    assert ingest(config=str(config)).new == 2
    edited = src / "002_c3c427b7305100ec.txt"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nUpdate: the talks resumed in Yerevan on Friday.\n")
    os.utime(src / "001_260851e484365e24.txt")  # touched, same text: read again, recognised as stored
    shutil.copy(SEEDS / "003_d6378f1791aee0fd.txt", src / "003_d6378f1791aee0fd.txt")
    again = ingest(config=str(config))
    # all three are read; the added one is new, the edited and the touched ones keep their stored
    # article (same path = same article id: a stored article is never rewritten)
    assert (again.new, again.duplicate, again.unchanged_files) == (1, 2, 0)
    third = ingest(config=str(config))
    assert (third.new, third.duplicate, third.unchanged_files) == (0, 0, 3)
    assert query(tmp_path / "pw.duckdb", "SELECT count(*) FROM articles")[0][0] == 3


def test_html_article_is_extracted(tmp_path, prefect_harness):
    src = tmp_path / "in"
    src.mkdir()
    paragraphs = "".join(
        f"<p>{s}</p>"
        for s in [
            "Armenian Prime Minister Nikol Pashinyan held talks with Russian President Vladimir Putin in Moscow"
            " on Tuesday, the Kremlin said in a statement.",
            "The two leaders discussed the situation in the South Caucasus and the work of the Collective"
            " Security Treaty Organization, which Yerevan has frozen its participation in.",
            "Pashinyan told Putin that Armenia expects its allies to honour their obligations.",
        ]
    )
    html = (
        "<html><head><title>Pashinyan and Putin meet in Moscow | Example News</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Pashinyan and Putin meet in Moscow</h1>{paragraphs}</article>"
        "<footer>Related: Weather in Paris</footer></body></html>"
    )
    (src / "page.html").write_text(html, encoding="utf-8")
    summary = ingest(config=str(write_config(tmp_path, local=[str(src)])))
    db = tmp_path / "pw.duckdb"
    assert summary.new == 1
    title, body = query(db, "SELECT title, body FROM articles")[0]
    assert "Pashinyan" in title and "Collective Security Treaty Organization" in body
    assert summary.alerts == 1


def test_copies_within_one_run_are_sightings_whether_their_original_is_stored_or_in_flight(tmp_path, prefect_harness):
    """One article a batch: a copy two files after its original meets it among the batches still in
    flight; a copy four files after it meets it in the database (stored, no longer held by the run)."""
    src = tmp_path / "in"
    src.mkdir()
    names = ["001_260851e484365e24.txt", "002_c3c427b7305100ec.txt", "003_d6378f1791aee0fd.txt"]
    names.append("004_cd7da63109fc39ea.txt")
    for i, name in enumerate(names):
        shutil.copy(SEEDS / name, src / f"{2 * i + 1:02d}-{name}")
    shutil.copy(SEEDS / names[3], src / "09-late-copy-of-004.txt")  # right behind its original
    shutil.copy(SEEDS / names[0], src / "10-copy-of-001.txt")  # long after its original was stored
    config = write_config(tmp_path, local=[str(src)], extra="")
    config.write_text(config.read_text().replace("[tagging]", "[tagging]\nbatch_articles = 1"))
    summary = ingest(config=str(config))
    db = tmp_path / "pw.duckdb"
    assert (summary.new, summary.duplicate) == (4, 2)
    sighted = query(
        db,
        "SELECT regexp_extract(s.url, '[^/]+$'), regexp_extract(a.url, '[^/]+$')"
        " FROM sightings s JOIN articles a USING (article_id) ORDER BY 1",
    )
    assert sighted == [("09-late-copy-of-004.txt", f"07-{names[3]}"), ("10-copy-of-001.txt", f"01-{names[0]}")]
