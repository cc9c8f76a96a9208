"""Privacy through Prefect: nothing identifying in DuckDB, any output, or Prefect's own database."""

from pathlib import Path

from flows.build import build_agenda
from tests.privacy_fixtures import database_text, leaks, outputs_text, write_private_corpus


def _prefect_files() -> list[Path]:
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    url = str(settings.server.database.connection_url.get_secret_value()
              if hasattr(settings.server.database.connection_url, "get_secret_value")
              else settings.server.database.connection_url)
    db = Path(url.split("///", 1)[1])
    files = [p for p in db.parent.glob(db.name + "*") if p.is_file()]
    storage = Path(settings.home) / "storage"
    files += [p for p in storage.rglob("*") if p.is_file()] if storage.is_dir() else []
    return files


def test_no_contact_details_in_duckdb_outputs_or_prefect_database(tmp_path):
    inputs = tmp_path / "inputs"
    write_private_corpus(inputs)
    out = tmp_path / "out"
    summary = build_agenda(inputs_dir=inputs, db_path=out / "k.duckdb", out_dir=out)
    assert summary["new_version"] and summary["mentions"] == 14
    assert leaks(database_text(out / "k.duckdb")) == []
    assert leaks(outputs_text(out)) == []
    files = _prefect_files()
    assert any(p.suffix == ".db" for p in files)
    prefect = "\n".join(p.read_bytes().decode("utf-8", "replace") for p in files)
    assert "kennisagenda-ranglijst" in prefect  # the artifacts are in there, without the secrets
    assert leaks(prefect) == []
