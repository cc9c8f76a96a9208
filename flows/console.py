"""The operator's console during a build: the Dutch progress and result lines, not Prefect's.

A build under Prefect printed ~30 English lines ("Starting temporary server…", "Beginning flow
run…", "Created task run…", "Finished in state Completed()") around the few Dutch lines an
operator needs, and a failed run two English tracebacks. ``dutch_console()`` makes Prefect's
console handlers show only records that come from this project — the ``agenda`` loggers and
``print()`` in a flow or task (``log_prints``), whose record points at our own source file — as
bare messages, without timestamps or tracebacks. Only the console is touched: the records still
reach Prefect's API log (the UI and ``prefect flow-run logs`` keep every line and traceback).

``--verbose`` (``KENNISAGENDA_VERBOSE=1``) keeps Prefect's lines, without tracebacks;
``KENNISAGENDA_DEBUG=1`` shows everything as Prefect prints it.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

_OURS = tuple(str(Path(__file__).resolve().parent.parent / pkg) + os.sep for pkg in ("agenda", "flows"))


def mode() -> str:
    """"debug" (everything), "verbose" (Prefect's lines too, no tracebacks) or "dutch" (the default)."""
    if os.environ.get("KENNISAGENDA_DEBUG"):
        return "debug"
    if os.environ.get("KENNISAGENDA_VERBOSE"):
        return "verbose"
    return "dutch"


class OursOnly(logging.Filter):
    """Passes the project's records: the ``agenda`` loggers, and ``print()`` in our flows and tasks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "agenda" or record.name.startswith("agenda."):
            return True
        return os.path.abspath(record.pathname).startswith(_OURS)


class MessageOnly(logging.Formatter):
    """The message alone: no time, level, run name or traceback (the API log keeps those)."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


class NoTraceback(logging.Formatter):
    """Prefect's console format without the traceback (without changing the record itself)."""

    def __init__(self, inner: logging.Formatter | None):
        super().__init__()
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return self.inner.format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def dutch_console() -> None:
    """Apply ``mode()`` to Prefect's console handlers (idempotent; imports Prefect)."""
    from prefect.logging.handlers import PrefectConsoleHandler

    how = mode()
    if how == "debug":
        return
    for name in ("", "prefect", "prefect.flow_runs", "prefect.task_runs", "agenda"):
        for handler in logging.getLogger(name).handlers:
            if not isinstance(handler, PrefectConsoleHandler) or getattr(handler, "_kennisagenda", None):
                continue
            handler._kennisagenda = how
            if how == "dutch":
                handler.addFilter(OursOnly())
                handler.setFormatter(MessageOnly())
            else:
                handler.setFormatter(NoTraceback(handler.formatter))
