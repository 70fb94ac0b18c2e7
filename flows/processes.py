"""Stopping the helper processes presswatch starts (a Prefect server, a Streamlit app)."""

from __future__ import annotations

import subprocess


def stop_process(proc: subprocess.Popen, grace_seconds: float) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `grace_seconds`: a server that hangs on
    shutdown must not keep the command that started it from returning."""
    proc.terminate()
    try:
        proc.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace_seconds)
