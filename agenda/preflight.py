"""Checks before a build starts: everything an operator can fix, found before anything runs.

`check_build` raises `PreflightError` (a ValueError with one Dutch line naming the file or
folder and what to do) when the inputs folder is missing or unreadable, the output folder is
not a writable directory, the database is not ours or not writable, the label is taken, or
Prefect's home folder cannot be written. Nothing here writes the database or imports Prefect.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from agenda.store import Store

MIN_FREE_MB = 20  # a report with its exports is well under 5 MB; the database grows by less per build


class PreflightError(ValueError):
    """A problem the operator can fix before the build; the message is one Dutch line."""


def _writable_dir(path: Path, what: str) -> None:
    """`path` is (or can be made) a directory we can write a file in, with room to spare."""
    if path.exists() and not path.is_dir():
        raise PreflightError(f"{what} {path} is geen map maar een bestand; kies een map")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".kennisagenda-probe-") as fh:
            fh.write(b"probe")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        raise PreflightError(_io_reason(exc, path, what)) from None
    free_mb = shutil.disk_usage(path).free / 1024 / 1024
    if free_mb < MIN_FREE_MB:
        raise PreflightError(f"{what} {path}: de schijf is (bijna) vol ({free_mb:.1f} MB vrij, minstens "
                             f"{MIN_FREE_MB} MB nodig); maak ruimte vrij en probeer het opnieuw")


def _io_reason(exc: OSError, path: Path, what: str) -> str:
    if exc.errno == errno.ENOSPC:
        return f"{what} {path}: de schijf is vol; maak ruimte vrij en probeer het opnieuw"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{what} {path} is niet schrijfbaar (geen rechten of alleen-lezen); kies een andere map of pas de rechten aan"
    if exc.errno == errno.ENOTDIR:
        return f"{what} {path}: een deel van het pad is een bestand, geen map; kies een andere map"
    return f"{what} {path} is niet bruikbaar ({exc.strerror or exc.__class__.__name__}); kies een andere map"


def _prefect_database(prefect_home: Path) -> None:
    """The temporary Prefect server's SQLite file in PREFECT_HOME must be readable: a damaged one
    made the server die at start, Prefect restarted it until its 300 s start-up timeout, and the
    build then advised "is de machine erg druk? Draai de build opnieuw", which fails again.
    Skipped when Prefect is told to use another server or database."""
    import sqlite3

    if any(os.environ.get(name) for name in ("PREFECT_API_URL", "PREFECT_API_DATABASE_CONNECTION_URL",
                                             "PREFECT_SERVER_DATABASE_CONNECTION_URL")):
        return
    path = prefect_home / "prefect.db"
    if not path.is_file():
        return  # Prefect creates it
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problem = con.execute("PRAGMA quick_check(1)").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as exc:
        if "locked" in str(exc) or "busy" in str(exc):  # another build's server writing: not damage
            return
        problem = str(exc)
    if problem != "ok":
        raise PreflightError(f"de Prefect-database {path} is beschadigd ({problem}); hernoem of verwijder dat bestand "
                             "(Prefect maakt een nieuwe; alleen de geschiedenis van eerdere runs gaat verloren) en "
                             "draai de build opnieuw")


def check_build(inputs: Path, db: Path, out_dir: Path, label: str | None = None,
                prefect_home: Path | None = None, timeout: float = 5.0) -> None:
    """Everything checkable before the build starts; raises PreflightError (Dutch) on the first problem."""
    from agenda.versions import check_label, label_taken

    if not inputs.is_dir():
        raise PreflightError(f"invoermap niet gevonden: {inputs} (is de (netwerk)map gekoppeld?)")
    try:
        with os.scandir(inputs) as it:
            next(it, None)
    except OSError as exc:
        raise PreflightError(f"invoermap {inputs} is niet leesbaar ({exc.strerror}); pas de rechten aan") from None
    if label is not None:
        try:
            check_label(label)
        except ValueError as exc:
            raise PreflightError(str(exc)) from None
    _writable_dir(out_dir, "uitvoermap")
    _writable_dir(db.parent, "map van de database")
    if prefect_home is not None:
        _writable_dir(prefect_home, "Prefect-map (PREFECT_HOME)")
        _prefect_database(prefect_home)
    if db.exists():
        if not db.is_file():
            raise PreflightError(f"database {db} is geen bestand; kies met --db een bestand")
        if not os.access(db, os.R_OK | os.W_OK):
            raise PreflightError(f"database {db} is niet lees- en schrijfbaar; pas de rechten aan of kies een ander bestand")
        with Store(db, read_only=True, timeout=timeout) as store:  # ForeignDatabase, DatabaseBusy
            store.verify()  # damage in the middle of the file: refused now, not after Prefect has started
            existing = [v["label"] for v in store.versions()] if store.has_schema() else []
        if label is not None and (taken := label_taken(label, existing)):
            same = "bestaat al" if taken == label else f"zou de bestanden van versie {taken} overschrijven"
            raise PreflightError(f"versie {label} {same}; kies een ander label")
