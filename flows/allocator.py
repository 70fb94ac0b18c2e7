"""How presswatch's processes keep freed memory, or give it back, where the defaults do the opposite.

Tagging processes keep it (`keep_freed_memory`). Each `nlp.pipe` batch allocates tens of MB of
arrays (the NER model's windows and maxout layers) and frees them again. With glibc's default
settings the heap shrinks back after every batch and grows again on the next one, and every regrown
page is a kernel page fault that zeroes 4 KB: measured with `en_core_web_sm`, 16 texts a batch, ~600
words a text, 1.2-1.3 million minor faults and 1.2-1.5 s of system time per 256 articles per process
(10 % of the process's CPU). Raising the trim and mmap thresholds above that working set removes
almost all of them (~300 faults, 0.0 s system time) for ~60 MB more resident memory per tagging
process. glibc only (Linux); elsewhere, or when the C library has no `mallopt`, this does nothing.

The flow process gives pyarrow's back (`give_back_arrow_memory`): it builds a few Arrow tables per
batch and then holds nothing of them until the next batch.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

M_TRIM_THRESHOLD = -1  # glibc's malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc's ceiling for M_MMAP_THRESHOLD on 64-bit systems


@lru_cache(maxsize=1)
def _libc():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def keep_freed_memory(megabytes: int) -> bool:
    """Let this process's heap keep up to `megabytes` of freed memory; True when glibc took it.

    Call it before the large allocations start (fork children inherit it). 0 leaves glibc's defaults."""
    if megabytes <= 0:
        return False
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return False
    size = megabytes * 1024 * 1024
    # arrays up to 32 MB come from the heap (not their own mmap, unmapped on free), and the heap's
    # top is given back only when more than `size` of it is free
    return bool(mallopt(M_MMAP_THRESHOLD, min(size, MMAP_THRESHOLD_MAX))) and bool(mallopt(M_TRIM_THRESHOLD, size))


def give_back_arrow_memory() -> None:
    """Return the memory pyarrow's allocator keeps after freeing tables (mimalloc in the Linux wheels).

    Every batch builds Arrow tables of its articles, mentions and stories for DuckDB and GX, and
    mimalloc keeps their pages for reuse: 144 MB retained after freeing 60 tables of 512 articles,
    28 MB after this call. Called by the flow process after each batch."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
