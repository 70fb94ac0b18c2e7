"""A local Prefect server for `presswatch serve` and `presswatch up`: the scheduler that creates
scheduled runs lives there, and its UI shows every run."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flows.config import Settings
from flows.errors import NotReadyError
from flows.processes import stop_process

STARTUP_SECONDS = 120


def prefect_home(settings: Settings) -> Path:
    """Where the local server keeps its database (flow runs, deployments, logs): under the data folder."""
    return settings.data_dir / "prefect"


def prefect_server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]


def prefect_server_env(home: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The server keeps its database in `home`; its own client talks to itself, not to $PREFECT_API_URL."""
    env = dict(
        base if base is not None else os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false"
    )
    env.pop("PREFECT_API_URL", None)
    return env


def start_prefect_server(home: Path, port: int, output: IO | int) -> subprocess.Popen:
    """`prefect server start` on 127.0.0.1:`port` with its state in `home`, in its own session (a Ctrl-C
    in the terminal reaches the command that started it, which stops it in order)."""
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        prefect_server_command(port),
        env=prefect_server_env(home),
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_until_healthy(api_url: str, server: subprocess.Popen, log_path: Path, timeout: float = STARTUP_SECONDS):
    deadline = time.monotonic() + timeout
    while not api_healthy(api_url):
        if server.poll() is not None or time.monotonic() > deadline:
            raise NotReadyError(f"the local Prefect server did not start on {api_url}; see {log_path}")
        time.sleep(0.5)


@contextmanager
def local_prefect_server(settings: Settings) -> Iterator[str]:
    """Yield the API URL: $PREFECT_API_URL if set, else a server started here and stopped on exit."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    port = settings.schedule.prefect_port
    api_url = api_url_for(port)
    if api_healthy(api_url):
        os.environ["PREFECT_API_URL"] = api_url  # a server the user started already: share it
        yield api_url
        return
    home = prefect_home(settings)
    log_path = home / "server.log"
    home.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        server = start_prefect_server(home, port, log)
        try:
            wait_until_healthy(api_url, server, log_path)
            os.environ["PREFECT_API_URL"] = api_url
            print(f"presswatch: started a local Prefect server (UI http://127.0.0.1:{port}), state in {home}")
            yield api_url
        finally:
            stop_process(server, grace_seconds=20)


def api_url_for(port: int) -> str:
    return f"http://127.0.0.1:{port}/api"


def api_healthy(api_url: str, timeout: float = 2) -> bool:
    """The server answers its health check (urllib, not httpx: `presswatch run` asks this before it
    imports anything heavy)."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False
