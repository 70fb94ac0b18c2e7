"""Wherever tagging runs — the default tagging processes, the flow's own process, a Dask cluster —
the same rows are stored."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import SEEDS, query, write_config

from flows.integrity import content_fingerprint, integrity_problems


def _run(folder, task_runner: str, env: dict, n_process: int | str = "auto") -> dict:
    folder.mkdir()
    shutil.copytree(SEEDS, folder / "seeds")
    config = write_config(
        folder,
        local=[str(folder / "seeds")],
        extra=f'[scale]\ntask_runner = "{task_runner}"\ndask_workers = 1\n',
    )
    tagging = f"[tagging]\nbatch_articles = 2\nn_process = {n_process!r}".replace("'", '"')
    config.write_text(config.read_text().replace("[tagging]", tagging))
    # a subprocess, as users run it: Dask's spawned workers re-import the main module, which inside
    # pytest may be another test's script
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", "run", "--config", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "articles: 5 new" in result.stdout
    assert integrity_problems(folder / "pw.duckdb") == []
    return content_fingerprint(folder / "pw.duckdb")


def test_dask_local_cluster_produces_the_same_rows(tmp_path, cli_env):
    threads = _run(tmp_path / "threads", "threads", cli_env)
    dask = _run(tmp_path / "dask", "dask-local", cli_env)
    assert dask["entities"] == threads["entities"]
    assert dask["mentions"] == threads["mentions"]
    assert len(dask["articles"]) == len(threads["articles"]) == 5
    # ids derive from each copy's file:// URL; the alerts themselves must be the same
    evidence = "SELECT a.title, al.rule, al.evidence FROM alerts al JOIN articles a USING (article_id) ORDER BY 1"
    assert query(tmp_path / "dask" / "pw.duckdb", evidence) == query(tmp_path / "threads" / "pw.duckdb", evidence)


def test_tagging_processes_store_what_in_process_tagging_stores(tmp_path, cli_env):
    """Two tagging processes, each batch split between them, against tagging inside the flow process."""
    pooled = _run(tmp_path / "pooled", "threads", cli_env, n_process=2)
    inline = _run(tmp_path / "inline", "threads", cli_env, n_process=0)
    assert pooled["entities"] == inline["entities"]
    assert pooled["mentions"] == inline["mentions"]
    evidence = "SELECT a.title, al.rule, al.evidence FROM alerts al JOIN articles a USING (article_id) ORDER BY 1"
    assert query(tmp_path / "pooled" / "pw.duckdb", evidence) == query(tmp_path / "inline" / "pw.duckdb", evidence)


def test_tagging_processes_work_from_a_script_without_a_main_guard(tmp_path, cli_env):
    """Tagging workers must not re-import the caller's main module (multiprocessing's spawn and
    fork-server default): here that would start the whole run again inside every worker."""
    folder = tmp_path / "script"
    folder.mkdir()
    shutil.copytree(SEEDS, folder / "seeds")
    config = write_config(folder, local=[str(folder / "seeds")])
    config.write_text(config.read_text().replace("[tagging]", "[tagging]\nbatch_articles = 2\nn_process = 2"))
    script = folder / "run_presswatch.py"
    script.write_text(f"from flows.ingest import ingest\nprint('NEW', ingest(config={str(config)!r}).new)\n")
    result = subprocess.run(
        [sys.executable, str(script)], env=cli_env, capture_output=True, text=True, timeout=400, cwd=folder
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "NEW 5" in result.stdout
