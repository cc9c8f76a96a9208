"""The build's stages as plain functions over paths and ids.

Prefect tasks in `flows/` call exactly these, one call per task; nothing here imports
Prefect, and each stage opens its own short-lived database connection, so no connection
ever crosses a task boundary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from agenda.dedupe.clusters import cluster_database, select_mentions
from agenda.dedupe.curation import load_curation
from agenda.dedupe.embed import default_embedder
from agenda.ingest import file_sha256
from agenda.models import Agenda, Curation, ExcludedItem, IngestResult, Rejection, SourceRef
from agenda.rank import rank_clusters
from agenda.settings import Settings
from agenda.store import Store
from agenda.themes import assign_themes
from agenda.versions import content_hash, describe, diff, next_label

log = logging.getLogger("agenda")

CURATION_FILE = "curation.yaml"


@dataclass
class VersionOutcome:
    label: str
    is_new: bool
    n_items: int
    n_sources: int
    n_mentions: int
    n_rejected: int
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def input_fingerprint(digests: dict[str, str], inputs_dir: Path, settings: Settings) -> str:
    """Hash of every input file (`digests`: relative path -> sha256, as gathered), the curator's
    file and the settings."""
    h = hashlib.sha256(settings.fingerprint().encode())
    curation = inputs_dir / CURATION_FILE
    if curation.is_file():
        digests = {**digests, CURATION_FILE: file_sha256(curation)}
    for relpath, digest in sorted(digests.items()):
        h.update(f"{relpath}\0{digest}\0".encode())
    return h.hexdigest()


def start_build(db_path: Path, inputs_dir: Path, timeout: float = 5.0) -> tuple[int, set[str]]:
    """Register a build; returns its id and the source ids already stored (not parsed again)."""
    with Store(db_path, timeout=timeout) as store:
        return store.start_build(str(inputs_dir)), store.known_source_ids()


def record_ingest(db_path: Path, build_id: int, results: list[IngestResult], present_source_ids: list[str]) -> int:
    """Store what the readers produced; returns the number of rejected files."""
    with Store(db_path) as store:
        store.record_ingest(build_id, results, present_source_ids)
    return sum(r.rejection is not None for r in results)


def cluster_stage(db_path: Path, build_id: int, inputs_dir: Path) -> tuple[Curation, list[str]]:
    """Deduplicate the active mentions with the curator's decisions.

    Returns the decisions resolved to the clusters they now apply to, and notes on
    decisions that could not be applied.
    """
    curation = load_curation(inputs_dir / CURATION_FILE)
    with Store(db_path) as store:
        outcome = cluster_database(store, build_id, curation, embedder=default_embedder())
    for note in outcome.notes:
        log.warning(note)
    return outcome.curation, outcome.notes


def version_stage(
    db_path: Path,
    build_id: int,
    settings: Settings,
    fingerprint: str,
    curation: Curation,
    notes: list[str],
    label: str | None = None,
    now: dt.datetime | None = None,
) -> VersionOutcome:
    """Rank the clusters and store a new immutable version, unless nothing changed."""
    now = now or dt.datetime.now().replace(microsecond=0)
    with Store(db_path) as store:
        clusters = store.clusters()
        all_mentions = store.mentions(include_candidates=True)
        sources = store.sources()
        rejected = store.rejected(build_id)
        mentions, _ = select_mentions(all_mentions, curation)
        items = rank_clusters(clusters, mentions, sources, settings.rank, curation, today=now.date())
        assign_themes(items, curation, settings)
        per_source = Counter(m.source_id for m in mentions)
        in_use = {m.id for m in mentions}
        agenda = Agenda(
            label="", title=settings.title, knowledge_table=settings.knowledge_table, built_at=now,
            input_fingerprint=fingerprint, items=items,
            excluded=[
                ExcludedItem(cluster_id=c.id, question=c.question, why=c.excluded,
                             n_mentions=sum(mid in in_use for mid in c.mention_ids))
                for c in clusters if c.excluded is not None
            ],
            sources=[SourceRef(id=s.id, path=s.path, kind=s.kind, title=s.title, date=s.date,
                               n_mentions=per_source[s.id]) for s in sources],
            rejected=rejected, candidates=len(all_mentions) - len(mentions), curation_notes=notes,
            settings={"rank": settings.rank.model_dump(), "reviewed_by": curation.reviewed_by},
        )
        agenda.content_hash = content_hash(agenda)
        latest = store.version()
        if latest is not None and latest.content_hash == agenda.content_hash and label is None:
            store.finish_build(build_id, "done", latest.label, fingerprint)
            return VersionOutcome(latest.label, False, len(latest.items), len(latest.sources),
                                  sum(i.n_mentions for i in latest.items), len(rejected),
                                  [f"Geen verschillen met versie {latest.label}: geen nieuwe versie gemaakt."], notes)
        existing = [v["label"] for v in store.versions()]
        if label is not None and label in existing:
            raise ValueError(f"versie {label} bestaat al; kies een ander label")
        agenda.label = label or next_label(now, existing)
        agenda.changes = diff(latest, items)
        store.save_version(agenda)
        store.finish_build(build_id, "done", agenda.label, fingerprint)
    return VersionOutcome(agenda.label, True, len(items), len(sources), sum(i.n_mentions for i in items),
                          len(rejected), describe(agenda.changes), notes)


def publish_stage(db_path: Path, label: str, out_dir: Path) -> list[Path]:
    """Write the report and exports of a stored version."""
    from agenda.report import write_outputs

    with Store(db_path) as store:
        agenda = store.version(label)
    if agenda is None:
        raise KeyError(f"versie {label} niet gevonden")
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_outputs(agenda, out_dir)


def rejected_of_build(db_path: Path, build_id: int) -> list[Rejection]:
    with Store(db_path) as store:
        return store.rejected(build_id)
