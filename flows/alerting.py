"""Alert bookkeeping after load: acknowledgement and spike alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows import store
from transforms.spikes import Spike, detect_spike


def acknowledge_alerts(db_path: Path, alert_ids: list[str], *, everything: bool = False) -> int:
    """Mark alerts as read; returns how many changed."""
    with store.writing(db_path) as con:
        if everything:
            sql, params = "UPDATE alerts SET acknowledged_at = $1 WHERE acknowledged_at IS NULL", [datetime.now(UTC)]
        else:
            sql = (
                "UPDATE alerts SET acknowledged_at = $1"
                " WHERE acknowledged_at IS NULL AND alert_id IN (SELECT unnest($2))"
            )
            params = [datetime.now(UTC), list(alert_ids)]
        return con.execute(sql, params).fetchone()[0]


def raise_spike_alerts(
    db_path: Path,
    rules: list[str],
    window_hours: int,
    baseline_days: int,
    factor: float,
    min_articles: int,
    now: datetime | None = None,
) -> list[Spike]:
    """Store one `spike:<rule>` alert per rule and window when coverage jumps; returns the new ones."""
    now = now or datetime.now(UTC)
    hour = now.replace(minute=0, second=0, microsecond=0)
    window_start = hour - timedelta(hours=hour.hour % window_hours)
    baseline_from = window_start - timedelta(days=baseline_days)
    new: list[Spike] = []
    with store.writing(db_path) as con:
        oldest = con.execute("SELECT min(coalesce(published_at, fetched_at)) FROM articles").fetchone()[0]
        if oldest is None or oldest > window_start - timedelta(days=baseline_days / 2):
            return []  # not enough history to know what normal coverage is (e.g. the first runs)
        for rule in rules:
            rows = con.execute(
                "SELECT a.article_id, coalesce(a.published_at, a.fetched_at) AS t FROM articles a"
                " WHERE a.story_id IN (SELECT story_id FROM alerts WHERE rule = $1)"
                " AND coalesce(a.published_at, a.fetched_at) >= $2",
                [rule, baseline_from],
            ).fetchall()
            in_window = [(aid, t) for aid, t in rows if t >= window_start]
            baseline_count = len(rows) - len(in_window)
            spike = detect_spike(
                rule,
                window_start,
                len(in_window),
                baseline_count,
                baseline_days * 24 / window_hours,
                factor,
                min_articles,
            )
            if spike is None:
                continue
            latest = max(in_window, key=lambda r: r[1])[0]
            inserted = con.execute(
                "INSERT INTO alerts (alert_id, rule, article_id, created_at, evidence, score, matched_entities)"
                " SELECT $1, $2, $3, $4, $5, $6, [] WHERE $1 NOT IN (SELECT alert_id FROM alerts)",
                [spike.alert_id, f"spike:{rule}", latest, now, spike.evidence, spike.factor],
            ).fetchone()[0]
            if inserted:
                new.append(spike)
    return new
