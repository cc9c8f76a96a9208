"""Helpers shared by the readers: errors, ids, text cleaning, decoding, dates, context notes.

The context vocabulary itself (sector, role and level names and codes) lives in ``agenda.context``.

Nothing here imports another stage of the pipeline (notably not ``agenda.dedupe.text``): the
normalisation used for mention ids is a deliberately simple casefold + whitespace collapse,
so ids do not change when the Dutch normaliser is tuned.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from agenda.context import CONTEXT_KEYS, LEVELS, SECTORS, role_values, sector_codes, split_values
from agenda.models import Context, Mention, Rule, SourceKind


class IngestError(Exception):
    """A file cannot be read: carries a Dutch, curator-readable reason and the line where known."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


# --- paths, hashes, ids -----------------------------------------------------------------


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks (never the whole file at once).

    Raises IngestError for anything but a regular file: a FIFO or device put in a file's place
    between listing and reading would otherwise block the build (opened non-blocking, checked
    with fstat on the descriptor actually opened)."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb", closefd=True) as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IngestError("geen gewoon bestand (een pipe, apparaat of map op de plaats van een bestand): niet gelezen")
        os.set_blocking(fd, True)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def relative_path(path: Path, inputs_dir: Path) -> str:
    """Path relative to the inputs folder, with forward slashes (the symlink's own path, not its target)."""
    try:
        rel = Path(path).absolute().relative_to(Path(inputs_dir).absolute())
    except ValueError:
        try:
            rel = Path(path).resolve().relative_to(Path(inputs_dir).resolve())
        except (ValueError, OSError):
            return Path(path).name
    return PurePosixPath(*rel.parts).as_posix()


def source_id(content_hash: str) -> str:
    return "S-" + content_hash[:12]


def normalise_for_id(text: str) -> str:
    return " ".join(text.casefold().split())


def mention_id(rel_path: str, text: str, occurrence: int) -> str:
    key = f"{rel_path}\n{normalise_for_id(text)}\n{occurrence}"
    return "M-" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]


class IdMaker:
    """Gives each mention its id: path + normalised text + occurrence of that text in the file."""

    def __init__(self, rel_path: str) -> None:
        self.rel_path = rel_path
        self.seen: Counter[str] = Counter()

    def __call__(self, text: str) -> str:
        key = normalise_for_id(text)
        n = self.seen[key]
        self.seen[key] += 1
        return mention_id(self.rel_path, text, n)


def kind_for(rel_path: str, suffix: str, declared: str | None = None) -> SourceKind:
    """Front matter `kind`, else the folder (meetings/, cases/, surveys/, publications/), else the format."""
    if declared:
        return SourceKind(declared)
    folders = {
        "meetings": SourceKind.meeting,
        "meeting": SourceKind.meeting,
        "verslagen": SourceKind.meeting,
        "cases": SourceKind.case,
        "casussen": SourceKind.case,
        "surveys": SourceKind.survey,
        "enquetes": SourceKind.survey,
        "publications": SourceKind.publication,
        "publicaties": SourceKind.publication,
    }
    for part in PurePosixPath(rel_path).parts[:-1]:
        if part.lower() in folders:
            return folders[part.lower()]
    suffix = suffix.lower()
    if suffix in (".yaml", ".yml"):
        return SourceKind.case
    if suffix in (".csv", ".xlsx"):
        return SourceKind.survey
    return SourceKind.meeting


KIND_ALIASES = {
    "meeting": "meeting",
    "bijeenkomst": "meeting",
    "verslag": "meeting",
    "case": "case",
    "casus": "case",
    "casusbeschrijving": "case",
    "survey": "survey",
    "enquete": "survey",
    "enquête": "survey",
    "publication": "publication",
    "publicatie": "publication",
}


