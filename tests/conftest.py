"""Shared fixtures: the sample corpus built once per session, without Prefect."""

import shutil
from pathlib import Path

import pytest

from agenda import pipeline
from agenda.ingest import discover
from agenda.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SEED_QUESTIONS = (
    "Welke competenties moeten de leerkrachten hebben om gepersonaliseerd leren te laten slagen?",
    "In hoeverre is een gepersonaliseerd leeraanbod mogelijk, wenselijk in het so en vso (voorheen cluster 3 en 4)?",
)


def build_without_prefect(inputs: Path, db: Path, out: Path, settings: Settings | None = None, label=None,
                          allow_shrink: bool = False):
    """The flow's stages in order, as plain calls (the flow itself is tested in tests/flows/)."""
    settings = settings or Settings()
    files, rejections = discover(inputs, settings.limits)
    build_id, known = pipeline.start_build(db, inputs)
    batch = pipeline.read_batch([str(p) for p in files], inputs, known, settings.limits)
    results = [pipeline.IngestResult(rejection=r) for r in rejections] + batch.results
    pipeline.record_ingest(db, build_id, results, pipeline.present_sources(batch.digests), allow_shrink=allow_shrink,
                           present_paths=sorted(batch.digests))
    digests = {**batch.unread, **batch.digests, **pipeline.library_stage(db, build_id, inputs, settings),
               **pipeline.round_stage(db, build_id, inputs, settings)}
    fingerprint = pipeline.input_fingerprint(digests, inputs, settings)
    curation, notes = pipeline.cluster_stage(db, build_id, inputs)
    pipeline.evidence_stage(db, build_id)
    outcome = pipeline.version_stage(db, build_id, settings, fingerprint, curation, notes, label=label)
    paths = pipeline.publish_stage(db, outcome.label, out)
    return outcome, paths


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The shipped sample corpus, built once: (inputs dir, db path, out dir, outcome, paths)."""
    base = tmp_path_factory.mktemp("sample")
    inputs = base / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    db, out = base / "out" / "agenda.duckdb", base / "out"
    outcome, paths = build_without_prefect(inputs, db, out)
    return inputs, db, out, outcome, paths
