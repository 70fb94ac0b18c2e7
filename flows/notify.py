"""Notifications: each alert is sent once to each Apprise target, after its article is committed.

The `notifications` table records every target's outcome, so a rerun sends nothing twice, and a
failing target is retried on the next run until it succeeds or runs out of attempts; the alert
itself is never lost (it is already in the database).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flows import store


@dataclass
class NotifyReport:
    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def target_key(url: str) -> str:
    """Apprise URLs carry tokens and passwords: store a fingerprint, never the URL."""
    return hashlib.sha256(url.encode()).hexdigest()[:16]


def _pending(db_path: Path, targets: list[str], attempts: int, max_age_hours: int) -> list[tuple]:
    with store.writing(db_path) as con:
        return pending_notifications(con, targets, attempts, max_age_hours)


def pending_notifications(con, targets: list[str], attempts: int, max_age_hours: int) -> list[tuple]:
    """(alert, target, attempts so far, and what the message needs) for each notification still to send."""
    since = datetime.now(UTC) - timedelta(hours=max_age_hours)
    keys = [target_key(t) for t in targets]
    return con.execute(
        "SELECT al.alert_id, t.target, coalesce(n.attempts, 0), al.rule, a.title, a.url, al.evidence, al.score"
        " FROM alerts al JOIN articles a USING (article_id)"
        " CROSS JOIN (SELECT unnest($1) AS target) t"
        " LEFT JOIN notifications n ON n.alert_id = al.alert_id AND n.target = t.target"
        " WHERE al.created_at >= $2 AND coalesce(n.status, '') <> 'sent' AND coalesce(n.attempts, 0) < $3"
        " ORDER BY al.created_at",
        [keys, since, attempts],
    ).fetchall()


def _record(db_path: Path, alert_id: str, target: str, ok: bool, attempts: int, error: str | None) -> None:
    with store.writing(db_path) as con:
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM notifications WHERE alert_id = $1 AND target = $2", [alert_id, target])
        con.execute(
            "INSERT INTO notifications VALUES ($1, $2, $3, $4, $5, $6)",
            [alert_id, target, "sent" if ok else "failed", attempts, error, datetime.now(UTC)],
        )
        con.execute("COMMIT")


def message_for(rule: str, title: str | None, url: str, evidence: str | None, score: float | None) -> tuple[str, str]:
    subject = f"presswatch [{rule}] {title or url}"[:200]
    body = f"{title or ''}\n{url}\n\n{(evidence or '')[:1500]}\n\nscore {score or 0:.1f}"
    return subject, body


def send_pending_notifications(db_path: Path, targets: list[str], attempts: int, max_age_hours: int) -> NotifyReport:
    """Send every alert not yet delivered to each target; one try per target per run, recorded."""
    report = NotifyReport()
    if not targets:
        return report
    import apprise

    by_key = {target_key(t): t for t in targets}
    for alert_id, key, tried, rule, title, url, evidence, score in _pending(db_path, targets, attempts, max_age_hours):
        notifier = apprise.Apprise()
        if not notifier.add(by_key[key]):
            _record(db_path, alert_id, key, False, attempts, "not a valid Apprise URL")
            report.failed += 1
            report.errors.append(f"notification target #{key} is not a valid Apprise URL; fix [alerts] notify")
            continue
        subject, body = message_for(rule, title, url, evidence, score)
        ok = notifier.notify(title=subject, body=body)
        if not ok:
            time.sleep(0.5)  # one quick retry for a transient failure; later runs retry again
            ok = notifier.notify(title=subject, body=body)
        _record(db_path, alert_id, key, ok, tried + 1, None if ok else "target did not accept the notification")
        if ok:
            report.sent += 1
        else:
            report.failed += 1
            left = attempts - tried - 1
            report.errors.append(
                f"notification of alert {alert_id} to target #{key} failed ({left} attempt(s) left on later runs)"
            )
    return report
