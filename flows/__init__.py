"""Prefect orchestration of the agenda build. Flows are thin: every task calls one `agenda` function.

Importing this package sets the embedded defaults before Prefect is imported: no
telemetry (there is no network), the domain's `agenda` logger in the run logs, a generous
start-up timeout for the ephemeral server, and, in a checkout, PREFECT_HOME inside the
project. Anything already set in the environment wins.
"""

import os
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "agenda")
os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")  # agenda logs outside a run
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")  # a fresh home migrates; a busy machine took > 90 s
if (_ROOT / "pyproject.toml").is_file() and (_ROOT / "agenda").is_dir():
    os.environ.setdefault("PREFECT_HOME", str(_ROOT / ".prefect"))
