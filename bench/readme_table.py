"""Rewrite the benchmark table in README.md from the figures the bench scripts saved in bench/results/.

    .venv/bin/python bench/readme_table.py        # run by `make bench` after the three benchmarks

Only the lines between the `bench-table` markers change; a benchmark that has not been run yet
shows as "not measured yet".
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
README = REPO / "README.md"
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _when(r: dict) -> str:
    return f"{r['date']}, {r['machine']}, load {r['load_before']:.1f} before"


def rows() -> list[str]:
    out = []
    tp = _load("throughput")
    if tp:
        for k in (1, 2):
            f = tp.get(f"n{k}")
            if not f:
                continue
            each = f.get("raw_seconds_each") or []
            raw_note = (
                f"; raw = mean of {' and '.join(f'{x:.1f}' for x in each)} s, before and after the run"
                if len(each) > 1
                else ""
            )
            out.append(
                f"| full run vs raw `nlp.pipe`, {tp['articles']:,} articles, {k} process{'es' if k > 1 else ''} "
                f"| {f['ratio']:.3f} ({f['flow_words_per_s']:,.0f} vs {f['raw_words_per_s']:,.0f} words/s{raw_note}) "
                f"| ≥ 0.90: {_verdict(f['ratio'] >= 0.9)} | `bench/throughput.py` ({_when(tp)}) |"
            )
        if "speedup_2_vs_1" in tp:
            s = tp["speedup_2_vs_1"]
            out.append(
                f"| full run, 2 processes vs 1 | {s:.2f}× | ≥ 1.7×: {_verdict(s >= 1.7)} "
                f"| `bench/throughput.py` ({_when(tp)}) |"
            )
    else:
        out.append(
            "| full run vs raw `nlp.pipe`; 2 processes vs 1 | not measured yet | ≥ 0.90; ≥ 1.7× | `make bench` |"
        )
    noop = _load("noop")
    if noop:
        heavy = noop["heavy_modules_loaded"]
        gx_or_spacy = [m for m in heavy if m.startswith(("spaCy", "Great Expectations"))]
        loaded = (", ".join(gx_or_spacy) + " imported") if gx_or_spacy else "spaCy and GX not imported"
        cli = f"; as commands {noop['cli_ratio']:.2f}" if noop.get("cli_ratio") else ""
        out.append(
            f"| run with nothing new vs hello-world flow ({noop['articles']:,} unchanged articles) "
            f"| {noop['ratio']:.2f} ({noop['noop_seconds']:.2f} vs {noop['hello_seconds']:.2f} s{cli}); {loaded} "
            f"| ≤ 1.5: {_verdict(noop['ratio'] <= 1.5)} | `bench/noop.py` ({_when(noop)}) |"
        )
    else:
        out.append("| run with nothing new vs hello-world flow | not measured yet | ≤ 1.5 | `make bench` |")
    if noop and noop.get("cli_quiet_with_up_seconds") is not None:
        by_hand = noop["cli_quiet_with_up_seconds"]
        alone = noop.get("cli_quiet_alone_seconds")
        flow_up, flow_own = noop.get("cli_flow_with_up_seconds"), noop.get("cli_flow_temporary_server_seconds")
        hello = noop.get("cli_hello_with_up_seconds")
        detail = (
            f"; alone {alone:.2f} s; with a flow run (`--always-flow`) {flow_up:.2f} s beside `up`, {flow_own:.2f} s"
            f" with its own temporary Prefect server; a one-task hello-world flow against `up`'s server {hello:.2f} s"
            if None not in (alone, flow_up, flow_own, hello)
            else ""
        )
        out.append(
            f"| `presswatch run` with nothing new, beside a running `presswatch up` | {by_hand:.2f} s wall (no flow"
            f" run when nothing changed{detail}) | ≤ 2 s: {_verdict(by_hand <= 2)} | `bench/noop.py` ({_when(noop)}) |"
        )
        ready, stop = noop["up_ready_seconds"], noop["up_stop_seconds"]
        out.append(
            f"| `presswatch up`, start to ready (dashboard answers, deployment listed) | {ready:.1f} s"
            f" (stops {stop:.1f} s after Ctrl-C) | ≤ 60 s: {_verdict(ready <= 60)} | `bench/noop.py` ({_when(noop)}) |"
        )
    else:
        out.append(
            "| `presswatch run` with nothing new, beside `presswatch up` | not measured yet | ≤ 2 s | `make bench` |"
        )
    ru = _load("throughput_ru")
    if ru and "n2" in ru:
        runs = [(k, ru[f"n{k}"]) for k in (1, 2) if f"n{k}" in ru]

        def ru_figure(k: int, r: dict) -> str:
            figure = f"{k} process{'es' if k > 1 else ''} {r['ratio']:.2f}"
            if "ratio_to_sorted" in r:  # slovnet handed the texts shortest first, as presswatch does
                figure += f" / {r['ratio_to_sorted']:.2f}"
            return figure + f" ({r['flow_words_per_s']:,.0f} words/s)"

        sorted_known = all("ratio_to_sorted" in r for _, r in runs)
        judged = [r["ratio_to_sorted"] if sorted_known else r["ratio"] for _, r in runs]
        out.append(
            f"| Russian: full run vs the Russian NER alone (slovnet), {ru['articles']:,} articles"
            + (" (vs slovnet in corpus order / shortest first, as presswatch calls it)" if sorted_known else "")
            + f" | {'; '.join(ru_figure(k, r) for k, r in runs)} "
            f"| ≥ 0.85: {_verdict(min(judged) >= 0.85)}{' (shortest first)' if sorted_known else ''} "
            f"| `bench/throughput.py --language ru` ({_when(ru)}) |"
        )
    mem = _load("memory")
    if mem:
        out.append(
            f"| peak memory, {mem['articles']:,} articles, n_process {mem['n_process']} "
            f"| PSS {mem['peak_pss_mb'] / 1e3:.2f} GB, RSS summed over {mem['processes']} processes "
            f"{mem['peak_rss_mb'] / 1e3:.2f} GB | ≤ 1.5 GB: {_verdict(mem['peak_pss_mb'] <= 1500)} (PSS) "
            f"| `bench/memory.py` ({_when(mem)}) |"
        )
    else:
        out.append("| peak memory at 50,000 articles | not measured yet | ≤ 1.5 GB | `make bench` |")
    return out


def main() -> int:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"README.md has no {START} … {END} markers", file=sys.stderr)
        return 1
    body = "\n".join(["| figure | measured | target | how (date, machine) |", "|---|---|---|---|", *rows()])
    new = re.sub(re.escape(START) + ".*?" + re.escape(END), f"{START}\n{body}\n{END}", text, flags=re.S)
    README.write_text(new, encoding="utf-8")
    print(body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
