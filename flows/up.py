"""`presswatch up`: one foreground command that keeps watch all week.

It starts (or shares) a local Prefect server with its state under the data folder, serves the scheduled
deployment against it (`presswatch serve`), and serves the dashboard, each as a child process in its own
session with its output in a rotating log under `<data>/logs/`. Every scheduled run is a process of its
own (Prefect's runner starts one per run), so a run that fails or crashes never takes the scheduler or
the dashboard down; a child that exits, or stops answering its health check, is started again after 1,
2, 4 ... 60 s. Ctrl-C or SIGTERM stops them in order: the scheduler first (it cancels a run in
progress, which the next run marks interrupted), then the dashboard, then the Prefect server, then any
process still left below this one (this process is the "subreaper" of everything it started, so even a
tagging worker whose run was killed is found).

A lock file beside the database (`<db>.up`) holds this process's id, the addresses and the children:
a second `up` on the same database says where the first one is, `presswatch run` reads it to use the
running Prefect server, and a lock file left by an `up` that was killed (the lock goes with the
process) blocks nothing: its children are stopped before the new ones start.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import logging.handlers
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from flows.config import Settings
from flows.prefect_server import (
    api_healthy,
    api_url_for,
    prefect_home,
    prefect_server_command,
    prefect_server_env,
)
from flows.processes import stop_process

FLOW_NAME = "presswatch-ingest"
DEPLOYMENT_NAME = "presswatch-scheduled"
LOG_BYTES = 10_000_000  # per log file before it is rotated; 3 old files are kept beside it
LOG_BACKUPS = 3
HEALTH_EVERY_SECONDS = 30
UNHEALTHY_CHECKS = 3  # a child that failed this many health checks in a row is restarted
STABLE_SECONDS = 300  # a child that ran this long before it exited starts again after 1 s, not later
MAX_RESTART_DELAY = 60
STOP_GRACE_SECONDS = 20
_PR_SET_CHILD_SUBREAPER = 36


class UpError(Exception):
    """`up` cannot start; the message says what is in the way and what to do."""


@dataclass
class UpRecord:
    """What the lock file beside the database says about the `up` that holds it."""

    pid: int
    started_at: str
    dashboard: str
    prefect_ui: str
    api_url: str
    logs: str
    children: dict[str, list[float]] = field(default_factory=dict)  # name -> [pid, create_time]


def up_file(settings: Settings) -> Path:
    db = settings.db_path
    return db.with_name(db.name + ".up")


def read_up_record(settings: Settings) -> UpRecord | None:
    """The record of the `up` last started on this database, whether or not it still runs."""
    try:
        return UpRecord(**json.loads(up_file(settings).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def running_up(settings: Settings) -> UpRecord | None:
    """The `up` serving this database now, if any (its process is alive and its Prefect server answers)."""
    record = read_up_record(settings)
    if record is None or not _alive(record.pid) or not api_healthy(record.api_url, timeout=1):
        return None
    return record


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Child:
    """One long-running process `up` keeps alive."""

    name: str
    log_name: str
    command: list[str]
    env: dict[str, str]
    healthy: Callable[[], bool] | None = None  # None: only its exit is watched
    needs_server: bool = False  # started once the Prefect server answers
    proc: subprocess.Popen | None = None
    started: float = 0.0
    failures_in_a_row: int = 0
    next_start: float = 0.0
    unhealthy_checks: int = 0
    was_healthy: bool = False
    starts: int = 0


class Supervisor:
    """Starts the children, restarts those that exit, stops them all on a signal."""

    def __init__(self, settings: Settings, config: str | None, db: str | None) -> None:
        self.settings = settings
        self.logs = settings.data_dir / "logs"
        self.port = settings.schedule.prefect_port
        self.api_url = api_url_for(self.port)
        self.prefect_ui = f"http://127.0.0.1:{self.port}"
        host, dash_port = settings.dashboard.host, settings.dashboard.port
        self.dashboard_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{dash_port}"
        self.config, self.db = config, db
        self.children: list[Child] = []
        self.stopping = threading.Event()
        self.log = _supervisor_log(self.logs)
        self._lock_handle: IO[str] | None = None
        self.shared_server = False

    # ------------------------------------------------------------------ start

    def run(self) -> int:
        started = time.monotonic()
        self._take_lock()
        try:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, self._on_signal)
            _become_subreaper()
            self._plan_children()
            self._check_ports()
            self._start_due()
            if not self._wait_until_ready(started):
                return 0 if self.stopping.is_set() else 1
            self._watch()
            return 0
        finally:
            self._stop_all()
            self._release_lock()

    def _take_lock(self) -> None:
        path = up_file(self.settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - held while `up` runs
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            other = read_up_record(self.settings)
            where = f" (pid {other.pid}): dashboard {other.dashboard}, Prefect UI {other.prefect_ui}" if other else ""
            raise UpError(
                f"presswatch up is already running for {self.settings.db_path}{where}; stop it with Ctrl-C "
                "in its terminal (or kill its pid) before starting another"
            ) from None
        leftover = read_up_record(self.settings)
        if leftover is not None:  # an `up` that was killed before it could stop its children
            self._stop_leftovers(leftover)
        self._lock_handle = handle

    def _stop_leftovers(self, record: UpRecord) -> None:
        import psutil

        for name, (pid, create_time) in record.children.items():
            try:
                proc = psutil.Process(int(pid))
                if abs(proc.create_time() - create_time) > 0.01:
                    continue  # the pid was reused by an unrelated process
                self.say(f"stopping the {name} left running by an earlier up (pid {int(pid)})")
                _stop_tree(proc)
            except psutil.Error:
                continue

    def _plan_children(self) -> None:
        settings = self.settings
        cli = [sys.executable, "-m", "flows.cli"]
        options = (["--config", self.config] if self.config else []) + (["--db", self.db] if self.db else [])
        base_env = dict(os.environ, PYTHONUNBUFFERED="1")
        if api_healthy(self.api_url):
            self.shared_server = True
            self.say(f"sharing the Prefect server already running at {self.prefect_ui} (it keeps running after up)")
        else:
            home = prefect_home(settings)
            home.mkdir(parents=True, exist_ok=True)
            server = Child(
                "Prefect server",
                "prefect-server.log",
                prefect_server_command(self.port),
                prefect_server_env(home, base_env),
                lambda: api_healthy(self.api_url),
            )
            self.children.append(server)
        scheduler_env = dict(base_env, PREFECT_API_URL=self.api_url)
        self.children.append(
            Child("scheduler", "scheduler.log", [*cli, "serve", *options], scheduler_env, needs_server=True)
        )
        from dashboards.server import dashboard_healthy, streamlit_command

        host, port = settings.dashboard.host, settings.dashboard.port
        self.children.append(
            Child(
                "dashboard",
                "dashboard.log",
                streamlit_command(host, port),
                dashboard_env(settings, self.config, base_env),
                lambda: dashboard_healthy(self.dashboard_url),
            )
        )

    def _check_ports(self) -> None:
        checks = [(self.settings.dashboard.host, self.settings.dashboard.port, "[dashboard] port")]
        if not self.shared_server:
            checks.append(("127.0.0.1", self.port, "[schedule] prefect_port"))
        for host, port, setting in checks:
            if not _port_free(host, port):
                raise UpError(
                    f"port {port} on {host} is in use by another program; stop it or set {setting} in the config"
                )

    def _start(self, child: Child) -> None:
        log = _child_log(self.logs / child.log_name)
        child.proc = subprocess.Popen(
            child.command, env=child.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
        )
        threading.Thread(target=_copy_output, args=(child.proc, log), daemon=True, name=f"log-{child.log_name}").start()
        child.started = time.monotonic()
        child.unhealthy_checks = 0
        child.was_healthy = False
        child.starts += 1

    def _save_record(self) -> None:
        import psutil

        children = {}
        for child in self.children:
            if child.proc is not None and child.proc.poll() is None:
                with contextlib.suppress(psutil.Error):
                    children[child.name] = [child.proc.pid, psutil.Process(child.proc.pid).create_time()]
        record = UpRecord(
            pid=os.getpid(),
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            dashboard=self.dashboard_url,
            prefect_ui=self.prefect_ui,
            api_url=self.api_url,
            logs=str(self.logs),
            children=children,
        )
        assert self._lock_handle is not None
        self._lock_handle.seek(0)
        self._lock_handle.truncate()
        self._lock_handle.write(json.dumps(asdict(record)))
        self._lock_handle.flush()

    # ------------------------------------------------------------------ ready

    def _wait_until_ready(self, started: float) -> bool:
        """Until the dashboard answers and the Prefect server lists the deployment; then say where they are."""
        deadline = time.monotonic() + 300
        deployment = None
        dashboard = next(c for c in self.children if c.name == "dashboard")
        while deployment is None or not dashboard.healthy():
            if self.stopping.is_set():
                return False
            if time.monotonic() > deadline:
                self.say(f"not ready after 300 s; see the logs in {self.logs}")
                return False
            self._restart_exited()
            self._start_due()
            if deployment is None and api_healthy(self.api_url):
                deployment = _deployment(self.api_url)
            self.stopping.wait(0.5)
        first_run = _start_run_now(self.api_url, deployment["id"])
        schedule = self.settings.schedule
        every = f"cron {schedule.cron}" if schedule.cron else f"every {schedule.interval_minutes:g} min"
        print(
            f"presswatch up: ready in {time.monotonic() - started:.1f} s; Ctrl-C stops everything\n"
            f"  dashboard    {self.dashboard_url}\n"
            f"  Prefect UI   {self.prefect_ui}/deployments/deployment/{deployment['id']}"
            f"  ({FLOW_NAME}/{DEPLOYMENT_NAME}, {every}"
            f"{'; first run starting now' if first_run else ''})\n"
            f"  Prefect API  {self.api_url}\n"
            f"  logs         {self.logs}\n"
            f"  database     {self.settings.db_path}",
            flush=True,
        )
        self.log.info(f"ready in {time.monotonic() - started:.1f} s")
        return True

    # ------------------------------------------------------------------ watch

    def _watch(self) -> None:
        last_health = time.monotonic()
        while not self.stopping.wait(1.0):
            self._restart_exited()
            self._start_due()
            if time.monotonic() - last_health >= HEALTH_EVERY_SECONDS:
                last_health = time.monotonic()
                self._check_health()
            _reap_orphans({c.proc.pid for c in self.children if c.proc is not None})

    def _start_due(self) -> None:
        """Start the children that are not running and whose time has come (the scheduler only once the
        Prefect server answers: it exits when it cannot reach the server)."""
        now = time.monotonic()
        due = [c for c in self.children if c.proc is None and now >= c.next_start]
        if any(c.needs_server for c in due) and not api_healthy(self.api_url):
            due = [c for c in due if not c.needs_server]
        for child in due:
            if self.stopping.is_set():
                return
            if child.starts:
                self.say(f"starting the {child.name} again")
            self._start(child)
        if due:
            self._save_record()

    def _restart_exited(self) -> None:
        now = time.monotonic()
        for child in self.children:
            if child.proc is None:
                continue
            code = child.proc.poll()
            if code is None:
                continue
            ran = now - child.started
            child.failures_in_a_row = 0 if ran >= STABLE_SECONDS else child.failures_in_a_row + 1
            delay = min(MAX_RESTART_DELAY, 2 ** max(child.failures_in_a_row - 1, 0))
            self.say(
                f"the {child.name} exited with code {code} after {ran:.0f} s; starting it again in {delay} s "
                f"(log: {self.logs / child.log_name})"
            )
            child.proc = None
            child.next_start = now + delay

    def _check_health(self) -> None:
        for child in self.children:
            if child.proc is None or child.healthy is None:
                continue
            if child.healthy():
                child.was_healthy, child.unhealthy_checks = True, 0
                continue
            if not child.was_healthy:
                continue  # still starting
            child.unhealthy_checks += 1
            if child.unhealthy_checks >= UNHEALTHY_CHECKS:
                self.say(
                    f"the {child.name} has not answered for {UNHEALTHY_CHECKS * HEALTH_EVERY_SECONDS} s; restarting it"
                )
                stop_process(child.proc, grace_seconds=STOP_GRACE_SECONDS)  # _restart_exited starts it again

    # ------------------------------------------------------------------ stop

    def _on_signal(self, signum: int, _frame) -> None:
        if not self.stopping.is_set():
            print(f"\npresswatch up: {signal.Signals(signum).name} received, stopping ...", flush=True)
        self.stopping.set()

    def _stop_all(self) -> None:
        self.stopping.set()
        order = {"scheduler": 0, "dashboard": 1, "Prefect server": 2}
        for child in sorted(self.children, key=lambda c: order[c.name]):
            if child.proc is not None and child.proc.poll() is None:
                self.log.info(f"stopping the {child.name} (pid {child.proc.pid})")
                _stop_group(child.proc)
        left = _stop_descendants()
        if left:
            self.log.info(f"stopped {left} process(es) left below up")
        if any(child.starts for child in self.children):
            self.say(
                "stopped"
                + ("" if not self.shared_server else f" (the shared Prefect server at {self.prefect_ui} keeps running)")
            )

    def _release_lock(self) -> None:
        if self._lock_handle is not None:
            self._lock_handle.seek(0)
            self._lock_handle.truncate()
            self._lock_handle.close()
            self._lock_handle = None
            with contextlib.suppress(OSError):
                up_file(self.settings).unlink()

    def say(self, message: str) -> None:
        print(f"presswatch up: {message}", flush=True)
        self.log.info(message)


def dashboard_env(settings: Settings, config: str | None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The dashboard process reads the same database and config as the command that started it."""
    env = dict(base if base is not None else os.environ, PRESSWATCH_DB=str(settings.db_path))
    if config:
        env["PRESSWATCH_CONFIG"] = str(Path(config).resolve())
    return env


