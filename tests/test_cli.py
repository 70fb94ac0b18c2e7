"""The `presswatch` command as a user runs it: exit codes and one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, SEEDS, write_config

PRESSWATCH = [sys.executable, "-m", "flows.cli"]


def _run(args: list[str], cwd: Path, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    env = env or dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([*PRESSWATCH, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _one_line_error(result: subprocess.CompletedProcess, needle: str) -> None:
    assert result.returncode != 0
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("presswatch: error:")]
    assert len(errors) == 1, result.stderr
    assert needle in errors[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_config_file(tmp_path):
    _one_line_error(_run(["run", "--config", str(tmp_path / "nope.toml")], tmp_path), "does not exist")


def test_invalid_config_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[storage\ndb = 1")
    _one_line_error(_run(["run", "--config", str(bad)], tmp_path), "bad.toml")


def test_database_folder_that_cannot_be_created(tmp_path):
    config = write_config(tmp_path, local=[str(SEEDS)])
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = _run(["run", "--config", str(config), "--db", str(blocker / "x.duckdb")], tmp_path)
    _one_line_error(result, "database folder")


def test_corrupt_expectation_suite_stops_the_run(tmp_path):
    suites = tmp_path / "suites"
    shutil.copytree(REPO / "expectations", suites)
    (suites / "articles.json").write_text("{ not json")
    config = write_config(tmp_path, local=[str(SEEDS)], extra="")
    text = config.read_text().replace(f'suites_dir = "{REPO / "expectations"}"', f'suites_dir = "{suites}"')
    config.write_text(text)
    _one_line_error(_run(["run", "--config", str(config)], tmp_path), "articles.json")
    assert not (tmp_path / "pw.duckdb").exists() or _article_count(tmp_path / "pw.duckdb") == 0


def _article_count(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        con.close()


def test_run_on_seeds_prints_a_summary_without_tracebacks(tmp_path, cli_env):
    """The command exactly as a user runs it, with its own temporary Prefect server."""
    config = write_config(tmp_path, local=[str(SEEDS)])
    result = _run(["run", "--config", str(config)], tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "articles: 5 new, 0 duplicate, 0 quarantined" in result.stdout
    assert "alerts raised: 5" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    again = _run(["run", "--config", str(config), "--source", str(SEEDS)], tmp_path, cli_env)
    assert again.returncode == 0
    assert "articles: 0 new, 0 duplicate, 0 quarantined" in again.stdout
    assert "local files unchanged since last read (skipped): 5" in again.stdout


def test_run_summary_lists_the_first_alerts_and_counts_the_rest(capsys):
    """A first run over a big archive raises tens of thousands of alerts: the summary names the first
    ones (spikes always), counts the rest, and points to where they all are."""
    from flows.config import load_settings
    from flows.ingest import ALERTS_LISTED, RunSummary
    from flows.report import print_summary, summary_markdown

    summary = RunSummary(run_id="r", db_path="db")
    for batch in range(3):
        summary.list_alerts([("armenia-russia", f"title {batch}-{i}", "evidence") for i in range(20)])
    summary.alerts = 60
    summary.list_spike_alerts([("spike:armenia-russia", "40 articles in 24 h", "evidence")])

    assert summary.alerts == 61
    assert len(summary.new_alerts) == ALERTS_LISTED + 1
    assert summary.alerts_not_listed == 60 - ALERTS_LISTED
    assert summary.new_alerts[0][0] == "spike:armenia-russia"
    assert summary.new_alerts[-1][1] == f"title 1-{ALERTS_LISTED - 21}"
    markdown = summary_markdown(summary)
    assert markdown.count("\n- **") == ALERTS_LISTED + 1
    assert f"… and {60 - ALERTS_LISTED} more: see the `alerts` table" in markdown
    print_summary(summary, load_settings(REPO / "presswatch.toml"))
    assert f"… and {61 - 10} more" in capsys.readouterr().out


def test_run_is_quiet_unless_verbose(tmp_path, cli_env):
    """The terminal gets presswatch's own lines and the summary once; Prefect's lines (and a second copy of
    every feed failure) only with --verbose. They still go to the Prefect server either way."""
    config = write_config(tmp_path, local=[str(SEEDS)], feeds=["http://127.0.0.1:9/feed.xml"])
    quiet = _run(["run", "--config", str(config)], tmp_path, cli_env)
    assert quiet.returncode == 0, quiet.stderr[-2000:]
    assert "| INFO" not in quiet.stdout + quiet.stderr and "| WARNING" not in quiet.stdout + quiet.stderr
    assert "presswatch: 5 new or changed input(s) to read, tag and store" in quiet.stdout  # plain progress
    assert "presswatch: fetching 1 feed(s) that are due" in quiet.stdout
    failures = [line for line in (quiet.stdout + quiet.stderr).splitlines() if "127.0.0.1:9/feed.xml" in line]
    assert len(failures) == 1, failures  # once, in the summary
    assert quiet.stdout.count("presswatch run ") == 1 and "articles: 5 new" in quiet.stdout

    verbose = _run(["run", "--config", str(config), "--verbose", "--always-flow"], tmp_path, cli_env)
    assert verbose.returncode == 0, verbose.stderr[-2000:]
    assert "Beginning flow run" in verbose.stderr
    assert "articles: 0 new" in verbose.stdout


def test_a_run_with_nothing_new_records_itself_without_a_flow_run(tmp_path, cli_env):
    """Nothing changed and no feed due: the run is recorded (the dashboard's last run) and says so, without
    Prefect; a changed file makes the next run a full one again."""
    import duckdb

    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    config = write_config(tmp_path, local=[str(folder)])
    first = _run(["run", "--config", str(config)], tmp_path, cli_env)
    assert first.returncode == 0 and "articles: 5 new" in first.stdout, first.stderr[-2000:]
    again = _run(["run", "--config", str(config)], tmp_path, cli_env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert (
        "no Prefect flow run started" in again.stdout
        and "local files unchanged since last read (skipped): 5" in again.stdout
    )
    db = tmp_path / "pw.duckdb"
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute("SELECT status, flow_run_id IS NULL, message FROM runs ORDER BY started_at").fetchall()
    assert [r[0] for r in runs] == ["completed", "completed"]
    assert runs[1][1] and "nothing new" in runs[1][2]
    changed = next(folder.glob("*.txt"))
    changed.write_text(changed.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    third = _run(["run", "--config", str(config)], tmp_path, cli_env)
    assert third.returncode == 0 and "no Prefect flow run started" not in third.stdout, third.stderr[-2000:]
    assert "1 new or changed input(s)" in third.stdout
