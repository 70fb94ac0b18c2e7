"""Precision and recall of an alert rule on a labelled set of relevant articles and near-misses.

python bench/eval_alerts.py [--labels tests/labelled/alerts/labels.jsonl] [--rule armenia-russia]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.config import load_settings  # noqa: E402
from flows.evaluation import alert_decisions, read_jsonl, tag_files  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--labels", type=Path, default=REPO / "tests/labelled/alerts/labels.jsonl")
    parser.add_argument("--rule", default="armenia-russia")
    parser.add_argument("--config")
    args = parser.parse_args()
    settings = load_settings(args.config)
    rows = read_jsonl(args.labels)
    tagged = tag_files([args.labels.parent / r["file"] for r in rows], settings)
    fired = alert_decisions(tagged, settings, args.rule)
    tp = sum(f and r["relevant"] for f, r in zip(fired, rows, strict=True))
    fp = sum(f and not r["relevant"] for f, r in zip(fired, rows, strict=True))
    fn = sum(not f and r["relevant"] for f, r in zip(fired, rows, strict=True))
    for f, r in zip(fired, rows, strict=True):
        if f != r["relevant"]:
            kind = "missed" if r["relevant"] else "false alarm"
            print(f"  {kind:<12} {r['file']} ({r.get('language', '?')}, {r.get('kind', '')})")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"rule {args.rule}: {len(rows)} articles, {tp + fn} relevant")
    print(f"precision {precision:.3f}  recall {recall:.3f}  (tp {tp} fp {fp} fn {fn})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
