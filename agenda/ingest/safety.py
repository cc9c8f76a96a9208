"""Defences against bad and hostile input, applied BEFORE a file reaches a parser.

- file size: checked with ``stat`` before a byte is read (``Limits.max_file_mb``);
- zip containers (.docx, .xlsx): the central directory is inspected first; a file is refused
  when the sum of the members' uncompressed sizes exceeds ``max_docx_uncompressed_mb``, when
  that sum divided by the size on disk exceeds ``max_docx_ratio`` (zip bombs), when it has
  absurdly many members, or when any XML part contains a ``<!DOCTYPE`` / ``<!ENTITY``
  declaration (external entities, entity-expansion bombs). Word and Excel never write a
  DOCTYPE, so refusing it outright costs nothing. The XML parts are scanned in streaming
  64 KiB chunks, so memory stays flat. Python's ``zipfile`` never yields more bytes than a
  member's declared size, so the declared sizes bound what python-docx/openpyxl can inflate;
- YAML: always ``SafeLoader`` (without implicit timestamps: dates are validated by us, with
  Dutch messages), alias events are counted on the event stream before anything is composed
  (``max_yaml_aliases``), and the composed node graph is measured with aliases expanded
  (a "billion laughs" with few aliases still expands exponentially) before it is constructed.
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import yaml

from agenda.ingest.common import IngestError
from agenda.settings import Limits

MAX_ZIP_MEMBERS = 5000
MAX_YAML_NODES = 100_000  # nodes after alias expansion; real front matter has a few dozen
_DOCTYPE_MARKERS = [
    m.encode(enc)
    for m in ("<!doctype", "<!entity")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
]


def _size_text(n_bytes: float) -> str:
    """A size a reader can compare: '12,3 MB', '105 kB' or '42 bytes' (a tiny limit once read '0.0 MB')."""
    if n_bytes >= 1024 * 1024:
        return f"{n_bytes / 1024 / 1024:.1f} MB".replace(".", ",")
    if n_bytes >= 1024:
        return f"{n_bytes / 1024:.0f} kB"
    return f"{n_bytes:.0f} bytes"


def check_file_size(path: Path, limits: Limits) -> int:
    """Size in bytes; IngestError when over the limit (checked before reading)."""
    return check_size(os.stat(path).st_size, limits)


def check_size(size: int, limits: Limits) -> int:
    """`size` (bytes) back; IngestError when over `limits.max_file_mb` (also for bytes already
    read: a file can grow after its size was checked)."""
    max_bytes = limits.max_file_mb * 1024 * 1024
    if size > max_bytes:
        raise IngestError(f"bestand is te groot ({_size_text(size)}; de grens is {_size_text(max_bytes)})")
    return size


def check_zip(path: Path, limits: Limits, what: str = "Word-bestand") -> None:
    """Refuse damaged zips, zip bombs and XML parts with DOCTYPE/ENTITY declarations."""
    disk_size = max(os.stat(path).st_size, 1)
    if not zipfile.is_zipfile(path):
        raise IngestError(f"geen geldig {what}: beschadigd, afgebroken of geen Office-bestand (geen zip-archief)")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise IngestError(f"verdacht {what}: {len(infos)} onderdelen in het archief (grens {MAX_ZIP_MEMBERS})")
            total = sum(i.file_size for i in infos)
            max_total = limits.max_docx_uncompressed_mb * 1024 * 1024
            if total > max_total:
                raise IngestError(
                    f"{what} pakt uit tot {total / 1024 / 1024:.0f} MB (grens {limits.max_docx_uncompressed_mb:g} MB): "
                    "mogelijk een zip-bom, niet gelezen"
                )
            ratio = total / disk_size
            if ratio > limits.max_docx_ratio:
                raise IngestError(
                    f"{what} pakt {ratio:.0f} keer zo groot uit als het bestand (grens {limits.max_docx_ratio:g}): "
                    "mogelijk een zip-bom, niet gelezen"
                )
            for info in infos:
                name = info.filename.lower()
                if info.is_dir() or not (name.endswith(".xml") or name.endswith(".rels") or name.endswith(".vml")):
                    continue
                if info.flag_bits & 0x1:
                    raise IngestError(f"{what} is versleuteld (met wachtwoord beveiligd) en kan niet worden gelezen")
                _scan_xml_member(zf, info, what)
    except IngestError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, ValueError) as exc:
        raise IngestError(f"geen geldig {what}: beschadigd of afgebroken archief ({exc.__class__.__name__})") from None
    except RuntimeError as exc:  # encrypted member
        raise IngestError(f"{what} kan niet worden uitgepakt ({exc})") from None


def _scan_xml_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, what: str) -> None:
    tail = b""
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(1 << 16)
            if not chunk:
                break
            window = (tail + chunk).lower()
            for marker in _DOCTYPE_MARKERS:
                if marker in window:
                    raise IngestError(
                        f"{what} bevat een DOCTYPE/ENTITY-declaratie in '{info.filename}': "
                        "Word en Excel schrijven die nooit; niet gelezen (mogelijk kwaadaardig)"
                    )
            tail = chunk[-32:]


# --- YAML -------------------------------------------------------------------------------------


class StrictSafeLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps (we validate dates ourselves)."""


StrictSafeLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# The same loader on libyaml (C), when PyYAML was built with it: the pure-Python scanner reads
# ~70 KB/s (a 5 MB curation.yaml took 74 s, measured), so a large file under max_file_mb could
# stall every build. Errors are still described from the pure-Python parser's messages.
if getattr(yaml, "__with_libyaml__", False):
    class FastSafeLoader(yaml.CSafeLoader):
        """libyaml's parser with StrictSafeLoader's resolvers and constructors."""

    FastSafeLoader.yaml_implicit_resolvers = StrictSafeLoader.yaml_implicit_resolvers
else:  # pragma: no cover - PyYAML without libyaml
    FastSafeLoader = StrictSafeLoader  # type: ignore[misc, assignment]


# PyYAML's problems → what is wrong, in Dutch, with the fix (first match wins).
_YAML_DUTCH: list[tuple[re.Pattern, str]] = [
    (re.compile(r"'\\t'|tab character"), "tabs mogen niet voor inspringen; gebruik spaties"),
    (re.compile(r"could not determine a constructor"), ""),  # handled with the tag's name below
    (re.compile(r"found undefined alias|expected alphabetic or numeric character"),
     "een waarde die met * begint leest YAML als verwijzing; zet de tekst tussen aanhalingstekens"),
    (re.compile(r"found character '(.)' that cannot start any token"),
     "een waarde mag niet beginnen met het teken {0}; zet de tekst tussen aanhalingstekens"),
    (re.compile(r"mapping values are not allowed here"),
     "een dubbele punt op een plek waar dat niet mag, of een regel die te ver is ingesprongen; zet tekst met "
     "': ' erin tussen aanhalingstekens en laat velden even ver inspringen als de velden ernaast"),
    (re.compile(r"could not find expected ':'"),
     "een regel zonder 'naam: waarde' (de dubbele punt ontbreekt), of een lijstregel zonder '- '"),
    (re.compile(r"unexpected end of stream|found unexpected end"),
     "een aanhalingsteken wordt niet gesloten; sluit de tekst af met hetzelfde aanhalingsteken"),
    (re.compile(r"expected ',' or ']'|expected ',' or '}'"),
     "een lijst tussen [ ] of {{ }} wordt niet goed gesloten; controleer de haken en komma's"),
    (re.compile(r"escape"),
     "een \\ in tekst tussen dubbele aanhalingstekens; gebruik enkele aanhalingstekens of schrijf \\\\"),
    (re.compile(r"expected <block end>|did not find expected key|did not find expected '-'"),
     "de inspringing klopt niet; velden en lijstregels ('- ') op hetzelfde niveau moeten even ver inspringen"),
    (re.compile(r"expected a single document|but found another document"),
     "meer dan één document (een tweede regel '---'); gebruik één blok velden"),
    (re.compile(r"found duplicate anchor"), "hetzelfde anker (&naam) staat er twee keer in"),
    (re.compile(r"unacceptable character|special characters are not allowed"),
     "een ongeldig (stuur)teken; sla het bestand op als gewone tekst (UTF-8)"),
]


_ALIAS_VALUE = re.compile(r"(?:^|:|-)\s+[*&][^\s*&]")


