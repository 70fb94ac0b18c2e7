"""Score presswatch's tagging against gold annotations: P/R/F1 for actors and locations.

    python bench/eval_tagging.py --gold ../shared/gold/seeds.jsonl --texts seeds
    python bench/eval_tagging.py --gold tests/labelled/tagging/gold.jsonl --texts tests/labelled/tagging

Runs the real pipeline steps (read -> clean -> tag -> resolve) on each gold file and prints per-article
and overall scores, with the misses and false positives listed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.config import load_settings  # noqa: E402
from flows.evaluation import read_jsonl, score_tagging, tag_files  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", required=True, type=Path)
    parser.add_argument("--texts", required=True, type=Path)
    parser.add_argument("--config")
    args = parser.parse_args()
    settings = load_settings(args.config)
    rows = read_jsonl(args.gold)
    started = time.perf_counter()
    tagged = tag_files([args.texts / row["file"] for row in rows], settings)
    elapsed = time.perf_counter() - started
    for row, result in zip(rows, tagged, strict=True):
        per = score_tagging([row], [result])
        print(
            f"{row['file']:<48} actors P {per['actor'].precision:.2f} R {per['actor'].recall:.2f}"
            f"   locations P {per['location'].precision:.2f} R {per['location'].recall:.2f}"
        )
    words = sum(len(t.article.text.split()) for t in tagged)
    print(f"\ntagged {len(tagged)} articles ({words} words) in {elapsed:.2f} s, including model and index load\n")
    for kind, s in score_tagging(rows, tagged).items():
        print(f"OVERALL {kind:<9} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}  (tp {s.tp} fp {s.fp} fn {s.fn})")
        for article, name in s.misses:
            print(f"   miss  {kind:<9} {article}: {name}")
        for article, name in s.false_positives:
            print(f"   extra {kind:<9} {article}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