def parse_kind(value: object) -> str:
    """A declared kind (English or Dutch) → SourceKind value; IngestError when unknown."""
    if not isinstance(value, str):
        raise IngestError(f"veld 'kind' moet tekst zijn (meeting, case, survey of publication), niet {_type_nl(value)}")
    v = KIND_ALIASES.get(value.strip().lower())
    if v is None:
        raise IngestError(f"onbekende soort (kind) '{value}'; toegestaan: meeting, case, survey, publication")
    return v


_PROP_KEYS = {
    "kind", "soort", "date", "datum", "sector", "sectoren", "rol", "role", "rollen", "niveau", "level",
    "school", "organisatie", "organisation", "title", "titel",
}


def property_pairs(text: str) -> dict[str, str]:
    """`key: value` pairs (separated by ``;`` or new lines) in a Word/PDF property such as Keywords."""
    out: dict[str, str] = {}
    for part in re.split(r"[;\n]", text):
        if m := re.match(r"^\s*([\w\-]+)\s*[:=]\s*(.+?)\s*$", part):
            if m[1].lower() in _PROP_KEYS:
                out[m[1].lower()] = m[2]
    return out


# --- text cleaning ------------------------------------------------------------------------

# C0/C1 controls, and the bidirectional controls: a right-to-left override (U+202E) reverses
# the text after it in the report ("Trojan Source"), so none is kept
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LINEBREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def clean_text(text: str) -> str:
    """Strip control characters (bidirectional ones too) except newline and tab; \\x0b (Word's soft
    break) and CR become newlines."""
    text = _LINEBREAKS.sub("\n", text)
    return _CONTROL.sub("", text)


def collapse(text: str) -> str:
    return " ".join(text.split())


def _type_nl(value: object) -> str:
    names = {
        str: "tekst",
        int: "een getal",
        float: "een getal",
        bool: "ja/nee",
        list: "een lijst",
        dict: "een tabel (mapping)",
        type(None): "leeg",
        dt.date: "een datum",
        dt.datetime: "een datum",
    }
    return names.get(type(value), type(value).__name__)


type_nl = _type_nl

# --- decoding -------------------------------------------------------------------------------


_BINARYISH = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode text as Excel and Word write it: UTF-8 (BOM or not), UTF-16 (BOM), Windows-1252.

    Returns (text, encoding). Raises IngestError for empty and binary files.
    """
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise IngestError("leeg bestand")
    enc: str | None = None
    if data.startswith(b"\xef\xbb\xbf"):
        enc = "utf-8-sig"
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        enc = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16"
    elif b"\x00" in data:
        # UTF-16 without BOM: every other byte NUL for mostly-ASCII text
        half = len(data) // 2
        if len(data) % 2 == 0 and half:
            odd = data[1::2].count(0)
            even = data[0::2].count(0)
            if odd >= 0.4 * half and even == 0:
                enc = "utf-16-le"
            elif even >= 0.4 * half and odd == 0:
                enc = "utf-16-be"
        if enc is None:
            raise IngestError("bevat binaire gegevens (NUL-tekens): dit is geen tekstbestand")
    if enc is not None:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            raise IngestError(f"ongeldige tekst in {enc.upper()}-codering (byte {exc.start})") from None
    else:
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            try:
                text, enc = data.decode("cp1252"), "cp1252"
            except UnicodeDecodeError:
                raise IngestError(
                    "kan de tekstcodering niet bepalen (geen UTF-8, UTF-16 of Windows-1252): "
                    "waarschijnlijk geen tekstbestand"
                ) from None
    if "\x00" in text:
        raise IngestError("bevat binaire gegevens (NUL-tekens): dit is geen tekstbestand")
    controls = len(_BINARYISH.findall(text))
    if controls >= 3 and controls > 0.02 * len(text):
        raise IngestError("bevat binaire gegevens (veel stuurtekens): dit is geen tekstbestand")
    if not text.strip():
        raise IngestError("leeg bestand")
    return text, enc


# --- dates ----------------------------------------------------------------------------------

MONTHS = {
    "januari": 1, "jan": 1, "februari": 2, "feb": 2, "maart": 3, "mrt": 3, "april": 4, "apr": 4,
    "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAYS = "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z]*)?\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")
_TEXTUAL = re.compile(rf"^\s*(?:(?:{_WEEKDAYS})\s+)?(\d{{1,2}})\s+({_MONTH_RE})\.?\s+(\d{{4}})\s*$", re.I)
_FILENAME_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_TEXT_DATE_OP = re.compile(
    rf"\b[Oo]p\s+(?:(?:{_WEEKDAYS})\s+)?(\d{{1,2}})\s+({_MONTH_RE})\b\.?(?:\s+(\d{{4}}))?", re.I
)
_TEXT_DATE_ANY = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_RE})\s+(\d{{4}})\b", re.I)


def _mk_date(y: int, m: int, d: int, raw: str) -> dt.date:
    try:
        return dt.date(y, m, d)
    except ValueError:
        raise IngestError(f"ongeldige datum '{raw}' (verwacht JJJJ-MM-DD, bijvoorbeeld 2021-06-23)") from None


def parse_date(value: object, field_name: str = "date") -> dt.date | None:
    """A date from YAML / properties / a survey cell. None for empty; IngestError when invalid."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise IngestError(f"veld '{field_name}' moet een datum zijn (JJJJ-MM-DD), niet {_type_nl(value)}")
    raw = value.strip()
    if m := _ISO.match(raw):
        return _mk_date(int(m[1]), int(m[2]), int(m[3]), raw)
    if m := _DMY.match(raw):
        return _mk_date(int(m[3]), int(m[2]), int(m[1]), raw)
    if m := _TEXTUAL.match(raw):
        return _mk_date(int(m[3]), MONTHS[m[2].lower()], int(m[1]), raw)
    raise IngestError(f"ongeldige datum '{raw[:60]}' in veld '{field_name}' (verwacht JJJJ-MM-DD, bijvoorbeeld 2021-06-23)")


