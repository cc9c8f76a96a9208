"""Gather: inputs/ → DuckDB (sources, mentions, rejected). Wraps `agenda.ingest` and `agenda.pipeline`."""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import INPUTS, TASK_SOURCE
from prefect.futures import wait

from agenda import pipeline
from agenda.ingest import discover, file_sha256, read_file
from agenda.models import IngestResult
from agenda.settings import Limits


@task(name="discover-inputs", retries=2, retry_delay_seconds=[1, 5])
def discover_inputs(inputs_dir: Path, limits: Limits) -> tuple[list[Path], list]:
    return discover(inputs_dir, limits)


@task(
    name="read-input",
    task_run_name="lees {relpath}",
    retries=2,
    retry_delay_seconds=[1, 5],
    # keyed by the file's content hash (never by a connection): an unchanged file is not parsed again
    cache_policy=INPUTS + TASK_SOURCE,
)
def read_input(path: str, relpath: str, content_hash: str, inputs_dir: str, limits: Limits,
               survey_question_column: str | None) -> IngestResult:
    return read_file(Path(path), Path(inputs_dir), limits, survey_question_column=survey_question_column)


@task(name="store-ingest", retries=2, retry_delay_seconds=[1, 5])
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
) -> dict[str, int]:
    """Read every new input file (in parallel) and store sources, mentions and rejections."""
    limits = limits or Limits()
    files, rejections = discover_inputs(inputs_dir, limits)
    known = set(known_source_ids)
    present: list[str] = []
    futures = []
    for path in files:
        digest = file_sha256(path)
        source_id = "S-" + digest[:12]
        present.append(source_id)
        if source_id in known:
            continue  # same bytes as a stored source: nothing to add
        relpath = path.relative_to(inputs_dir).as_posix()
        futures.append(read_input.submit(str(path), relpath, digest, str(inputs_dir), limits, survey_question_column))
    wait(futures)
    results = [IngestResult(rejection=r) for r in rejections] + [f.result() for f in futures]
    n_rejected = store_ingest(db_path, build_id, results, present)
    n_new = sum(r.source is not None for r in results)
    print(f"{len(files)} invoerbestanden, {n_new} nieuw gelezen, {n_rejected} afgewezen")
    return {"files": len(files), "read": n_new, "rejected": n_rejected}
