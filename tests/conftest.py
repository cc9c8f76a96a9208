"""Shared fixtures: the sample corpus built once per test run, without Prefect; and the grouping
that keeps pytest-xdist's workers (`make test` runs two) from building anything twice."""

import fcntl
import os
import pickle
import shutil
from pathlib import Path

import pytest

from agenda import pipeline
from agenda.ingest import discover
from agenda.settings import Settings, load_settings, settings_file_for

ROOT = Path(__file__).resolve().parents[1]
SEED_QUESTIONS = (
    "Welke competenties moeten de leerkrachten hebben om gepersonaliseerd leren te laten slagen?",
    "In hoeverre is een gepersonaliseerd leeraanbod mogelijk, wenselijk in het so en vso (voorheen cluster 3 en 4)?",
)


def build_without_prefect(inputs: Path, db: Path, out: Path, settings: Settings | None = None, label=None,
                          allow_shrink: bool = False):
    """The flow's stages in order, as plain calls (the flow itself is tested in tests/flows/)."""
    # the settings a build of these inputs reads (inputs/kennisagenda.toml for the sample), as `make agenda`
    settings = settings or load_settings(settings_file_for(inputs))
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


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist (`make test` runs two workers): a test file runs on one worker, so its module
    fixtures (a subprocess build, a hostile corpus) are made once; tests/flows/ share one worker
    and so one Prefect test harness, except the real-server test, which starts its own server.
    Files go out in collection order (flows first, the long real-server test second).
    (xdist's own `--dist loadgroup` marks do not reach the scheduler under pytest 9.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FileGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return "tests/flows" if path.startswith("tests/flows/") and not path.endswith("server_deploy.py") else path

    config.option.loadscopereorder = False
    return FileGroups(config, log)


def _build_sample(base: Path):
    inputs = base / "inputs"
    shutil.copytree(ROOT / "inputs", inputs)
    db, out = base / "out" / "agenda.duckdb", base / "out"
    outcome, paths = build_without_prefect(inputs, db, out)
    return inputs, db, out, outcome, paths


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """The shipped sample corpus, built once: (inputs dir, db path, out dir, outcome, paths).

    Under pytest-xdist the first worker that needs it builds it into the run's shared temporary
    folder (a file lock makes the other wait) and every worker copies it: one build per run."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return _build_sample(tmp_path_factory.mktemp("sample"))
    shared = tmp_path_factory.getbasetemp().parent / "sample-build"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "built.pickle").is_file():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            _, db, _, outcome, paths = _build_sample(shared)
            (shared / "built.pickle").write_bytes(pickle.dumps((db.name, outcome, [Path(p).name for p in paths])))
    db_name, outcome, names = pickle.loads((shared / "built.pickle").read_bytes())
    base = tmp_path_factory.mktemp("sample")
    shutil.copytree(shared / "inputs", base / "inputs")
    shutil.copytree(shared / "out", base / "out", ignore=shutil.ignore_patterns("*.lock"))
    out = base / "out"
    return base / "inputs", out / db_name, out, outcome, [out / n for n in names]
