"""Validate one batch (a pandas DataFrame) against a Great Expectations suite stored as JSON.

A suite lives in ``<suites_dir>/<name>.json`` in the shape GX 1.x writes for an ExpectationSuite
(``suite.to_json_dict()``); its name is the table it guards. ``validate_frame`` runs the suite with
result format COMPLETE and maps every failing expectation to the rows it failed on, by position in
the frame, so the caller can store the good rows and quarantine the bad ones:

- a row-level (map) expectation that fails names exactly its unexpected rows;
- any other failure (a table-level expectation such as the column set, a column-level type check,
  or an expectation that raised, e.g. because its column is missing) fails every row of the batch.

Great Expectations is imported lazily (it takes seconds to import) and its contexts are cached per
process. GX 1.24 has no usage-statistics client left, and ``GX_ANALYTICS_ENABLED`` is forced to
``false`` before the import regardless. Data Docs are optional: when ``docs_dir`` is given the result
is stored under ``docs_dir/.gx/validations`` and rendered into a static site in ``docs_dir``; if that
fails, the validation result is still returned, with ``data_docs=None``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flows.cyclic_gc import freeze_after_import

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context import EphemeralDataContext

log = logging.getLogger(__name__)

# COMPLETE returns every unexpected index; the index query string is noise for us.
RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 20,
    "return_unexpected_index_query": False,
}
DATASOURCE = "presswatch"
BATCH_DEFINITION = "batch"
DOCS_SITE = "presswatch"
DOCS_RUN_NAME = "presswatch"
DOCS_RESULTS_SUBDIR = Path(".gx") / "validations"
# Validation results kept for Data Docs; older ones (and their pages) are pruned so the site and
# the time to rebuild its index stay bounded.
DOCS_KEEP_RESULTS = 50

_SUITE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_MAX_MESSAGE = 400


class SuiteError(Exception):
    """A suite file is missing, not JSON, or not a valid GX suite.

    The message is one line naming the file and the problem.
    """


@dataclass
class ValidationOutcome:
    suite: str  # suite name (= table it guards: "articles", "mentions")
    success: bool  # all expectations passed on the rows checked
    evaluated: int  # expectations evaluated
    failed: int  # expectations that failed
    rows_checked: int
    rows_failed: int
    # positional row index in the frame -> short descriptions of failing expectations,
    # e.g. "expect_column_values_to_not_be_null(url)"
    failed_rows: dict[int, list[str]] = field(default_factory=dict)
    # per-expectation summary: {"expectation", "column", "success", "unexpected_count", "kwargs", ...}
    results: list[dict] = field(default_factory=list)
    data_docs: str | None = None  # path of the built Data Docs index.html, or None


# ---------------------------------------------------------------------------------------------
# GX import and cached contexts


_lock = threading.RLock()  # GX contexts are not thread-safe; Prefect may run tasks in threads
_validation_context: _ValidationContext | None = None
_docs_contexts: dict[Path, EphemeralDataContext] = {}
_last_run_time: dt.datetime | None = None


class _ValidationContext:
    """An in-memory GX context with one pandas datasource and one dataframe asset per suite."""

    def __init__(self) -> None:
        gx = _import_gx()
        self.context = gx.get_context(mode="ephemeral", project_config=_project_config())
        self.datasource = self.context.data_sources.add_pandas(DATASOURCE)
        self._batch_definitions: dict[str, Any] = {}

    def batch_definition(self, asset_name: str):
        batch_definition = self._batch_definitions.get(asset_name)
        if batch_definition is None:
            asset = self.datasource.add_dataframe_asset(asset_name)
            batch_definition = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
            self._batch_definitions[asset_name] = batch_definition
        return batch_definition


def warm_up() -> None:
    """Import GX and build the cached context before the first batch needs them (4-5 s, one core).

    The flow calls it on a thread while the tagging processes start and the second core is still
    idle; a failure is left for the first validation to raise with its own message."""
    try:
        with _lock:
            _get_validation_context()
        freeze_after_import()  # GX's ~400,000 objects, out of the cycle collector's way
    except Exception:  # noqa: BLE001 - validate_frame raises it again where it can be reported
        return


def start_warm_up() -> None:
    """`warm_up` on a daemon thread: the caller goes on while GX imports."""
    threading.Thread(target=warm_up, name="presswatch-gx-warm-up", daemon=True).start()


def _import_gx():
    """Import great_expectations with analytics off.

    GX 1.24.1 ships no analytics client (nothing reads the variable; the context config also says
    ``analytics_enabled=False``); the variable is set so that a GX version that has one stays off.
    """
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


def _project_config(docs_dir: Path | None = None):
    """An in-memory project config: no analytics, no progress bars, docs only when asked for."""
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    defaults = InMemoryStoreBackendDefaults()
    stores = dict(defaults.stores)
    sites: dict[str, Any] = {}
    if docs_dir is not None:
        # Results must outlive the process so the site index lists earlier runs: the site builder
        # deletes every page whose result is no longer in the results store.
        stores[defaults.validation_results_store_name] = {
            "class_name": "ValidationResultsStore",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs_dir / DOCS_RESULTS_SUBDIR),
            },
        }
        sites[DOCS_SITE] = {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {
                "class_name": "DefaultSiteIndexBuilder",
                "validation_results_limit": DOCS_KEEP_RESULTS,
            },
            # Suites are the JSON files in the repository; validation pages show every expectation.
            "site_section_builders": {"expectations": "None", "profiling": "None"},
        }
    return DataContextConfig(
        store_backend_defaults=defaults,
        stores=stores,
        data_docs_sites=sites,
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )


def _get_validation_context() -> _ValidationContext:
    global _validation_context
    if _validation_context is None:
        _validation_context = _ValidationContext()
    return _validation_context


def _get_docs_context(docs_dir: Path) -> EphemeralDataContext:
    context = _docs_contexts.get(docs_dir)
    if context is None:
        gx = _import_gx()
        context = gx.get_context(mode="ephemeral", project_config=_project_config(docs_dir))
        _docs_contexts[docs_dir] = context
    return context


# ---------------------------------------------------------------------------------------------
# Suites


def _one_line(exc: BaseException) -> str:
    """A one-line description of a JSON, marshmallow, pydantic or GX error."""
    errors = getattr(exc, "errors", None)
    messages = getattr(exc, "messages", None)
    if callable(errors):  # pydantic ValidationError
        try:
            text = "; ".join(
                f"{'.'.join(str(part) for part in err.get('loc', ()))}: {err.get('msg')}" for err in errors()
            )
        except Exception:  # pragma: no cover - defensive, fall back to str()
            text = str(exc)
    elif isinstance(messages, (dict, list)):  # marshmallow ValidationError
        text = json.dumps(messages, default=str)
    else:
        text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def load_suite(suites_dir: Path, name: str) -> ExpectationSuite:
    """Load ``<suites_dir>/<name>.json`` as a GX ExpectationSuite, or raise SuiteError.

    Unlike ``ExpectationSuite(**data)``, which logs and drops expectations it cannot build, every
    problem is an error: unknown fields or expectation types, missing or mistyped kwargs, regexes
    that do not compile, and a suite name that differs from the file name.
    """
    path = Path(suites_dir) / f"{name}.json"
    if not _SUITE_NAME.fullmatch(name or ""):
        raise SuiteError(f"suite name {name!r} is not a plain file name (looked in {suites_dir})")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SuiteError(f"suite file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SuiteError(f"suite file {path} cannot be read: {_one_line(exc)}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"suite file {path} is not valid JSON: {_one_line(exc)}") from exc
    if not isinstance(data, dict):
        raise SuiteError(f"suite file {path} must hold a JSON object (a GX suite), not {type(data).__name__}")
    if data.get("name") != name:
        raise SuiteError(f"suite file {path} has name {data.get('name')!r}; it must be {name!r}")
    expectations = data.get("expectations", [])
    if not isinstance(expectations, list):
        raise SuiteError(f"suite file {path}: 'expectations' must be a list")

    _import_gx()
    from great_expectations.core.expectation_suite import ExpectationSuite, expectationSuiteSchema
    from great_expectations.expectations.expectation_configuration import expectationConfigurationSchema

    try:
        header = expectationSuiteSchema.load({**data, "expectations": []})
    except Exception as exc:
        raise SuiteError(f"suite file {path} is not a valid GX suite: {_one_line(exc)}") from exc

    built = []
    for number, item in enumerate(expectations, start=1):
        kind = item.get("type", "?") if isinstance(item, dict) else "?"
        where = f"suite file {path}: expectation #{number} ({kind})"
        if not isinstance(item, dict):
            raise SuiteError(f"{where} must be a JSON object")
        try:
            expectation = expectationConfigurationSchema.load(item).to_domain_obj()
        except Exception as exc:
            problem = "unknown expectation type" if type(exc).__name__ == "ExpectationNotFoundError" else None
            raise SuiteError(f"{where} is invalid: {problem or _one_line(exc)}") from exc
        kwargs = item.get("kwargs") or {}
        patterns = [kwargs["regex"]] if "regex" in kwargs else []
        patterns += list(kwargs.get("regex_list") or [])
        for pattern in patterns:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                raise SuiteError(f"{where} has a bad regex {pattern!r}: {_one_line(exc)}") from exc
        expectation.id = None  # ids written by GX would tie the expectation to another suite
        built.append(expectation)

    try:
        return ExpectationSuite(
            name=name,
            expectations=built,
            suite_parameters=header.get("suite_parameters"),
            meta=header.get("meta"),
            notes=header.get("notes"),
        )
    except Exception as exc:
        raise SuiteError(f"suite file {path} is not a valid GX suite: {_one_line(exc)}") from exc


# ---------------------------------------------------------------------------------------------
# Validation


def _positional(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with a 0..n-1 index, so GX's unexpected_index_list is positional."""
    import pandas as pd

    index = frame.index
    if isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1:
        return frame
    return frame.reset_index(drop=True)


