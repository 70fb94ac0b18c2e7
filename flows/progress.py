"""How far a run has got (fetch, tag, store), for the terminal of `presswatch run`.

The flow reports each step here; nothing is shown unless the command listens (`showing_progress`), so a
scheduled run reports only through Prefect's logs. On a terminal the command shows rich progress bars,
which vanish before the summary; otherwise (tests, CI, a pipe) one plain line per stored batch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class ProgressListener(Protocol):
    def feeds_started(self, feeds: int) -> None: ...
    def feed_fetched(self) -> None: ...
    def inputs_planned(self, inputs: int, batches: int) -> None: ...
    def batch_tagged(self, inputs: int) -> None: ...
    def batch_stored(self, inputs: int) -> None: ...


_listener: ProgressListener | None = None


def feeds_started(feeds: int) -> None:
    if _listener is not None and feeds:
        _listener.feeds_started(feeds)


def feed_fetched() -> None:
    if _listener is not None:
        _listener.feed_fetched()


def inputs_planned(inputs: int, batches: int) -> None:
    if _listener is not None and inputs:
        _listener.inputs_planned(inputs, batches)


def batch_tagged(inputs: int) -> None:
    if _listener is not None:
        _listener.batch_tagged(inputs)


def batch_stored(inputs: int) -> None:
    if _listener is not None:
        _listener.batch_stored(inputs)


def _line(text: str) -> None:
    """Straight to stdout: inside the flow `print` is Prefect's (log_prints), which would log it instead."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class PlainLines:
    """One line per stored batch: readable in a log file or a test's captured output."""

    def __init__(self) -> None:
        self.total = self.done = self.batches = self.batch = 0

    def feeds_started(self, feeds: int) -> None:
        _line(f"presswatch: fetching {feeds} feed(s) that are due ...")

    def feed_fetched(self) -> None:
        pass  # the summary lists every feed and failure

    def inputs_planned(self, inputs: int, batches: int) -> None:
        self.total, self.batches = inputs, batches
        _line(f"presswatch: {inputs:,} new or changed input(s) to read, tag and store")

    def batch_tagged(self, inputs: int) -> None:
        pass

    def batch_stored(self, inputs: int) -> None:
        self.done += inputs
        self.batch += 1
        if self.batches > 1:
            _line(f"presswatch: batch {self.batch}/{self.batches} stored ({self.done:,}/{self.total:,} inputs)")


class ProgressBars:
    """rich progress bars on a terminal: feeds, then articles tagged and stored, with time left."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        )
        self.feeds = self.tag = self.store = None

    def feeds_started(self, feeds: int) -> None:
        self.progress.start()
        self.feeds = self.progress.add_task("fetch", total=feeds)

    def feed_fetched(self) -> None:
        if self.feeds is not None:
            self.progress.advance(self.feeds)

    def inputs_planned(self, inputs: int, batches: int) -> None:
        self.progress.start()
        self.tag = self.progress.add_task("tag", total=inputs)
        self.store = self.progress.add_task("store", total=inputs)

    def batch_tagged(self, inputs: int) -> None:
        if self.tag is not None:
            self.progress.advance(self.tag, inputs)

    def batch_stored(self, inputs: int) -> None:
        if self.store is not None:
            self.progress.advance(self.store, inputs)

    def close(self) -> None:
        self.progress.stop()


@contextmanager
def showing_progress() -> Iterator[None]:
    """Report this process's run on the terminal (bars) or as plain lines (anything else)."""
    global _listener
    bars = ProgressBars() if sys.stdout.isatty() else None
    _listener = bars or PlainLines()
    try:
        yield
    finally:
        _listener = None
        if bars is not None:
            bars.close()
