"""flows.validate against real Great Expectations and the shipped suites (no mocks)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from flows import validate
from flows.validate import SuiteError, ValidationOutcome, load_suite, validate_frame

os.environ.setdefault("DO_NOT_TRACK", "1")

ROOT = Path(__file__).resolve().parents[1]
SUITES = ROOT / "expectations"
START = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
BODY = "The council met on Tuesday to discuss the new budget for the harbour district. " * 3


def article_rows(n: int) -> list[dict]:
    rows = []
    for i in range(n):
        url = f"https://news.example.org/2024/story-{i}"
        rows.append(
            {
                "article_id": hashlib.sha256(url.encode()).hexdigest()[:16],
                "url": url,
                "title": f"Story {i}" if i % 4 else None,
                "body": BODY,
                "published_at": START + dt.timedelta(minutes=i) if i % 3 else None,
                "fetched_at": dt.datetime(2024, 5, 2, 8, 0, tzinfo=dt.UTC),
                "source": "https://news.example.org/feed.xml",
                "language": "en" if i % 5 else None,
                "content_hash": hashlib.sha256(f"{i}{BODY}".encode()).hexdigest(),
                "extractor": "trafilatura",  # extra columns are allowed
                "flags": ["no_date"] if i % 3 == 0 else [],
            }
        )
    return rows


def articles(n: int = 8) -> pd.DataFrame:
    frame = pd.DataFrame(article_rows(n))
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    return frame


def mentions() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "article_id": "0123456789abcdef",
                "entity_id": "Q90",
                "surface": "Paris",
                "start_char": 0,
                "end_char": 5,
                "field": "title",
                "sentence": 0,
            },
            {
                "article_id": "0123456789abcdef",
                "entity_id": "Q142",
                "surface": "France",
                "start_char": 17,
                "end_char": 23,
                "field": "body",
                "sentence": 2,
            },
            {
                "article_id": "0123456789abcdef",
                "entity_id": "actor:jane-doe",
                "surface": "Jane Doe",
                "start_char": 40,
                "end_char": 48,
                "field": "body",
                "sentence": 3,
            },
        ]
    )


def expectation_count(name: str) -> int:
    return len(json.loads((SUITES / f"{name}.json").read_text())["expectations"])


@pytest.mark.parametrize("name", ["articles", "mentions"])
def test_shipped_suites_load(name: str) -> None:
    suite = load_suite(SUITES, name)
    assert suite.name == name
    assert len(suite.expectations) == expectation_count(name)


def test_good_articles_batch_passes() -> None:
    outcome = validate_frame(articles(8), "articles", SUITES)
    assert isinstance(outcome, ValidationOutcome)
    assert outcome.success
    assert outcome.suite == "articles"
    assert (outcome.evaluated, outcome.failed) == (expectation_count("articles"), 0)
    assert (outcome.rows_checked, outcome.rows_failed, outcome.failed_rows) == (8, 0, {})
    assert outcome.data_docs is None
    assert len(outcome.results) == outcome.evaluated
    assert all(r["success"] for r in outcome.results)
    json.dumps(outcome.results)  # stored as JSON in the validations table


def test_failing_rows_are_named_by_position() -> None:
    frame = articles(8)
    frame.loc[2, "url"] = None
    frame.loc[5, "body"] = "Too short to be news."
    frame.index = range(100, 108)  # failed_rows must be positional, not index labels
    outcome = validate_frame(frame, "articles", SUITES)
    assert not outcome.success
    assert outcome.failed == 2
    assert outcome.failed_rows == {
        2: ["expect_column_values_to_not_be_null(url)"],
        5: ["expect_column_value_lengths_to_be_between(body)"],
    }
    assert outcome.rows_failed == 2
    failed = {(r["expectation"], r["column"]): r for r in outcome.results if not r["success"]}
    assert set(failed) == {
        ("expect_column_values_to_not_be_null", "url"),
        ("expect_column_value_lengths_to_be_between", "body"),
    }
    assert failed["expect_column_value_lengths_to_be_between", "body"]["unexpected_count"] == 1
    assert failed["expect_column_value_lengths_to_be_between", "body"]["kwargs"]["min_value"] == 40
    json.dumps(outcome.results)


def test_naive_timestamps_and_bad_codes_fail() -> None:
    frame = articles(4)
    frame.loc[1, "language"] = "EN"
    frame.loc[3, "content_hash"] = "not-a-hash"
    outcome = validate_frame(frame, "articles", SUITES)
    assert outcome.failed_rows == {
        1: ["expect_column_values_to_match_regex(language)"],
        3: ["expect_column_values_to_match_regex(content_hash)"],
    }
    naive = articles(4)
    naive["published_at"] = naive["published_at"].dt.tz_localize(None)
    outcome = validate_frame(naive, "articles", SUITES)
    assert outcome.failed_rows == {i: ["expect_column_values_to_be_of_type(published_at)"] for i in range(4)}


def test_table_level_failure_fails_every_row() -> None:
    frame = articles(5).drop(columns=["source"])
    outcome = validate_frame(frame, "articles", SUITES)
    assert not outcome.success
    assert outcome.rows_failed == 5
    assert sorted(outcome.failed_rows) == [0, 1, 2, 3, 4]
    for descriptions in outcome.failed_rows.values():
        assert "expect_table_columns_to_match_set" in descriptions
        assert "expect_column_values_to_not_be_null(source)" in descriptions
    columns = next(r for r in outcome.results if r["expectation"] == "expect_table_columns_to_match_set")
    assert columns["details"]["mismatched"]["missing"] == ["source"]


def test_duplicate_article_ids_fail_both_rows() -> None:
    frame = articles(4)
    frame.loc[3, "article_id"] = frame.loc[0, "article_id"]
    outcome = validate_frame(frame, "articles", SUITES)
    assert outcome.failed_rows == {
        0: ["expect_column_values_to_be_unique(article_id)"],
        3: ["expect_column_values_to_be_unique(article_id)"],
    }


def test_mentions_suite() -> None:
    assert validate_frame(mentions(), "mentions", SUITES).success
    frame = mentions()
    frame.loc[0, "end_char"] = 0  # empty span: end_char must be > 0 and > start_char
    frame.loc[1, "field"] = "summary"
    frame.loc[2, "surface"] = ""
    outcome = validate_frame(frame, "mentions", SUITES)
    assert outcome.failed_rows == {
        0: [
            "expect_column_values_to_be_between(end_char)",
            "expect_column_pair_values_a_to_be_greater_than_b(end_char, start_char)",
        ],
        1: ["expect_column_values_to_be_in_set(field)"],
        2: ["expect_column_value_lengths_to_be_between(surface)"],
    }
    stored_types = {"start_char": "int32", "end_char": "int32", "sentence": "int32"}  # the load table's (Arrow) types
    assert validate_frame(frame.astype(stored_types), "mentions", SUITES).failed_rows == outcome.failed_rows
    floats = mentions().astype({"sentence": "float64"})  # offsets and sentence must be integers
    assert validate_frame(floats, "mentions", SUITES).rows_failed == 3


def test_empty_frame_succeeds_without_loading_gx() -> None:
    outcome = validate_frame(pd.DataFrame(), "articles", SUITES)
    assert outcome.success
    assert (outcome.evaluated, outcome.rows_checked, outcome.rows_failed, outcome.failed_rows) == (0, 0, 0, {})
    code = (
        "import sys, pandas as pd\n"
        "from pathlib import Path\n"
        "from flows.validate import validate_frame\n"
        f"o = validate_frame(pd.DataFrame(columns=['url']), 'articles', Path({str(SUITES)!r}))\n"
        "assert o.success and o.rows_checked == 0\n"
        "print('great_expectations' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


CORRUPT = {
    "not JSON": '{"name": "articles", "expectations": [',
    "not an object": "[]",
    "unknown expectation type": {"type": "expect_column_values_to_be_shiny", "kwargs": {"column": "url"}},
    "missing column kwarg": {"type": "expect_column_values_to_not_be_null", "kwargs": {}},
    "misspelt kwarg": {"type": "expect_column_values_to_not_be_null", "kwargs": {"colum": "url"}},
    "bad regex": {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "url", "regex": "(["}},
    "unknown field": {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "url"}, "x": 1},
}


@pytest.mark.parametrize("problem", sorted(CORRUPT))
def test_corrupt_suite_raises_suite_error(tmp_path: Path, problem: str) -> None:
    content = CORRUPT[problem]
    if isinstance(content, dict):
        content = json.dumps({"name": "articles", "expectations": [content], "meta": {}})
    (tmp_path / "articles.json").write_text(content, encoding="utf-8")
    with pytest.raises(SuiteError) as caught:
        validate_frame(articles(2), "articles", tmp_path)
    message = str(caught.value)
    assert "articles.json" in message
    assert "\n" not in message


def test_missing_or_misnamed_suite(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match=r"mentions\.json does not exist"):
        load_suite(tmp_path, "mentions")
    (tmp_path / "mentions.json").write_text(json.dumps({"name": "articles", "expectations": []}))
    with pytest.raises(SuiteError, match=r"mentions\.json has name 'articles'"):
        load_suite(tmp_path, "mentions")


def test_data_docs_are_built_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    connections: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        connections.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    docs = tmp_path / "docs"
    good = validate_frame(articles(6), "articles", SUITES, docs)
    bad = mentions()
    bad.loc[1, "field"] = "summary"
    failed = validate_frame(bad, "mentions", SUITES, docs)
    assert connections == []
    assert good.success and not failed.success and failed.rows_failed == 1
    index = docs / "index.html"
    assert good.data_docs == failed.data_docs == str(index)
    html = index.read_text(encoding="utf-8")
    assert "articles" in html and "mentions" in html
    pages = sorted((docs / "validations").rglob("*.html"))
    assert [page.relative_to(docs / "validations").parts[0] for page in pages] == ["articles", "mentions"]


def test_data_docs_failure_keeps_the_result(tmp_path: Path) -> None:
    not_a_dir = tmp_path / "docs"
    not_a_dir.write_text("a file where the docs folder should be")
    frame = articles(3)
    frame.loc[0, "url"] = "ftp://example.org/x"
    outcome = validate_frame(frame, "articles", SUITES, not_a_dir)
    assert outcome.data_docs is None
    assert outcome.failed_rows == {0: ["expect_column_values_to_match_regex(url)"]}


def test_data_docs_keep_only_recent_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "DOCS_KEEP_RESULTS", 2)
    docs = tmp_path / "docs"
    for _ in range(3):
        assert validate_frame(mentions(), "mentions", SUITES, docs).data_docs
    assert len(list((docs / ".gx" / "validations").rglob("*.json"))) == 2
    assert len(list((docs / "validations").rglob("*.html"))) == 2
    assert [d for d in docs.rglob("*") if d.is_dir() and not any(d.iterdir())] == []
