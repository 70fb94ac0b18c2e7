"""Run the real clean -> tag -> resolve -> alert steps over labelled files, for the bench scripts and tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from flows.config import Settings
from flows.sources import read_local_article
from flows.tagging import setup_for, tag_articles
from transforms.alerts import RuleSpec, compile_rule, evaluate_rule
from transforms.prepare import prepare_article
from transforms.records import Quarantined, TaggedArticle
from transforms.scoring import Score, ignored_names


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def tag_files(paths: list[Path], settings: Settings) -> list[TaggedArticle]:
    articles = []
    for path in paths:
        item = read_local_article(path, datetime.now(UTC), 10_000_000)
        item = item if isinstance(item, Quarantined) else prepare_article(item)
        if isinstance(item, Quarantined):
            raise ValueError(f"{path.name}: {item.reason}")
        articles.append(item)
    return tag_articles(articles, setup_for(settings))


def score_tagging(rows: list[dict], tagged: list[TaggedArticle]) -> dict[str, Score]:
    """Per-kind set scores of canonical names against gold rows (same order as `tagged`)."""
    scores = {"actor": Score(), "location": Score()}
    for row, result in zip(rows, tagged, strict=True):
        names = {e.entity_id: e for e in result.entities}
        for kind, key in (("actor", "actors"), ("location", "locations")):
            predicted = {names[m.entity_id].name for m in result.mentions if names[m.entity_id].kind == kind}
            scores[kind].add(row["file"], predicted, set(row.get(key, [])), ignored_names(row))
    return scores


def alert_decisions(tagged: list[TaggedArticle], settings: Settings, rule_name: str) -> list[bool]:
    rule = next(r for r in settings.alerts.rules if r.name == rule_name)
    compiled = compile_rule(RuleSpec.from_mapping(rule.model_dump()))
    decisions = []
    for t in tagged:
        names = {e.entity_id: e.name for e in t.entities}
        decisions.append(evaluate_rule(compiled, t, names) is not None)
    return decisions