def date_from_filename(name: str) -> dt.date | None:
    """YYYY-MM-DD anywhere in the file name; an impossible date there is ignored."""
    for m in _FILENAME_DATE.finditer(name):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return None


def year_from_filename(name: str) -> int | None:
    m = re.search(r"(?<!\d)(20\d{2}|19\d{2})(?!\d)", name)
    return int(m[1]) if m else None


def date_from_text(text: str, filename: str = "") -> dt.date | None:
    """'Op 23 juni 2021', 'op donderdag 28 januari 2021', 'Op 23 juni' (year from the file name)."""
    year_fallback = year_from_filename(filename)
    for m in _TEXT_DATE_OP.finditer(text):
        year = int(m[3]) if m[3] else year_fallback
        if year is None:
            continue
        try:
            return dt.date(year, MONTHS[m[2].lower()], int(m[1]))
        except ValueError:
            continue
    for m in _TEXT_DATE_ANY.finditer(text):
        try:
            return dt.date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
        except ValueError:
            continue
    return None


# --- context ---------------------------------------------------------------------------------

_NOTE = re.compile(r"\?[\s*_]*\(([^()]{1,500})\)[\s.*_]*$")
_NOTE_SPLIT = re.compile(r"\s*;\s*|\s*,\s*(?=[\w\-]+\s*:)")
_PAIR = re.compile(r"^\s*([\w\-]+)\s*:\s*(.*?)\s*$", re.S)


def parse_note(inner: str) -> tuple[Context, dict[str, str]] | None:
    """`sector: po, sbo; rol: leraar` → (Context, other keys). None when it is not a key: value note."""
    parts = [p for p in _NOTE_SPLIT.split(inner) if p.strip()]
    if not parts:
        return None
    ctx: dict[str, object] = {}
    other: dict[str, str] = {}
    known = 0
    for part in parts:
        m = _PAIR.match(part)
        if not m or not m[2]:
            return None
        key, value = m[1].lower(), m[2]
        target = CONTEXT_KEYS.get(key)
        if target is None:
            other[key] = value
            continue
        known += 1
        if target == "roles":
            ctx[target] = role_values(value)
        elif target == "sectors":
            ctx[target] = [v.lower() for v in split_values(value)]
        elif target == "level":
            ctx[target] = value.lower()
        else:
            ctx[target] = value
    if not known:
        return None
    return Context(**ctx), other  # type: ignore[arg-type]


