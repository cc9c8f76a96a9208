"""The curator's decisions file (`inputs/curation.yaml`): read, validate, write back.

Decisions are keyed by stable ids (Q-… clusters, M-… mentions), never by row numbers,
so they survive every later build.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from agenda.models import Curation, Rejection

HEADER = """\
# Besluiten van de curator. Ze blijven gelden bij elke volgende build.
# Sleutels zijn vaste ids: Q-xxxxxx (een vraag/cluster) en M-xxxxxxxx (een formulering).
# merge:     [[Q-a, Q-b]]               deze vragen zijn één vraag (de eerste id blijft)
# split:     [[M-x]]                    deze formulering(en) horen niet in hun cluster
# exclude:   [{cluster: Q-x, why: ...}] buiten scope (staat met reden in de bijlage)
# rename:    {Q-x: "..."}               de formulering op de agenda
# promote:   [M-x]                      een kandidaat-zin is wél een kennisvraag
# knowledge: {Q-x: {known: ..., accessible: ..., research_needed: ...}}
# priority:  {Q-x: 1.5}                 gewicht van de curator
"""


class CurationError(ValueError):
    """The decisions file exists but cannot be used; carries a Rejection for the report."""

    def __init__(self, rejection: Rejection):
        super().__init__(rejection.reason)
        self.rejection = rejection


def load_curation(path: Path, display_name: str = "curation.yaml") -> Curation:
    """The decisions in `path`; an absent or empty file means no decisions."""
    if not path.is_file():
        return Curation()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CurationError(Rejection(file=display_name, reason="bestand is geen UTF-8-tekst")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise CurationError(
            Rejection(file=display_name, line=line, reason=f"ongeldige YAML: {getattr(exc, 'problem', exc)}")
        ) from None
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
        raise CurationError(Rejection(file=display_name, reason=f"ongeldig besluit bij '{where}': {err['msg']}")) from None


def save_curation(curation: Curation, path: Path) -> None:
    """Write the decisions back, readable by a person, atomically."""
    data = curation.model_dump(mode="json", exclude_defaults=True)
    text = HEADER + (yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100) if data else "{}\n")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
