"""Crash safety: SIGKILL `presswatch run` at random moments, rerun, and check nothing is lost or doubled.

    python bench/stress.py --trials 20 [--articles 120] [--seed 1]

Each trial ingests the same corpus into a fresh database, kills the run (and its Prefect server)
at a random moment during tagging and loading, reruns normally, and compares the result with a
clean reference run: same articles, mentions, entities and alerts, and no broken invariant.
Prints "trials N, lost X, duplicated Y".
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from flows.integrity import content_fingerprint, integrity_problems  # noqa: E402


def make_corpus(folder: Path, count: int, seed: int = 7) -> Path:
    """`count` distinct articles: seed paragraphs reshuffled, each with its own dateline sentence."""
    rng = random.Random(seed)
    seeds = sorted((REPO / "seeds").glob("*.txt"))
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        lines = [ln for ln in seeds[i % len(seeds)].read_text(encoding="utf-8").splitlines() if ln.strip()]
        head, body = lines[0], lines[1:]
        rng.shuffle(body)
        dateline = f"Dispatch {i} filed from desk {rng.randint(1, 10**6)} on day {i % 28 + 1}."
        (folder / f"article-{i:05d}.txt").write_text(f"{head} ({i})\n\n{dateline}\n" + "\n".join(body), "utf-8")
    return folder


def write_config(folder: Path, batch: int) -> Path:
    shipped = (REPO / "presswatch.toml").read_text(encoding="utf-8")
    rules = shipped[shipped.index("[[alerts.rules]]") :]
    config = folder / "stress.toml"
    config.write_text(
        f'[storage]\ndata_dir = "{folder / "data"}"\nlock_timeout_seconds = 30\n\n'
        f'[sources]\nlocal = []\n\n[tagging]\ncatalog_dir = "{REPO / "catalog"}"\n'
        f'cache_dir = "{REPO / "data" / "cache"}"\nbatch_articles = {batch}\n\n'
        f'[validation]\nsuites_dir = "{REPO / "expectations"}"\nbuild_data_docs = false\n\n[alerts]\n{rules}',
        encoding="utf-8",
    )
    return config


def presswatch(config: Path, corpus: Path, db: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return subprocess.Popen(
        # --verbose: kill_during_run waits for Prefect's task log lines
        [sys.executable, "-m", "flows.cli", "run", "--verbose", "--config", str(config), "--db", str(db)]
        + ["--source", str(corpus)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the kill takes the Prefect server with it
    )


def run_to_end(config: Path, corpus: Path, db: Path, timeout: float = 600) -> float:
    started = time.monotonic()
    proc = presswatch(config, corpus, db)
    out, _ = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"run failed ({proc.returncode}):\n{out[-3000:]}")
    return time.monotonic() - started


def kill_during_run(config: Path, corpus: Path, db: Path, rng: random.Random) -> str:
    """Start a run, wait until it is tagging or loading, then SIGKILL it at a random moment."""
    proc = presswatch(config, corpus, db)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + 300
    while not any("Task run 'prepare_batch" in ln for ln in lines):
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    delay = rng.uniform(0.0, 8.0)
    time.sleep(delay)
    finished = proc.poll() is not None
    if not finished:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return f"killed {delay:.1f} s after tagging began" if not finished else "run finished before the kill"


def trial(index: int, corpus: Path, config: Path, reference: dict, rng: random.Random, work: Path) -> tuple[int, int]:
    db = work / f"trial-{index}.duckdb"
    what = kill_during_run(config, corpus, db, rng)
    run_to_end(config, corpus, db)
    got = content_fingerprint(db)
    problems = integrity_problems(db)
    lost = len(set(reference["articles"]) - set(got["articles"])) + len(set(reference["alerts"]) - set(got["alerts"]))
    duplicated = sum(int(p.rsplit(":", 1)[1]) for p in problems)
    duplicated += max(got["mentions"] - reference["mentions"], 0)
    lost += max(reference["mentions"] - got["mentions"], 0)
    print(f"trial {index}: {what}; after rerun: lost {lost}, duplicated {duplicated} {problems or ''}", flush=True)
    return lost, duplicated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--articles", type=int, default=120)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="presswatch-stress-"))
    try:
        corpus = make_corpus(work / "corpus", args.articles)
        config = write_config(work, args.batch)
        seconds = run_to_end(config, corpus, work / "reference.duckdb")
        reference = content_fingerprint(work / "reference.duckdb")
        print(
            f"reference run: {len(reference['articles'])} articles, {reference['mentions']} mentions, "
            f"{len(reference['alerts'])} alerts in {seconds:.0f} s"
        )
        totals = [trial(i + 1, corpus, config, reference, rng, work) for i in range(args.trials)]
        lost = sum(t[0] for t in totals)
        duplicated = sum(t[1] for t in totals)
        print(f"trials {args.trials}, lost {lost}, duplicated {duplicated}")
        return 0 if lost == 0 and duplicated == 0 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
