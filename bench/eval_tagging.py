"""Score presswatch's tagging and Armenia-Russia alerts against labelled sets, per language.

    python bench/eval_tagging.py tests/labelled/tagging tests/labelled/wire tests/labelled/holdout
    python bench/eval_tagging.py --details tests/labelled/wire        # also every miss and false positive
    python bench/eval_tagging.py --gold ../shared/gold/seeds.jsonl --texts seeds

Each set is a folder with the article files and `gold.jsonl` (format: tests/labelled/tagging/README.md).
Runs the real pipeline steps (read -> clean -> tag -> resolve -> alert rule) and prints actor and
location precision/recall/F1 per set and language (the gold's `language`, else the detected one), and
the alert rule's precision/recall where the gold says which articles are Armenia-Russia coverage.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.config import load_settings  # noqa: E402
from flows.evaluation import alert_decisions, read_jsonl, score_tagging, tag_files  # noqa: E402
from transforms.scoring import Score  # noqa: E402

RULE = "armenia-russia"


def _figures(s: Score) -> str:
    return f"{s.precision:.2f} {s.recall:.2f} {s.f1:.2f}"


def _alert_figures(pairs: list[tuple[bool, bool]]) -> str:
    if not pairs:
        return "-"
    tp = sum(f and g for f, g in pairs)
    fp = sum(f and not g for f, g in pairs)
    fn = sum(g and not f for f, g in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return f"{precision:.2f} {recall:.2f} ({tp + fn} relevant, fp {fp}, fn {fn})"


MARKDOWN_ROWS: list[str] = []


def evaluate(name: str, texts: Path, gold: Path, settings, details: bool) -> None:
    rows = read_jsonl(gold)
    started = time.perf_counter()
    tagged = tag_files([texts / row["file"] for row in rows], settings)
    elapsed = time.perf_counter() - started
    fired = alert_decisions(tagged, settings, RULE)
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, (row, t) in enumerate(zip(rows, tagged, strict=True)):
        by_language[row.get("language") or t.article.language or "?"].append(i)
    print(f"\n{name}: {len(rows)} articles, tagged in {elapsed:.1f} s (model and index loads included)")
    print(f"  {'language':<9}{'n':>4}   actors P R F1      locations P R F1   {RULE} alerts P R")
    groups = sorted(by_language.items()) + ([("all", list(range(len(rows))))] if len(by_language) > 1 else [])
    for language, picked in groups:
        scores = score_tagging([rows[i] for i in picked], [tagged[i] for i in picked])
        alerts = [(fired[i], rows[i]["armenia_russia"]) for i in picked if "armenia_russia" in rows[i]]
        print(
            f"  {language:<9}{len(picked):>4}   {_figures(scores['actor'])}     "
            f"{_figures(scores['location'])}     {_alert_figures(alerts)}"
        )
        cells = [_figures(scores["actor"]), _figures(scores["location"]), _alert_figures(alerts).split(" (")[0]]
        MARKDOWN_ROWS.append(
            f"| {name} | {language} | {len(picked)} | " + " | ".join(c.replace(" ", " / ") for c in cells) + " |"
        )
    if details:
        for kind, s in score_tagging(rows, tagged).items():
            for article, missed in s.misses:
                print(f"   miss  {kind:<9} {article}: {missed}")
            for article, extra in s.false_positives:
                print(f"   extra {kind:<9} {article}: {extra}")
        for f, row in zip(fired, rows, strict=True):
            if "armenia_russia" in row and f != row["armenia_russia"]:
                print(f"   alert {'missed' if row['armenia_russia'] else 'false alarm'}: {row['file']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sets", nargs="*", type=Path, help="folders holding articles and gold.jsonl")
    parser.add_argument("--gold", type=Path, help="a gold file whose articles are in --texts")
    parser.add_argument("--texts", type=Path)
    parser.add_argument("--details", action="store_true", help="list every miss, false positive and wrong alert")
    parser.add_argument("--markdown", action="store_true", help="also print the figures as a Markdown table")
    parser.add_argument("--config")
    args = parser.parse_args()
    if not args.sets and not (args.gold and args.texts):
        parser.error("give labelled set folders, or --gold with --texts")
    settings = load_settings(args.config)
    for folder in args.sets:
        evaluate(folder.name, folder, folder / "gold.jsonl", settings, args.details)
    if args.gold and args.texts:
        evaluate(args.gold.name, args.texts, args.gold, settings, args.details)
    if args.markdown:
        print("\n| set | language | articles | actors P / R / F1 | locations P / R / F1 | alerts P / R |")
        print("|---|---|---|---|---|---|")
        print("\n".join(MARKDOWN_ROWS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
