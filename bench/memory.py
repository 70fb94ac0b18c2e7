"""Peak memory of ingesting a large folder: RSS of presswatch and all its child processes.

    .venv/bin/python bench/memory.py --articles 50000        # the target size; 1 h or more on 2 cores
    .venv/bin/python bench/memory.py --articles 5000 --n-process 2
    .venv/bin/python bench/memory.py --quick                 # smoke test: 300 articles

Writes N generated articles (bench/corpus.py) as .txt files into a temp folder, then runs
``presswatch run --config <temp copy of presswatch.toml> --source <folder>`` into a fresh DuckDB
file and samples, every 0.5 s, the resident memory of the whole process tree: presswatch itself,
Prefect's temporary API server (a child process), and the tagging fork server with its worker
processes when n_process > 0.
RSS counts pages shared between processes (fork) once per process; PSS splits them, so the sum of
PSS is the machine's real cost. Progress is printed every few batches.

``--breakdown`` first measures, in a fresh interpreter, what each heavy piece adds to RSS (Prefect,
flows.ingest, the spaCy model, the entity index, a GX context) before any article is processed.

Target (issue "Performance and scale"): peak RSS incl. child processes <= 1.5 GB at 50,000 articles.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import (  # noqa: E402
    PYTHON,
    REPO,
    build_corpus,
    config_value,
    fmt,
    fresh_data_dir,
    prepare,
    print_header,
    run_cli,
    save_result,
    table,
    tail,
    temp_root,
    write_config,
)

TARGET_BYTES = 1.5e9

BREAKDOWN = r"""
import os, sys, time
sys.path.insert(0, sys.argv[1])
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
steps = []
def step(name, fn):
    before, t = rss(), time.perf_counter()
    fn()
    steps.append((name, rss() - before, time.perf_counter() - t))
state = {}
step("python interpreter", lambda: None)
steps[-1] = ("python interpreter", rss(), 0.0)
step("import prefect", lambda: __import__("prefect"))
step("import flows.ingest", lambda: __import__("flows.ingest"))
from flows.config import load_settings
s = load_settings(sys.argv[2])
t = s.tagging
def model():
    from flows.ner import load_nlp
    state["nlp"] = load_nlp(t.model)
step("spaCy model (load_nlp)", model)
def index():
    from flows.tagging import load_entity_index
    cache = s.path(t.cache_dir) if hasattr(t, "cache_dir") else s.data_dir / "cache"
    state["index"] = load_entity_index(str(s.path(t.catalog_dir)), t.min_city_population, str(cache))
step("entity index (pickle load)", index)
def gx():
    from flows import validate
    validate._get_validation_context()
    validate.load_suite(s.path(s.validation.suites_dir), "articles")
step("Great Expectations context + suite", gx)
for name, delta, seconds in steps:
    print(f"{name}\t{delta}\t{seconds}")
