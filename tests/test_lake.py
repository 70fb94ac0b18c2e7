"""The DuckLake backend (SQLite catalog + Parquet files): two writer processes, same rows as DuckDB."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import SEEDS, write_config

from flows.integrity import content_fingerprint, integrity_problems


def test_two_concurrent_writers_into_one_lake(tmp_path, cli_env):
    seeds = sorted(SEEDS.glob("*.txt"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for path in seeds[:3]:
        shutil.copy(path, first / path.name)
    for path in seeds[2:]:  # seed 2 in both: stored once
        shutil.copy(path, second / path.name)
    lake = tmp_path / "store.lake.sqlite"
    config = write_config(tmp_path)
    config.write_text(config.read_text().replace("lock_timeout_seconds = 5", "lock_timeout_seconds = 300"))
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "flows.cli",
                "run",
                "--config",
                str(config),
                "--db",
                str(lake),
                "--source",
                str(src),
            ],
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for src in (first, second)
    ]
    outputs = [p.communicate(timeout=400)[0] for p in runs]
    assert all(p.returncode == 0 for p in runs), outputs
    assert integrity_problems(lake) == []
    stored = content_fingerprint(lake)
    assert len(stored["articles"]) == 5 and len(stored["alerts"]) == 5
    assert any(lake.parent.joinpath("store.files").rglob("*.parquet"))  # the rows live in Parquet files
