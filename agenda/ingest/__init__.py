"""Ingest: every file in ``inputs/`` → a Source with its Mentions, or a Rejection.

Public interface (used by the flow and the CLI)::

    discover(inputs_dir, limits=None) -> (paths, rejections)
    read_file(path, inputs_dir, limits=None, survey_question_column=None) -> IngestResult
    file_sha256(path) -> str

``read_file`` never raises: any failure — including bugs in a reader — becomes
``IngestResult(rejection=Rejection(file, line, reason))`` with a Dutch reason.

Formats: ``.md``/``.markdown``/``.txt`` (:mod:`.markdown`), ``.docx`` (:mod:`.word`), ``.pdf`` (:mod:`.pdf`),
``.yaml``/``.yml`` cases (:mod:`.case`), ``.csv``/``.xlsx`` surveys (:mod:`.survey`).
A Markdown/Word file is a case when its front matter/properties say ``kind: case`` or it
lives under ``cases/``. Hostile-input defences are in :mod:`.safety`.

Ids: ``Source.id = "S-" + sha256(bytes)[:12]``; ``Mention.id = "M-" + sha1(path, casefolded
whitespace-collapsed text, occurrence of that text in the file)[:8]``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

from agenda.ingest.common import IngestError, file_sha256, relative_path, source_id
from agenda.models import IngestResult, Rejection, SourceKind
from agenda.settings import Limits

__all__ = ["discover", "read_file", "file_sha256", "input_digest", "source_id", "SUFFIXES"]

log = logging.getLogger("agenda.ingest")

SUFFIXES = (".md", ".markdown", ".txt", ".docx", ".pdf", ".yaml", ".yml", ".csv", ".xlsx")
LIBRARY_DIR = "kennis"  # inputs/kennis/ is the evidence library, read by agenda.evidence (not meetings/surveys)
ROUND_DIR = "stemronde"  # inputs/stemronde/ holds the priority round's ballot and votes, read by agenda.priority
_SKIP_NAMES = {"curation.yaml", "curation.yml", "curation.yaml.bak", "curation.yml.bak", "curation.yaml.tmp",
               "kennisagenda.toml", "thumbs.db", "desktop.ini"}  # the decisions file, its backup and an old
# writer's temporary file; the knowledge table's settings (agenda.settings.settings_file_for)
_HINTS = {
    ".doc": "sla het op als .docx",
    ".xls": "sla het op als .xlsx",
    ".odt": "sla het op als .docx",
    ".ods": "sla het op als .xlsx",
    ".rtf": "sla het op als .docx",
    ".docm": "sla het op als .docx zonder macro's",
    ".xlsm": "sla het op als .xlsx zonder macro's",
}


def _skipped(name: str) -> bool:
    low = name.lower()
    return (
        name.startswith((".", "~$")) or low.startswith("readme") or low in _SKIP_NAMES or low.endswith("~")
        or is_sidecar(low)
    )


_SIDECAR = (".csv.yaml", ".csv.yml", ".xlsx.yaml", ".xlsx.yml")


def is_sidecar(name: str) -> bool:
    """``peiling.csv.yaml``: a survey's own settings (see :mod:`.survey`), read with the survey."""
    return name.lower().endswith(_SIDECAR)


def input_digest(path: Path) -> str:
    """The content hash that names a source: sha256 of the file's bytes, and for a survey with a
    sidecar settings file, of both — so editing the sidecar makes the next build read it again."""
    digest = file_sha256(path)
    for suffix in (".yaml", ".yml"):
        side = Path(path).with_name(Path(path).name + suffix)
        if Path(path).suffix.lower() in (".csv", ".xlsx") and side.is_file():
            h = hashlib.sha256(digest.encode())
            h.update(b"\0sidecar\0")
            h.update(side.read_bytes()[: 1 << 20])
            return h.hexdigest()
    return digest


def _unknown_reason(suffix: str, suffixes: tuple[str, ...] = SUFFIXES) -> str:
    allowed = ", ".join(suffixes)
    hint = _HINTS.get(suffix.lower())
    what = f"bestandstype {suffix}" if suffix else "bestand zonder extensie"
    return f"{what} wordt niet gelezen ({hint}; toegestaan: {allowed})" if hint else f"{what} wordt niet gelezen (toegestaan: {allowed})"


