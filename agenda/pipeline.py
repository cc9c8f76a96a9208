"""The build's stages as plain functions over paths and ids.

Prefect tasks in `flows/` call exactly these, one call per task; nothing here imports
Prefect, and each stage opens its own short-lived database connection, so no connection
ever crosses a task boundary.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from agenda.dedupe.curation import load_curation
from agenda.engagement import engagement, fill_groups
from agenda.evidence.attach import attach_evidence
from agenda.fingerprint import input_fingerprint, unchanged_version  # noqa: F401 - part of the stages' API
from agenda.ingest import VANISHED, IngestError, file_sha256, input_digest, read_file, relative_path, source_id
from agenda.models import Agenda, Curation, ExcludedItem, IngestResult, KnowledgeRef, Rejection, SourceRef
from agenda.needs import fill_needs
from agenda.privacy import mask_tree
from agenda.priority import apply_round
from agenda.rank import rank_clusters
from agenda.settings import Limits, Settings
from agenda.store import Store
from agenda.versions import check_label, content_hash, describe, diff, label_taken, next_label

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


DB_WAIT_MIN = 5.0  # seconds: a reader (`kennisagenda show`, a notebook) closing its connection


def db_timeout(settings: Settings) -> float:
    """How long a build waits for the database file held by another process (seconds)."""
    return max(settings.lock_timeout_seconds, DB_WAIT_MIN)


class InputsShrunk(ValueError):
    """The inputs would give no sources, or less than half of the latest version's: no version is made."""


def start_build(db_path: Path, inputs_dir: Path, timeout: float = DB_WAIT_MIN) -> tuple[int, set[str]]:
    """Register a build; returns its id and the source ids already stored (not parsed again)."""
    with Store(db_path, timeout=timeout) as store:
        return store.start_build(str(inputs_dir)), store.known_source_ids()


def known_sources(db_path: Path, timeout: float = DB_WAIT_MIN) -> set[str]:
    """The source ids already stored (their files are not parsed again)."""
    with Store(db_path, timeout=timeout) as store:
        return store.known_source_ids()


def decisions_snapshot_path(db_path: Path, build_id: int) -> Path:
    """Where a build keeps the decisions it read at its start: hidden, beside the database."""
    return Path(db_path).parent / f".{Path(db_path).name}.build-{build_id}.besluiten.json"


def save_decisions_snapshot(curation: Curation, db_path: Path, build_id: int) -> Path:
    """Write the decisions as read at the start of the build, for the stages that apply them
    (a path goes to Prefect, not the decisions: flow-run parameters are stored and capped at 512 KB)."""
    path = decisions_snapshot_path(db_path, build_id)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(curation.model_dump_json(), encoding="utf-8")
    tmp.replace(path)
    return path


def load_decisions_snapshot(path: Path) -> Curation:
    return Curation.model_validate_json(Path(path).read_text(encoding="utf-8"))


def remove_decisions_snapshot(db_path: Path, build_id: int) -> None:
    for p in (decisions_snapshot_path(db_path, build_id),):
        p.unlink(missing_ok=True)
        p.with_name(p.name + ".tmp").unlink(missing_ok=True)


@dataclass
class BatchRead:
    """What one batch of input files gave: `digests` maps the relative path of every file that
    is (still) there and gives a source to the sha256 of the bytes read; `unread` the same for
    files that did not parse (they count in the input fingerprint: fixing one is a change);
    `results` holds new sources and rejections."""

    digests: dict[str, str] = field(default_factory=dict)
    unread: dict[str, str] = field(default_factory=dict)
    results: list[IngestResult] = field(default_factory=list)