def _wide_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with numpy integer columns narrower than 64 bits widened to int64.

    GX 1.24 compares `expect_column_values_to_be_between` vectorised only for int64 and float64
    columns; on the int32 offsets of `mentions` it called a Python function per value. Widened, the
    suite took ~26 ms less on a 31,000-row batch (136 vs 162 ms, one process). Same values, same
    verdicts for the shipped suites, whose type checks accept any integer width; a suite that demanded
    exactly int32 would now see int64 (the stored width is fixed by the load's Arrow schema anyway)."""
    import numpy as np

    narrow = {
        column: "int64"
        for column, dtype in frame.dtypes.items()
        if isinstance(dtype, np.dtype) and dtype.kind in "iu" and dtype.itemsize < 8
    }
    return frame.astype(narrow) if narrow else frame


def _jsonable(value: Any) -> Any:
    from great_expectations.util import convert_to_json_serializable

    with contextlib.suppress(Exception):  # fall back to str() below
        value = convert_to_json_serializable(value)
    return json.loads(json.dumps(value, default=str))


def _columns(kwargs: dict) -> list[str]:
    columns = [kwargs[key] for key in ("column", "column_A", "column_B") if kwargs.get(key) is not None]
    if not columns and isinstance(kwargs.get("column_list"), list):
        columns = list(kwargs["column_list"])
    return [str(column) for column in columns]


def _describe(kind: str, kwargs: dict) -> str:
    columns = _columns(kwargs)
    return f"{kind}({', '.join(columns)})" if columns else kind


def _exception_message(exception_info: Any) -> str | None:
    """The message of an expectation that raised; GX nests exception_info per metric sometimes."""
    if not isinstance(exception_info, dict):
        return None
    if "raised_exception" in exception_info:
        if exception_info.get("raised_exception"):
            return " ".join(str(exception_info.get("exception_message") or "raised").split())[:_MAX_MESSAGE]
        return None
    for nested in exception_info.values():
        message = _exception_message(nested)
        if message:
            return message
    return None


def _suite_order(suite: ExpectationSuite):
    """Sort key putting results back in suite order (GX reorders them)."""
    signatures = [
        (expectation.expectation_type, _jsonable(expectation.configuration.kwargs))
        for expectation in suite.expectations
    ]

    def key(result) -> int:
        config = result.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        try:
            return signatures.index((config.type, _jsonable(kwargs)))
        except ValueError:
            return len(signatures)

    return key


def _summarise(suite: ExpectationSuite, suite_result, rows: int) -> ValidationOutcome:
    failed_rows: dict[int, list[str]] = {}
    summaries: list[dict] = []
    for result in sorted(suite_result.results, key=_suite_order(suite)):
        config = result.expectation_config
        kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
        details = result.result or {}
        columns = _columns(kwargs)
        summary: dict[str, Any] = {
            "expectation": config.type,
            "column": columns[0] if len(columns) == 1 else (columns or None),
            "success": bool(result.success),
            "unexpected_count": int(details.get("unexpected_count") or 0),
            "kwargs": _jsonable(kwargs),
        }
        if "observed_value" in details:
            summary["observed_value"] = _jsonable(details["observed_value"])
        if not result.success and "details" in details:
            summary["details"] = _jsonable(details["details"])
        error = _exception_message(result.exception_info)
        if error:
            summary["exception"] = error
        summaries.append(summary)
        if result.success:
            continue

        index_list = details.get("unexpected_index_list") or []
        failing = []
        if error is None and all(isinstance(i, int) or hasattr(i, "__index__") for i in index_list):
            failing = sorted({int(i) for i in index_list if 0 <= int(i) < rows})
        if failing:
            summary["rows"] = "listed"
        else:  # table-level, aggregate or errored: the whole batch fails
            failing = range(rows)
            summary["rows"] = "all"
        description = _describe(config.type, kwargs)
        for row in failing:
            descriptions = failed_rows.setdefault(row, [])
            if description not in descriptions:
                descriptions.append(description)

    statistics = suite_result.statistics or {}
    return ValidationOutcome(
        suite=suite.name,
        success=bool(suite_result.success),
        evaluated=int(statistics.get("evaluated_expectations", len(summaries))),
        failed=int(statistics.get("unsuccessful_expectations", sum(not s["success"] for s in summaries))),
        rows_checked=rows,
        rows_failed=len(failed_rows),
        failed_rows=dict(sorted(failed_rows.items())),
        results=summaries,
    )


def validate_frame(
    frame: pd.DataFrame,
    suite_name: str,
    suites_dir: Path,
    docs_dir: Path | None = None,
    *,
    docs_only_on_failure: bool = False,
) -> ValidationOutcome:
    """Validate ``frame`` against suite ``suite_name``; say which rows failed which expectation.

    Raises SuiteError when the suite cannot be loaded. An empty frame succeeds without touching GX.
    """
    rows = len(frame)
    if rows == 0:
        return ValidationOutcome(suite=suite_name, success=True, evaluated=0, failed=0, rows_checked=0, rows_failed=0)
    suite = load_suite(suites_dir, suite_name)
    data = _wide_integers(_positional(frame))
    with _lock:
        batch = _get_validation_context().batch_definition(suite_name).get_batch(batch_parameters={"dataframe": data})
        suite_result = batch.validate(suite, result_format=dict(RESULT_FORMAT))
        batch_id = batch.id
    outcome = _summarise(suite, suite_result, rows)
    if docs_dir is not None and not (docs_only_on_failure and outcome.success):
        try:
            outcome.data_docs = _write_docs(suite_result, suite_name, batch_id, Path(docs_dir))
        except Exception as exc:
            log.warning(
                "Data Docs for suite %s not written to %s (%s: %s); the validation result stands",
                suite_name,
                docs_dir,
                type(exc).__name__,
                _one_line(exc),
            )
    return outcome


# ---------------------------------------------------------------------------------------------
# Data Docs


def _run_time() -> dt.datetime:
    """Now, strictly later than the previous call, so two results never share a key."""
    global _last_run_time
    now = dt.datetime.now(dt.UTC)
    if _last_run_time is not None and now <= _last_run_time:
        now = _last_run_time + dt.timedelta(microseconds=1)
    _last_run_time = now
    return now


def _remove_empty_dirs(folders: tuple[str, ...], *bases: Path) -> None:
    """Remove the now empty folders of a pruned result; GX's remove_key leaves them (its rrmdir
    tests ``not Path.iterdir()``, a generator, which is never false)."""
    for base in bases:
        for depth in range(len(folders), 0, -1):
            try:
                base.joinpath(*folders[:depth]).rmdir()
            except OSError:  # not empty (or gone): stop climbing
                break


def _write_docs(suite_result, suite_name: str, batch_id: str, docs_dir: Path) -> str:
    """Store the result under docs_dir, prune old ones, rebuild this page and the index."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    docs_dir = docs_dir.expanduser().resolve()
    with _lock:
        context = _get_docs_context(docs_dir)
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
            run_id=RunIdentifier(run_name=DOCS_RUN_NAME, run_time=_run_time()),
            batch_identifier=batch_id,
        )
        store = context.validation_results_store
        store.set(key, suite_result)
        keys = store.list_keys()
        pruned = sorted(keys, key=lambda k: k.run_id.run_time)[: max(0, len(keys) - DOCS_KEEP_RESULTS)]
        for old in pruned:
            store.remove_key(old)
        # The index build deletes the pages of pruned results (skip_and_clean_missing).
        context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[key])
        for old in pruned:
            _remove_empty_dirs(old.to_tuple()[:-1], docs_dir / DOCS_RESULTS_SUBDIR, docs_dir / "validations")
    # GX logs rendering errors instead of raising them: check that both pages are there.
    *folders, batch = key.to_tuple()
    page = docs_dir.joinpath("validations", *folders, f"{batch}.html")
    index = docs_dir / "index.html"
    for path in (page, index):
        if not path.is_file() or path.stat().st_size == 0:
            raise RuntimeError(f"GX did not render {path}")
    return str(index)
