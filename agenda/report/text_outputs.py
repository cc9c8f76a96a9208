"""The text outputs of the publish stage: Markdown (jinja2), CSV and JSON.

Question texts are data: they are passed to templates as values, with autoescape on, so
``{{ 7*7 }}`` or ``<script>`` in a question is never evaluated or emitted as markup.
"""

from __future__ import annotations

import re

import csv
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from agenda.models import Agenda

from . import common
from .common import atomic_path, clean, one_line

__all__ = ["safe_cell", "agenda_rows", "write_csv", "write_json", "write_markdown", "render_markdown", "CSV_COLUMNS"]

# Dutch headers: the CSV is for Dutch Excel (the JSON export keeps the English field names)
CSV_COLUMNS = ("Plaats", "Id", "Kennisvraag", "Score", "Bronnen", "Formuleringen", "Scholen", "Sectoren", "Rollen",
               "Gesteld door", "Niveaus", "Thema", "Type vraag", "Waarom deze plaats", "Wat is al bekend",
               "Hoe maken we het toegankelijk", "Welk onderzoek is nog nodig", "Soort onderzoek",
               "Onderzoeksvraag (voorstel)", "Kennisbronnen", "Beantwoord door",
               # the priority round (empty before any round): its place and score, the place by frequency
               "Stemronde: plaats", "Stemronde: score", "Plaats naar bronnen")
CSV_DELIMITER = ";"  # what Dutch Excel expects (its list separator); with a BOM it reads UTF-8

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV/spreadsheet cell that cannot start a formula.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading ``'`` (OWASP
    "CSV injection"). Real numbers are written as they are; ``None`` becomes "".
    Control characters other than tab/newline/CR are removed.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    text = clean(value)
    # also after leading spaces or line breaks: LibreOffice's CSV import trims them ("Trim spaces")
    # and then evaluates " =cmd|..." as a formula
    if text.lstrip(" \n\u00a0").startswith(_FORMULA_START):
        return "'" + text
    return text


def _dutch_number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")


def agenda_rows(agenda: Agenda) -> list[list[object]]:
    """Ranked items, then answered ones (empty rank: they are out of the ranking), as CSV_COLUMNS;
    raw values (numbers stay numbers), for the CSV and the .xlsx alike."""
    rows = []
    answered = {i.cluster_id for i in agenda.answered}
    n_lib = len(agenda.library)
    for item in [*sorted(agenda.items, key=lambda i: i.rank), *agenda.answered]:
        need = item.research_need
        rows.append([
            None if item.cluster_id in answered else item.rank,
            item.cluster_id,
            one_line(item.question),
            round(item.score, 4),
            item.frequency,
            item.n_mentions,
            item.n_schools,
            "; ".join(common.sectors_of(item)),
            "; ".join(common.context_values(item, "role")),
            "; ".join(item.groups),
            "; ".join(common.context_values(item, "level")),
            item.theme or "",
            item.question_type or "",
            one_line(item.explanation),
            " · ".join(line for _, line in common.known_text(item, n_lib)),
            common.access_text(item, n_lib),
            common.research_text(item, n_lib),
            need.kind if need else "",
            need.question if need and need.proposal else "",
            "; ".join(f"{e.id} {e.status}" for e in item.evidence),
            next((e.id for e in item.evidence if e.status == "answers"), ""),
            item.priority.rank if item.priority else None,
            float(item.priority.combined) if item.priority else None,
            item.priority.frequency_rank if item.priority else None,
        ])
    return rows


