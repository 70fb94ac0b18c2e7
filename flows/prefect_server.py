"""A local Prefect server for `presswatch serve`: the scheduler that creates scheduled runs lives there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from flows.config import Settings
from flows.errors import NotReadyError
from flows.processes import stop_process

STARTUP_SECONDS = 120


@contextmanager
def local_prefect_server(settings: Settings) -> Iterator[str]:
    """Yield the API URL: $PREFECT_API_URL if set, else a server started here and stopped on exit."""
    if os.environ.get("PREFECT_API_URL"):
        yield os.environ["PREFECT_API_URL"]
        return
    port = settings.schedule.prefect_port
    api_url = f"http://127.0.0.1:{port}/api"
    if _healthy(api_url):
        os.environ["PREFECT_API_URL"] = api_url  # a server the user started already: share it
        yield api_url
        return
    home = settings.data_dir / "prefect"
    home.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    log = open(home / "server.log", "ab")  # noqa: SIM115 - closed below, after the server stops
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(api_url):
            if server.poll() is not None or time.monotonic() > deadline:
                raise NotReadyError(f"the local Prefect server did not start on port {port}; see {home / 'server.log'}")
            time.sleep(0.5)
        os.environ["PREFECT_API_URL"] = api_url
        print(f"presswatch: started a local Prefect server (UI http://127.0.0.1:{port}), state in {home}")
        yield api_url
    finally:
        stop_process(server, grace_seconds=20)
        log.close()


def _healthy(api_url: str) -> bool:
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
