"""Helpers shared by the report writers: cleaning text, Dutch labels and dates, grouping."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from agenda.models import SECTORS, Agenda, AgendaItem

# Characters XML 1.0 (and so Word) cannot hold: C0 controls except tab/newline/CR, DEL-less.
# ... and the bidirectional controls (U+202E reverses what follows it: "Trojan Source")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff"
                      "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
          "september", "oktober", "november", "december")

# source kind -> (singular, plural)
KIND_LABELS: dict[str, tuple[str, str]] = {
    "meeting": ("bijeenkomst", "bijeenkomsten"),
    "case": ("casus", "casussen"),
    "survey": ("enquêterespondent", "enquêterespondenten"),
    "publication": ("publicatie", "publicaties"),
}
# for a list of documents (a survey export is one document)
KIND_DOC_LABELS: dict[str, str] = {
    "meeting": "Verslag van een bijeenkomst",
    "case": "Casusbeschrijving",
    "survey": "Enquête",
    "publication": "Publicatie",
}
KIND_SHORT: dict[str, str] = {
    "meeting": "Bijeenkomst",
    "case": "Casus",
    "survey": "Enquête",
    "publication": "Publicatie",
}
KIND_ORDER = ("meeting", "case", "survey", "publication")

NOT_FILLED = "–"  # a cell with nothing to say (the method section says why, once)
OTHER_THEME = "Overig"


def clean(value: object) -> str:
    """``str(value)`` without the control characters python-docx and XML refuse."""
    if value is None:
        return ""
    return _CONTROL.sub("", str(value))


def privacy_line(agenda: Agenda) -> str:
    """The method chapter's line on privacy: what was masked in the agenda's formulations and how
    many respondents stand under a pseudonym (agenda/privacy.py)."""
    from agenda.privacy import count_masks, is_pseudonym, method_sentence

    refs = [m for item in [*agenda.items, *agenda.answered] for m in item.mentions]
    counts = count_masks({m.id: m.text for m in refs}.values())
    pseudonyms = {(m.source_id, m.respondent) for m in refs if is_pseudonym(m.respondent)}
    return method_sentence(counts, len(pseudonyms))


def one_line(value: object) -> str:
    """Cleaned, with every run of whitespace (newlines too) folded to one space."""
    return " ".join(clean(value).split())


def kind_value(kind: object) -> str:
    return getattr(kind, "value", kind) if kind is not None else ""


def dutch_date(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "onbekend"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def number(value: float, digits: int = 1) -> str:
    """Dutch decimal comma: 12.5 -> '12,5'; whole numbers without decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}".replace(".", ",")


def count(n: int) -> str:
    """A whole number as Dutch writes it: 50000 -> '50.000'."""
    return f"{n:,}".replace(",", ".")


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def kind_count(kind: str, n: int) -> str:
    one, many = KIND_LABELS.get(kind, (kind, kind))
    return plural(n, one, many)


def ordered_kinds(kinds: dict[str, int]) -> list[tuple[str, int]]:
    known = [(k, kinds[k]) for k in KIND_ORDER if kinds.get(k)]
    rest = sorted((k, v) for k, v in kinds.items() if k not in KIND_ORDER and v)
    return known + rest


def context_values(item: AgendaItem, key: str) -> list[str]:
    """Values of one context dimension ('sector', 'role', 'level', 'school').

    Reads ``item.contexts`` under the singular or plural key; falls back to the mentions.
    """
    for k in (key, key + "s", key + "en"):
        if item.contexts.get(k):
            return [clean(v) for v in item.contexts[k]]
    values: list[str] = []
    for m in item.mentions:
        if key == "sector":
            got = m.sectors
        elif key == "role":
            got = m.roles
        elif key == "level":
            got = [m.level] if m.level else []
        elif key == "school":
            got = [m.school] if m.school else []
        else:
            got = []
        for v in got:
            if v and v not in values:
                values.append(clean(v))
    return values


def sectors_of(item: AgendaItem) -> list[str]:
    values = context_values(item, "sector")
    order = {s: i for i, s in enumerate(SECTORS)}
    return sorted(values, key=lambda s: (order.get(s, len(order)), s))


def sector_counts(item: AgendaItem) -> Counter[str]:
    """Mentions per sector (a mention may name several sectors; '-' = no sector given)."""
    counts: Counter[str] = Counter()
    for m in item.mentions:
        if m.sectors:
            for s in set(m.sectors):
                counts[s] += 1
        else:
            counts["-"] += 1
    return counts