def _deployment(api_url: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{api_url}/deployments/name/{FLOW_NAME}/{DEPLOYMENT_NAME}", timeout=5) as resp:
            return json.loads(resp.read())
    except (OSError, urllib.error.URLError, ValueError):
        return None


def _start_run_now(api_url: str, deployment_id: str) -> bool:
    """A run right away, so a fresh `up` shows news without waiting a whole interval."""
    request = urllib.request.Request(
        f"{api_url}/deployments/{deployment_id}/create_flow_run",
        data=json.dumps({"tags": ["presswatch-up-start"]}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status in (200, 201)
    except (OSError, urllib.error.URLError):
        return False


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _become_subreaper() -> None:
    """Orphans of our children (a run's tagging workers, a killed scheduler's run) become ours, so the
    last sweep at stop finds them (Linux; elsewhere only the children's own process groups are stopped)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to the child's process group (it started its own session), SIGKILL after the grace time."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=STOP_GRACE_SECONDS)


def _stop_tree(proc) -> None:
    import psutil

    tree = [*proc.children(recursive=True), proc]
    for p in tree:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(tree, timeout=STOP_GRACE_SECONDS)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()


def _stop_descendants() -> int:
    """Every process still below this one: a run's workers, a process a child left behind."""
    import psutil

    left = psutil.Process().children(recursive=True)
    for p in left:
        with contextlib.suppress(psutil.Error):
            logging.getLogger("presswatch.up").info(f"left behind: pid {p.pid} {' '.join(p.cmdline())[:200]}")
    for p in left:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(left, timeout=5)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=5)
    return len(left)


def _reap_orphans(managed: set[int]) -> None:
    """Orphans handed to this subreaper are waited for when they exit, so they do not linger as zombies."""
    import psutil

    for p in psutil.Process().children():
        if p.pid in managed:
            continue
        with contextlib.suppress(psutil.Error, ChildProcessError):
            if p.status() == psutil.STATUS_ZOMBIE:
                os.waitpid(p.pid, os.WNOHANG)


def _supervisor_log(folder: Path) -> logging.Logger:
    logger = logging.getLogger("presswatch.up")
    logger.propagate = False
    if not logger.handlers:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / "up.log", maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


def _child_log(path: Path) -> logging.Logger:
    """A rotating log file for one child's output: a week of runs must not fill the disk."""
    logger = logging.getLogger(f"presswatch.up.{path.stem}")
    logger.propagate = False
    if not logger.handlers:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    return logger


def _copy_output(proc: subprocess.Popen, log: logging.Logger) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        log.info(line.decode("utf-8", errors="replace").rstrip("\n"))
    proc.stdout.close()
