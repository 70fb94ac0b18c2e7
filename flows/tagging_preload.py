"""Imported by the tagging pool's fork server, once, before it forks any tagging process.

The fork server is a small fresh interpreter (not a copy of the flow process with Prefect, GX and
pandas in it), so a worker forked from it carries only what tagging needs. It loads the spaCy model,
the entity index, the language classifier and the NER of `[tagging] preload_languages` (Russian:
~1 s and ~60 MB that two tagging processes loaded once each) here, once, and every worker shares those pages
instead of loading its own copy. `gc.freeze()` keeps the workers' garbage collector from writing to
(and so copying) those pages.

The setup arrives in an environment variable because a fork server takes module names only. Nothing
here may raise: a failure is left to the worker, which loads again and reports the error with the
first batch.
"""

from __future__ import annotations

import gc
import json
import os

from flows.ner import load_nlp, recogniser
from flows.tagging import TaggingSetup, load_entity_index
from flows.tagging_pool import PRELOAD_ENV
from transforms.language import load_language_model


def skip_main_reimport() -> None:
    """Like spawn, a fork-server child re-imports the caller's `__main__` before it unpickles its
    work. Tagging workers run only presswatch functions, and the caller's main module need not be
    importable at all (pytest after a Streamlit AppTest, a notebook, a script without a main guard:
    the first broke the pool in tests). Patched here, in the fork server, so only its children skip it."""
    import multiprocessing.spawn

    multiprocessing.spawn._fixup_main_from_path = lambda path: None  # type: ignore[attr-defined]
    multiprocessing.spawn._fixup_main_from_name = lambda name: None  # type: ignore[attr-defined]


def preload_from_environment() -> None:
    raw = os.environ.get(PRELOAD_ENV)
    if not raw:
        return
    try:
        setup = TaggingSetup(**json.loads(raw))
        load_nlp(setup.model)
        load_entity_index(setup.catalog_dir, setup.min_city_population, setup.cache_dir)
        load_language_model()
        for name in setup.preloaded_recognisers():
            recogniser(name, setup.nlp_batch_size)
    except Exception:  # noqa: BLE001 - the worker's own load reports it
        return
    gc.freeze()


skip_main_reimport()
preload_from_environment()
