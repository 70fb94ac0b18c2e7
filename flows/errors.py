"""Errors a user can act on: the CLI prints them as one line instead of a traceback."""

from flows.catalog import CatalogError
from flows.config import ConfigError
from flows.ner import ModelError
from flows.store import StoreError
from flows.validate import SuiteError


class NotReadyError(Exception):
    """Something the run needs is missing (model, suite file, folder); the message says what to do."""


USER_ERRORS: tuple[type[Exception], ...] = (
    ConfigError,
    StoreError,
    CatalogError,
    NotReadyError,
    ModelError,
    SuiteError,
)
