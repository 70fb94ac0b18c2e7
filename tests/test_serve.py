"""`presswatch serve`: a scheduled run really executes and stores articles from a (local) feed."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import duckdb
from conftest import REPO, write_config

FEED = (REPO / "tests" / "fixtures" / "feeds" / "rss20_basic.xml").read_bytes()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stored(db) -> int:
    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return 0  # not created yet, or a run holds the write lock right now
    try:
        return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


def test_scheduled_run_stores_articles(tmp_path, httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/rss+xml")
    config = write_config(
        tmp_path,
        feeds=[httpserver.url_for("/feed.xml")],
        extra=f"[schedule]\ninterval_minutes = 0.25\nprefect_port = {_free_port()}\n",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "serve", "--config", str(config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    db = tmp_path / "pw.duckdb"
    try:
        deadline = time.monotonic() + 240
        while _stored(db) == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(2)
        assert _stored(db) > 0, "no scheduled run stored articles within 4 minutes"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert any(r[0] for r in duckdb.connect(str(db), read_only=True).execute("SELECT flow_run_id FROM runs").fetchall())
