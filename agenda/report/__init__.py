"""Publish stage: the ranked Agenda as a Word report plus Markdown, CSV, JSON and an Excel workbook.

    from agenda.report import write_outputs
    paths = write_outputs(agenda, Path("outputs"))   # [.docx, .md, .csv, .json, .xlsx]

Every file is written to a temporary file in ``out_dir`` and ``os.replace()``d into place,
so a build killed half-way never leaves a half-written report.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from agenda.models import Agenda

__all__ = ["write_outputs", "output_stem"]


def output_stem(label: str) -> str:
    """``kennisagenda-<label>`` with anything unsafe in a file name replaced by '-'."""
    safe = re.sub(r"[^0-9A-Za-z._-]+", "-", label).strip(".-") or "onbekend"
    return f"kennisagenda-{safe}"


def complete(agenda: Agenda, *, expected_roles: Sequence[str] = (), expected_sectors: Sequence[str] = ()) -> Agenda:
    """Fill what a version stored before these fields existed lacks (research need, accessibility,
    groups, engagement), in place, so every output reads the same derived values.

    `expected_roles` / `expected_sectors`: the knowledge table's settings of the same names; an
    engagement summary derived here judges missing and thin groups against them, as a build does
    (empty: against the groups the inputs show). A version that stored its own summary keeps it."""
    from agenda.engagement import engagement, fill_groups
    from agenda.needs import fill_needs

    every = [*agenda.items, *agenda.answered]
    if any(i.research_need is None for i in every):
        fill_needs([i for i in every if i.research_need is None], len(agenda.library))
    if any(i.mentions and not i.groups for i in every):
        fill_groups([i for i in every if not i.groups])
    if not agenda.engagement.formulations and any(i.mentions for i in every):
        agenda.engagement = engagement(agenda.items, agenda.answered, expected_roles, expected_sectors)
    return agenda


def write_outputs(agenda: Agenda, out_dir: Path, *, template: Path | None = None,
                  expected_roles: Sequence[str] = (), expected_sectors: Sequence[str] = ()) -> list[Path]:
    """Write out_dir/kennisagenda-<label>.docx, .md, .csv, .json and .xlsx; return the paths, docx first.
    `expected_roles` / `expected_sectors`: see `complete`."""
    from .docx_writer import write_docx
    from .text_outputs import write_csv, write_json, write_markdown
    from .xlsx_writer import write_xlsx

    complete(agenda, expected_roles=expected_roles, expected_sectors=expected_sectors)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = output_stem(agenda.label)
    return [
        write_docx(agenda, out_dir / f"{stem}.docx", template=template),
        write_markdown(agenda, out_dir / f"{stem}.md"),
        write_csv(agenda, out_dir / f"{stem}.csv"),
        write_json(agenda, out_dir / f"{stem}.json"),
        write_xlsx(agenda, out_dir / f"{stem}.xlsx"),
    ]