def discover(
    inputs_dir: Path,
    limits: Limits | None = None,
    *,
    suffixes: tuple[str, ...] = SUFFIXES,
    exclude: tuple[str, ...] = (LIBRARY_DIR, ROUND_DIR),
) -> tuple[list[Path], list[Rejection]]:
    """Files to read under ``inputs_dir`` (recursive, sorted by relative path), plus rejections.

    Skipped silently: hidden files and folders, Word lock files (``~$…``), ``README*``,
    ``curation.yaml`` (read elsewhere), and the top-level folders in ``exclude`` (the
    evidence library ``kennis/`` and the priority round's ``stemronde/`` have their own readers). Symlinks are only followed when they
    resolve inside ``inputs_dir`` (symlinked folders are never descended: no loops, no
    duplicates). Extensions outside ``suffixes`` and outside/broken symlinks are rejected
    with a Dutch reason.
    """
    inputs_dir = Path(inputs_dir)
    root = inputs_dir.resolve()
    files: list[Path] = []
    rejections: list[Rejection] = []
    if not inputs_dir.is_dir():
        return [], [Rejection(file=str(inputs_dir), reason="map met invoerbestanden bestaat niet")]
    def unreadable(exc: OSError) -> None:  # a folder that cannot be listed is reported, never skipped silently
        where = relative_path(Path(exc.filename), inputs_dir) if exc.filename else str(inputs_dir)
        rejections.append(Rejection(file=where, reason=f"map kan niet worden gelezen ({exc.strerror or 'fout'}): "
                                                     "de bestanden erin zijn niet gelezen"))

    for dirpath, dirnames, filenames in os.walk(inputs_dir, followlinks=False, onerror=unreadable):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            if _skipped(d) or (here == inputs_dir and d.lower() in exclude):
                continue
            p = here / d
            if p.is_symlink():
                try:
                    target = p.resolve()
                    inside = target.is_relative_to(root)
                except (OSError, RuntimeError):
                    inside = False
                if not inside:
                    rejections.append(
                        Rejection(file=relative_path(p, inputs_dir), reason="map verwijst naar een plek buiten inputs/: niet gevolgd")
                    )
                continue  # symlinked folders inside inputs/ would only duplicate files
            keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            if _skipped(name):
                continue
            p = here / name
            rel = relative_path(p, inputs_dir)
            if p.is_symlink():
                try:
                    target = p.resolve(strict=True)
                except (OSError, RuntimeError):
                    rejections.append(Rejection(file=rel, reason="verwijst naar een bestand dat niet bestaat (kapotte snelkoppeling)"))
                    continue
                if not target.is_relative_to(root):
                    rejections.append(Rejection(file=rel, reason="verwijst naar een bestand buiten inputs/: niet gelezen"))
                    continue
                if not target.is_file():
                    rejections.append(Rejection(file=rel, reason="verwijst niet naar een gewoon bestand: niet gelezen"))
                    continue
            elif not p.is_file():
                rejections.append(Rejection(file=rel, reason="geen gewoon bestand (apparaat, pipe of socket): niet gelezen"))
                continue
            suffix = p.suffix.lower()
            if suffix not in suffixes:
                rejections.append(Rejection(file=rel, reason=_unknown_reason(p.suffix, suffixes)))
                continue
            files.append(p)
    files.sort(key=lambda p: relative_path(p, inputs_dir))
    rejections.sort(key=lambda r: r.file)
    return files, rejections


VANISHED = "verdwenen tijdens het lezen"
CHANGED = "gewijzigd tijdens het lezen (steeds opnieuw opgeslagen terwijl de build las); draai de build opnieuw"
READ_ATTEMPTS = 3


def _stat_key(path: Path) -> tuple[int, int, int, int]:
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def read_file(
    path: Path,
    inputs_dir: Path,
    limits: Limits | None = None,
    survey_question_column: str | None = None,
) -> IngestResult:
    """Read one input file. Never raises: failures become a Rejection.

    The source id is the hash of the bytes the reader parsed: when the file changes while it
    is read (size, mtime, ctime or inode differ before and after, or its bytes no longer hash to
    the id: a secretary saving it),
    it is read again, up to ``READ_ATTEMPTS`` times, then rejected "gewijzigd tijdens het
    lezen". A file that disappears is rejected "verdwenen tijdens het lezen".
    """
    rel = relative_path(Path(path), Path(inputs_dir))
    for attempt in range(READ_ATTEMPTS):
        try:
            before = _stat_key(path)
        except FileNotFoundError:
            return IngestResult(rejection=Rejection(file=rel, reason=VANISHED))
        except OSError:
            before = None  # unreadable: the reader gives the reason
        result = _read_once(path, inputs_dir, limits, survey_question_column)
        try:
            after = _stat_key(path)
            # a share's cached attributes (CIFS/NFS: about a second) or a coarse clock (FAT: 2 s) hide a
            # save from stat: the bytes must still be those the id names, else a later build would find
            # that id stored and never read the file again (tests/test_inputs_during_build.py)
            same = before == after and (result.source is None or input_digest(path) == result.source.content_hash)
        except FileNotFoundError:
            return IngestResult(rejection=Rejection(file=rel, reason=VANISHED))
        except IngestError:  # no longer a regular file: the next attempt says so
            same = False
        except OSError:
            after = None
            same = before == after
        if same:
            return result
        log.info("%s veranderde tijdens het lezen (poging %d)", rel, attempt + 1)
        time.sleep(0.2 * (attempt + 1))  # let the writer finish its save
    return IngestResult(rejection=Rejection(file=rel, reason=CHANGED))


