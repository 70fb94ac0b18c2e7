"""The `presswatch` command: keep watch (`up`), run the pipeline once, serve it on a schedule, open the
dashboard, ack alerts."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
from pathlib import Path

# Prefect reads these at import time: no telemetry, and enough time for the local server on a busy box.
PREFECT_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "60",
    "GX_ANALYTICS_ENABLED": "false",
}


def _prefect_environment(quiet: bool) -> None:
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if quiet:  # Prefect's own lines stay off the terminal; they still reach the Prefect server and its UI
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


def _fail(message: str, code: int = 2) -> int:
    print(f"presswatch: error: {message}", file=sys.stderr)
    return code


def _settings(args):
    from flows.config import load_settings

    return load_settings(args.config, args.db)


def cmd_run(args) -> int:
    from flows.preflight import check_ready
    from flows.up import running_up

    settings = _settings(args)
    check_ready(settings)
    up = None if os.environ.get("PREFECT_API_URL") else running_up(settings)
    from flows.pending_work import work_waiting

    work = work_waiting(settings, args.source or None)
    if not work.waiting and not args.always_flow:  # no flow run: Prefect's import and a flow run take ~2 s
        return _record_nothing_new(settings, work.local.unchanged if work.local else 0, args.source or [], up)
    if up is not None:  # `presswatch up` runs for this database: record the run on its server, start none
        os.environ["PREFECT_API_URL"] = up.api_url
    # The head start overlaps the model and GX loads with the start of Prefect's temporary server; with a
    # server already running there is nothing to overlap, and its look at the files would be done twice.
    temporary_server = not os.environ.get("PREFECT_API_URL")
    from flows.cyclic_gc import freeze_for_this_run
    from flows.head_start import start_ahead
    from flows.progress import showing_progress
    from flows.report import print_summary
    from flows.runners import ingest_flow_for

    flow = ingest_flow_for(settings)
    started = temporary_server and start_ahead(settings, args.source or None, work.local)  # while the server starts
    freeze_for_this_run()  # one run per process: the collector can skip what is imported
    gc.enable()
    try:
        with showing_progress(), _without_heartbeats():
            state = flow(config=args.config, db=str(settings.db_path), sources=args.source or None, return_state=True)
    finally:
        if started:
            from flows.tagging_pool import close_pool

            close_pool()  # the flow closes it after its batches; this covers a run that failed before
    if state.is_failed():
        return _fail(state.message or "the run failed", 1)
    print_summary(state.result(), settings, up=up, flow_run_id=state.state_details.flow_run_id)
    return 0


def _record_nothing_new(settings, unchanged_files: int, sources: list[str], up) -> int:
    """A run with nothing to do: its `runs` row (the dashboard's "last run") and the summary, no flow run."""
    import time
    import uuid

    from flows import store
    from flows.report import RunSummary, print_summary

    started = time.monotonic()
    summary = RunSummary(run_id=uuid.uuid4().hex[:16], db_path=str(settings.db_path), unchanged_files=unchanged_files)
    with store.run_lock(settings.db_path, settings.storage.lock_timeout_seconds):
        store.open_run(settings.db_path, summary.run_id, None, sources or [*settings.sources.local])
        summary.seconds = time.monotonic() - started
        store.finish_run(
            settings.db_path, summary.run_id, "completed", summary.counts(), None, "nothing new: no flow run started"
        )
    print_summary(summary, settings, up=up)
    print("  (nothing new: files unchanged, no feed due: no Prefect flow run started; --always-flow starts one)")
    return 0


def _without_heartbeats():
    """A run by hand sends Prefect no flow-run heartbeats. The server only uses them for an automation
    that marks silent runs crashed (none by default), and waiting for the heartbeat thread to stop cost
    up to a second at the end of every run. Scheduled runs keep Prefect's default."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def cmd_serve(args) -> int:
    """Scheduled runs need Prefect's scheduler, which an ephemeral server does not run: unless
    PREFECT_API_URL points at a server, start a local one (state under data/prefect) for the session."""
    from flows.prefect_server import local_prefect_server
    from flows.preflight import check_ready
    from flows.up import DEPLOYMENT_NAME, FLOW_NAME

    settings = _settings(args)
    check_ready(settings)
    schedule = settings.schedule
    with local_prefect_server(settings) as api_url:
        from flows.runners import ingest_flow_for

        params = {"config": args.config, "db": str(settings.db_path), "sources": None}
        kwargs = {"cron": schedule.cron} if schedule.cron else {"interval": schedule.interval_minutes * 60}
        when = f"cron {schedule.cron}" if schedule.cron else f"every {schedule.interval_minutes:g} min"
        print(f"presswatch: serving '{FLOW_NAME}' ({when}) on Prefect at {api_url}; Ctrl-C stops", flush=True)
        ingest_flow_for(settings).serve(name=DEPLOYMENT_NAME, parameters=params, limit=1, **kwargs)
    return 0


def cmd_dashboard(args) -> int:
    from dashboards.server import streamlit_command
    from flows.up import dashboard_env

    settings = _settings(args)
    host = args.host or settings.dashboard.host
    port = args.port or settings.dashboard.port
    print(f"presswatch: dashboard on http://{host}:{port} (database {settings.db_path})")
    return subprocess.call(streamlit_command(host, port), env=dashboard_env(settings, args.config))


def cmd_up(args) -> int:
    """Prefect server, scheduler and dashboard in one foreground command, until Ctrl-C."""
    from flows.preflight import check_ready
    from flows.up import Supervisor, UpError

    settings = _settings(args)
    check_ready(settings)
    config = str(Path(args.config).resolve()) if args.config else None
    db = str(Path(args.db).resolve()) if args.db else None
    try:
        return Supervisor(settings, config, db).run()
    except UpError as exc:
        return _fail(str(exc), 1)


def cmd_ack(args) -> int:
    from flows.alerting import acknowledge_alerts

    settings = _settings(args)
    count = acknowledge_alerts(settings.db_path, args.alert_id, everything=args.all)
    print(f"presswatch: acknowledged {count} alert(s)")
    return 0 if count or args.all else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="presswatch", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="DuckDB file (default from config, or $PRESSWATCH_DB)")
    common.add_argument("--config", help="config TOML (default ./presswatch.toml, or $PRESSWATCH_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser(
        "up", parents=[common], help="keep watch: Prefect server, scheduled runs and dashboard, until Ctrl-C"
    )
    up.set_defaults(func=cmd_up)
    run = sub.add_parser("run", parents=[common], help="run the ingest flow once")
    run.add_argument(
        "--source",
        action="append",
        metavar="PATH_OR_URL",
        help="replace the configured sources: a file or folder of articles, or a feed URL (repeatable)",
    )
    run.add_argument("--verbose", action="store_true", help="show Prefect's own log lines as well")
    run.add_argument(
        "--always-flow",
        action="store_true",
        help="start a Prefect flow run even when no file changed and no feed is due (by default such a run"
        " only records itself)",
    )
    run.set_defaults(func=cmd_run)
    serve = sub.add_parser("serve", parents=[common], help="run the ingest flow on the configured schedule")
    serve.set_defaults(func=cmd_serve)
    dash = sub.add_parser("dashboard", parents=[common], help="start the Streamlit dashboard")
    dash.add_argument("--host")
    dash.add_argument("--port", type=int)
    dash.set_defaults(func=cmd_dashboard)
    ack = sub.add_parser("ack", parents=[common], help="acknowledge alerts")
    ack.add_argument("alert_id", nargs="*", help="alert ids to acknowledge")
    ack.add_argument("--all", action="store_true", help="acknowledge every open alert")
    ack.set_defaults(func=cmd_ack)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        # a run imports ~500,000 long-lived objects (Prefect, pydantic): looking for garbage cycles among
        # them while they are imported is wasted (~0.2 s); cmd_run freezes them, then collects again
        gc.disable()
    _prefect_environment(quiet=args.command == "run" and not args.verbose)
    try:
        from flows.errors import USER_ERRORS

        try:
            return args.func(args)
        except USER_ERRORS as exc:
            return _fail(str(exc).splitlines()[0])
        except KeyboardInterrupt:
            return _fail("interrupted", 130)
    finally:
        gc.enable()


if __name__ == "__main__":
    sys.exit(main())
