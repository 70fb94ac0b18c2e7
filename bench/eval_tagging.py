"""Score presswatch's tagging against gold annotations: P/R/F1 for actors and locations.

    python bench/eval_tagging.py --gold ../shared/gold/seeds.jsonl --texts seeds

Runs the real pipeline steps (clean -> tag -> resolve) on each gold file and prints per-article and
overall scores, with the misses and false positives listed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flows.config import load_settings  # noqa: E402
from flows.sources import read_local_article  # noqa: E402
from flows.tagging import TaggingSetup, tag_articles  # noqa: E402
from transforms.prepare import prepare_article  # noqa: E402
from transforms.records import Quarantined  # noqa: E402
from transforms.scoring import Score, ignored_names  # noqa: E402


def evaluate(gold_path: Path, texts: Path, config: str | None = None) -> dict[str, Score]:
    settings = load_settings(config)
    t = settings.tagging
    setup = TaggingSetup(
        t.model,
        str(settings.path(t.catalog_dir)),
        t.min_city_population,
        str(settings.data_dir / "cache"),
        t.nlp_batch_size,
        1,
    )
    rows = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    articles = []
    for row in rows:
        item = read_local_article(texts / row["file"], datetime.now(UTC), 10_000_000)
        item = item if isinstance(item, Quarantined) else prepare_article(item)
        if isinstance(item, Quarantined):
            raise SystemExit(f"{row['file']}: {item.reason}")
        articles.append(item)
    started = time.perf_counter()
    tagged = tag_articles(articles, setup)
    elapsed = time.perf_counter() - started
    scores = {"actor": Score(), "location": Score()}
    for row, result in zip(rows, tagged, strict=True):
        names = {e.entity_id: e for e in result.entities}
        ignored = ignored_names(row)
        for kind, key in (("actor", "actors"), ("location", "locations")):
            predicted = {names[m.entity_id].name for m in result.mentions if names[m.entity_id].kind == kind}
            per = Score()
            per.add(row["file"], predicted, set(row.get(key, [])), ignored)
            scores[kind].add(row["file"], predicted, set(row.get(key, [])), ignored)
            print(f"{row['file']:<40} {kind:<9} P {per.precision:.2f} R {per.recall:.2f} F1 {per.f1:.2f}")
    words = sum(len(a.text.split()) for a in articles)
    print(f"\ntagged {len(articles)} articles ({words} words) in {elapsed:.2f} s (incl. model/index load)")
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--gold", required=True, type=Path)
    parser.add_argument("--texts", required=True, type=Path)
    parser.add_argument("--config")
    args = parser.parse_args()
    scores = evaluate(args.gold, args.texts, args.config)
    print()
    for kind, s in scores.items():
        print(f"OVERALL {kind:<9} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}  (tp {s.tp} fp {s.fp} fn {s.fn})")
        for article, name in s.misses:
            print(f"   miss  {kind:<9} {article}: {name}")
        for article, name in s.false_positives:
            print(f"   extra {kind:<9} {article}: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