def read_batch(paths: list[str], inputs_dir: Path, known: set[str] | frozenset[str], limits: Limits | None = None,
               survey_question_column: str | None = None) -> BatchRead:
    """Hash and, when new, parse a batch of input files. Never raises for one file.

    A file whose bytes are already stored (`known` source ids) is not parsed again. For a
    parsed file the digest is the one its reader computed from the bytes it parsed, so a file
    saved in the middle of a build can never be recorded under another file's hash.
    """
    out = BatchRead()
    inputs_dir = Path(inputs_dir)
    for raw in paths:
        path = Path(raw)
        rel = relative_path(path, inputs_dir)
        try:
            digest = input_digest(path)  # a survey's sidecar settings count too
        except FileNotFoundError:
            out.results.append(IngestResult(rejection=Rejection(file=rel, reason=VANISHED)))
            continue
        except IngestError as exc:  # not a regular file any more (a pipe put in its place)
            out.results.append(IngestResult(rejection=Rejection(file=rel, reason=exc.reason)))
            continue
        except OSError as exc:
            out.results.append(IngestResult(rejection=Rejection(
                file=rel, reason=f"kan niet worden gelezen ({exc.strerror or exc.__class__.__name__})")))
            continue
        if source_id(digest) in known:
            out.digests[rel] = digest
            continue
        result = read_file(path, inputs_dir, limits, survey_question_column=survey_question_column)
        if result.source is not None:
            out.digests[rel] = result.source.content_hash
        else:
            out.unread[rel] = digest
        out.results.append(result)
    return out


def present_sources(digests: dict[str, str]) -> list[str]:
    """Source ids of every file present in this build (read now or stored before)."""
    return sorted({source_id(d) for d in digests.values()})


def record_ingest(db_path: Path, build_id: int, results: list[IngestResult], present_source_ids: list[str],
                  allow_shrink: bool = False, timeout: float = DB_WAIT_MIN,
                  present_paths: list[str] | None = None) -> int:
    """Store what the readers produced; returns the number of rejected files.

    Refuses (`InputsShrunk`, nothing but the rejections stored, the build marked failed) when
    no source would be present, fewer than half of the latest version's sources, or (given
    `present_paths`, the relative paths of the files read or known) none from a top-level folder
    that gave the latest version sources, unless `allow_shrink`: an unmounted share or a wrong
    limit must not publish an empty or truncated agenda.
    """
    with Store(db_path, timeout=timeout) as store:
        present = set(present_source_ids)
        if not allow_shrink:
            latest = store.latest_version_info()
            previous = int(latest["n_sources"]) if latest else 0
            lost = {}
            if latest and present_paths is not None:
                # an unmounted share's mount point is an empty folder: surveys/ gone took 44 of 112
                # formulations (2 of 16 files) and published a 29-question agenda with exit 0
                here = {p.split("/", 1)[0] for p in present_paths if "/" in p}
                lost = {f: n for f, n in store.version_folders(str(latest["label"])).items() if f not in here}
            if not present or len(present) * 2 < previous or lost:
                store.record_rejections(build_id, [r.rejection for r in results if r.rejection is not None])
                store.finish_build(build_id, "failed", None, "")
                raise InputsShrunk(_shrink_message(store.build_inputs_dir(build_id), len(present), latest,
                                                   sum(r.rejection is not None for r in results), lost))
            if latest is None and not _any_question(store, results, present):
                # a first agenda without a single question is no agenda: files that were read but held
                # no question (a wrong column, a template) published an empty version with exit 0
                store.record_rejections(build_id, [r.rejection for r in results if r.rejection is not None])
                store.finish_build(build_id, "failed", None, "")
                raise InputsShrunk(_no_questions_message(store.build_inputs_dir(build_id), len(present), results))
        store.record_ingest(build_id, results, present_source_ids)
    return sum(r.rejection is not None for r in results)


def _shrink_message(inputs_dir: str | None, n_present: int, latest: dict | None, n_rejected: int,
                    lost: dict[str, int] | None = None) -> str:
    where = inputs_dir or "de invoermap"
    why = (f"{n_rejected} bestand(en) afgewezen, zie `kennisagenda rejected`" if n_rejected
           else "is de (netwerk)map gekoppeld?")
    if n_present == 0:
        what = f"geen bruikbare invoerbestanden in {where} ({why})"
    elif lost and n_present * 2 >= int(latest["n_sources"]):
        folders = ", ".join(f"{f}/ ({n} bron(nen) in versie {latest['label']})" for f, n in sorted(lost.items()))
        what = (f"geen bronnen meer uit {folders} in {where} "
                f"({'is die (netwerk)map gekoppeld?' if not n_rejected else why})")
    else:
        what = (f"de invoer in {where} geeft {n_present} bronnen, minder dan de helft van de "
                f"{latest['n_sources']} van versie {latest['label']} ({why})")
    return (f"{what}: geen nieuwe versie gemaakt. Bewust kleiner bouwen: --allow-shrink "
            "(of allow_shrink = true in de instellingen)")


