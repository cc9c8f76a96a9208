"""The curator's decisions file (`inputs/curation.yaml`): read, validate, write back.

Decisions are keyed by stable ids (Q-… clusters, M-… mentions), never by row numbers,
so they survive every later build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agenda.models import Curation, Rejection
from agenda.settings import Limits

HEADER = """\
# Besluiten van de curator. Ze blijven gelden bij elke volgende build.
# Sleutels zijn vaste ids: Q-xxxxxx (een vraag/cluster) en M-xxxxxxxx (een formulering).
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
        data, lines = load_yaml(text, limits, what=display_name)
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


def edit_curation(path: Path, edit: Callable[[Any], None]) -> None:
    """Change the decisions file in place, keeping the curator's comments and layout (ruamel.yaml
    round trip), atomically: `edit` gets the top-level mapping (a ruamel CommentedMap, created
    when the file is absent or empty) and changes it; what is written must read back."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    if path.is_dir():  # else the file was written next to it and left behind as <dir>.tmp
        raise CurationError(Rejection(file=str(path), reason="is een map, geen bestand; kies een bestandsnaam"))
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 100
    data = rt.load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if data is None:
        data = CommentedMap()
    edit(data)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            if not path.is_file():
                fh.write(HEADER)
            rt.dump(data, fh)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)  # a failed write leaves no half file beside the decisions
    load_curation(path)  # what was written must read back


def add_decisions(path: Path, **groups: list[list[str]] | list[dict[str, str]]) -> None:
    """Append id groups to lists in the decisions file (e.g. merge=[[a, b]], or
    exclude=[{"cluster": q, "why": ...}]), keeping the curator's comments and layout (ruamel.yaml
    round trip), atomically."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def append(data) -> None:
        for key, new in groups.items():
            if not new:
                continue
            if data.get(key) is None:
                data[key] = CommentedSeq()
            for group in new:
                row = CommentedMap(group) if isinstance(group, dict) else CommentedSeq(group)
                row.fa.set_flow_style()  # one decision per line: - [Q-a, Q-b] / - {cluster: Q-a, why: ...}
                data[key].append(row)

    edit_curation(path, append)
