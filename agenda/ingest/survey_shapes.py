"""How survey and meeting tools lay out their exports, found by content (used by :mod:`.survey`).

Rows are ``(file line, [cell text, ...])``; nothing here reads files or builds mentions.

- **extra header rows** right under the header (:func:`header_rows`): Qualtrics' question-text row
  ("Start Date" under ``StartDate``) and ``{"ImportId": …}`` row; LimeSurvey's question-text row under
  its codes ("Date submitted" / "Datum verstuurd" under ``submitdate``, "Response ID" under ``id``);
  SurveyMonkey's second header row ("Response", "Open-Ended Response", "Other (please specify)", the
  option labels of a multiple-choice question under its one header cell). They give the columns' names.
- **option columns** (:func:`option_columns`): one column per option of a multiple-choice question, as
  LimeSurvey ("In welke sector werkt u? [Primair onderwijs]" / ``sector[po]`` holding "Ja"/"Y") and
  SurveyMonkey (the option label in the second header row, the cell holding that label) write them:
  the column is named after the question, a ticked cell reads as its option.
- **posts** (:func:`post_columns`): Padlet's export, one row a post with a subject and a body
  ("Subject", "Body", "Attachment", "Author", "Created At", "Section"; Dutch "Onderwerp", "Inhoud" …):
  subject and body are one formulation.
- **votes**: likes and upvotes (Padlet "Reactions"/"Likes", Slido "Votes"/"Upvotes"/"Likes",
  Mentimeter "Upvotes") are metadata (``extra["stemmen"]``), never sources or respondents.
- **title**: a board/event/presentation title written above the header (a single-cell row, or
  "Event name | …" / "Padlet | …" / "Presentation | …") names the session; see :func:`title_above`.
- **slide blocks** (:func:`slide_blocks`): Mentimeter's results workbook, a block per slide — the slide
  title on a row of its own, then one response a row (a Q&A slide: the question and its upvotes), a
  blank row between slides. Blocks whose responses are options with counts or single words are not read.
- **tool** (:func:`tool_of`): "padlet", "slido", "mentimeter" or "" (a plain survey): names the keys
  the context is kept under (``extra["bord"|"sessie"|"presentatie"]``, Mentimeter's slide in ``extra["dia"]``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

QUESTION_WORDS = re.compile(r"vraag|vragen|vraagstuk|\bquestions?\b|\bq ?& ?a\b", re.I)

# a code header → the labels a tool writes under it in its question-text row
_CODE_LABELS = {
    "startdate": {"start date", "date started", "datum gestart", "startdatum"},  # Qualtrics, LimeSurvey
    "enddate": {"end date"},
    "responseid": {"response id"},
    "submitdate": {"date submitted", "datum verstuurd", "verzenddatum", "datum ingediend"},  # LimeSurvey
    "id": {"response id", "antwoord id", "antwoord-id", "id"},
    "lastpage": {"last page", "laatste pagina"},
    "startlanguage": {"start language", "starttaal"},
    "seed": {"seed"},
    "datestamp": {"date last action", "datum laatste actie"},
}
_IMPORT_ID = re.compile(r'^\{\s*"ImportId"\s*:', re.I)
# SurveyMonkey's second header row: what it writes under a single-answer / open question
_MONKEY_SUB = {"response", "open-ended response", "open ended response", "other (please specify)",
               "antwoord", "open antwoord", "open-eindantwoord", "anders (gelieve te specificeren)",
               "anders (geef op)", "overig (gelieve te specificeren)"}
_MONKEY_HEAD = {"respondent id", "collector id", "respondent-id", "verzamelaar-id", "collector-id"}
_YES = {"y", "yes", "ja", "1", "x", "true", "waar", "checked", "aangevinkt"}
_NO = {"n", "no", "nee", "0", "false", "onwaar"}
_OPTION = re.compile(r"^(?P<q>.+?)\s*\[(?P<o>[^\[\]]+)\]$")

_SUBJECT = {"subject", "onderwerp", "titel", "title", "post title", "posttitel", "kop", "post subject",
            "onderwerp bericht", "berichttitel"}
_BODY = {"body", "inhoud", "tekst", "text", "post body", "bericht", "content", "hoofdtekst", "post content",
         "post text", "berichttekst"}
_POST_META = {"author", "auteur", "attachment", "bijlage", "attachment url", "created at", "gemaakt op",
              "updated at", "bijgewerkt op", "section", "sectie", "kolom", "column", "reactions", "reacties",
              "comments", "opmerkingen", "post url", "link"}
VOTES = {"likes", "like", "upvotes", "upvote", "votes", "vote", "stemmen", "aantal stemmen", "reactions",
         "vind-ik-leuks", "hartjes", "score", "duimpjes", "aantal likes", "# of votes", "number of votes"}
_SLIDO_META = {"author", "labels", "highlighted", "answered", "archived", "room", "event", "event name",
               "ruimte", "beantwoord", "gemarkeerd", "downvotes", "replies", "status", "date", "time"}
_TITLE_KEYS = {"event name", "event", "naam evenement", "padlet", "padlet title", "board", "bord", "presentation",
               "presentation name", "presentatie", "titel", "title", "naam", "sessie", "session", "room", "ruimte"}
TITLE_KEY = {"padlet": "bord", "slido": "sessie", "mentimeter": "presentatie", "": "titel"}


def key(header: str) -> str:
    return " ".join(header.lower().replace("\u00a0", " ").strip(" :*").split())


def header_rows(header: list[str], rows: list[tuple[int, list[str]]], start: int) -> tuple[list[str], int]:
    """The column names and the index of the first data row, given the header and the rows after it."""
    names = list(header)
    keys = [key(h) for h in header]
    monkey = bool(_MONKEY_HEAD & set(keys))
    while start < len(rows):
        cells = rows[start][1]
        filled = [c for c in cells if c]
        if filled and all(_IMPORT_ID.match(c) for c in filled):
            start += 1
            continue
        if _labels_codes(keys, cells):
            for i, c in enumerate(cells):
                if c and i < len(names):
                    names[i] = " ".join(c.split())
            start += 1
            continue
        if filled and (monkey or any(key(c) in _MONKEY_SUB for c in filled)) and _monkey_row(keys, cells):
            names = _monkey_names(names, cells)
            start += 1
            continue
        break
    return names, start


def _labels_codes(keys: list[str], cells: list[str]) -> bool:
    """A question-text row: under some known code header stands its label (and under none a value)."""
    hits = misses = 0
    for i, k in enumerate(keys):
        labels = _CODE_LABELS.get(k)
        if labels is None or i >= len(cells) or not cells[i]:
            continue
        if key(cells[i]) in labels and not (k == "id" and key(cells[i]) == "id"):
            hits += 1
        else:
            misses += 1
    return hits >= 2 or (hits == 1 and misses == 0)


def _monkey_row(keys: list[str], cells: list[str]) -> bool:
    """SurveyMonkey's second header row: its metadata columns are empty, and what it writes under a
    question is a sub-label ("Response", "Open-Ended Response") or an option label, never a date or id."""
    for i, k in enumerate(keys):
        if k in _MONKEY_HEAD or k in {"start date", "end date", "ip address", "email address", "first name",
                                     "last name", "custom data 1", "custom data"}:
            if i < len(cells) and cells[i]:
                return False
    return any(key(c) in _MONKEY_SUB for c in cells if c) or bool(_MONKEY_HEAD & set(keys))


def _monkey_names(names: list[str], cells: list[str]) -> list[str]:
    """A question's header cell spans its option columns: each option column is named
    "<question> [<option>]" (read as an option column), a "Response" column keeps the question."""
    out = list(names)
    group = ""
    for i in range(len(out)):
        sub = cells[i] if i < len(cells) else ""
        if out[i]:
            group = out[i]
        elif group and sub:
            out[i] = group
        if sub and key(sub) not in _MONKEY_SUB and group:
            out[i] = f"{group} [{' '.join(sub.split())}]"
        elif sub and key(sub).startswith(("other", "anders", "overig")) and group:
            out[i] = f"{group} (anders)"
    return out


@dataclass
class Option:
    question: str
    option: str


def option_columns(names: list[str]) -> dict[int, Option]:
    """Columns named "<question> [<option>]" (LimeSurvey, SurveyMonkey's option columns)."""
    out: dict[int, Option] = {}
    for i, n in enumerate(names):
        if (m := _OPTION.match(n.strip())) and not n.strip().endswith("?]"):
            out[i] = Option(m["q"].strip(), m["o"].strip())
    return out


def ticks(opt: Option, values: list[str]) -> bool:
    """Does the column hold ticks (Ja/Y/the option's label), not text typed into one of several boxes
    (SurveyMonkey's "[Vraag 1]", "[Vraag 2]" boxes under one question)?"""
    marks = _YES | _NO | {key(opt.option)}
    return not values or sum(key(v) in marks for v in values) >= 0.8 * len(values)


def option_value(opt: Option, value: str) -> str:
    """A ticked option cell → the option ("Ja"/"Y" under "[Primair onderwijs]" → "Primair onderwijs");
    SurveyMonkey writes the option label itself; "Nee"/"N"/"0" → ""."""
    v = key(value)
    if v in _YES or v == key(opt.option):
        return opt.option
    if v in _NO:
        return ""
    return value


def post_columns(keys: list[str]) -> tuple[int, int] | None:
    """Padlet's export: (subject column, body column) when the header has both and a post's metadata."""
    subject = next((i for i, k in enumerate(keys) if k in _SUBJECT), None)
    body = next((i for i, k in enumerate(keys) if k in _BODY), None)
    if subject is None or body is None or not (_POST_META & set(keys)):
        return None
    return subject, body


def join_post(subject: str, body: str) -> str:
    """One post → one formulation: the subject and the body, the subject as a lead-in when it is a label."""
    subject, body = " ".join(subject.split()), body.strip()
    if not subject or not body:
        return subject or body
    if "?" in body and "?" not in subject:
        return f"{subject}: {body}" if not subject.endswith((".", ":", "!")) else f"{subject} {body}"
    return f"{subject} {body}" if subject.endswith(("?", ".", ":", "!")) else f"{subject}: {body}"


def tool_of(keys: list[str], post: bool = False) -> str:
    ks = set(keys)
    if post:
        return "padlet"
    if ks & {"voter id", "voter", "participant id", "deelnemer-id", "deelnemer id", "stemmer-id"}:
        return "mentimeter"
    if ks & VOTES and ks & _SLIDO_META and any(k in {"question", "questions", "vraag", "vragen"} for k in ks):
        return "slido"
    return ""


def title_above(rows: list[tuple[int, list[str]]], header_index: int) -> str:
    """A title written above the header: "Event name | X" (or "Event name: X"), else the first
    single-cell row. Empty when there is none."""
    single = ""
    for _ln, cells in rows[:header_index]:
        filled = [c for c in cells if c]
        if len(filled) == 2 and key(filled[0]) in _TITLE_KEYS:
            return " ".join(filled[1].split())
        if len(filled) == 1:
            m = re.match(r"^\s*([^:]{2,30}):\s*(\S.*)$", filled[0])
            if m and key(m[1]) in _TITLE_KEYS:
                return " ".join(m[2].split())
            single = single or " ".join(filled[0].split())
    return single


def title_in_summary(rows: list[tuple[int, list[str]]]) -> str:
    """A summary sheet's "Event name | X" / "Presentation | X" row (Slido, Mentimeter)."""
    for _ln, cells in rows[:30]:
        filled = [c for c in cells if c]
        if len(filled) == 2 and key(filled[0]) in _TITLE_KEYS - {"naam", "title", "titel"} | {"event name"}:
            return " ".join(filled[1].split())
    return ""


_PIVOT = {"rijlabels", "row labels", "eindtotaal", "grand total", "kolomlabels", "column labels", "(leeg)", "(blank)"}


def looks_like_pivot(rows: list[tuple[int, list[str]]]) -> bool:
    """Excel's pivot table or a summary: "Rijlabels"/"Row Labels", "Eindtotaal"/"Grand Total"."""
    return any(key(c) in _PIVOT for _ln, cells in rows[:200] for c in cells[:3] if c)


# --- Mentimeter's per-slide blocks -------------------------------------------------------------


@dataclass
class Block:
    title: str
    line: int
    responses: list[tuple[int, str, str]] = field(default_factory=list)  # (line, text, votes)


_NUMBER = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*%?\s*$")
_SUBHEAD = {"responses", "response", "antwoorden", "antwoord", "reacties", "answers", "options", "opties",
            "votes", "stemmen", "upvotes", "likes", "questions", "vragen", "question", "vraag", "results", "resultaten"}


def slide_blocks(rows: list[tuple[int, list[str]]]) -> list[Block] | None:
    """Mentimeter's results sheet as blocks, or None when the sheet is not laid out that way: most
    filled rows hold one text (a response) or a text and a number (an option or Q&A question and
    its votes), and blank rows separate at least one slide title from its responses."""
    filled = [(ln, [c for c in cells]) for ln, cells in rows if any(c for c in cells)]
    if len(filled) < 3:
        return None
    def shape(cells: list[str]) -> str:
        texts = [c for c in cells if c]
        if len(texts) == 1 or (len(texts) == 2 and _NUMBER.match(texts[0]) and not _NUMBER.match(texts[1])):
            return "one"  # a response, or a numbered one ("1 | Hoe …?")
        if len(texts) == 2 and _NUMBER.match(texts[1]) and not _NUMBER.match(texts[0]):
            return "voted"
        return "other"
    shapes = [shape(c) for _ln, c in filled]
    if sum(s != "other" for s in shapes) < 0.8 * len(shapes):
        return None
    blocks: list[Block] = []
    current: Block | None = None
    for ln, cells in rows:
        texts = [c for c in cells if c]
        if not texts:
            current = None
            continue
        if current is None:
            if shape(cells) == "other":
                return None
            current = Block(" ".join(texts[0].split()), ln)
            blocks.append(current)
            continue
        if all(key(t) in _SUBHEAD for t in texts):
            continue  # "Responses" / "Options | Votes" under the slide title
        if len(texts) == 2 and _NUMBER.match(texts[0]) and not _NUMBER.match(texts[1]):
            texts = texts[1:]  # numbered responses
        votes = texts[1] if len(texts) == 2 and _NUMBER.match(texts[1]) else ""
        current.responses.append((ln, texts[0], votes.strip()))
    if len(blocks) < 2 or not any(b.responses for b in blocks):
        return None  # one block is a one-column survey: read as such
    return blocks


def open_block(block: Block, is_question) -> bool:
    """A block to read: an open-ended or Q&A slide — its title names questions, or its responses ask;
    and its responses are text (not options with counts: short labels, most with a number)."""
    texts = [t for _ln, t, _v in block.responses]
    if not texts:
        return False
    asking = sum("?" in t for t in texts) >= 0.4 * len(texts)
    if not (QUESTION_WORDS.search(block.title) or asking):
        return False
    answers = sum(is_question(t) for t in texts)
    voted_short = sum(bool(v) and len(t.split()) < 3 for _ln, t, v in block.responses)
    return answers >= 0.5 * len(texts) and voted_short < 0.5 * len(texts)
