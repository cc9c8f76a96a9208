"""Shared assembly for text documents (Markdown, plain text, Word): properties + blocks → IngestResult."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath

from agenda.ingest.blocks import Block, extract, heading_title
from agenda.ingest.common import (
    IngestError,
    RawMention,
    build_mentions,
    context_from_mapping,
    date_from_filename,
    date_from_text,
    kind_for,
    parse_date,
    parse_kind,
    source_id,
    split_note,
    tidy_question,
    type_nl,
)
from agenda.models import Context, IngestResult, Rejection, Rule, Source, SourceKind
from agenda.settings import Limits

KNOWN_KEYS = {
    "title", "titel", "date", "datum", "kind", "soort", "questions", "vragen",
    "sector", "sectoren", "sectors", "rol", "role", "rollen", "roles", "niveau", "level",
    "school", "scholen", "organisatie", "organisation", "organization", "bestuur",
}


def declared_kind(props: dict, lines: dict) -> str | None:
    for key in ("kind", "soort"):
        if key in props and props[key] not in (None, ""):
            try:
                return parse_kind(props[key])
            except IngestError as exc:
                exc.line = lines.get(key)
                raise
    return None


def props_title(props: dict, lines: dict) -> str | None:
    for key in ("title", "titel"):
        if key in props and props[key] is not None:
            v = props[key]
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                raise IngestError(f"veld '{key}' moet tekst zijn, niet {type_nl(v)}", lines.get(key))
            return tidy_question(str(v)) or None
    return None


def props_date(props: dict, lines: dict) -> dt.date | None:
    for key in ("date", "datum"):
        if key in props:
            try:
                return parse_date(props[key], key)
            except IngestError as exc:
                exc.line = lines.get(key)
                raise
    return None


def props_context(props: dict, lines: dict) -> Context:
    ctx_keys = {k: v for k, v in props.items() if isinstance(k, str) and k.lower() not in ("title", "titel")}
    try:
        return context_from_mapping(ctx_keys)
    except IngestError as exc:
        for key in ctx_keys:
            if f"'{key}'" in exc.reason:
                exc.line = lines.get(key)
        raise


def props_questions(props: dict, lines: dict) -> list[RawMention]:
    out: list[RawMention] = []
    for key in ("questions", "vragen"):
        if key not in props or props[key] is None:
            continue
        items = props[key]
        if isinstance(items, str):
            items = [items]
        if not isinstance(items, list):
            raise IngestError(f"veld '{key}' moet een lijst met vragen zijn, niet {type_nl(items)}", lines.get(key))
        for i, item in enumerate(items):
            line = lines.get((key, i), lines.get(key))
            ctx = None
            if isinstance(item, dict):
                text = item.get("text", item.get("tekst", item.get("vraag")))
                rest = {k: v for k, v in item.items() if k not in ("text", "tekst", "vraag")}
                try:
                    ctx = context_from_mapping(rest, f" (vraag {i + 1} van '{key}')")
                except IngestError as exc:
                    exc.line = line
                    raise
            else:
                text = item
            if isinstance(text, bool) or not isinstance(text, (str, int, float)):
                raise IngestError(f"vraag {i + 1} in veld '{key}' moet tekst zijn, niet {type_nl(text)}", line)
            body, note_ctx, other = split_note(str(text))
            body = tidy_question(body)
            if body:
                out.append(RawMention(body, Rule.front_matter, line, note_ctx or ctx, dict(other)))
    return out


def props_meta(props: dict) -> dict[str, str]:
    meta: dict[str, str] = {}
    for k, v in props.items():
        if isinstance(k, str) and k.lower() not in KNOWN_KEYS and isinstance(v, (str, int, float, dt.date)):
            meta[k] = str(v)[:2000]
    return meta


def document_result(
    *,
    rel: str,
    content_hash: str,
    suffix: str,
    props: dict,
    prop_lines: dict,
    blocks: list[Block],
    limits: Limits,
    fallback_date: dt.date | None = None,
    warnings: list[tuple[int | None, str]] | None = None,
) -> IngestResult:
    """Front matter / properties + blocks → Source and Mentions (a case goes to the case reader).

    ``warnings`` — (line, Dutch reason) pairs the reader found — become ``IngestResult.warnings``."""
    result = _document_result(rel, content_hash, suffix, props, prop_lines, blocks, limits, fallback_date)
    result.warnings = [Rejection(file=rel, line=ln, reason=w, severity="warning") for ln, w in warnings or []]
    return result


def _document_result(rel, content_hash, suffix, props, prop_lines, blocks, limits, fallback_date) -> IngestResult:
    kind = kind_for(rel, suffix, declared_kind(props, prop_lines))
    name = PurePosixPath(rel).name
    if kind == SourceKind.case:
        from agenda.ingest.case import case_from_blocks

        return case_from_blocks(
            rel=rel, content_hash=content_hash, props=props, prop_lines=prop_lines, blocks=blocks,
            limits=limits, fallback_date=fallback_date,
        )
    title = props_title(props, prop_lines) or heading_title(blocks) or PurePosixPath(rel).stem
    date = props_date(props, prop_lines) or fallback_date or date_from_filename(name)
    if date is None:
        date = date_from_text("\n".join(b.text for b in blocks[:200]), name)
    context = props_context(props, prop_lines)
    raws = props_questions(props, prop_lines) + extract(blocks, limits.max_rows)
    sid = source_id(content_hash)
    source = Source(
        id=sid, path=rel, kind=kind, title=title[:300], date=date, content_hash=content_hash,
        context=context, meta=props_meta(props),
    )
    mentions = build_mentions(raws, rel, sid, context, date, limits.max_cell_chars)
    return IngestResult(source=source, mentions=mentions)