def _any_question(store: Store, results: list[IngestResult], present: set[str]) -> bool:
    """Does any file present in this build give an agenda question (read now, or stored before)?"""
    read_now = {r.source.id for r in results if r.source is not None}
    if any(not m.is_candidate for r in results for m in r.mentions):
        return True
    return store.count_questions(present - read_now) > 0


def _no_questions_message(inputs_dir: str | None, n_present: int, results: list[IngestResult]) -> str:
    where = inputs_dir or "de invoermap"
    n_candidates = sum(m.is_candidate for r in results for m in r.mentions)
    n_rejected = sum(r.rejection is not None for r in results)
    checks = ["staan de vragen onder een kop met 'vragen' of 'vraagstukken' (verslagen, casussen)",
              "heeft een enquête een kolom met de vragen (of noem die in '<bestand>.yaml': vraagkolom: <kop>)"]
    if n_candidates:
        checks.append(f"{n_candidates} vraagzin(nen) elders in de tekst zijn als kandidaat bewaard: "
                      "promoveer ze in curation.yaml")
    if n_rejected:
        checks.append(f"{n_rejected} bestand(en) afgewezen, zie `kennisagenda rejected`")
    warned = [w for r in results for w in r.warnings if "geen enkele vraag" in w.reason or "geen vraag" in w.reason]
    named = "".join(f" {w.file}: {w.reason}." for w in warned[:3])
    more = f" (en nog {len(warned) - 3} bestand(en))" if len(warned) > 3 else ""
    return (f"de {n_present} bestand(en) in {where} geven samen geen enkele vraag voor de agenda: geen eerste "
            f"versie gemaakt.{named}{more} Controleer: {'; '.join(checks)}. Bewust leeg bouwen: --allow-shrink")


def fail_build(db_path: Path, build_id: int, timeout: float = DB_WAIT_MIN) -> None:
    """Mark a build that stopped half-way as failed (best effort: the database may be the problem)."""
    try:
        with Store(db_path, timeout=timeout) as store:
            store.fail_build(build_id)
    except Exception:  # noqa: BLE001 - the original error is the one to report
        log.debug("build %s niet als mislukt gemarkeerd", build_id, exc_info=True)


def read_decisions(inputs_dir: Path, limits: Limits | None = None) -> tuple[Curation, dict[str, str]]:
    """The curator's decisions as the build starts, and {"curation.yaml": sha256} of the file read ({} when absent).

    Read once per build, at its start: a decisions file that disappears (a share's hiccup) or is
    saved while the build runs must not give a version without the curator's merges, exclusions
    and names, nor one whose fingerprint names other decisions than it applied.
    Raises CurationError (Dutch, the file and line) for a file that cannot be used.
    """
    path = Path(inputs_dir) / CURATION_FILE
    for _ in range(3):
        try:
            before = file_sha256(path)
        except (FileNotFoundError, IngestError):  # absent, or not a regular file: as load_curation sees it
            return load_curation(path, limits=limits), {}
        curation = load_curation(path, limits=limits)
        try:
            if file_sha256(path) == before:
                return curation, {CURATION_FILE: before}
        except FileNotFoundError:
            return curation, {CURATION_FILE: before}
    return curation, {CURATION_FILE: before}


