"""The `presswatch` command: run the pipeline once, serve it on a schedule, open the dashboard, ack alerts."""

from __future__ import annotations

import argparse
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


def _prefect_environment() -> None:
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)


def _fail(message: str, code: int = 2) -> int:
    print(f"presswatch: error: {message}", file=sys.stderr)
    return code


def _settings(args):
    from flows.config import load_settings

    return load_settings(args.config, args.db)


def cmd_run(args) -> int:
    from flows.preflight import check_ready

    settings = _settings(args)
    check_ready(settings)
    from flows.cyclic_gc import freeze_for_this_run
    from flows.head_start import start_ahead
    from flows.report import print_summary
    from flows.runners import ingest_flow_for

    flow = ingest_flow_for(settings)
    started = start_ahead(settings, args.source or None)  # while Prefect starts its server
    freeze_for_this_run()  # one run per process: the collector can skip what is imported
    try:
        state = flow(config=args.config, db=str(settings.db_path), sources=args.source or None, return_state=True)
    finally:
        if started:
            from flows.tagging_pool import close_pool

            close_pool()  # the flow closes it after its batches; this covers a run that failed before
    if state.is_failed():
        return _fail(state.message or "the run failed", 1)
    print_summary(state.result(), settings)
    return 0


def cmd_serve(args) -> int:
    """Scheduled runs need Prefect's scheduler, which an ephemeral server does not run: unless
    PREFECT_API_URL points at a server, start a local one (state under data/prefect) for the session."""
    from flows.prefect_server import local_prefect_server
    from flows.preflight import check_ready

    settings = _settings(args)
    check_ready(settings)
    schedule = settings.schedule
    with local_prefect_server(settings) as api_url:
        from flows.runners import ingest_flow_for

        params = {"config": args.config, "db": str(settings.db_path), "sources": None}
        kwargs = {"cron": schedule.cron} if schedule.cron else {"interval": schedule.interval_minutes * 60}
        when = f"cron {schedule.cron}" if schedule.cron else f"every {schedule.interval_minutes:g} min"
        print(f"presswatch: serving 'presswatch-ingest' ({when}) on Prefect at {api_url}; Ctrl-C stops", flush=True)
        ingest_flow_for(settings).serve(name="presswatch-scheduled", parameters=params, limit=1, **kwargs)
    return 0


def cmd_dashboard(args) -> int:
    settings = _settings(args)
    app = Path(__file__).resolve().parent.parent / "dashboards" / "app.py"
    env = dict(os.environ, PRESSWATCH_DB=str(settings.db_path))
    if args.config:
        env["PRESSWATCH_CONFIG"] = str(Path(args.config).resolve())
    host = args.host or settings.dashboard.host
    port = str(args.port or settings.dashboard.port)
    print(f"presswatch: dashboard on http://{host}:{port} (database {settings.db_path})")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        host,
        "--server.port",
        port,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    return subprocess.call(cmd, env=env)


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
    run = sub.add_parser("run", parents=[common], help="run the ingest flow once")
    run.add_argument(
        "--source",
        action="append",
        metavar="PATH_OR_URL",
        help="replace the configured sources: a file or folder of articles, or a feed URL (repeatable)",
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
    _prefect_environment()
    args = build_parser().parse_args(argv)
    from flows.errors import USER_ERRORS

    try:
        return args.func(args)
    except USER_ERRORS as exc:
        return _fail(str(exc).splitlines()[0])
    except KeyboardInterrupt:
        return _fail("interrupted", 130)


if __name__ == "__main__":
    sys.exit(main())
