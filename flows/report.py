"""How a run is reported: the terminal summary and the Prefect markdown artifact say the same things."""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.config import Settings

# New alerts the run summary lists by name (terminal and Prefect artifact); the rest are counted. A first
# run over a big archive raises tens of thousands (~16,000 for 20,000 generated articles): listing them
# all held their evidence text in the flow process for the whole run (tracemalloc: 10.6 MB after
# 16,000 articles) and posted an artifact of one line each. The alerts table and the dashboard have them all.
ALERTS_LISTED = 25


@dataclass
class RunSummary:
    run_id: str
    db_path: str
    new: int = 0
    duplicate: int = 0
    quarantined: int = 0
    unchanged_files: int = 0  # local files with the same size and mtime as when last read: not read again
    mentions: int = 0
    entities: int = 0
    alerts: int = 0
    feeds_ok: int = 0
    feeds_failed: int = 0
    feed_errors: list[str] = field(default_factory=list)
    validation_success: bool | None = None
    new_alerts: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, title, evidence), the first ones
    alerts_not_listed: int = 0  # new alerts beyond ALERTS_LISTED
    notifications_sent: int = 0
    notification_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def list_alerts(self, alerts: list[tuple[str, str, str]]) -> None:
        room = max(ALERTS_LISTED - len(self.new_alerts), 0)
        self.new_alerts += alerts[:room]
        self.alerts_not_listed += len(alerts[room:])

    def list_spike_alerts(self, spikes: list[tuple[str, str, str]]) -> None:
        """Counted and listed ahead of the article alerts, whatever those took: one per spike rule at most."""
        self.alerts += len(spikes)
        self.new_alerts[:0] = spikes

    def counts(self) -> dict[str, int]:
        return {
            "new": self.new,
            "duplicate": self.duplicate,
            "quarantined": self.quarantined,
            "mentions": self.mentions,
            "alerts": self.alerts,
            "feeds_failed": self.feeds_failed,
        }


VALIDATION_TEXT = {True: "passed", False: "some rows failed (see quarantine)", None: "nothing new to validate"}


def print_summary(summary, settings: Settings, up=None, flow_run_id=None) -> None:
    """The run's summary; `up` is the record of a `presswatch up` the run was recorded on, if any."""
    s = summary
    print()
    print(f"presswatch run {s.run_id} finished in {s.seconds:.1f} s")
    print(f"  articles: {s.new} new, {s.duplicate} duplicate, {s.quarantined} quarantined")
    if s.unchanged_files:
        print(f"  local files unchanged since last read (skipped): {s.unchanged_files}")
    print(f"  entities tagged: {s.entities} ({s.mentions} mentions)")
    print(f"  alerts raised: {s.alerts}")
    for rule, title, _evidence in s.new_alerts[:10]:
        print(f"    [{rule}] {title[:100]}")
    more = len(s.new_alerts[10:]) + s.alerts_not_listed
    if more:
        print(f"    … and {more} more (alerts table, or the dashboard's Overview page)")
    if s.feeds_ok or s.feeds_failed:
        print(f"  feeds: {s.feeds_ok} fetched, {s.feeds_failed} failed")
        for error in s.feed_errors:
            print(f"    {error}")
    if s.notifications_sent or s.notification_errors:
        print(f"  notifications: {s.notifications_sent} sent, {len(s.notification_errors)} failed")
        for error in s.notification_errors[:5]:
            print(f"    {error}")
    print(f"  validation: {VALIDATION_TEXT[s.validation_success]}")
    print(f"  database: {s.db_path}")
    if up is not None:
        print(f"  dashboard: {up.dashboard} (presswatch up is running)")
        if flow_run_id:
            print(f"  Prefect: {up.prefect_ui}/runs/flow-run/{flow_run_id}")
    else:
        print(
            f"  dashboard: `make up` (or `presswatch up`) keeps it running with scheduled runs, then open "
            f"http://{settings.dashboard.host}:{settings.dashboard.port}"
        )


def summary_markdown(s) -> str:
    lines = [
        f"# presswatch run `{s.run_id}`",
        "",
        "| articles new | duplicate | quarantined | mentions | entities | alerts | feeds ok | feeds failed |",
        "|---|---|---|---|---|---|---|---|",
        f"| {s.new} | {s.duplicate} | {s.quarantined} | {s.mentions} | {s.entities} | {s.alerts} | {s.feeds_ok} |"
        f" {s.feeds_failed} |",
        "",
        f"Validation: {VALIDATION_TEXT[s.validation_success]}",
    ]
    if s.unchanged_files:
        lines += ["", f"Local files unchanged since last read (skipped): {s.unchanged_files}"]
    if s.new_alerts:
        lines += ["", "## New alerts", ""]
        lines += [f"- **{rule}** — {title}: _{evidence[:300]}_" for rule, title, evidence in s.new_alerts]
        if s.alerts_not_listed:
            lines += [f"- … and {s.alerts_not_listed} more: see the `alerts` table or the dashboard's Overview page"]
    if s.feed_errors:
        lines += ["", "## Feed problems", ""] + [f"- {e}" for e in s.feed_errors]
    return "\n".join(lines)