def cluster_stage(db_path: Path, build_id: int, inputs_dir: Path,
                  timeout: float = DB_WAIT_MIN, curation: Curation | None = None) -> tuple[Curation, list[str]]:
    """Deduplicate the active mentions with the curator's decisions (`curation`, as read by
    `read_decisions` at the start of the build; else read now).

    Returns the decisions resolved to the clusters they now apply to, and notes on
    decisions that could not be applied.
    """
    from agenda.dedupe.clusters import cluster_database  # numpy/scipy/rapidfuzz: not for an unchanged rebuild
    from agenda.dedupe.pairs import semantic_embedder

    if curation is None:
        curation = load_curation(inputs_dir / CURATION_FILE)
    with Store(db_path, timeout=timeout) as store:
        outcome = cluster_database(store, build_id, curation, embedder=semantic_embedder())
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
    timeout: float = DB_WAIT_MIN,
) -> VersionOutcome:
    """Rank the clusters and store a new immutable version, unless nothing changed."""
    from agenda.dedupe.clusters import select_mentions
    from agenda.dedupe.pairs import model_summary
    from agenda.themes import assign_themes

    now = now or dt.datetime.now().replace(microsecond=0)
    with Store(db_path, timeout=timeout) as store:
        clusters = store.clusters()
        all_mentions = store.mentions(include_candidates=True)
        sources = store.sources()
        rejected = store.rejected(build_id)
        mentions, _ = select_mentions(all_mentions, curation)
        items = rank_clusters(clusters, mentions, sources, settings.rank, curation, today=now.date(),
                              role_names=settings.vocabulary.roles)
        if (bad := next((i for i in items if not math.isfinite(i.score)), None)) is not None:
            # stored, an infinite score reads back as null: every later build and `show` would fail
            raise ValueError(f"de score van vraag {bad.cluster_id} is geen gewoon getal ({bad.score}): verlaag de "
                             "gewichten in [rank] van de instellingen of de priority in curation.yaml; geen versie gemaakt")
        assign_themes(items, curation, settings)
        library = store.library()
        items, answered, evidence_notes = attach_evidence(items, store.suggestions(), library)
        items, priority_round = apply_round(store, build_id, items, answered)
        notes = [*notes, *evidence_notes]
        fill_needs([*items, *answered], len(library))
        fill_groups([*items, *answered])
        per_source = Counter(m.source_id for m in mentions)
        in_use = {m.id for m in mentions}
        agenda = Agenda(
            label="", title=settings.title, knowledge_table=settings.knowledge_table, built_at=now,
            input_fingerprint=fingerprint, items=items, answered=answered,
            library=[KnowledgeRef(**s.model_dump(exclude={"abstract", "passages"})) for s in library],
            excluded=[
                ExcludedItem(cluster_id=c.id, question=c.question, why=c.excluded,
                             n_mentions=sum(mid in in_use for mid in c.mention_ids))
                for c in clusters if c.excluded is not None
            ],
            sources=[SourceRef(id=s.id, path=s.path, kind=s.kind, title=s.title, date=s.date,
                               n_mentions=per_source[s.id]) for s in sources],
            rejected=rejected, candidates=len(all_mentions) - len(mentions), curation_notes=notes,
            settings={"rank": settings.rank.model_dump(), "reviewed_by": curation.reviewed_by,
                      "curation": {k: len(getattr(curation, k)) for k in
                                   ("merge", "distinct", "split", "rename", "exclude", "promote")},
                      "deduplication": model_summary()},
            build_info=build_info(),
            engagement=engagement(items, answered, settings.expected_roles, settings.expected_sectors),
            priority_round=priority_round,
        )
        # a curator's rename or note, a library entry: no contact details in a stored version (agenda/privacy.py)
        agenda = Agenda.model_validate(mask_tree(agenda.model_dump(mode="json")))
        agenda.content_hash = content_hash(agenda)
        latest = store.version()
        existing = [v["label"] for v in store.versions()]
        if label is not None and (taken := label_taken(check_label(label), existing)):
            same = "bestaat al" if taken == label else f"zou de bestanden van versie {taken} overschrijven"
            raise ValueError(f"versie {label} {same}; kies een ander label")
        if latest is not None and latest.content_hash == agenda.content_hash:
            # whatever --label says: a second label for the same content would be a duplicate version
            store.finish_build(build_id, "done", latest.label, fingerprint)
            line = f"Geen verschillen met versie {latest.label}: geen nieuwe versie gemaakt."
            if label is not None:
                line += f" Het label {label} is niet gebruikt."
            return VersionOutcome(latest.label, False, len(latest.items), len(latest.sources),
                                  sum(i.n_mentions for i in latest.items), _errors(rejected), [line], notes)
        agenda.label = label or next_label(now, existing)
        if agenda.priority_round is not None and not agenda.priority_round.version:
            agenda.priority_round.version = agenda.label  # a ballot file read before any version existed
            store.date_ballots(agenda.label)
        agenda.changes = diff(latest, agenda.items, agenda.answered, agenda.excluded, new_round=agenda.priority_round)
        store.save_version(agenda)
        store.finish_build(build_id, "done", agenda.label, fingerprint)
    return VersionOutcome(agenda.label, True, len(items), len(sources), sum(i.n_mentions for i in items),
                          _errors(rejected), describe(agenda.changes), notes)


