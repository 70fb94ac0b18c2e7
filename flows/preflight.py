"""Checks before a run starts, so a run that cannot work stops with one actionable line.

Cheap on purpose: nothing heavy (spaCy, GX) is imported here.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

from flows import store
from flows.config import Settings
from flows.errors import NotReadyError
from flows.ner import ARMENIAN_RULES

SUITES = ("articles", "mentions")


def check_ready(settings: Settings) -> None:
    db_path = settings.db_path
    folder = db_path.parent
    if folder.exists() and not folder.is_dir():
        raise store.StoreError(f"database folder {folder} is a file, not a folder; choose another --db")
    if not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as exc:
            raise store.StoreError(f"cannot create database folder {folder}: {exc.strerror}") from exc
    if db_path.exists() and not os.access(db_path, os.W_OK):
        raise store.StoreError(f"database {db_path} is read-only; make it writable or choose another --db")
    if not os.access(folder, os.W_OK):
        raise store.StoreError(f"database folder {folder} is not writable; choose another --db")
    model = settings.tagging.model
    if not Path(model).exists() and importlib.util.find_spec(model) is None:
        raise NotReadyError(
            f"spaCy model {model!r} is not installed: run `make install`, or set [tagging] model in the config"
        )
    for language, name in settings.tagging.language_models.items():
        if name == ARMENIAN_RULES or Path(name).exists() or importlib.util.find_spec(name) is not None:
            continue
        raise NotReadyError(
            f"NER model {name!r} for language {language!r} is not installed: run `make install`, or change"
            f" [tagging] language_models in the config"
        )
    suites_dir = settings.path(settings.validation.suites_dir)
    for suite in SUITES:
        path = suites_dir / f"{suite}.json"
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotReadyError(f"expectation suite {path} is missing; restore it from git") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise NotReadyError(f"expectation suite {path} is not valid JSON: {exc}; fix or restore it") from None
    catalog = settings.path(settings.tagging.catalog_dir)
    if not catalog.is_dir():
        raise NotReadyError(f"entity catalogue folder {catalog} is missing; set [tagging] catalog_dir")
