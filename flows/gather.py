"""Gather: inputs/ → DuckDB (sources, mentions, rejected). Wraps `agenda.ingest` and `agenda.pipeline`."""

from __future__ import annotations

from pathlib import Path

import duckdb
from prefect import flow, task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.futures import wait
from prefect.tasks import exponential_backoff

from agenda import pipeline
from agenda.ingest import discover, file_sha256, read_file, source_id
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


@task(
    name="read-input",
    task_run_name="lees {relpath}",
    **IO_RETRIES,
    # keyed by the file's content hash (never by a connection): an unchanged file is not parsed again
    cache_policy=INPUTS + TASK_SOURCE,
)
def read_input(path: str, relpath: str, content_hash: str, inputs_dir: str, limits: Limits,
               survey_question_column: str | None) -> IngestResult:
    return read_file(Path(path), Path(inputs_dir), limits, survey_question_column=survey_question_column)


@task(name="store-ingest", **IO_RETRIES)
def store_ingest(db_path: Path, build_id: int, results: list[IngestResult], present: list[str]) -> int:
    return pipeline.record_ingest(db_path, build_id, results, present)


@flow(name="gather", log_prints=True)
def gather(
    inputs_dir: Path,
    db_path: Path,
    build_id: int,
    known_source_ids: list[str],
    limits: Limits | None = None,
    survey_question_column: str | None = None,
) -> dict:
    """Read every new input file (in parallel) and store sources, mentions and rejections.

    Returns counts and `digests` (relative path -> sha256 of every input file), from which
    the parent flow fingerprints the inputs without reading them again."""
    limits = limits or Limits()
    files, rejections = discover_inputs(inputs_dir, limits)
    known = set(known_source_ids)
    present: list[str] = []
    digests: dict[str, str] = {}
    futures = []
    for path in files:
        relpath = path.relative_to(inputs_dir).as_posix()
        digests[relpath] = digest = file_sha256(path)
        present.append(source_id(digest))
        if present[-1] in known:
            continue  # same bytes as a stored source: nothing to add
        futures.append(read_input.submit(str(path), relpath, digest, str(inputs_dir), limits, survey_question_column))
    wait(futures)
    results = [IngestResult(rejection=r) for r in rejections] + [f.result() for f in futures]
    n_rejected = store_ingest(db_path, build_id, results, present)
    n_new = sum(r.source is not None for r in results)
    print(f"{len(files)} invoerbestanden, {n_new} nieuw gelezen, {n_rejected} afgewezen")
    return {"files": len(files), "read": n_new, "rejected": n_rejected, "digests": digests}
