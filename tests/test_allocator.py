"""Tagging processes keep the memory spaCy frees, instead of faulting it back in every batch; the flow
process gives back what pyarrow keeps after a batch's tables are freed; `presswatch run` hides what it
imported from Python's cycle collector."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from flows.config import load_settings

REPO = Path(__file__).resolve().parent.parent

# Tags the seeds twice with the configured model and prints the minor page faults of the second pass.
_PROBE = """
import json, resource, sys
from pathlib import Path
from flows.allocator import keep_freed_memory
from flows.ner import load_nlp
keep_mb, model = int(sys.argv[1]), sys.argv[2]
set_ok = keep_freed_memory(keep_mb)
nlp = load_nlp(model)
texts = [p.read_text(encoding="utf-8") for p in sorted(Path("seeds").iterdir()) if p.is_file()] * 6
list(nlp.pipe(texts, batch_size=16))
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
list(nlp.pipe(texts, batch_size=16))
print(json.dumps({"set": set_ok, "faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before}))
"""


def _second_pass_faults(keep_mb: int) -> dict:
    model = load_settings(str(REPO / "presswatch.toml"), None).tagging.model
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(keep_mb), model], cwd=REPO, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_kept_memory_removes_the_page_faults_of_every_spacy_batch():
    default = _second_pass_faults(0)
    kept = _second_pass_faults(load_settings(str(REPO / "presswatch.toml"), None).tagging.keep_freed_mb)
    assert not default["set"] and kept["set"]
    # glibc's defaults give the heap back after each batch and fault it in again (thousands of 4 KB
    # pages per batch); kept, the second pass reuses the first one's pages
    assert default["faults"] > 5_000
    assert kept["faults"] < default["faults"] / 5, (default, kept)


def test_zero_leaves_the_allocator_alone():
    from flows.allocator import keep_freed_memory

    assert keep_freed_memory(0) is False


# Builds and frees Arrow tables the size of a few batches' articles; prints the resident MB it held
# after freeing them, and after give_back_arrow_memory.
_ARROW_PROBE = """
import json
import pyarrow as pa
from flows.allocator import give_back_arrow_memory
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
tables = [pa.table({"body": ["x" * 4000] * 512, "url": ["https://example.org/a"] * 512}) for _ in range(40)]
del tables
freed = rss_mb()
give_back_arrow_memory()
print(json.dumps({"freed": freed, "given_back": rss_mb()}))
"""


def test_flow_process_gives_back_the_memory_of_freed_arrow_tables():
    if not Path("/proc/self/statm").exists():
        import pytest

        pytest.skip("needs /proc (Linux)")
    out = subprocess.run([sys.executable, "-c", _ARROW_PROBE], cwd=REPO, capture_output=True, text=True, check=True)
    mb = json.loads(out.stdout.strip().splitlines()[-1])
    # 40 tables of 512 four-KB bodies are ~80 MB: freed, the allocator kept them; given back, they are gone
    assert mb["freed"] - mb["given_back"] > 40, mb


def test_only_a_process_that_asked_freezes_what_it_imported() -> None:
    """`presswatch run` freezes its imports for the cycle collector; any other process (the tests,
    the dashboard) keeps the collector as it is."""
    code = (
        "import gc, json; from flows import cyclic_gc as c; c.freeze_after_import(); before = gc.get_freeze_count();"
        " c.freeze_for_this_run(); asked = gc.get_freeze_count(); import email.parser; c.freeze_after_import();"
        " print(json.dumps([before, asked, gc.get_freeze_count(), len(gc.get_objects())]))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    before, asked, after_import, still_tracked = json.loads(done.stdout)
    assert before == 0
    assert asked > 1000 and still_tracked < asked
    assert after_import > asked  # what a later heavy import adds is frozen too