def split_note(text: str) -> tuple[str, Context | None, dict[str, str]]:
    """Remove a trailing `(key: value; ...)` note after the question mark."""
    m = _NOTE.search(text)
    if m:
        parsed = parse_note(m[1])
        if parsed is not None:
            return text[: m.start()] + "?", parsed[0], parsed[1]
    return text, None, {}


def merge_context(base: Context, over: Context | None) -> Context:
    if over is None:
        return Context.model_construct(
            sectors=list(base.sectors), roles=list(base.roles), level=base.level, school=base.school,
            organisation=base.organisation,
        )
    return Context(
        sectors=over.sectors or list(base.sectors),
        roles=over.roles or list(base.roles),
        level=over.level or base.level,
        school=over.school or base.school,
        organisation=over.organisation or base.organisation,
    )


def context_from_mapping(data: dict, where: str = "") -> Context:
    """Context defaults from front matter / properties: sector(s), rol/role, niveau/level, school, organisatie."""
    ctx: dict[str, object] = {}
    for key, value in data.items():
        target = CONTEXT_KEYS.get(str(key).lower())
        if target is None or value is None or value == "":
            continue
        if target in ("sectors", "roles"):
            if isinstance(value, str):
                values = split_values(value)
            elif isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
                values = [str(v) for v in value]
            else:
                raise IngestError(f"veld '{key}'{where} moet tekst of een lijst met tekst zijn, niet {_type_nl(value)}")
            values = [v.strip().lower() for v in values if str(v).strip()]
            if target == "sectors":
                check_sectors(values, str(key))
            ctx[target] = values
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            v = str(value).strip()
            if target == "level":
                v = v.lower()
                if v not in LEVELS:
                    raise IngestError(f"onbekend niveau '{value}' in veld '{key}'; toegestaan: {', '.join(LEVELS)}")
            ctx[target] = v
        else:
            raise IngestError(f"veld '{key}'{where} moet tekst zijn, niet {_type_nl(value)}")
    return Context(**ctx)  # type: ignore[arg-type]


def context_cells(cells: dict[str, str], where: str) -> tuple[Context, dict[str, str], list[str]]:
    """Context from survey / table cells keyed by target (sectors, roles, level, school, organisation).

    Sector values are mapped to codes (:func:`sector_codes`); an unknown sector or level is never
    context: it is kept in the returned metadata (key ``sector``/``niveau``) and yields a Dutch
    warning naming ``where`` (e.g. "rij 4"). Returns (context, metadata, warnings)."""
    ctx: dict[str, object] = {}
    meta: dict[str, str] = {}
    warnings: list[str] = []
    for target, value in cells.items():
        value = value.strip()
        if not value:
            continue
        if target == "sectors":
            codes, unknown = sector_codes(value)
            if codes:
                ctx["sectors"] = codes
            if unknown:
                meta["sector"] = value
                warnings.append(
                    f"{where}: onbekende sector '{'; '.join(unknown)}' bewaard als gegeven, niet als sector "
                    f"(bekend: {', '.join(SECTORS)}, of voluit zoals 'primair onderwijs')"
                )
        elif target == "roles":
            ctx["roles"] = role_values(value)
        elif target == "level":
            if value.lower() in LEVELS:
                ctx["level"] = value.lower()
            else:
                meta["niveau"] = value
                warnings.append(f"{where}: onbekend niveau '{value}' bewaard als gegeven (bekend: {', '.join(LEVELS)})")
        elif target in ("school", "organisation"):
            ctx[target] = value
    return Context(**ctx), meta, warnings  # type: ignore[arg-type]