def role_text(item: AgendaItem) -> str:
    if item.role_counts:
        pairs = sorted(item.role_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ", ".join(f"{clean(r)} ({n})" for r, n in pairs)
    roles = context_values(item, "role")
    return ", ".join(roles)


def pick_quotes(item: AgendaItem, n: int = 3) -> list:
    """Up to n verbatim formulations: distinct texts, spread over sources where possible."""
    seen_text: set[str] = set()
    seen_src: set[str] = set()
    first, second = [], []
    for m in item.mentions:
        key = one_line(m.text).casefold()
        if not key or key in seen_text:
            continue
        seen_text.add(key)
        (second if m.source_id in seen_src else first).append(m)
        seen_src.add(m.source_id)
    return (first + second)[:n]


def themes(agenda: Agenda) -> list[tuple[str, list[AgendaItem]]]:
    """Items grouped by theme (None -> 'Overig'); themes ordered by their best rank."""
    groups: dict[str, list[AgendaItem]] = {}
    for item in sorted(agenda.items, key=lambda i: i.rank):
        groups.setdefault(one_line(item.theme) or OTHER_THEME, []).append(item)
    return sorted(groups.items(), key=lambda kv: kv[1][0].rank)


def source_period(agenda: Agenda) -> tuple[dt.date | None, dt.date | None]:
    dates = [s.date for s in agenda.sources if s.date]
    if not dates:
        dates = [m.date for i in agenda.items for m in i.mentions if m.date]
    return (min(dates), max(dates)) if dates else (None, None)


def n_mentions(agenda: Agenda) -> int:
    return sum(i.n_mentions for i in agenda.items)


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success os.replace() it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp_path = Path(tmp)
    os.chmod(tmp_path, 0o644)  # mkstemp makes 0600; a report is meant to be read by others
    try:
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


# --- what is already known (the evidence library) ---------------------------------------------

SUGGESTED_LABEL = "mogelijk relevant (nog niet beoordeeld)"
ANSWERED_HEADING = "Al beantwoorde vragen"
LIBRARY_HEADING = "Kennisbibliotheek"


def cite(ref) -> str:
    """A reference as a reader expects it: 'Molenaar, I. & Knoop-van Campen, C. (2019). Title. Venue.'.

    Takes a KnowledgeRef or an EvidenceRef (which has no venue); authors as exported
    ('Family, Given'), at most three, then 'e.a.'."""
    names = [one_line(a) for a in ref.authors if one_line(a)]
    who = "; ".join(names[:3]) + (" e.a." if len(names) > 3 else "")
    year = f" ({ref.year})" if ref.year else " (z.j.)"
    title = one_line(ref.title).rstrip(".")
    stop = "" if title.endswith(("?", "!")) else "."
    venue = one_line(getattr(ref, "venue", ""))
    text = f"{who}{year}. {title}{stop}" if who else f"{title}{year}."
    return f"{text} {venue}." if venue and not venue.endswith(".") else f"{text} {venue}".rstrip()


def short_cite(ref) -> str:
    """'Molenaar & Knoop-van Campen (2019)': family names only, for running text."""
    families = [one_line(a).split(",")[0] for a in ref.authors if one_line(a)]
    who = families[0] if len(families) == 1 else " & ".join(families) if len(families) == 2 else \
        f"{families[0]} e.a." if families else ""
    year = str(ref.year) if ref.year else "z.j."
    return f"{who} ({year})" if who else f"{one_line(ref.title)} ({year})"


def known_lines(item: AgendaItem) -> list[tuple[str, str]]:
    """The column *Wat is al bekend*: (kind, text) lines; kind is 'answers', 'confirmed', 'text' or
    'suggested'. The curator's own text and confirmed sources first; unconfirmed suggestions are
    labelled as such. Empty when nothing is known or suggested."""
    lines: list[tuple[str, str]] = []
    for status in ("answers", "confirmed"):
        for e in item.evidence:
            if e.status == status:
                link = f" {e.url}" if e.url else ""
                lead = "Beantwoord door: " if status == "answers" else ""
                lines.append((status, f"{lead}{cite(e)}{link}"))
    if one_line(item.knowledge.known):
        lines.append(("text", clean(item.knowledge.known).strip()))
    suggested = [e for e in item.evidence if e.status == "suggested"]
    if suggested:
        lines.append(("suggested", f"{SUGGESTED_LABEL[0].upper()}{SUGGESTED_LABEL[1:]}: "
                      + "; ".join(_suggestion(e) for e in suggested[:3])))
    return lines


def _suggestion(ref) -> str:
    """'Molenaar & Knoop-van Campen (2019), Title'; without authors the short cite already is the
    title ('Kennisnotitie: … (z.j.)'), which was then printed twice."""
    cite = short_cite(ref)
    return f"{cite}, {one_line(ref.title)}" if any(one_line(a) for a in ref.authors) else cite


def known_status(item: AgendaItem) -> str:
    """What is known, in a few words for a table cell: 'beantwoord', '2 bevestigd, 1 mogelijk',
    '3 mogelijk' (unreviewed suggestions), 'eigen tekst' (only the curator's text) or '–'."""
    if any(e.status == "answers" for e in item.evidence):
        return "beantwoord"
    counts = [(sum(e.status == status for e in item.evidence), word)
              for status, word in (("confirmed", "bevestigd"), ("suggested", "mogelijk"))]
    parts = [f"{n} {word}" for n, word in counts if n]
    if not parts and one_line(item.knowledge.known):
        return "eigen tekst"
    return ", ".join(parts) or "–"


def research_text(item: AgendaItem, library_size: int) -> str:
    """The column *Welk onderzoek is nog nodig*: the derived research need (agenda.needs), or the
    curator's own text, which wins."""
    if item.research_need is None:
        from agenda.needs import fill_needs

        fill_needs([item], library_size)
    return clean(item.research_need.text).strip()


def research_short(item: AgendaItem, library_size: int) -> str:
    """The research need in one line for a compact table: the kind of research and the proposed
    research question ('Praktijkgericht onderzoek — voorstel: populatie: …'); the curator's own
    text as it is."""
    full = research_text(item, library_size)
    need = item.research_need
    if not need.proposal:
        return full
    return clean(f"{need.kind[:1].upper()}{need.kind[1:]}. Onderzoeksvraag (voorstel): {need.question}.").strip()


def access_text(item: AgendaItem, library_size: int) -> str:
    """The column *Hoe maken we het toegankelijk*: derived (agenda.needs) or the curator's text."""
    if not item.accessibility:
        from agenda.needs import fill_needs

        fill_needs([item], library_size)
    return clean(item.accessibility).strip()


def known_text(item: AgendaItem, library_size: int) -> list[tuple[str, str]]:
    """``known_lines``, or one honest line when the library was searched and gave nothing."""
    lines = known_lines(item)
    if not lines and library_size:
        lines = [("none", "Niets relevants gevonden in de kennisbibliotheek.")]
    return lines
