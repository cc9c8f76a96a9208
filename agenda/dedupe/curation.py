"""The curator's decisions file (`inputs/curation.yaml`): read, validate, write back.

Decisions are keyed by stable ids (Q-… clusters, M-… mentions), never by row numbers,
so they survive every later build.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agenda.models import Curation, Rejection
from agenda.settings import Limits

log = logging.getLogger("agenda")

HEADER = """\
# Besluiten van de curator. Ze blijven gelden bij elke volgende build.
# Sleutels zijn vaste ids: Q-xxxxxxxxxxxx (een vraag/cluster; oudere vragen: Q-xxxxxx) en M-xxxxxxxx (een formulering).
# merge:     [[Q-a, Q-b]]               deze vragen zijn één vraag (de eerste id blijft)
#            [[Q-a, M-x]]               deze formulering hoort bij die vraag
#            [[M-x, M-y]]               deze formuleringen samen zijn één nieuwe vraag (kennisagenda indeling)
# distinct:  [[Q-a, Q-b]]               beoordeeld: verschillende vragen (wordt niet opnieuw gevraagd)
# split:     [[M-x]]                    deze formulering(en) horen niet in hun cluster
# exclude:   [{cluster: Q-x, why: ...}] buiten scope (staat met reden in de bijlage); met M-x: alleen
#                                       die formulering (kennisagenda indeling)
# rename:    {Q-x: "..."}               de formulering op de agenda
# promote:   [M-x]                      een kandidaat-zin is wél een kennisvraag
# knowledge: {Q-x: {known: ..., accessible: ..., research_needed: ...,
#             sources: [K-x], answered_by: K-x, rejected: [K-y]}}   (kennisagenda evidence --apply)
# priority:  {Q-x: 1.5}                 gewicht van de curator (0 tot en met 1000)
"""


# The curator's own file grows with every sheet applied: ~3 nodes a decision, so the 100,000 nodes
# allowed in an input's front matter were reached by a 34,000-row review sheet. Aliases stay limited.
CURATION_MAX_NODES = 600_000


class CurationError(ValueError):
    """The decisions file exists but cannot be used; carries a Rejection for the report."""

    def __init__(self, rejection: Rejection):
        super().__init__(rejection.reason)
        self.rejection = rejection


def load_curation(path: Path, display_name: str = "curation.yaml", limits: Limits | None = None) -> Curation:
    """The decisions in `path`; an absent or empty file means no decisions.

    Read with the same guards as every input (agenda/ingest/safety.py: file size, nesting
    depth, alias count and expanded size), so a hostile file cannot stall a build. Raises
    CurationError naming the file, the line where known, the key and a Dutch reason.
    """
    from agenda.ingest.common import IngestError
    from agenda.ingest.safety import check_file_size, load_yaml
    from agenda.settings import dutch_reason

    if not path.is_file():
        return Curation()
    limits = limits or Limits()
    try:
        check_file_size(path, limits)
        text = path.read_bytes().decode("utf-8")
        data, lines = load_yaml(text, limits, what=display_name, max_nodes=CURATION_MAX_NODES)
    except UnicodeDecodeError:
        raise CurationError(Rejection(file=display_name, reason="bestand is geen UTF-8-tekst")) from None
    except IngestError as exc:
        raise CurationError(Rejection(file=display_name, line=exc.line, reason=exc.reason)) from None
    except OSError as exc:
        raise CurationError(Rejection(file=display_name, reason=f"kan niet worden gelezen ({exc.strerror})")) from None
    if data is None:
        return Curation()
    if not isinstance(data, dict):
        raise CurationError(Rejection(file=display_name, reason="verwacht een lijst van besluiten (merge, split, ...)"))
    # YAML writes an empty section as None: treat it as empty
    data = {k: v for k, v in data.items() if v is not None}
    try:
        return Curation.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        top = err["loc"][0] if err["loc"] else None
        line = lines.get((top, err["loc"][1])) if len(err["loc"]) > 1 else None
        line = line or lines.get(top)
        reason = dutch_reason(err).replace("([sectie])", "(sleutel: waarde)")  # YAML, not TOML
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            reason = f"onbekend soort besluit (typefout? bekend zijn: {', '.join(Curation.model_fields)})"
        raise CurationError(Rejection(file=display_name, line=line,
                                      reason=f"ongeldig besluit bij '{where}': {reason}")) from None


LOCK_TIMEOUT = 60.0  # seconds an apply waits for another apply on the same decisions file
EDIT_ATTEMPTS = 3  # a hand edit saved while an apply runs: the apply starts again on the saved file


def backup_path(path: Path) -> Path:
    """``curation.yaml`` → ``curation.yaml.bak``: the file as it was before the last write."""
    return path.with_name(path.name + ".bak")


@contextlib.contextmanager
def curation_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive lock on the decisions file for one edit (a hidden ``.curation.yaml.lock``
    beside it, which the input scan skips): two applies at once would each write their own sheet
    over the other's. Raises CurationError when another edit holds it longer than `timeout`."""
    lock = path.with_name(f".{path.name}.lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        from agenda.store import acquire_flock

        if not acquire_flock(fd, timeout):
            raise CurationError(Rejection(file=path.name, reason=(
                f"wordt al {timeout:.0f} s bewerkt door een andere opdracht (review/evidence --apply); "
                "wacht tot die klaar is en probeer het opnieuw")))
        _remove_stale_temps(path)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _remove_stale_temps(path: Path) -> None:
    """Temporary files of an apply that was killed half-way (we hold the lock: no one else writes them)."""
    for stale in [path.with_name(path.name + ".tmp"), *path.parent.glob(f".{path.name}.*.tmp")]:
        try:
            stale.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            log.warning("oud tijdelijk bestand %s niet verwijderd", stale)


def edit_curation(path: Path, edit: Callable[[Any], None], limits: Limits | None = None) -> None:
    """Change the decisions file in place, keeping the curator's comments and layout (ruamel.yaml
    round trip): `edit` gets the top-level mapping (a ruamel CommentedMap, created when the file
    is absent or empty) and changes it; it may be called again (see below), so it must start from
    what it is given.

    Every sheet writer (review, evidence, indeling --apply) goes through here, so all get:
    - a **lock** on the file for the whole edit (`curation_lock`);
    - the new text is **checked before** it replaces the file: it must read back with the same
      guards as a build (`load_curation`: size, nodes, aliases, the decisions' shape); else
      CurationError and the file is untouched;
    - a **change made meanwhile** (a hand edit saved while the sheet was applied) is never
      overwritten: the edit starts again on the saved file (up to EDIT_ATTEMPTS times);
    - the previous file is kept as ``curation.yaml.bak``;
    - a **unique temporary name** (hidden, beside the file), removed on every failure; ones left by
      a killed apply are removed by the next one.
    """
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    from agenda.ingest.common import IngestError
    from agenda.ingest.safety import check_size

    if path.is_dir():  # else the file was written next to it and left behind as <dir>.tmp
        raise CurationError(Rejection(file=str(path), reason="is een map, geen bestand; kies een bestandsnaam"))
    limits = limits or Limits()
    with curation_lock(path):
        for _attempt in range(EDIT_ATTEMPTS):
            before = path.read_bytes() if path.is_file() else None
            if before is not None:
                try:
                    check_size(len(before), limits)
                except IngestError as exc:
                    raise CurationError(Rejection(file=path.name, reason=exc.reason)) from None
                load_curation(path, path.name, limits)  # refuse to build on a file that does not read
            rt = YAML()
            rt.preserve_quotes = True
            rt.width = 100
            try:
                data = rt.load(before.decode("utf-8")) if before else None
            except UnicodeDecodeError:
                raise CurationError(Rejection(file=path.name, reason="bestand is geen UTF-8-tekst")) from None
            if data is None:
                data = CommentedMap()
            edit(data)
            buf = io.StringIO()
            if not before or not before.strip():
                buf.write(HEADER)
            rt.dump(data, buf)
            fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(buf.getvalue())
                    fh.flush()
                    os.fsync(fh.fileno())
                try:
                    load_curation(tmp, path.name, limits)  # what would be written must read back
                except CurationError as exc:
                    raise CurationError(Rejection(file=path.name, reason=(
                        f"na deze wijziging zou {path.name} niet meer te gebruiken zijn ({exc.rejection.reason}); "
                        f"er is niets gewijzigd. Verwerk de lijst in kleinere delen"))) from None
                now = path.read_bytes() if path.is_file() else None
                if now != before:
                    log.info("%s is gewijzigd tijdens het verwerken; opnieuw op de bewaarde versie", path.name)
                    continue
                mode = _mode_of(path)
                os.chmod(tmp, mode)
                if before is not None:
                    _write_backup(path, before, mode)
                os.replace(tmp, path)
                return
            finally:
                tmp.unlink(missing_ok=True)  # a failed write leaves no half file beside the decisions
        raise CurationError(Rejection(file=path.name, reason=(
            f"werd {EDIT_ATTEMPTS} keer gewijzigd terwijl de lijst werd verwerkt; sla het bestand op, sluit het "
            "en probeer het opnieuw")))


def _mode_of(path: Path) -> int:
    """The permission bits the decisions file keeps: its own, or for a new file what the umask
    gives an ordinary file. mkstemp makes 0600, and a quarterly job running as another user on the
    shared folder could then no longer read the secretary's decisions."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _write_backup(path: Path, data: bytes, mode: int) -> None:
    bak = backup_path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, bak)
    finally:
        Path(tmp_name).unlink(missing_ok=True)


def append_groups(data, groups: dict[str, list[list[str]] | list[dict[str, str]]]) -> None:
    """Inside an `edit_curation` edit: append id groups to lists of the top-level mapping `data`, one
    decision per line (``- [Q-a, Q-b]`` / ``- {cluster: Q-a, why: ...}``)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    for key, new in groups.items():
        if not new:
            continue
        if data.get(key) is None:
            data[key] = CommentedSeq()
        for group in new:
            row = CommentedMap(group) if isinstance(group, dict) else CommentedSeq(group)
            row.fa.set_flow_style()
            data[key].append(row)

