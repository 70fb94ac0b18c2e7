"""Shared fixtures: a config pointing at a temporary DB, and one real ingest run over the seeds."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
INDEX_CACHE = Path(tempfile.gettempdir()) / "presswatch-test-index-cache"  # built once, shared by all tests

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "60")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def write_config(
    folder: Path,
    *,
    local: list[str] | None = None,
    feeds: list[str] | None = None,
    extra: str = "",
    alerts_extra: str = "",
) -> Path:
    """A config like the shipped one (same rules, catalogue, suites) but writing into `folder`."""
    shipped = (REPO / "presswatch.toml").read_text(encoding="utf-8")
    rules = shipped[shipped.index("[[alerts.rules]]") :]
    local_list = ", ".join(f'"{p}"' for p in (local or []))
    feed_blocks = "".join(f'\n[[sources.feeds]]\nurl = "{u}"\n' for u in feeds or [])
    text = f"""
[storage]
db = "{folder / "pw.duckdb"}"
data_dir = "{folder / "data"}"
lock_timeout_seconds = 5

[sources]
local = [{local_list}]
{feed_blocks}
[tagging]
catalog_dir = "{REPO / "catalog"}"
cache_dir = "{INDEX_CACHE}"

[validation]
suites_dir = "{REPO / "expectations"}"

[fetch]
allow_private_addresses = true
connect_timeout = 2.0
read_timeout = 3.0
per_host_interval_seconds = 0.0

{extra}

[alerts]
{alerts_extra}
{rules}
"""
    path = folder / "presswatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API for the whole session (real Prefect, isolated from the user's)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture(scope="session")
def cli_env(prefect_harness) -> dict[str, str]:
    """Environment for `presswatch` subprocesses: they use the session's Prefect API instead of each
    starting a temporary server of their own (saves ~10 s per run)."""
    import prefect.settings

    return dict(os.environ, PYTHONPATH=str(REPO), PREFECT_API_URL=prefect.settings.PREFECT_API_URL.value())


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, prefect_harness):
    """The seeds ingested once into a fresh DB: (config path, db path, run summary)."""
    from flows.ingest import ingest

    folder = tmp_path_factory.mktemp("seeded")
    shutil.copytree(SEEDS, folder / "seeds")
    config = write_config(folder, local=[str(folder / "seeds")])
    summary = ingest(config=str(config))
    return config, folder / "pw.duckdb", summary


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
