"""build_agenda: the whole build, inputs/ → versioned Word agenda, as one Prefect flow.

Runs three subflows: `gather` (inputs → DuckDB), `embed` (vectors of new questions, in
chunks) and `make-agenda` (deduplicate → rank → version → publish). Deployed from
prefect.yaml as `build-agenda/on-demand` and `build-agenda/quarterly`; run locally with
`python -m flows.build` or `kennisagenda build`. The flow process is the only writer of the
database, and holds a build lock for the whole run so a second build waits (bounded) or
stops with a clear message.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact, create_table_artifact

from agenda import pipeline
from agenda.dedupe.embed_jobs import clustering_embedder
from agenda.fingerprint import unchanged_summary, unchanged_version
from agenda.models import Curation
from agenda.preflight import check_build
from agenda.report.common import known_status
from agenda.settings import Settings, load_settings, settings_file_for
from agenda.themes import load_themes
from agenda.versions import check_label
from agenda.store import Store, build_lock
from flows.console import dutch_console
from flows.embed import embed_texts
from flows.gather import IO_RETRIES, gather

log = logging.getLogger("agenda")


@task(name="cluster", **IO_RETRIES)
def cluster(db_path: Path, build_id: int, inputs_dir: Path, timeout: float,
            decisions_file: Path | None = None) -> tuple[Curation, list[str]]:
    decisions = pipeline.load_decisions_snapshot(decisions_file) if decisions_file else None
    return pipeline.cluster_stage(db_path, build_id, inputs_dir, timeout=timeout, curation=decisions)


@task(name="read-library", **IO_RETRIES)
def read_library(db_path: Path, build_id: int, inputs_dir: Path, settings: Settings, timeout: float,
                 allow_shrink: bool = False) -> dict[str, str]:
    return pipeline.library_stage(db_path, build_id, inputs_dir, settings, timeout=timeout, allow_shrink=allow_shrink)


@task(name="read-votes", **IO_RETRIES)
def read_votes(db_path: Path, build_id: int, inputs_dir: Path, settings: Settings, timeout: float) -> dict[str, str]:
    return pipeline.round_stage(db_path, build_id, inputs_dir, settings, timeout=timeout)


@task(name="match-evidence", **IO_RETRIES)
def match_evidence(db_path: Path, build_id: int, timeout: float) -> int:
    return pipeline.evidence_stage(db_path, build_id, timeout=timeout)


@task(name="rank-and-version", **IO_RETRIES)
def rank_and_version(db_path: Path, build_id: int, settings: Settings, fingerprint: str, curation: Curation,
                     notes: list[str], label: str | None) -> pipeline.VersionOutcome:
    return pipeline.version_stage(db_path, build_id, settings, fingerprint, curation, notes, label=label,
                                  timeout=pipeline.db_timeout(settings))


@task(name="publish", **IO_RETRIES)
def publish(db_path: Path, label: str, out_dir: Path, timeout: float, expected_roles: list[str],
            expected_sectors: list[str]) -> list[Path]:
    return pipeline.publish_stage(db_path, label, out_dir, timeout=timeout, expected_roles=expected_roles,
                                  expected_sectors=expected_sectors)


@flow(name="make-agenda", log_prints=True)
def make_agenda(db_path: Path, out_dir: Path, inputs_dir: Path, build_id: int, settings: Settings,
                fingerprint: str, label: str | None = None, decisions_file: Path | None = None) -> dict:
    """Deduplicate, match the evidence library, rank, store a version (if anything changed) and write the report.

    `decisions_file`: the curator's decisions as read when the build started (a snapshot written by
    `pipeline.save_decisions_snapshot`): a path, never the decisions themselves, because Prefect
    stores a flow run's parameters and refuses more than 512 KB (a curation.yaml with a page of
    text per question for 40 questions is ~600 KB)."""
    timeout = pipeline.db_timeout(settings)
    curation, notes = cluster(db_path, build_id, inputs_dir, timeout, decisions_file)
    match_evidence(db_path, build_id, timeout)
    outcome = rank_and_version(db_path, build_id, settings, fingerprint, curation, notes, label)
    paths = publish(db_path, outcome.label, out_dir, timeout, settings.expected_roles, settings.expected_sectors)
    for line in outcome.changes:
        print(line)
    return {"outcome": outcome, "paths": [str(p) for p in paths]}


def _artifacts(db_path: Path, outcome: pipeline.VersionOutcome, paths: list[str], timeout: float) -> None:
    with Store(db_path, timeout=timeout) as store:
        agenda = store.version(outcome.label)
    if agenda is None:
        return
    top = "\n".join(f"{i.rank}. {i.question} ({i.frequency} bronnen)" for i in agenda.items[:10])
    by_round = " volgens de prioriteringsronde" if agenda.priority_round is not None else ""
    changes = "\n".join(f"- {line}" for line in outcome.changes)
    create_markdown_artifact(
        key="kennisagenda-samenvatting",
        description=f"Kennisagenda {agenda.label}",
        markdown=(
            f"# Kennisagenda {agenda.label}\n\n"
            f"{'Nieuwe versie' if outcome.is_new else 'Geen wijzigingen: bestaande versie'} · "
            f"{outcome.n_items} vragen · {outcome.n_mentions} formuleringen · {outcome.n_sources} bronnen · "
            f"{outcome.n_rejected} afgewezen bestanden\n\n## Top 10{by_round}\n\n{top}\n\n## Wat is er veranderd\n\n{changes}\n"
        ),
    )
    create_table_artifact(
        key="kennisagenda-ranglijst",
        description=f"Ranglijst {agenda.label}",
        table=[{"rang": i.rank, "vraag": i.question, "score": i.score, "bronnen": i.frequency,
                "sectoren": ", ".join(i.contexts.get("sector", [])), "al bekend": known_status(i),
                "id": i.cluster_id} for i in agenda.items],
    )
    docx = next((p for p in paths if p.endswith(".docx")), None)
    if docx:
        create_link_artifact(key="kennisagenda-rapport", link=Path(docx).resolve().as_uri(),
                             link_text=Path(docx).name, description="Het Word-rapport voor financiers")
    create_table_artifact(
        key="kennisagenda-afgewezen",
        description="Afgewezen invoerbestanden",
        table=[{"bestand": r.file, "regel": r.line or "", "reden": r.reason} for r in agenda.rejected]
        or [{"bestand": "(geen)", "regel": "", "reden": ""}],
    )


def _dask_task_runner():
    """prefect-dask's DaskTaskRunner for gather's per-file tasks (optional extra: pip install '.[dask]').

    KENNISAGENDA_DASK_ADDRESS=tcp://host:8786 uses an existing cluster (its workers need the
    project installed and PREFECT_API_URL set). Otherwise a temporary LocalCluster on this
    machine, loopback only, whose workers report to this run's API: without that, every Dask
    worker would start its own temporary Prefect server in ephemeral mode (~20 s each, measured).
    """
    from prefect.context import get_run_context
    from prefect_dask import DaskTaskRunner

    if address := os.environ.get("KENNISAGENDA_DASK_ADDRESS"):
        return DaskTaskRunner(address=address)
    env = {"PREFECT_API_URL": str(get_run_context().client.api_url).rstrip("/")}
    if "PREFECT_HOME" in os.environ:  # the task cache lives in $PREFECT_HOME/storage
        env["PREFECT_HOME"] = os.environ["PREFECT_HOME"]
    return DaskTaskRunner(cluster_kwargs={"host": "127.0.0.1", "env": env})


@flow(name="build-agenda", log_prints=True)
def build_agenda(
    inputs_dir: Path = Path("inputs"),
    db_path: Path = Path("outputs/kennisagenda.duckdb"),
    out_dir: Path = Path("outputs"),
    settings_file: Path | None = None,
    label: str | None = None,
    task_runner: str | None = None,
    allow_shrink: bool = False,
) -> dict:
    """The whole build. Returns the version label, whether it is new, counts and the paths written.

    Refuses, before anything is stored, bad settings or a bad label (`ValueError`, Dutch), what
    `agenda.preflight.check_build` finds (`PreflightError`: out_dir not a writable folder, a
    foreign or damaged database, a taken label), and
    inputs that give no sources or fewer than half of the last version's (`InputsShrunk`)
    unless `allow_shrink` (or the setting `allow_shrink`)."""
    dutch_console()  # a worker's flow-run process too: Dutch lines on its console, Prefect's in its API log
    try:
        return _build(inputs_dir, db_path, out_dir, settings_file, label, task_runner, allow_shrink)
    except BaseException as exc:
        if os.environ.get("KENNISAGENDA_CONSOLE") != "cli" and isinstance(exc, Exception):
            # under a worker nobody prints the Dutch line the CLI would: it ends the console's output
            log.error("build mislukt: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
                      exc_info=True)
        raise


def _build(inputs_dir: Path, db_path: Path, out_dir: Path, settings_file: Path | None, label: str | None,
           task_runner: str | None, allow_shrink: bool) -> dict:
    settings = load_settings(settings_file_for(inputs_dir, settings_file))
    load_themes(settings.themes_file)  # a missing or broken themes file, before hours of work
    if label is not None:
        check_label(label)
    inputs_dir, db_path, out_dir = Path(inputs_dir).resolve(), Path(db_path).resolve(), Path(out_dir).resolve()
    if not inputs_dir.is_dir():
        raise FileNotFoundError(f"invoermap niet gevonden: {inputs_dir}")
    timeout = pipeline.db_timeout(settings)
    with build_lock(db_path, timeout=settings.lock_timeout_seconds):
        # the deployment's worker calls this flow directly, without the CLI's checks: an out_dir that
        # was a file committed the version and then failed on publish with an English traceback
        check_build(inputs_dir, db_path, out_dir, label=label, timeout=timeout)
        if (same := unchanged_version(db_path, inputs_dir, out_dir, settings, timeout=timeout)) is not None:
            summary = unchanged_summary(db_path, *same, label_asked=label, timeout=timeout)
            print(summary["changes"][0])
            return summary
        build_id, known = pipeline.start_build(db_path, inputs_dir, timeout=timeout)
        try:
            decisions, decisions_digest = pipeline.read_decisions(inputs_dir, settings.limits)  # once, as the build starts
            gather_flow = gather
            if (task_runner or settings.task_runner) == "dask":
                gather_flow = gather.with_options(task_runner=_dask_task_runner())
            # gather reads the known source ids from the database itself: as a parameter, 32,000 of them
            # passed Prefect's 512 KB limit and every later build failed
            counts = gather_flow(inputs_dir, db_path, build_id, None, settings.limits,
                                 settings.survey_question_column, allow_shrink or settings.allow_shrink, timeout)
            library_digests = read_library(db_path, build_id, inputs_dir, settings, timeout, allow_shrink)
            round_digests = read_votes(db_path, build_id, inputs_dir, settings, timeout)
            fingerprint = pipeline.input_fingerprint(
                {**counts["unread"], **counts["digests"], **library_digests, **round_digests, **decisions_digest},
                inputs_dir, settings)
            embed_flow = embed_texts  # uncached question vectors in chunks, before clustering reads them
            if (task_runner or settings.task_runner) == "dask":
                embed_flow = embed_texts.with_options(task_runner=_dask_task_runner())
            embed_flow(db_path, clustering_embedder().name, timeout=timeout)
            decisions_file = pipeline.save_decisions_snapshot(decisions, db_path, build_id)
            result = make_agenda(db_path, out_dir, inputs_dir, build_id, settings, fingerprint, label, decisions_file)
        except BaseException:
            pipeline.fail_build(db_path, build_id, timeout=timeout)
            raise
        finally:
            pipeline.remove_decisions_snapshot(db_path, build_id)
        outcome: pipeline.VersionOutcome = result["outcome"]
        _artifacts(db_path, outcome, result["paths"], timeout)
    rejected = pipeline.rejected_of_build(db_path, build_id, timeout=timeout)
    return {
        "label": outcome.label,
        "new_version": outcome.is_new,
        "items": outcome.n_items,
        "mentions": outcome.n_mentions,
        "sources": outcome.n_sources,
        "files": counts["files"],
        "rejected": [r.model_dump() for r in rejected],
        "changes": outcome.changes,
        "notes": outcome.notes,
        "paths": result["paths"],
        "db_path": str(db_path),
    }


if __name__ == "__main__":
    summary = build_agenda()
    for p in summary["paths"]:
        print(p)
