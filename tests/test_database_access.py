"""Opening the database (issue 12, kinds 6 and 8): never a download, a foreign file refused in
Dutch, and a reader holding the file waited for as long as lock_timeout_seconds says."""

import os
import sqlite3
import subprocess
import sys

import duckdb
import pytest
from typer.testing import CliRunner

from agenda import pipeline
from agenda.cli import app
from agenda.settings import Settings
from agenda.store import DatabaseBusy, ForeignDatabase, Store, connect, damaged_message
from tests.conftest import ROOT


def test_every_connection_has_extension_autoloading_off(tmp_path):
    with Store(tmp_path / "k.duckdb") as store:
        settings = dict(store.con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name LIKE 'auto%_known_extensions'").fetchall())
    assert settings == {"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"}
    store_py = (ROOT / "agenda/store.py").read_text(encoding="utf-8")
    others = [p for p in (ROOT / "agenda").rglob("*.py") if "duckdb.connect(" in p.read_text(encoding="utf-8")]
    assert others == [ROOT / "agenda/store.py"] and store_py.count("duckdb.connect(") == 1


@pytest.mark.parametrize("kind", ["sqlite", "text", "other-duckdb"])
def test_a_foreign_database_file_is_refused_without_downloading(tmp_path, monkeypatch, kind):
    monkeypatch.setenv("HOME", str(tmp_path))  # where DuckDB would put downloaded extensions
    db = tmp_path / "k.duckdb"
    if kind == "sqlite":
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE t (a)")
        con.commit()
        con.close()
    elif kind == "text":
        db.write_text("dit is geen database\n", encoding="utf-8")
    else:
        con = duckdb.connect(str(db))
        con.execute("CREATE TABLE klanten (id INTEGER)")
        con.close()
    before = db.read_bytes()
    for read_only in (True, False):
        with pytest.raises(ForeignDatabase, match=str(db)):
            Store(db, read_only=read_only)
    result = CliRunner().invoke(app, ["versions", "--db", str(db)])
    assert result.exit_code == 2 and str(db) in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / ".duckdb").exists()
    assert db.read_bytes() == before  # left alone


def test_a_reader_is_waited_for_as_long_as_lock_timeout_seconds(tmp_path):
    db = tmp_path / "k.duckdb"
    Store(db).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import time; from agenda.store import Store\n"
         f"s = Store({str(db)!r}, read_only=True); print('open', flush=True); time.sleep(3); s.close()\n"
         "print('closed', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(DatabaseBusy, match="lock_timeout_seconds"):
            connect(db, timeout=0.2).close()
        timeout = pipeline.db_timeout(Settings(lock_timeout_seconds=60))
        assert timeout == 60
        build_id, _ = pipeline.start_build(db, tmp_path, timeout=timeout)  # waits for the reader
        assert build_id == 1
    finally:
        holder.kill()
        holder.wait()
    assert pipeline.db_timeout(Settings()) == pipeline.DB_WAIT_MIN  # a short wait even with the default 0


def test_embedding_and_charts_write_nothing_under_home_and_send_no_telemetry(tmp_path):
    """onnxruntime's wheels ship 1DS telemetry (a device id and an event queue under
    ~/.cache/Microsoft/DeveloperTools/, then DNS look-ups of the collector); matplotlib writes
    its caches under ~/.cache and ~/.config. An unattended build does neither."""
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "from agenda.dedupe.embed import e5_embedder\n"
        "v = e5_embedder('query').embed(['Hoe gebruiken leraren adaptieve software?'])\n"
        "assert v.shape[0] == 1\n"
        "from agenda.report import charts\n"
        "plt = charts._plt()\n"
        "fig, ax = plt.subplots()\n"
        "ax.bar(['a'], [1])\n"
        "assert charts._png(fig).startswith(b'\\x89PNG')\n"
    )
    env = {k: v for k, v in os.environ.items()
           if k not in ("ORT_DISABLE_TELEMETRY", "MPLCONFIGDIR") and not k.startswith("XDG_")}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path,
                   env={**env, "HOME": str(home), "PYTHONPATH": str(ROOT)})
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == []


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_database_is_named_with_what_to_do(tmp_path, damage):
    """A database cut short (a copy interrupted) or overwritten in the middle: 'kon niet worden bijgewerkt
    (IOException: ...); draai de build opnieuw' sent the operator into retries that cannot help, and
    `show` ended in 'onverwachte fout: IOException'."""
    db = tmp_path / "k.duckdb"
    with Store(db) as store:
        store.con.execute("CREATE TABLE t AS SELECT range AS a, repeat('x', 200) AS b FROM range(20000)")
        store.con.execute("CHECKPOINT")
    data = bytearray(db.read_bytes())
    if damage == "truncated":
        data = data[:20_000]
    else:
        for at in range(3 * 4096 + 512, len(data), 4096):
            data[at:at + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    with pytest.raises(ForeignDatabase, match="beschadigd"):
        Store(db, read_only=True).close()
    for command in (["versions", "--db", str(db)], ["build", "--inputs", str(tmp_path), "--db", str(db),
                                                   "--out", str(tmp_path / "out")]):
        result = CliRunner().invoke(app, command, env={"PREFECT_HOME": str(tmp_path / "prefect")})
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert f"database {db} is beschadigd" in result.stderr and "reservekopie" in result.stderr
    assert damaged_message(duckdb.IOException(f'IO Error: Corrupt database file: computed checksum 1 does not match '
                                              f'stored checksum 2 in block at location 536576 of file "{db}"'))