def write_csv(agenda: Agenda, path: Path) -> Path:
    """One row per agenda item as Dutch Excel opens it: ';'-separated, UTF-8 with a BOM, Dutch
    headers, decimal commas; every text cell neutralised (safe_cell)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=CSV_DELIMITER, quoting=csv.QUOTE_MINIMAL)
            writer.writerow(CSV_COLUMNS)
            writer.writerows([[_dutch_number(v) if isinstance(v, float) else safe_cell(v) for v in row]
                              for row in agenda_rows(agenda)])
    return path


def agenda_json(agenda: Agenda) -> dict:
    return agenda.model_dump(mode="json")


def write_json(agenda: Agenda, path: Path) -> Path:
    with atomic_path(path) as tmp:
        # pydantic's serializer writes the same text as json.dumps(agenda_json(...), ensure_ascii=False,
        # indent=2), 12x faster (5.7 s -> 0.45 s for 50,000 formulations)
        tmp.write_text(agenda.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


# --- Markdown -------------------------------------------------------------------------------


def _html(text: str) -> Markup:
    """Escape only what HTML needs (&, <, >), so apostrophes stay readable in the .md file."""
    return Markup(text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


# A Markdown link's destination may only be a web page, an e-mail address or a DOI: a renderer
# (GitHub, GitLab, an intranet wiki) makes `[x](javascript:…)` or `[x](file:///…)` clickable.
SAFE_LINK = re.compile(r"^(?:https?://|mailto:|doi:)", re.I)
_LINK_START = re.compile(r"\]([ \t]*)([(:])([ \t]*)((?:&lt;)?)([^)\s]*)")


def safe_url(url: object) -> str:
    """`url` when it is http(s), mailto or doi, else '' (never written as a link)."""
    text = one_line(url)
    return text if SAFE_LINK.match(text) else ""


def _neutralise_links(text: str) -> str:
    """Break every Markdown link (inline ``](…)``, reference ``]: …``, image) whose destination is
    not http(s), mailto or doi, by escaping the bracket that opens it: the text stays readable.
    Images are broken whatever their address: a question or a title never holds one, and a
    renderer would fetch it (a tracking pixel) as soon as the export is opened."""
    def fix(m: re.Match) -> str:
        if SAFE_LINK.match(m.group(5)):
            return m.group(0)
        return "]" + m.group(1) + "\\" + m.group(2) + m.group(3) + m.group(4) + m.group(5)

    if "![" in text:
        text = text.replace("![", "!\\[")
    return _LINK_START.sub(fix, text) if "]" in text else text


def _md_text(value: object) -> Markup:
    """Running text: one line, HTML-escaped, links to anything but the web, mail or a DOI broken.
    Other Markdown characters are left as they are, so the text in the .md file is the question
    as it was asked."""
    return Markup(_neutralise_links(_html(one_line(value))))


def _md_cell(value: object) -> Markup:
    """One Markdown table cell: running text with the pipe escaped."""
    return Markup(_neutralise_links(_html(one_line(value).replace("|", "\\|"))))


_ENV: Environment | None = None


def _env() -> Environment:
    global _ENV
    if _ENV is None:
        env = Environment(
            loader=PackageLoader("agenda.report", "templates"),
            autoescape=True,  # question text is data; never markup
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters["cell"] = _md_cell
        env.filters["text"] = _md_text
        env.filters["safe_url"] = safe_url
        env.filters["ddate"] = common.dutch_date
        env.filters["num"] = common.number
        env.filters["kindcount"] = lambda kinds: ", ".join(common.kind_count(k, n) for k, n in common.ordered_kinds(kinds))
        env.filters["kindlabel"] = lambda k: common.KIND_SHORT.get(common.kind_value(k), common.kind_value(k))
        env.filters["sectors"] = lambda item: ", ".join(common.sectors_of(item)) or "-"
        env.filters["roles"] = lambda item: common.role_text(item) or "-"
        env.filters["levels"] = lambda item: ", ".join(common.context_values(item, "level")) or "-"
        env.filters["quotes"] = common.pick_quotes
        env.filters["or_todo"] = lambda v: one_line(v) or common.NOT_FILLED
        env.filters["known"] = lambda item, n=0: " · ".join(line for _, line in common.known_text(item, n))
        env.filters["research"] = common.research_text
        env.filters["access"] = common.access_text
        env.filters["cite"] = common.cite
        env.filters["answered_by"] = lambda item: next(
            (common.cite(e) for e in item.evidence if e.status == "answers"), "–")
        _ENV = env
    return _ENV


def render_markdown(agenda: Agenda) -> str:
    first, last = common.source_period(agenda)
    ctx = {
        "agenda": agenda,
        "items": sorted(agenda.items, key=lambda i: i.rank),
        "themes": common.themes(agenda),
        "changes": agenda.changes,
        "built": common.dutch_date(agenda.built_at),
        "period": (common.dutch_date(first), common.dutch_date(last)) if first else None,
        "n_mentions": common.n_mentions(agenda),
        "table": agenda.knowledge_table or "de kennistafel",
        "library": sorted(agenda.library, key=lambda r: (common.cite(r).casefold(), r.id)),
        "library_size": len(agenda.library),
        "titles": {i.cluster_id: i.question for i in agenda.items},
    }
    return _env().get_template("kennisagenda.md.j2").render(**ctx)


def write_markdown(agenda: Agenda, path: Path) -> Path:
    text = render_markdown(agenda)
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path
