"""Alert bookkeeping after load: acknowledgement (and, later, notifications)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from flows import store


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
