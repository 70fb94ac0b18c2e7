"""DuckLake storage: the same tables in Parquet files with a SQL catalog, for many writers and readers.

A database path ending in `.lake.sqlite` selects it: the catalog is that SQLite file and the data
files live in the folder beside it (`<name>.files/`). With PostgreSQL as the catalog and object
storage for the files (README, "Scaling"), writers on many machines share one store.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

LAKE_SUFFIX = ".lake.sqlite"
EXTENSIONS = ("ducklake", "sqlite_scanner")


def is_lake(db_path: Path) -> bool:
    return db_path.name.endswith(LAKE_SUFFIX)


def _extension_file(name: str) -> Path:
    """The signed extension shipped in the duckdb-extension-* wheel (DuckDB's own download is not needed)."""
    import importlib.util

    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise duckdb.IOException(f"extension {name} is not installed (pip package duckdb-extension-{name})")
    folder = Path(next(iter(spec.submodule_search_locations))) / "extensions" / f"v{duckdb.__version__}"
    return folder / f"{name}.duckdb_extension"


def connect_lake(db_path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name in EXTENSIONS:
        con.execute(f"LOAD '{_extension_file(name)}'")
    data = db_path.with_name(db_path.name.removesuffix(LAKE_SUFFIX) + ".files")
    mode = ", READ_ONLY" if read_only else ""
    con.execute(f"ATTACH 'ducklake:sqlite:{db_path}' AS lake (DATA_PATH '{data}/'{mode})")
    con.execute("USE lake")
    return con


def lake_schema(schema_sql: str) -> str:
    """DuckLake tables have no PRIMARY KEY constraints; presswatch's loads never rely on them
    (every insert is an anti-join), so they are dropped."""
    schema_sql = re.sub(r",\s*PRIMARY KEY \([^)]*\)", "", schema_sql)
    return schema_sql.replace(" PRIMARY KEY", "")
