"""Gather: inputs/ → DuckDB (sources, mentions, rejected). Wraps `agenda.ingest` and `agenda.pipeline`."""

from __future__ import annotations

import math
import os
from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import wait
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from agenda import pipeline
from agenda.ingest import discover
from agenda.models import IngestResult
from agenda.settings import Limits
from agenda.store import DatabaseBusy


def retry_on_io_error(task, task_run, state) -> bool:
    """Retry file and database I/O errors (DuckDB held by a reader, a file share hiccup); a bug fails at once."""
    try:
        state.result()
    except (OSError, DatabaseBusy, duckdb.IOException, duckdb.TransactionException):
        return True
    except Exception:
        return False
    return False


IO_RETRIES = dict(retries=3, retry_delay_seconds=exponential_backoff(backoff_factor=2), retry_jitter_factor=0.5,
                  retry_condition_fn=retry_on_io_error)  # waits ~2, 4, 8 s


@task(name="discover-inputs", **IO_RETRIES)
def discover_inputs(inputs_dir: Path, limits: Limits) -> tuple[list[Path], list]:
    return discover(inputs_dir, limits)


# Files are read in batches: one task per file floods the ephemeral server with task-run
# records (a Prefect 503 with 5,000 files, measured). No result cache: the database already
# skips every file whose bytes are stored (by the hash of the bytes parsed), and a cache keyed
# on a hash taken before the read could replay a result for other bytes.
BATCH_MAX = 200  # files per task
BATCHES_MIN = 8  # small inputs still spread over the runner's workers
# Prefect's thread pool is unbounded by default: 250 batches of 50,000 files ran as 250 threads
# contending for the GIL and the temporary server (reading took 6 min; one thread reads the same
# files in 45 s). Parsing is CPU-bound; a few more threads than cores still overlap slow I/O
# such as a network share. KENNISAGENDA_READ_THREADS overrides (Dask: --task-runner dask).
def _read_threads() -> int:
    value = os.environ.get("KENNISAGENDA_READ_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else min(8, (os.cpu_count() or 2) + 2)


READ_THREADS = _read_threads()


def batches(paths: list[Path]) -> list[list[str]]:
    """Split the files into at most ~len/BATCH_MAX batches, at least BATCHES_MIN when there are enough."""
    size = max(1, min(BATCH_MAX, math.ceil(len(paths) / BATCHES_MIN)))
    return [[str(p) for p in paths[i:i + size]] for i in range(0, len(paths), size)]


@task(name="read-inputs", task_run_name="lees {label}", cache_policy=NO_CACHE, **IO_RETRIES)
def read_inputs(paths: list[str], label: str, inputs_dir: str, known: set[str], limits: Limits,
                survey_question_column: str | None) -> pipeline.BatchRead:
    return pipeline.read_batch(paths, Path(inputs_dir), known, limits, survey_question_column)


@task(name="store-ingest", cache_policy=NO_CACHE, **IO_RETRIES)
def store_ingest(db_path: Path, build_id: int, results: list[IngestResult], present: list[str],
                 allow_shrink: bool, timeout: float, present_paths: list[str] | None = None) -> int:
    return pipeline.record_ingest(db_path, build_id, results, present, allow_shrink=allow_shrink, timeout=timeout,
                                  present_paths=present_paths)


@flow(name="gather", log_prints=True, task_runner=ThreadPoolTaskRunner(max_workers=READ_THREADS))
def gather(
    inputs_dir: Path,
    db_path: Path,
    build_id: int,
    known_source_ids: list[str] | None = None,
    limits: Limits | None = None,
    survey_question_column: str | None = None,
    allow_shrink: bool = False,
    db_timeout: float = pipeline.DB_WAIT_MIN,
) -> dict:
    """Read every new input file (in parallel batches) and store sources, mentions and rejections.

    `known_source_ids`: None (the build's way) reads the stored source ids from `db_path`.

    Returns counts, `digests` (relative path -> sha256 of the bytes read, per file giving a source)
    and `unread` (the same for files that did not parse),
    from which the parent flow fingerprints the inputs without reading them again. Raises
    `pipeline.InputsShrunk` when the inputs give no sources or far fewer than the last version."""
    limits = limits or Limits()
    files, rejections = discover_inputs(inputs_dir, limits)
    # None: read from the database (the build holds its lock, so these are the ids start_build saw);
    # a flow run's parameters are stored by Prefect and limited to 512 KB
    known = frozenset(known_source_ids if known_source_ids is not None
                      else pipeline.known_sources(db_path, timeout=db_timeout))
    parts = batches(files)
    futures = [
        read_inputs.submit(part, f"{i + 1}/{len(parts)} ({len(part)} bestanden)", str(inputs_dir), quote(known),
                           limits, survey_question_column)
        for i, part in enumerate(parts)
    ]
    wait(futures)
    digests: dict[str, str] = {}
    unread: dict[str, str] = {}
    results = [IngestResult(rejection=r) for r in rejections]
    for future in futures:
        batch = future.result()
        digests.update(batch.digests)
        unread.update(batch.unread)
        results.extend(batch.results)
    present = pipeline.present_sources(digests)
    # quote(): Prefect would otherwise walk 50,000 results looking for futures (most of a minute)
    n_rejected = store_ingest(db_path, build_id, quote(results), quote(present), allow_shrink, db_timeout,
                              quote(sorted(digests)))
    n_new = sum(r.source is not None for r in results)
    print(f"{len(files)} invoerbestanden, {n_new} nieuw gelezen, {n_rejected} afgewezen")
    return {"files": len(files), "read": n_new, "rejected": n_rejected, "digests": digests, "unread": unread}
