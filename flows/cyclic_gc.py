"""Python's cyclic garbage collector told to skip what a run imported, in `presswatch run` only.

After Prefect, pandas and Great Expectations are imported the flow process holds ~530,000 objects
that the collector tracks (modules, classes, functions, GX's expectation registry). None of them
ever becomes garbage, yet every full collection walks them all: in a 5,000-article run 10 full
collections cost 2.5 s of CPU (measured with `gc.callbacks`), taken from the tagging processes on a
busy 2-core machine. `gc.freeze()` moves the objects alive at that moment out of the collector's
sight: the same run's 16 full collections then cost 1.0 s.

Only a process that runs one flow and exits freezes: a frozen object is never collected by the
cycle collector, so a cycle of frozen objects that becomes garbage stays until the process ends.
Reference counting frees everything else as before.
"""

from __future__ import annotations

import gc

_freezing = False


def freeze_for_this_run() -> None:
    """Freeze what is imported now, and from now on what heavy imports add (`freeze_after_import`)."""
    global _freezing
    _freezing = True
    gc.freeze()


def freeze_after_import() -> None:
    """After a heavy import (GX): freeze its objects too, in a process that asked for it."""
    if _freezing:
        gc.freeze()
