"""Spike detection, the way GDELT and Europe Media Monitor flag breaking stories.

A rule spikes when its articles in the last window exceed `factor` times the average count per
window over the baseline period, and at least `min_articles`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Spike:
    rule: str
    window_start: datetime
    count: int
    baseline: float
    factor: float

    @property
    def alert_id(self) -> str:
        key = f"spike\x00{self.rule}\x00{self.window_start.isoformat()}"
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    @property
    def evidence(self) -> str:
        return (
            f"{self.count} articles for '{self.rule}' in the window from {self.window_start:%Y-%m-%d %H:%M} UTC,"
            f" against a baseline of {self.baseline:.1f} per window (x{self.factor:.1f})"
        )


def detect_spike(
    rule: str,
    window_start: datetime,
    count: int,
    baseline_count: int,
    baseline_windows: float,
    factor: float,
    min_articles: int,
) -> Spike | None:
    baseline = baseline_count / baseline_windows if baseline_windows > 0 else 0.0
    if count < min_articles or count < factor * max(baseline, 1.0):
        return None
    return Spike(rule, window_start, count, baseline, count / max(baseline, 1.0))
