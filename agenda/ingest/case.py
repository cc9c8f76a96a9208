"""Case descriptions (casusbeschrijvingen): YAML files, or Markdown/Word with the protocol's sections.

YAML (``inputs/cases/*.yaml``)::

    school, organisation (organisatie), sector (string or list), date, definition, goal,
    current_state, desired_state, questions: [{text, level, role, obstacles, enablers} | "text"]

Validated with pydantic: an unknown sector names the value and the allowed ones; a level must
be one of leerling|leraar|team|school|bestuur; wrong types name the field. Dutch keys are
accepted as aliases (definitie, doel, huidige_situatie, gewenste_situatie, vragen/vraagstukken,
tekst, niveau, rol, belemmerend, bevorderend).

Markdown / Word: sections *Definitie*, *Doel*, *Huidige situatie*, *Gewenste situatie* fill
``Source.meta``; under *Vraagstukken* (also *Vragen*, *Kennisvragen*) every heading, item or
paragraph ending in ``?`` is a question; a line or heading starting with *Belemmerend* or
*Bevorderend* switches to that sub-list (text after its colon, split on ``;``, counts as
items), and the following non-question items go to ``Mention.extra['obstacles'|'enablers']``
of the current question. Front matter / document properties give school, organisation,
sector, date.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from agenda.ingest.blocks import Block, extract, extract_block
from agenda.ingest.common import (
    IngestError,
    RawMention,
    build_mentions,
    date_from_filename,
    parse_date,
    source_id,
    split_note,
    tidy_question,
    type_nl,
)
from agenda.models import LEVELS, SECTORS, Context, IngestResult, Rule, Source, SourceKind
from agenda.settings import Limits


def _str_list(v: Any) -> Any:
    if v is None:
        return []
    if isinstance(v, str):
        return [v] if v.strip() else []
    if isinstance(v, list):
        return [str(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in v]
    return v


class CaseQuestion(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    text: str = Field(alias="tekst")
    level: str | None = Field(default=None, alias="niveau")
    role: list[str] = Field(default_factory=list, alias="rol")
    obstacles: list[str] = Field(default_factory=list, alias="belemmerend")
    enablers: list[str] = Field(default_factory=list, alias="bevorderend")
    sector: list[str] = Field(default_factory=list)

    @field_validator("level", mode="before")
    @classmethod
    def _level(cls, v: Any) -> Any:
        if v is None or v == "":
            return None
        if isinstance(v, str):
            low = v.strip().lower()
            if low not in LEVELS:
                raise ValueError(f"onbekend niveau '{v}'; toegestaan: {', '.join(LEVELS)}")
            return low
        return v

    @field_validator("role", "obstacles", "enablers", mode="before")
    @classmethod
    def _lists(cls, v: Any) -> Any:
        return _str_list(v)

    @field_validator("sector", mode="before")
    @classmethod
    def _sector(cls, v: Any) -> Any:
        return _sectors(v)


def _sectors(v: Any) -> Any:
    v = _str_list(v)
    if isinstance(v, list):
        out = []
        for s in v:
            if not isinstance(s, str):
                return v  # let pydantic name the type error
            low = s.strip().lower()
            if low not in SECTORS:
                raise ValueError(f"onbekende sector '{s}'; toegestaan: {', '.join(SECTORS)}")
            out.append(low)
        return out
    return v


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    title: str | None = Field(default=None, alias="titel")
    school: str | None = None
    organisation: str | None = Field(default=None, alias="organisatie")
    sector: list[str] = Field(default_factory=list, alias="sectoren")
    date: dt.date | None = Field(default=None, alias="datum")
    kind: str | None = None
    definition: str | None = Field(default=None, alias="definitie")
    goal: str | None = Field(default=None, alias="doel")
    current_state: str | None = Field(default=None, alias="huidige_situatie")
    desired_state: str | None = Field(default=None, alias="gewenste_situatie")
    questions: list[CaseQuestion | str] = Field(default_factory=list, alias="vragen")

    @field_validator("sector", mode="before")
    @classmethod
    def _sector(cls, v: Any) -> Any:
        return _sectors(v)

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        try:
            return parse_date(v, "date")
        except IngestError as exc:
            raise ValueError(exc.reason) from None

    @field_validator("school", "organisation", "title", "definition", "goal", "current_state", "desired_state", mode="before")
    @classmethod
    def _scalar(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return str(v)
        return v

    @field_validator("questions", mode="before")
    @classmethod
    def _questions(cls, v: Any) -> Any:
        if v is None:
            return []
        if isinstance(v, (str, dict)):
            return [v]
        return v


_TYPE_NL = {
    "string_type": "moet tekst zijn",
    "list_type": "moet een lijst zijn",
    "missing": "ontbreekt",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "dict_type": "moet velden (naam: waarde) bevatten",
    "model_type": "moet velden (naam: waarde) bevatten",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
}

_ALIASES = {
    "sectoren": "sector", "datum": "date", "organisatie": "organisation", "definitie": "definition",
    "doel": "goal", "huidige_situatie": "current_state", "gewenste_situatie": "desired_state",
    "vragen": "questions", "tekst": "text", "niveau": "level", "rol": "role",
    "belemmerend": "obstacles", "bevorderend": "enablers", "titel": "title",
}


def _normalise_keys(data: dict) -> dict:
    """Accept Dutch keys and common variants (vraagstukken, organization, roles…)."""
    extra = {
        "vraagstukken": "questions", "kennisvragen": "questions", "organization": "organisation",
        "sectors": "sector", "roles": "role", "rollen": "role", "current": "current_state",
        "desired": "desired_state",
    }
    out = {}
    for k, v in data.items():
        key = str(k).strip().lower().replace(" ", "_") if isinstance(k, str) else k
        key = extra.get(key, _ALIASES.get(key, key))
        out[key] = v
    return out


def validation_to_ingest(exc: ValidationError, lines: dict) -> IngestError:
    err = exc.errors()[0]
    loc = [str(x) for x in err["loc"] if not str(x).startswith(("CaseQuestion", "str"))]
    # drop pydantic's union branch names
    loc = [x for x in loc if x not in ("function-after[_questions(), list[union[CaseQuestion,str]]]",)]
    field = ".".join(loc) or "?"
    msg = err.get("msg", "")
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    else:
        msg = _TYPE_NL.get(err.get("type", ""), msg)
        inp = err.get("input")
        if err.get("type") != "missing":
            msg = f"{msg} (nu: {type_nl(inp)})"
    line = None
    if loc:
        top = loc[0]
        line = lines.get(top)
        if len(loc) > 1 and loc[1].isdigit():
            line = lines.get((top, int(loc[1])), line)
    return IngestError(f"veld '{field}': {msg}", line)


def _question_items(case: CaseFile, lines: dict) -> list[RawMention]:
    out: list[RawMention] = []
    for i, q in enumerate(case.questions):
        line = lines.get(("questions", i), lines.get("questions"))
        if isinstance(q, str):
            body, ctx, other = split_note(q)
            text = tidy_question(body)
            if text:
                out.append(RawMention(text, Rule.case, line, ctx, dict(other)))
            continue
        body, note_ctx, other = split_note(q.text)
        text = tidy_question(body)
        if not text:
            continue
        ctx = Context(
            sectors=q.sector or (note_ctx.sectors if note_ctx else []),
            roles=[r.strip().lower() for r in q.role if isinstance(r, str) and r.strip()] or (note_ctx.roles if note_ctx else []),
            level=q.level or (note_ctx.level if note_ctx else None),
        )
        extra: dict[str, list[str] | str] = dict(other)
        if q.obstacles:
            extra["obstacles"] = [tidy_question(o) for o in q.obstacles if str(o).strip()]
        if q.enablers:
            extra["enablers"] = [tidy_question(o) for o in q.enablers if str(o).strip()]
        for k, v in (q.model_extra or {}).items():
            if isinstance(v, list):
                extra[str(k)] = [str(x) for x in v]
            elif v is not None:
                extra[str(k)] = str(v)
        out.append(RawMention(text, Rule.case, line, ctx, extra))
    return out


def _build(
    case: CaseFile, raws: list[RawMention], rel: str, content_hash: str, limits: Limits, fallback_date: dt.date | None
) -> IngestResult:
    name = PurePosixPath(rel).name
    date = case.date or fallback_date or date_from_filename(name)
    context = Context(sectors=case.sector, school=case.school, organisation=case.organisation)
    meta = {
        k: tidy_question(v) if "\n" not in v else v.strip()
        for k, v in (
            ("definition", case.definition),
            ("goal", case.goal),
            ("current_state", case.current_state),
            ("desired_state", case.desired_state),
        )
        if v
    }
    for k, v in (case.model_extra or {}).items():
        if isinstance(v, (str, int, float)) and not isinstance(v, bool):
            meta[str(k)] = str(v)[:2000]
    title = case.title or (f"Casus {case.school}" if case.school else PurePosixPath(rel).stem)
    sid = source_id(content_hash)
    source = Source(
        id=sid, path=rel, kind=SourceKind.case, title=title[:300], date=date, content_hash=content_hash,
        context=context, meta=meta,
    )
    return IngestResult(source=source, mentions=build_mentions(raws, rel, sid, context, date, limits.max_cell_chars))


def case_from_mapping(
    data: object, lines: dict, rel: str, content_hash: str, limits: Limits, extra_raws: list[RawMention] | None = None,
    fallback_date: dt.date | None = None,
) -> IngestResult:
    if data is None:
        raise IngestError("leeg bestand (geen velden gevonden)")
    if not isinstance(data, dict):
        raise IngestError(f"een casusbeschrijving moet velden bevatten (school:, sector:, questions: …), niet {type_nl(data)}", 1)
    data = _normalise_keys(data)
    lines = {(_normalise_keys({k[0]: 0}).popitem()[0], k[1]) if isinstance(k, tuple) else _normalise_keys({k: 0}).popitem()[0]: v for k, v in lines.items()}
    if isinstance(data.get("questions"), list):
        data["questions"] = [_normalise_keys(q) if isinstance(q, dict) else q for q in data["questions"]]
    try:
        case = CaseFile.model_validate(data)
    except ValidationError as exc:
        raise validation_to_ingest(exc, lines) from None
    raws = _question_items(case, lines) + (extra_raws or [])
    return _build(case, raws, rel, content_hash, limits, fallback_date)


def read_case_yaml(text: str, rel: str, content_hash: str, limits: Limits) -> IngestResult:
    from agenda.ingest.safety import load_yaml

    data, lines = load_yaml(text, limits, what="de casusbeschrijving")
    return case_from_mapping(data, lines, rel, content_hash, limits)


# --- Markdown / Word cases ------------------------------------------------------------------------

_SECTION_KEYS = [
    (re.compile(r"^definitie\b|^definition\b", re.I), "definition"),
    (re.compile(r"^doel(en|stelling)?\b|^goal\b", re.I), "goal"),
    (re.compile(r"^huidige\s+situatie\b|^current\s+state\b", re.I), "current_state"),
    (re.compile(r"^gewenste\s+situatie\b|^desired\s+state\b", re.I), "desired_state"),
    (re.compile(r"^(praktijk|kennis)?(vraagstukken|vragen)\b|^questions\b", re.I), "questions"),
]
_SUBLIST = re.compile(r"^\s*(belemmerend|bevorderend|obstacles|enablers)\w*(?:\s+factoren)?\s*:?\s*(.*)$", re.I)


def _section_of(heading: str) -> str | None:
    text = tidy_question(heading).strip(" :*_#")
    for rx, key in _SECTION_KEYS:
        if rx.search(text):
            return key
    return None


def case_from_blocks(
    *, rel: str, content_hash: str, props: dict, prop_lines: dict, blocks: list[Block], limits: Limits,
    fallback_date: dt.date | None = None,
) -> IngestResult:
    data: dict = dict(props)
    sections: dict[str, list[str]] = {}
    questions: list[RawMention] = []
    others: list[Block] = []
    current: str | None = None
    current_level = 0
    mode: str | None = None
    q: RawMention | None = None

    def add_to_mode(text: str) -> None:
        if q is None or mode is None:
            return
        items = [tidy_question(p) for p in text.split(";") if p.strip()]
        lst = q.extra.setdefault(mode, [])
        assert isinstance(lst, list)
        lst.extend(i for i in items if i)

    for b in blocks:
        if b.kind == "heading":
            key = _section_of(b.text)
            if current is not None and b.level <= current_level:
                current, mode, q = None, None, None
            if key is not None and current is None:
                current, current_level, mode, q = key, b.level, None, None
                continue
        if current is None:
            others.append(b)
            continue
        if current != "questions":
            sections.setdefault(current, []).append(b.text)
            continue
        # inside Vraagstukken
        m = _SUBLIST.match(tidy_question(b.text))
        if m:
            mode = "obstacles" if m[1].lower() in ("belemmerend", "obstacles") else "enablers"
            if m[2].strip():
                add_to_mode(m[2])
            continue
        body, ctx, other = split_note(b.text)
        tidy = tidy_question(body)
        if tidy.endswith("?") and (b.kind != "para" or mode is None or q is None):
            q = RawMention(tidy, Rule.case, b.line, ctx, dict(other))
            questions.append(q)
            mode = None
            continue
        if mode is not None and q is not None:
            add_to_mode(b.text)
            continue
        if b.kind == "para":
            for found in extract_block(b, in_section=True):
                found.rule = Rule.case if found.rule == Rule.section else found.rule
                questions.append(found)
                q = found
    for key, texts in sections.items():
        data.setdefault(key, "\n".join(t for t in texts if t.strip()))
    return case_from_mapping(
        data, prop_lines, rel, content_hash, limits, extra_raws=questions + extract(others, limits.max_rows), fallback_date=fallback_date
    )