def _yaml_error(exc: yaml.YAMLError, line_offset: int, what: str, text: str = "") -> IngestError:
    """A PyYAML error → one Dutch line: what is wrong, the fix, and the file line."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 + line_offset if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None and text:
        lines = text.split("\n")
        # "school: *De Boog": YAML reads * as an alias; its own error names a later symptom
        for ln in range(max(mark.line - 1, 0), min(mark.line + 1, len(lines))):
            if _ALIAS_VALUE.search(" " + lines[ln]) and "alias" not in problem:
                problem = "found undefined alias"
                line = ln + 1 + line_offset
                break
    if "could not determine a constructor" in problem:  # !!python/... and other custom tags
        quoted = re.search(r"'([^']*)'", problem)
        tag = (quoted.group(1) if quoted else "?").replace("tag:yaml.org,2002:", "!!")
        return IngestError(
            f"ongeldige YAML in {what}: onbekende of onveilige YAML-tag '{tag}' (alleen gewone tekst, lijsten en "
            "getallen zijn toegestaan)", line,
        )
    for rx, dutch in _YAML_DUTCH:
        if m := rx.search(problem):
            return IngestError(f"ongeldige YAML in {what}: {dutch.format(*m.groups())}", line)
    return IngestError(
        f"ongeldige YAML in {what}: de opbouw klopt niet (controleer inspringing, dubbele punten en aanhalingstekens)",
        line,
    )


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """Number of nodes with aliases expanded; stops early above the limit; cycles count as infinite."""
    memo: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            active.discard(nid)
            children = _children(node)
            total = 1 + sum(memo[id(c)] for c in children)
            memo[nid] = min(total, limit + 1)
            continue
        if nid in memo:
            continue
        if nid in active:
            return limit + 1  # recursive structure
        active.add(nid)
        stack.append((node, True))
        for child in _children(node):
            if id(child) in active:
                return limit + 1
            if id(child) not in memo:
                stack.append((child, False))
    return memo[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [x for pair in node.value for x in pair]
    return []


MAX_YAML_DEPTH = 64
MAX_YAML_INDENT = 256
_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*')
_BRACKETS = re.compile(r"[\[\]{}]")


def _check_depth(text: str, line_offset: int, what: str) -> None:
    for n, line in enumerate(text.split("\n"), start=1):
        if len(line) - len(line.lstrip(" ")) > MAX_YAML_INDENT and line.strip():
            raise IngestError(f"YAML in {what} is te diep ingesprongen (meer dan {MAX_YAML_INDENT} spaties): niet gelezen", n + line_offset)
    depth = 0
    for m in _BRACKETS.finditer(_QUOTED.sub("", text)):
        if m[0] in "[{":
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise IngestError(f"YAML in {what} is te diep genest (meer dan {MAX_YAML_DEPTH} niveaus): niet gelezen")
        else:
            depth = max(depth - 1, 0)


PURE_YAML_MAX_CHARS = 1 << 20  # ~15 s of the pure-Python parser


def _too_big(what: str, max_nodes: int = MAX_YAML_NODES) -> IngestError:
    return IngestError(f"YAML in {what} is te groot of verwijst naar zichzelf na het uitvouwen van aliassen "
                       f"(meer dan {max_nodes} elementen): niet gelezen")


def _described(exc: yaml.YAMLError, text: str, line_offset: int, what: str) -> IngestError:
    """libyaml's error, described from the pure-Python parser's message where it finds the same
    problem (the Dutch table above matches PyYAML's wording); not for a large file, where that
    would cost the minutes the C parser saved."""
    if FastSafeLoader is not StrictSafeLoader and len(text) <= PURE_YAML_MAX_CHARS:
        try:
            for _ in yaml.parse(text, Loader=StrictSafeLoader):
                pass
        except yaml.YAMLError as pure:
            exc = pure
    return _yaml_error(exc, line_offset, what, text)


def _check_unique_keys(root: yaml.Node, line_offset: int, what: str) -> None:
    """A key twice in one mapping: YAML keeps the last silently, so the first (a curator's
    decisions, a field of a case) would be lost without a word."""
    seen_nodes: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    if key_node.value in keys:
                        raise IngestError(
                            f"ongeldige YAML in {what}: '{key_node.value[:60]}' staat twee keer in hetzelfde blok "
                            "(de eerste zou stil verloren gaan); voeg ze samen tot één",
                            key_node.start_mark.line + 1 + line_offset)
                    keys.add(key_node.value)
        stack.extend(_children(node))


def load_yaml(text: str, limits: Limits, line_offset: int = 0, what: str = "het bestand",
              max_nodes: int = MAX_YAML_NODES) -> tuple[object, dict]:
    """Parse untrusted YAML safely. Returns (data, lines).

    ``lines`` maps a top-level key to its 1-based file line, and (key, index) to the line of
    item ``index`` of a top-level sequence. ``line_offset`` is added (front matter).
    """
    # 0. nesting depth, cheaply: PyYAML's scanner and composer are quadratic/recursive in it
    _check_depth(text, line_offset, what)
    # 1. count aliases and nodes on the event stream, before composing anything
    aliases = nodes = 0
    try:
        for event in yaml.parse(text, Loader=FastSafeLoader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.max_yaml_aliases:
                    raise IngestError(
                        f"YAML in {what} gebruikt meer dan {limits.max_yaml_aliases} verwijzingen (aliassen): "
                        "mogelijk een 'billion laughs'-aanval, niet gelezen",
                        event.start_mark.line + 1 + line_offset,
                    )
            elif isinstance(event, yaml.NodeEvent):
                nodes += 1
                if nodes > max_nodes:
                    raise _too_big(what, max_nodes)
    except yaml.YAMLError as exc:
        raise _described(exc, text, line_offset, what) from None
    # 2. compose, measure, construct
    loader = FastSafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        if _expanded_size(node, max_nodes) > max_nodes:
            raise _too_big(what, max_nodes)
        _check_unique_keys(node, line_offset, what)
        lines: dict = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    lines[key_node.value] = key_node.start_mark.line + 1 + line_offset
                    if isinstance(value_node, yaml.SequenceNode):
                        for i, item in enumerate(value_node.value):
                            lines[(key_node.value, i)] = item.start_mark.line + 1 + line_offset
        data = loader.construct_document(node)
        return data, lines
    except yaml.YAMLError as exc:
        raise _described(exc, text, line_offset, what) from None
    except RecursionError:
        raise IngestError(f"YAML in {what} is te diep genest: niet gelezen") from None
    except (ValueError, TypeError, OverflowError) as exc:
        reason = "een getal met meer dan 4300 cijfers" if "digits" in str(exc) else str(exc)[:120]
        raise IngestError(f"ongeldige waarde in de YAML van {what}: {reason}") from None
    finally:
        loader.dispose()