def round_stage(db_path: Path, build_id: int, inputs_dir: Path, settings: Settings,
                timeout: float = DB_WAIT_MIN) -> dict[str, str]:
    """Read the priority round's vote exports (inputs/stemronde/) and store them on the round's
    ballot; returns the folder's files' digests for the input fingerprint."""
    from agenda.priority import round_stage as read

    with Store(db_path, timeout=timeout) as store:
        return read(store, build_id, Path(inputs_dir), settings.limits, settings.vocabulary.roles)


def library_stage(db_path: Path, build_id: int, inputs_dir: Path, settings: Settings,
                  timeout: float = DB_WAIT_MIN, allow_shrink: bool = False) -> dict[str, str]:
    """Read the evidence library (inputs/kennis/) into the store; returns its files' digests.
    Raises InputsShrunk when ``kennis/`` gave the latest version sources and now gives none."""
    from agenda.evidence import library_stage as read

    return read(db_path, build_id, inputs_dir, settings.limits, timeout=timeout,
                allow_shrink=allow_shrink or settings.allow_shrink)


def evidence_stage(db_path: Path, build_id: int, timeout: float = DB_WAIT_MIN) -> int:
    """Match every current question to the evidence library; returns questions with a suggestion."""
    from agenda.evidence import match_stage

    return match_stage(db_path, build_id, timeout=timeout)


def publish_stage(db_path: Path, label: str, out_dir: Path, timeout: float = DB_WAIT_MIN,
                  expected_roles: Sequence[str] = (), expected_sectors: Sequence[str] = ()) -> list[Path]:
    """Write the report and exports of a stored version (an unchanged build republishes an older
    one: its derived engagement summary is judged against the settings' expected groups)."""
    from agenda.report import write_outputs

    with Store(db_path, timeout=timeout) as store:
        agenda = store.version(label)
    if agenda is None:
        raise KeyError(f"versie {label} niet gevonden")
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_outputs(agenda, out_dir, expected_roles=expected_roles, expected_sectors=expected_sectors)


def build_info() -> dict[str, object]:
    """The embedding back-end and the machine that computed the vectors: {"embedder", "onnxruntime",
    "cpu", "cpu_features", "machine"} (stored with each version; the vectors do not depend on the CPU,
    see agenda/dedupe/e5onnx.py, but a funder rebuilding elsewhere can see what differed)."""
    import platform

    from agenda.dedupe.e5onnx import cpu_features
    from agenda.dedupe.pairs import semantic_embedder

    info: dict[str, object] = {"embedder": semantic_embedder().name}
    try:
        import onnxruntime

        info["onnxruntime"] = onnxruntime.__version__
    except ImportError:  # pragma: no cover - a hard dependency
        pass
    cpu = cpu_features()
    info.update(cpu=cpu["cpu"], cpu_features=cpu["features"], machine=platform.machine())
    return info


def _errors(rejected: list[Rejection]) -> int:
    return sum(r.severity == "error" for r in rejected)


def rejected_of_build(db_path: Path, build_id: int, timeout: float = DB_WAIT_MIN) -> list[Rejection]:
    with Store(db_path, timeout=timeout) as store:
        return store.rejected(build_id)
