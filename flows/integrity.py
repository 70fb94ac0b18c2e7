"""Database invariants that must hold after any run, crash or rerun: nothing duplicated or orphaned."""

from __future__ import annotations

from pathlib import Path

from flows import store

CHECKS = {
    "duplicate article ids": "SELECT count(*) - count(DISTINCT article_id) FROM articles",
    "duplicate article texts": "SELECT count(content_hash) - count(DISTINCT content_hash) FROM articles",
    "mentions without their article": (
        "SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)"
    ),
    "mentions without their entity": (
        "SELECT count(*) FROM mentions WHERE entity_id NOT IN (SELECT entity_id FROM entities)"
    ),
    "articles stored twice over (mentions)": (
        "SELECT count(*) FROM (SELECT article_id, entity_id, field, start_char, count(*) AS n FROM mentions"
        " GROUP BY ALL HAVING n > 1)"
    ),
    "alerts without their article": (
        "SELECT count(*) FROM alerts WHERE article_id NOT IN (SELECT article_id FROM articles)"
    ),
    "duplicate alerts": "SELECT count(*) - count(DISTINCT alert_id) FROM alerts",
    "two alerts for one rule and story": (
        "SELECT count(*) FROM (SELECT rule, story_id, count(*) AS n FROM alerts WHERE story_id IS NOT NULL"
        " GROUP BY ALL HAVING n > 1)"
    ),
    "duplicate notifications": (
        "SELECT count(*) FROM (SELECT alert_id, target, count(*) AS n FROM notifications GROUP BY ALL HAVING n > 1)"
    ),
}


def integrity_problems(db_path: Path) -> list[str]:
    """Each violated invariant as 'name: count'; empty when the database is sound."""
    con = store.connect(db_path, read_only=True)
    try:
        problems = []
        for name, sql in CHECKS.items():
            count = con.execute(sql).fetchone()[0]
            if count:
                problems.append(f"{name}: {count}")
        return problems
    finally:
        con.close()


def content_fingerprint(db_path: Path) -> dict[str, object]:
    """What a run stored, independent of run ids and times, to compare a crashed+rerun DB with a clean one."""
    con = store.connect(db_path, read_only=True)
    try:
        return {
            "articles": sorted(r[0] for r in con.execute("SELECT article_id FROM articles").fetchall()),
            "mentions": con.execute("SELECT count(*) FROM mentions").fetchone()[0],
            "entities": sorted(r[0] for r in con.execute("SELECT entity_id FROM entities").fetchall()),
            "alerts": sorted(r[0] for r in con.execute("SELECT alert_id FROM alerts").fetchall()),
        }
    finally:
        con.close()