def check_sectors(values: list[str], field_name: str = "sector") -> None:
    for v in values:
        if v not in SECTORS:
            raise IngestError(f"onbekende sector '{v}' in veld '{field_name}'; toegestaan: {', '.join(SECTORS)}")


# --- question text ---------------------------------------------------------------------------

_LINK = re.compile(r"!?\[([^\[\]\n]{0,500})\]\([^()\s]{0,2000}(?:\s+\"[^\"\n]{0,200}\")?\)")
_REFLINK = re.compile(r"!?\[([^\[\]\n]{1,500})\]\[[^\[\]\n]{0,100}\]")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITAL_STAR = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITAL_US = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_CODE = re.compile(r"`([^`\n]{0,2000})`")
# Only the formatting tags an export to Markdown leaves behind are dropped; any other
# markup (<script>, <iframe>, ...) is data and stays literal in every output.
_HTML = re.compile(r"</?(?:b|i|u|em|strong|span|br|sup|sub|small|mark|font)(?:\s[^<>\n]{0,200})?/?>", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!?'\"])")


def strip_inline_markup(text: str) -> str:
    """Markdown inline markup → plain text: links keep their text, emphasis markers go."""
    text = _LINK.sub(r"\1", text)
    text = _REFLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _HTML.sub(" ", text)
    for _ in range(2):
        text = _BOLD.sub(r"\2", text)
    text = _ITAL_STAR.sub(r"\1", text)
    text = _ITAL_US.sub(r"\1", text)
    text = text.replace("**", "").replace("__", "")
    text = _ESCAPE.sub(r"\1", text)
    return text


_FULLWIDTH_Q = re.compile("[\uff1f\ufe56\u2047-\u2049]")
_SPACE_BEFORE_Q = re.compile(r"[ \t\u00a0\u202f\u2007\u2009\u200a\u2060]+(?=\?)")


def normalise_qmarks(text: str) -> str:
    """Full-width ？ (and ﹖, ⁇) → ?; spaces, no-break and narrow no-break spaces before ? removed
    ("… groepen ?" → "… groepen?"; French typography and some Forms exports put one there)."""
    if "?" not in text and not _FULLWIDTH_Q.search(text):
        return text
    return _SPACE_BEFORE_Q.sub("", _FULLWIDTH_Q.sub("?", text))


def tidy_question(text: str) -> str:
    text = collapse(strip_inline_markup(normalise_qmarks(clean_text(text))))
    return unicodedata.normalize("NFC", text)


def ends_with_question(text: str) -> bool:
    return text.rstrip(" \t*_)\"'’”»").endswith("?") or text.rstrip().endswith("?")


@dataclass
class RawMention:
    """A question found in a file, before ids are assigned."""

    text: str
    rule: Rule
    line: int | None
    context: Context | None = None
    extra: dict[str, list[str] | str] = field(default_factory=dict)
    respondent: str | None = None
    date: dt.date | None = None


def build_mentions(
    raws: list[RawMention],
    rel_path: str,
    sid: str,
    base_context: Context,
    date: dt.date | None,
    max_chars: int,
) -> list[Mention]:
    from agenda.privacy import mask, mask_context, mask_value

    make_id = IdMaker(rel_path)
    out: list[Mention] = []
    for raw in raws:
        # e-mail addresses, phone numbers and BSN-like numbers never reach the store (agenda/privacy.py)
        text = mask(raw.text.strip())
        if not text:
            continue
        if len(text) > max_chars:
            raise IngestError(
                f"vraag van {len(text)} tekens is langer dan de grens van {max_chars} tekens", raw.line
            )
        out.append(
            Mention(
                id=make_id(text),
                source_id=sid,
                text=text,
                rule=raw.rule,
                line=raw.line,
                respondent=raw.respondent,
                date=raw.date or date,
                context=mask_context(merge_context(base_context, raw.context)),
                extra=mask_value(raw.extra),
            )
        )
    return out
