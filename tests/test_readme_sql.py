"""The README's ad hoc SQL works with the pinned duckdb CLI on a database the pipeline wrote."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def _readme_queries() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.DOTALL)
    return [
        q.strip()
        for block in blocks
        for q in block.split(";")
        if q.strip() and not q.strip().startswith("--") or q.strip().count("\n")
    ]


def test_readme_queries_run_in_the_duckdb_cli(seeded):
    _config, db, _summary = seeded
    queries = _readme_queries()
    assert len(queries) >= 3
    outputs = []
    for query in queries:
        result = subprocess.run(
            [str(DUCKDB_CLI), "-readonly", "-csv", str(db), "-c", query], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr
        outputs.append(list(csv.reader(io.StringIO(result.stdout))))
    assert len(outputs[0]) == 1 + 5  # header + every seed mentions Pashinyan
    assert ["Russia", "5"] in outputs[1]
    assert len(outputs[2]) == 1 + 5  # one open alert per seed
