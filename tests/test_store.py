"""The DuckDB store: migrations, idempotent ingest, versions, locking."""

import datetime as dt
import multiprocessing

import pytest

from agenda.models import Agenda, AgendaItem, Context, IngestResult, Mention, Rejection, Rule, Source, SourceKind
from agenda.store import MIGRATIONS, DatabaseBusy, Store, build_lock


def _result(sid="S-aaa", path="meetings/a.md", texts=("Hoe?",)):
    src = Source(id=sid, path=path, kind=SourceKind.meeting, title="A", content_hash="h" + sid, date=dt.date(2021, 6, 23))
    mentions = [Mention(id=f"M-{sid}{i}", source_id=sid, text=t, rule=Rule.section, context=Context(sectors=["po"]))
                for i, t in enumerate(texts)]
    return IngestResult(source=src, mentions=mentions)


def test_migrations_are_recorded_once(tmp_path):
    db = tmp_path / "a.duckdb"
    with Store(db) as store:
        assert store.schema_version() == MIGRATIONS[-1][0]
    with Store(db) as store:
        assert store.migrate() == []
        assert store.con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)


def test_reingesting_the_same_source_adds_nothing(tmp_path):
    with Store(tmp_path / "a.duckdb") as store:
        for _ in range(2):
            b = store.start_build("inputs")
            store.record_ingest(b, [_result()], ["S-aaa"])
        assert store.con.execute("SELECT count(*) FROM sources").fetchone()[0] == 1
        assert len(store.mentions()) == 1


def test_absent_sources_become_inactive_but_are_kept(tmp_path):
    with Store(tmp_path / "a.duckdb") as store:
        b = store.start_build("inputs")
        store.record_ingest(b, [_result("S-a", "a.md"), _result("S-b", "b.md")], ["S-a", "S-b"])
        b = store.start_build("inputs")
        store.record_ingest(b, [], ["S-a"])
        assert [s.id for s in store.sources()] == ["S-a"]
        assert len(store.sources(active_only=False)) == 2
        assert {m.source_id for m in store.mentions()} == {"S-a"}


def test_rejected_rows_belong_to_their_build(tmp_path):
    with Store(tmp_path / "a.duckdb") as store:
        b1 = store.start_build("inputs")
        store.record_ingest(b1, [IngestResult(rejection=Rejection(file="x.md", line=3, reason="kapot"))], [])
        assert store.rejected() == [Rejection(file="x.md", line=3, reason="kapot")]
        store.start_build("inputs")
        assert store.rejected() == []


def test_version_snapshot_round_trips(tmp_path):
    item = AgendaItem(rank=1, cluster_id="Q-abcdef", question="Hoe?", score=2.0, frequency=2, n_mentions=3,
                      explanation="x", contexts={"sector": ["po"]})
    agenda = Agenda(label="2026-Q4", built_at=dt.datetime(2026, 11, 23, 10), input_fingerprint="f", items=[item],
                    content_hash="c")
    with Store(tmp_path / "a.duckdb") as store:
        store.save_version(agenda)
        assert store.version("2026-Q4") == agenda
        assert store.version() == agenda
        assert [v["label"] for v in store.versions()] == ["2026-Q4"]
        row = store.con.execute("SELECT question, sectors FROM agenda_items").fetchone()
        assert row == ("Hoe?", ["po"])


def _hold_lock(db, ready, release):
    with build_lock(db):
        ready.set()
        release.wait(10)


def test_second_build_gets_database_busy(tmp_path):
    db = tmp_path / "a.duckdb"
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(db, ready, release))
    proc.start()
    try:
        assert ready.wait(20)
        with pytest.raises(DatabaseBusy), build_lock(db, timeout=0.3):
            pass
    finally:
        release.set()
        proc.join(10)
    with build_lock(db, timeout=1):  # released when the holder ends
        pass


def test_read_only_open_of_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="kennisagenda build"):
        Store(tmp_path / "missing.duckdb", read_only=True)