def _read_once(
    path: Path,
    inputs_dir: Path,
    limits: Limits | None = None,
    survey_question_column: str | None = None,
) -> IngestResult:
    path, inputs_dir = Path(path), Path(inputs_dir)
    limits = limits or Limits()
    rel = relative_path(path, inputs_dir)
    try:
        return _masked(_no_question_warning(_read(path, inputs_dir, rel, limits, survey_question_column)))
    except IngestError as exc:
        from agenda.privacy import mask_reason

        return IngestResult(rejection=Rejection(file=rel, line=exc.line,
                                                reason=mask_reason(exc.reason, _respondent_file(rel))))
    except RecursionError:
        return IngestResult(rejection=Rejection(file=rel, reason="bestand is te diep genest om te lezen"))
    except MemoryError:
        return IngestResult(rejection=Rejection(file=rel, reason="bestand vraagt te veel geheugen om te lezen"))
    except PermissionError:
        return IngestResult(rejection=Rejection(file=rel, reason="geen leesrechten voor dit bestand"))
    except FileNotFoundError:
        return IngestResult(rejection=Rejection(file=rel, reason=VANISHED))
    except IsADirectoryError:
        return IngestResult(rejection=Rejection(file=rel, reason="dit is een map, geen bestand"))
    except Exception as exc:  # a bug or an unforeseen format problem: never stop the build
        log.exception("onverwachte fout bij het lezen van %s", rel)
        return IngestResult(
            rejection=Rejection(file=rel, reason=f"onverwachte fout bij het lezen ({exc.__class__.__name__}: {str(exc)[:200]})")
        )


def _respondent_file(rel: str) -> bool:
    """A file whose cells respondents typed: a survey export or a priority-round vote export."""
    return rel.startswith(("surveys/", f"{ROUND_DIR}/")) or rel.lower().endswith((".csv", ".xlsx"))


def _masked(result: IngestResult) -> IngestResult:
    """A source's title and fields (a case's definition, goal …) and the warnings with contact
    details masked (agenda/privacy.py), as the mentions already are, before the result leaves the reader."""
    from agenda.privacy import mask, mask_context, mask_reason, mask_value

    if result.source is not None:
        src = result.source
        result.source = src.model_copy(update={"title": mask(src.title), "meta": mask_value(src.meta),
                                               "context": mask_context(src.context)})
    for w in result.warnings:
        w.reason = mask_reason(w.reason, _respondent_file(w.file))
    return result


def _no_question_warning(result: IngestResult) -> IngestResult:
    """A file that was read but yields no agenda question is reported, never silent."""
    src = result.source
    if src is None or any(not m.is_candidate for m in result.mentions):
        return result
    n_cand = len(result.mentions)
    if src.kind == SourceKind.survey:
        reason = "geen enkele vraag gelezen: de vragenkolom is leeg of niet gevonden"
    elif n_cand:
        reason = (f"geen vraag voor de agenda gevonden; wel {n_cand} vraagzin(nen) elders in de tekst, bewaard als "
                  "kandidaat: zet vragen onder een kop met 'vragen' of 'vraagstukken', of promoveer ze in curation.yaml")
    else:
        reason = ("geen enkele vraag gevonden: zet vragen, eindigend op '?', onder een kop met 'vragen' of "
                  "'vraagstukken'")
    result.warnings.append(Rejection(file=src.path, reason=reason, severity="warning"))
    return result


def _read(path: Path, inputs_dir: Path, rel: str, limits: Limits, question_column: str | None) -> IngestResult:
    from agenda.ingest.safety import check_file_size, check_size

    if path.is_symlink():
        target = path.resolve(strict=True)
        if not target.is_relative_to(inputs_dir.resolve()):
            raise IngestError("verwijst naar een bestand buiten inputs/: niet gelezen")
    if not path.is_file():
        raise IngestError("geen gewoon bestand: niet gelezen")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise IngestError(_unknown_reason(path.suffix))
    size = check_file_size(path, limits)
    if size == 0:
        raise IngestError("leeg bestand")
    content_hash = input_digest(path)
    if suffix == ".docx":
        from agenda.ingest.word import read_docx

        return read_docx(path, rel, content_hash, limits)
    if suffix == ".pdf":
        from agenda.ingest.pdf import read_pdf

        return read_pdf(path, rel, content_hash, limits)
    if suffix == ".xlsx":
        from agenda.ingest.survey import read_xlsx

        return read_xlsx(path, rel, content_hash, limits, question_column)
    if suffix == ".csv":
        from agenda.ingest.survey import read_csv

        return read_csv(path, rel, content_hash, limits, question_column)
    from agenda.ingest.common import decode_bytes

    data = path.read_bytes()
    check_size(len(data), limits)  # it may have grown after the size check
    content_hash = hashlib.sha256(data).hexdigest()  # of the bytes parsed (no sidecar for these formats)
    text, _enc = decode_bytes(data)
    del data
    if suffix in (".yaml", ".yml"):
        from agenda.ingest.case import read_case_yaml
        from agenda.ingest.common import clean_text

        return read_case_yaml(clean_text(text), rel, content_hash, limits)
    from agenda.ingest.document import document_result
    from agenda.ingest.markdown import parse_markdown

    fm, fm_lines, blocks = parse_markdown(text, limits)
    return document_result(
        rel=rel, content_hash=content_hash, suffix=suffix, props=fm, prop_lines=fm_lines, blocks=blocks, limits=limits
    )
