"""`presswatch up` as an analyst leaves it running: one command brings up the Prefect server, the scheduled
runs and the dashboard; a second `up` on the same database is refused; `presswatch run` by hand uses the
running server; a new article dropped in the watched folder reaches the dashboard through a scheduled
run; a crashed dashboard comes back; Ctrl-C leaves no process behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from conftest import REPO, SEEDS, write_config

from dashboards.screenshots import CHROMIUM, free_port, launch_browser, wait_until_rendered

pytestmark = pytest.mark.timeout(480)

NEW_TITLE = "Armenia and Russia sign a new gas transit agreement in Yerevan"
NEW_ARTICLE = f"""{NEW_TITLE}

YEREVAN, March 3, 2026 — Armenian Prime Minister Nikol Pashinyan and Russian President Vladimir Putin
agreed on a new gas transit deal during talks in Moscow, officials said on Tuesday.
The agreement extends the supply of Russian gas to Armenia for ten years.
"""


class Up:
    """A `presswatch up` subprocess whose output is collected line by line."""

    def __init__(self, config: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flows.cli", "up", "--config", str(config)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so the test, not a terminal, decides which signal it gets
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, text: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert self.proc.poll() is None, f"up exited with {self.proc.returncode}:\n{self.output()}"
            assert time.monotonic() < deadline, f"no {text!r} within {timeout:.0f} s:\n{self.output()}"
            time.sleep(0.5)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return resp.read()


def _deployment_names(api: str) -> list[str]:
    request = urllib.request.Request(
        f"{api}/deployments/filter", data=b"{}", headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        return [d["name"] for d in json.loads(resp.read())]


def _stored_titles(db: Path) -> list[str]:
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return []  # a run is writing right now
    try:
        return [r[0] for r in con.execute("SELECT title FROM articles").fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout:.0f} s"
        time.sleep(1)


def test_up_keeps_watch_and_stops_cleanly(tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test` (it installs one)", pytrace=False)
    folder = tmp_path / "articles"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:
        shutil.copy(seed, folder)
    prefect_port, dashboard_port = free_port(), free_port()
    config = write_config(
        tmp_path,
        local=[str(folder)],
        extra=f"[schedule]\ninterval_minutes = 0.25\nprefect_port = {prefect_port}\n\n"
        f"[dashboard]\nport = {dashboard_port}\n",
    )
    db = tmp_path / "pw.duckdb"
    # a lock file left by an `up` that was killed: it must not block
    db.with_name(db.name + ".up").write_text(
        json.dumps(
            {
                "pid": 999_999_999,
                "started_at": "2026-01-01T00:00:00+00:00",
                "dashboard": "http://127.0.0.1:1",
                "prefect_ui": "http://127.0.0.1:1",
                "api_url": "http://127.0.0.1:1/api",
                "logs": str(tmp_path),
                "children": {},
            }
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = str(REPO)
    up = Up(config, env)
    descendants: set[int] = set()
    try:
        up.wait_for("presswatch up: ready in", timeout=180)
        dashboard, api = f"http://127.0.0.1:{dashboard_port}", f"http://127.0.0.1:{prefect_port}/api"
        assert dashboard in up.output() and f"http://127.0.0.1:{prefect_port}" in up.output()
        assert _get(f"{dashboard}/_stcore/health").strip() == b"ok"
        assert "presswatch-scheduled" in _deployment_names(api)

        # a second `up` on the same database says where the first one is
        second = _presswatch(env, "up", "--config", str(config), timeout=60)
        assert second.returncode != 0
        assert "presswatch up is already running" in second.stderr and dashboard in second.stderr

        # the first run (started at once) stores the two seeds
        _wait(lambda: len(_stored_titles(db)) == 2, 120, "the seeds were not stored by the first run")

        # `presswatch run` by hand uses up's Prefect server (and waits its turn for the database); with nothing
        # new it starts no flow run unless asked to
        idle = _presswatch(env, "run", "--config", str(config), timeout=180)
        assert idle.returncode == 0 and "no Prefect flow run started" in idle.stdout, idle.stderr[-2000:]
        manual = _presswatch(env, "run", "--config", str(config), "--always-flow", timeout=180)
        assert manual.returncode == 0, manual.stderr[-2000:]
        assert f"Prefect: http://127.0.0.1:{prefect_port}/runs/flow-run/" in manual.stdout
        assert "presswatch up is running" in manual.stdout

        # a new article in the folder: a scheduled run stores it, and the open dashboard shows it
        (folder / "new-gas-deal.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        _wait(lambda: NEW_TITLE in _stored_titles(db), 150, "no scheduled run stored the new article")
        with launch_browser() as browser:
            page = browser.new_page()
            page.goto(f"{dashboard}/articles")
            wait_until_rendered(page, NEW_TITLE, 60_000)
            page.get_by_text("03 Mar 2026", exact=False).first.wait_for(timeout=30_000)  # the dateline's date

        # a dashboard that crashes is started again
        streamlit = next(p for p in psutil.Process(up.proc.pid).children() if "streamlit" in " ".join(p.cmdline()))
        streamlit.kill()
        up.wait_for("the dashboard exited", timeout=30)
        _wait(lambda: _answers(f"{dashboard}/_stcore/health"), 90, "the dashboard did not come back")

        descendants = {p.pid for p in psutil.Process(up.proc.pid).children(recursive=True)}
        assert len(descendants) >= 3  # Prefect server, scheduler, dashboard (and whatever they started)
    finally:
        descendants |= _tree(up.proc.pid)
        up.proc.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            code = up.proc.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(up.proc.pid, signal.SIGKILL)
            raise
    assert code == 0, up.output()
    assert "presswatch up: stopped" in up.output()
    left = [pid for pid in descendants if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"]
    assert left == [], f"processes left behind: {left}"
    assert not db.with_name(db.name + ".up").exists()
    logs = tmp_path / "data" / "logs"
    assert {"up.log", "prefect-server.log", "scheduler.log", "dashboard.log"} <= {p.name for p in logs.iterdir()}


def _presswatch(env: dict[str, str], *args: str, timeout: float) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "flows.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


def _answers(url: str) -> bool:
    try:
        return _get(url).strip() == b"ok"
    except OSError:
        return False


def _tree(pid: int) -> set[int]:
    try:
        return {p.pid for p in psutil.Process(pid).children(recursive=True)}
    except psutil.Error:
        return set()