print(f"total\t{rss()}\t0")
"""


def breakdown(config: Path, env: dict[str, str]) -> list[list[str]]:
    out = subprocess.run(
        [str(PYTHON), "-c", BREAKDOWN, str(REPO), str(config)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rows = []
    for line in out.strip().splitlines():
        name, delta, seconds = line.split("\t")
        rows.append([name, f"{int(delta) / 1e6:,.0f}", f"{float(seconds):.1f}" if name != "total" else ""])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=50_000, help="articles to ingest (default 50,000)")
    parser.add_argument("--n-process", type=int, help="override [tagging] n_process (default: presswatch.toml's)")
    parser.add_argument("--quick", action="store_true", help="smoke test: 300 articles")
    parser.add_argument("--breakdown", action="store_true", help="also measure what each component adds to RSS")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument("--user-prefect-home", action="store_true", help="use ~/.prefect, not the benchmarks' own")
    args = parser.parse_args()
    n = 300 if args.quick else args.articles
    k = args.n_process or config_value("tagging", "n_process")

    print_header(f"presswatch memory benchmark: {n:,} articles, n_process {k}")
    work = temp_root("presswatch-memory-")
    print(f"work folder {work}")
    setup = prepare(work, user_prefect_home=args.user_prefect_home)
    corpus = work / "articles"
    print(f"writing {n:,} articles ...", flush=True)
    stats = build_corpus(corpus, n, progress_every=10_000 if n >= 20_000 else 0)
    print(
        f"corpus      {n:,} articles, {stats['words']:,} words, {stats['bytes'] / 1e6:,.0f} MB "
        f"written in {stats['seconds']:.0f} s",
        flush=True,
    )
    folder = work / "run"
    config = write_config(folder, local=[corpus], n_process=k, data_dir=fresh_data_dir(setup, folder / "data"))

    parts = None
    if args.breakdown:
        print("measuring the RSS of each component in a fresh interpreter ...", flush=True)
        parts = breakdown(config, setup.env)

    batch = config_value("tagging", "batch_articles")
    batches = -(-n // batch)
    every = max(1, batches // 20)
    print(f"presswatch run over {n:,} articles ({batches} batches of {batch}); progress every {every} batches ...")
    run = run_cli(config, sources=[corpus], env=setup.env, monitor=True, progress_every=every)
    (folder / "run.log").write_text(run.output, encoding="utf-8")
    if not run.ok:
        print(f"FAILED (exit {run.returncode}); last lines of its output:\n{tail(run.output)}")

    print()
    print(f"Results: {n:,} articles, n_process {k}")
    rows = [
        ["run", "completed" if run.ok else f"FAILED (exit {run.returncode})"],
        ["stored", f"{run.new:,} new, {run.duplicate} duplicate, {run.quarantined} quarantined" if run.ok else "—"],
        ["wall time (CLI, incl. server)", f"{fmt(run.wall)} s ({n / run.wall:.1f} articles/s)"],
        ["flow run", f"{fmt(run.flow)} s"],
        ["peak RSS, whole process tree", f"{(run.peak_rss or 0) / 1e9:.2f} GB"],
        ["peak PSS, whole process tree", f"{(run.peak_pss or 0) / 1e9:.2f} GB"],
    ]
    for role, value in sorted(run.peak_by_role.items()):
        rows.append([f"  peak RSS: {role}", f"{value / 1e9:.2f} GB"])
    for role, value in sorted(run.pss_at_peak.items()):
        rows.append([f"  PSS at the tree's PSS peak: {role}", f"{value / 1e9:.2f} GB"])
    for role, value in sorted(run.cpu_by_role.items()):
        rows.append([f"  CPU seconds: {role}", f"{value:,.0f}"])
    rows.append(["processes in the tree (max)", str(run.max_processes)])
    rows.append(["other load on the machine", f"{run.other_load:.0%}"])
    print(table(["", ""], rows, "ll"))
    peak = run.peak_rss or 0
    print()
    print(
        f"target: peak RSS incl. child processes <= 1.5 GB: {peak / 1e9:.2f} GB "
        f"({peak / 2**30:.2f} GiB)  {'PASS' if peak <= TARGET_BYTES and run.ok else 'FAIL'}"
    )
    pss = run.peak_pss or 0
    print(
        f"        peak PSS (shared pages divided among the processes that share them): {pss / 1e9:.2f} GB  "
        f"{'PASS' if pss <= TARGET_BYTES and run.ok else 'FAIL'}"
    )
    if n < 50_000:
        print(f"(N = {n:,}; the target is set at N = 50,000)")
    elif run.ok:
        save_result(
            "memory",
            {
                "articles": n,
                "n_process": k,
                "flow_seconds": run.flow,
                "peak_rss_mb": peak / 1e6,
                "peak_pss_mb": pss / 1e6,
                "peak_rss_by_role_mb": {r: v / 1e6 for r, v in run.peak_by_role.items()},
                "pss_at_peak_by_role_mb": {r: v / 1e6 for r, v in run.pss_at_peak.items()},
                "processes": run.max_processes,
            },
        )
    growth = []
    for name, series in sorted(run.stage_series.items(), key=lambda kv: -sum(kv[1])):
        if len(series) >= 10:
            tenth = max(1, len(series) // 10)
            first, last = series[:tenth], series[-tenth:]
            growth.append(
                [name, f"{sum(series):,.0f}", f"{sum(first) / len(first):.2f}", f"{sum(last) / len(last):.2f}"]
            )
    if growth:
        print()
        print("Per-batch stage time, first vs last tenth of the batches (does the cost grow with the DB?):")
        print(table(["stage", "total s", "first 10 % (s/batch)", "last 10 % (s/batch)"], growth))
    if parts:
        print()
        print("RSS added by each component before any article (fresh interpreter, loaded in this order):")
        print(table(["component", "MB", "load s"], parts, "lrr"))

    if args.keep:
        print(f"\nkept {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if run.ok else 1


if __name__ == "__main__":
    sys.exit(main())
