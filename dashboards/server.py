"""How the dashboard is served: one `streamlit run` command line for `presswatch dashboard`, `presswatch up`
and the screenshots, so all three show the same product (no developer menu, no Deploy button)."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


def streamlit_command(host: str, port: int) -> list[str]:
    """`streamlit run dashboards/app.py` bound to host:port. `client.toolbarMode minimal` hides the
    developer menu and the Deploy button (an analyst cannot deploy anything); the file watcher is off
    because nobody edits the app while it serves."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",
    ]


def dashboard_healthy(url: str, timeout: float = 2) -> bool:
    """Streamlit's own health check answers "ok" once the app is served."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.read().strip() == b"ok"
    except (OSError, urllib.error.URLError, ValueError):
        return False


def wait_until_served(url: str, proc: subprocess.Popen, timeout: float, log_name: str) -> None:
    """Until the dashboard at `url` answers; raises when its process exits or `timeout` passes."""
    deadline = time.monotonic() + timeout
    while not dashboard_healthy(url):
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log_name}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"streamlit did not start within {timeout:.0f} s; see {log_name}")
        time.sleep(0.25)
