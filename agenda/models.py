"""Pydantic models shared by every stage: what ingest produces, what rank and publish consume.

Stages exchange these models (or DuckDB tables), so each stage can be tested alone.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from agenda.context import LEVELS, SECTORS, normalise_roles

__all__ = ["LEVELS", "SECTORS"]  # re-exported: the vocabulary lives in agenda.context


class SourceKind(str, Enum):
    meeting = "meeting"
    case = "case"
    survey = "survey"
    publication = "publication"


class Rule(str, Enum):
    """Why a sentence counts as a question (INPUTS.md)."""

    section = "section"  # list item / paragraph under a *vraag* heading
    quoted = "quoted"  # quoted question in running text
    front_matter = "front_matter"  # `questions:` list in the front matter
    case = "case"  # a case description's questions
    survey = "survey"  # a survey row
    candidate = "candidate"  # a question sentence elsewhere: kept for the curator, not on the agenda


class Context(BaseModel):
    """Where a question was raised. Every field optional; lists because a note may name several."""

    model_config = ConfigDict(extra="forbid")

    sectors: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    level: str | None = None
    school: str | None = None
    organisation: str | None = None

    @field_validator("roles")
    @classmethod
    def _canonical_roles(cls, v: list[str]) -> list[str]:
        # 'Leerkracht' and 'leraar' are one role wherever a context is made (agenda.context)
        return normalise_roles(v)


class Source(BaseModel):
    """One input document (a meeting report, a case description, a survey export)."""

    id: str  # "S-" + content hash: the same bytes give the same id
    path: str  # relative to the inputs folder, with forward slashes
    kind: SourceKind
    title: str
    date: dt.date | None = None
    content_hash: str  # sha256 of the file's bytes
    context: Context = Field(default_factory=Context)  # defaults for every mention in it
    meta: dict[str, str] = Field(default_factory=dict)  # definition, goal, current_state, ...


class Mention(BaseModel):
    """One question as it stands in one source: the unit that is deduplicated and counted."""

    id: str  # "M-" + hash(source path, normalised text, occurrence): survives edits elsewhere
    source_id: str
    text: str  # verbatim (control characters stripped)
    rule: Rule
    line: int | None = None  # 1-based line (text), paragraph (docx) or row (csv/xlsx)
    respondent: str | None = None  # survey row / respondent: each counts as a distinct source
    date: dt.date | None = None
    context: Context = Field(default_factory=Context)
    extra: dict[str, list[str] | str] = Field(default_factory=dict)  # obstacles, enablers, metadata

    @property
    def is_candidate(self) -> bool:
        return self.rule == Rule.candidate


class Rejection(BaseModel):
    """An input file that could not be read (severity "error"), or one that was read but needs a
    look (severity "warning": no question found, an unknown context value), with a reason a
    curator understands (Dutch). Only errors make the build exit 1."""

    file: str
    line: int | None = None
    reason: str
    severity: Literal["error", "warning"] = "error"


class IngestResult(BaseModel):
    """What one reader returns for one file: a source with its mentions, or a rejection."""

    source: Source | None = None
    mentions: list[Mention] = Field(default_factory=list)
    rejection: Rejection | None = None
    warnings: list[Rejection] = Field(default_factory=list)  # severity "warning": read, but look at it


# --- curator decisions (inputs/curation.yaml) -------------------------------------------


class Exclusion(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt key must be reported, not dropped

    cluster: str
    why: str = ""


class Knowledge(BaseModel):
    """The knowledge table's agenda columns for one question, and the curator's verdicts on
    the evidence library (`kennisagenda evidence --apply`)."""

    model_config = ConfigDict(extra="forbid")

    known: str = ""  # wat is al bekend
    accessible: str = ""  # hoe maken we het toegankelijk
    research_needed: str = ""  # welk onderzoek is nog nodig
    sources: list[str] = Field(default_factory=list)  # confirmed K- ids of the evidence library
    answered_by: str | None = None  # a K- id that answers the question: it leaves the ranking
    rejected: list[str] = Field(default_factory=list)  # K- ids judged not relevant: never suggested again


class Curation(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)  # `priority: .nan` is an error, not a NaN score

    merge: list[list[str]] = Field(default_factory=list)
    distinct: list[list[str]] = Field(default_factory=list)  # reviewed: not the same question
    split: list[list[str]] = Field(default_factory=list)
    exclude: list[Exclusion] = Field(default_factory=list)
    rename: dict[str, str] = Field(default_factory=dict)
    promote: list[str] = Field(default_factory=list)
    knowledge: dict[str, Knowledge] = Field(default_factory=dict)
    # finite is not enough: `priority: 1e308` made the score infinite, stored as null in the version,
    # and every later build and `show` failed on it; 0 keeps a question last, 1000 puts it first
    priority: dict[str, Annotated[float, Field(ge=0, le=1000)]] = Field(default_factory=dict)
    theme: dict[str, str] = Field(default_factory=dict)  # cluster -> theme override
    question_type: dict[str, str] = Field(default_factory=dict)  # cluster -> type override
    reviewed_by: list[str] = Field(default_factory=list)  # for the method section

    @field_validator("rename")
    @classmethod
    def _formulations_are_not_blank(cls, value: dict[str, str]) -> dict[str, str]:
        # `rename: {Q-…: ""}` put an empty heading on the funders' agenda
        for cid, text in value.items():
            if not text.strip():
                raise ValueError(f"de nieuwe formulering van {cid} is leeg")
        return value


# --- the evidence library (inputs/kennis/) ------------------------------------------------


class KnowledgeRef(BaseModel):
    """One entry of the evidence library as the report cites it."""

    id: str  # "K-" + 6 hex from its content (DOI, else title + year): survives re-exports
    title: str
    authors: list[str] = Field(default_factory=list)  # "Family, Given" as exported
    year: int | None = None
    venue: str = ""  # journal, book, publisher or website
    doi: str = ""
    url: str = ""  # the DOI link when there is no other URL
    path: str = ""  # the file in inputs/ it came from
    kind: str = "reference"  # reference (an export's entry) | document (a whole file)


class KnowledgeSource(KnowledgeRef):
    """An entry with the text that is searched: its passages (title + summary, or a document's paragraphs)."""

    abstract: str = ""
    passages: list[str] = Field(default_factory=list)


class EvidenceRef(BaseModel):
    """A knowledge source attached to an agenda question (`show --format json` items' `evidence`)."""

    id: str
    title: str
    authors: list[str] = Field(default_factory=list)
    year: int | None = None
    url: str = ""
    score: float = 0.0  # retrieval score in [0, 1]; 1.0 for a curator's confirmation without a match
    status: str = "suggested"  # suggested | confirmed | answers
    passage: str = ""  # the best-matching passage (the report's fragment)


# --- clustering ----------------------------------------------------------------------------


class Cluster(BaseModel):
    """One knowledge question: mentions that ask the same thing."""

    id: str  # "Q-" + 12 hex (6 hex for questions from before 2026-12), stable across builds (agenda.dedupe.ids)
    question: str  # the formulation shown on the agenda
    mention_ids: list[str]
    excluded: str | None = None  # the curator's reason, when excluded


# --- the agenda ----------------------------------------------------------------------------


class MentionRef(BaseModel):
    """A verbatim formulation behind an agenda item, traceable to its source."""

    id: str
    text: str
    source: str  # the source's title
    source_id: str
    source_path: str
    kind: SourceKind
    respondent: str | None = None  # survey row: each counts as a distinct source
    date: dt.date | None = None
    sectors: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)
    level: str | None = None
    school: str | None = None
    lead_in: str | None = None  # the sentence a leaning question leans on ("Welke scholing is daarvoor nodig?")


class ResearchNeed(BaseModel):
    """*Welk onderzoek is nog nodig* for one question, derived by ``agenda.needs`` (a proposal the
    curator corrects with ``knowledge: {Q-…: {research_needed: …}}``)."""

    population: str = ""  # target group and sectors: 'leerlingen en leraren in po en vo'
    subject: str = ""  # the intervention, tool or way of working
    outcome: str = ""  # learning, motivation, workload, ...
    question: str = ""  # the PICO-style research question
    kind: str = ""  # 'effectonderzoek', 'praktijkgericht onderzoek', 'geen nieuw onderzoek', ...
    advice: str = ""  # the kind of research and why, in a sentence or two
    text: str = ""  # the report's column: advice + research question (or the curator's own text)
    proposal: bool = True  # False: the curator's own text


class Priority(BaseModel):
    """One question's result in the stakeholder priority round (James Lind Alliance interim
    priority setting; see agenda.priority.scoring). `show --format json` items carry it."""

    rank: int  # 1 = what the field puts first, among the ballot's questions (the tie rule applied)
    combined: float  # sum over role groups of the group's position score: every group weighs the same
    positions: dict[str, float] = Field(default_factory=dict)  # group -> position score (N first … 1 last)
    points: dict[str, int] = Field(default_factory=dict)  # group -> points (choice 1 = 10 … choice 10 = 1)
    voters: dict[str, int] = Field(default_factory=dict)  # group -> respondents who voted in the round
    code: str = ""  # the question's ballot code (V07)
    in_top10: list[str] = Field(default_factory=list)  # groups with the question in their own top 10
    frequency_rank: int | None = None  # its place on the frequency ranking (before the round)
    shortlist: bool = False  # in the union of the groups' top k (the final workshop's shortlist)


class AgendaItem(BaseModel):
    rank: int
    cluster_id: str
    question: str
    score: float
    frequency: int  # distinct sources (a survey respondent counts as one)
    n_mentions: int
    n_schools: int = 0
    kinds: dict[str, int] = Field(default_factory=dict)  # distinct sources per source kind
    sources: list[str] = Field(default_factory=list)  # titles of distinct source documents
    contexts: dict[str, list[str]] = Field(default_factory=dict)  # sector/role/level -> values
    role_counts: dict[str, int] = Field(default_factory=dict)
    explanation: str
    theme: str | None = None
    question_type: str | None = None
    knowledge: Knowledge = Field(default_factory=Knowledge)
    evidence: list[EvidenceRef] = Field(default_factory=list)  # best first: answers, confirmed, suggested
    mentions: list[MentionRef] = Field(default_factory=list)
    research_need: ResearchNeed | None = None  # agenda.needs
    accessibility: str = ""  # hoe maken we het toegankelijk (agenda.needs; the curator's text wins)
    groups: list[str] = Field(default_factory=list)  # role groups that raised it (agenda.engagement)
    priority: Priority | None = None  # the stakeholder priority round's result; None before any round


class ExcludedItem(BaseModel):
    cluster_id: str
    question: str
    why: str
    n_mentions: int


class SourceRef(BaseModel):
    id: str
    path: str
    kind: SourceKind
    title: str
    date: dt.date | None = None
    n_mentions: int = 0


class RankMove(BaseModel):
    cluster_id: str
    question: str
    old_rank: int
    new_rank: int


class FrequencyChange(BaseModel):
    cluster_id: str
    question: str
    old: int
    new: int


class Merge(BaseModel):
    into: str  # cluster id in the new version
    question: str
    merged: list[str]  # cluster ids of the old version that became `into`


class Split(BaseModel):
    """A question of the old version that no part continues: its formulations now lie in two or
    more questions with new ids (agenda.dedupe.clusters: an id stays only with the part that holds
    its agenda formulation and most of its formulations). Its decisions and votes need a look."""

    cluster_id: str  # the old version's id, on no question now
    question: str
    old_rank: int
    into: list[str]  # the new questions holding its formulations, most first


class Moved(BaseModel):
    """A formulation that went from one question to another that both stand in the new version
    (the regroup sheet, a split, or the machine's clustering): not a merge of the two questions."""

    mention_id: str
    text: str  # the formulation
    from_id: str  # its question in the previous version
    into: str  # its question in the new version
    question: str  # the agenda text of `into`


class Answered(BaseModel):
    """A question that a curator marked as answered by a knowledge source since the previous version."""

    cluster_id: str
    question: str
    source_id: str
    source: str  # the answering source, as cited


class Renamed(BaseModel):
    """A question whose formulation on the agenda changed (a curator's rename, or another wording chosen)."""

    cluster_id: str
    old: str
    new: str


class ExcludedChange(BaseModel):
    """A question the curator took off the agenda since the previous version, with the reason given."""

    cluster_id: str
    question: str
    old_rank: int
    why: str


class TopChange(BaseModel):
    """A question entering or leaving the top 10 (``versions.TOP``); ``how`` says why it left or came."""

    cluster_id: str
    question: str
    old_rank: int | None = None  # None: not ranked before (new, or answered then)
    new_rank: int | None = None  # None: not ranked now (answered, excluded, merged, dropped)
    how: str = ""  # 'nieuw', 'gestegen', 'gedaald', 'beantwoord', 'uitgesloten', 'samengevoegd', 'vervallen', 'niet langer beantwoord', 'door de prioriteringsronde'


class RoundChange(BaseModel):
    """What a (new or changed) priority round did to the order of the agenda."""

    ballot: str  # 'R1'
    version: str  # the version the ballot was made from
    n_voters: int
    groups: dict[str, int] = Field(default_factory=dict)  # group -> voters
    moved: list[RankMove] = Field(default_factory=list)  # old_rank = frequency rank, new_rank = after the round


class Changes(BaseModel):
    """What changed between two versions (the report's "Wat is er veranderd")."""

    previous: str | None = None  # label of the version compared against
    new: list[AgendaItem] = Field(default_factory=list)
    dropped: list[AgendaItem] = Field(default_factory=list)
    # answered before (outside the ranking), now gone: no source names it, or merged into a question that
    # is not answered (a merge into a standing question is in `merges`)
    dropped_answered: list[AgendaItem] = Field(default_factory=list)
    readmitted: list[AgendaItem] = Field(default_factory=list)  # excluded by the curator before, now ranked again
    moves: list[RankMove] = Field(default_factory=list)
    frequency: list[FrequencyChange] = Field(default_factory=list)
    merges: list[Merge] = Field(default_factory=list)
    answered: list[Answered] = Field(default_factory=list)
    moved: list[Moved] = Field(default_factory=list)  # formulations regrouped between standing questions
    splits: list[Split] = Field(default_factory=list)  # old questions split up, none of the parts keeping the id
    unanswered: list[RankMove] = Field(default_factory=list)  # answered before, back in the ranking (old_rank: its place then among the answered)
    renamed: list[Renamed] = Field(default_factory=list)
    excluded: list[ExcludedChange] = Field(default_factory=list)
    top_in: list[TopChange] = Field(default_factory=list)
    top_out: list[TopChange] = Field(default_factory=list)
    priority_round: RoundChange | None = None  # the round's effect, when it is new or changed since `previous`

    @property
    def empty(self) -> bool:
        return not (self.new or self.readmitted or self.dropped or self.dropped_answered or self.moves or self.frequency or self.merges or self.answered
                    or self.moved or self.splits or self.unanswered or self.renamed or self.excluded or self.top_in or self.top_out
                    or self.priority_round)


class EngagementRow(BaseModel):
    group: str  # a role, sector, kind of source or school; 'niet genoemd' when not named
    sources: int  # distinct source documents
    respondents: int  # distinct voices: a survey respondent, else a source document
    formulations: int


class GroupTop(BaseModel):
    """One role group's own top questions, by that group's distinct voices."""

    group: str
    respondents: int
    questions: list[str]  # cluster ids, best first
    voices: list[int]  # that group's voices per question


class Engagement(BaseModel):
    """Who was heard (agenda.engagement): the version's JLA-style engagement summary."""

    sources: int = 0
    respondents: int = 0
    formulations: int = 0
    roles: list[EngagementRow] = Field(default_factory=list)
    sectors: list[EngagementRow] = Field(default_factory=list)
    kinds: list[EngagementRow] = Field(default_factory=list)
    schools: list[EngagementRow] = Field(default_factory=list)
    expected_roles: list[str] = Field(default_factory=list)  # the setting; empty: what the inputs show
    expected_sectors: list[str] = Field(default_factory=list)
    missing_roles: list[str] = Field(default_factory=list)
    thin_roles: list[str] = Field(default_factory=list)  # under-represented
    missing_sectors: list[str] = Field(default_factory=list)
    thin_sectors: list[str] = Field(default_factory=list)
    top_per_group: list[GroupTop] = Field(default_factory=list)
    single_group: list[str] = Field(default_factory=list)  # cluster ids raised by one role group only


class RoundEntry(BaseModel):
    """One ballot question in the round's combined ranking."""

    code: str  # V01
    cluster_id: str
    question: str  # as it stood on the ballot
    rank: int
    combined: float
    points: int  # raw points, all groups together
    n_top10: int  # groups with it in their top 10
    on_agenda: bool = True  # False: answered, excluded or merged away since the ballot
    # where it went when not on the agenda, in Dutch for the report: "beantwoord", "uitgesloten",
    # "opgegaan in V02" (the ballot question now holding most of its formulations), "opgegaan in Q-…"
    fate: str = ""


class PriorityRound(BaseModel):
    """The priority round behind a version: who voted, the combined ranking, each group's top 10."""

    ballot: str  # 'R1', 'R2' …
    version: str  # the agenda version the ballot was made from
    n_questions: int  # N on the ballot
    files: list[str] = Field(default_factory=list)  # vote exports read (relative to inputs/)
    voters: dict[str, int] = Field(default_factory=dict)  # group -> respondents, largest first
    ranking: list[RoundEntry] = Field(default_factory=list)  # every ballot question, combined order
    group_top: dict[str, list[str]] = Field(default_factory=dict)  # group -> codes of its top 10, best first
    shortlist_k: int = 10
    shortlist: list[str] = Field(default_factory=list)  # codes: union of the groups' top k, combined order
    warnings: dict[str, int] = Field(default_factory=dict)  # kind of bad row -> how many
    not_on_ballot: list[str] = Field(default_factory=list)  # agenda questions added after the ballot (cluster ids)
    tie_rule: str = ""  # the tie rule the ranking used, in Dutch (for the report's method section)


class Agenda(BaseModel):
    """One immutable version of the knowledge agenda: everything the report needs."""

    label: str  # "2026-Q4", "2026-Q4.2"
    title: str = "Kennisagenda"
    knowledge_table: str = ""
    built_at: dt.datetime
    input_fingerprint: str  # hash of every input file and the settings
    content_hash: str = ""  # hash of the ranked content: equal hash → no new version
    items: list[AgendaItem]
    answered: list[AgendaItem] = Field(default_factory=list)  # answered by the library: out of the ranking
    library: list[KnowledgeRef] = Field(default_factory=list)  # the evidence library (bibliography)
    excluded: list[ExcludedItem] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    rejected: list[Rejection] = Field(default_factory=list)
    candidates: int = 0  # question sentences kept for the curator but not on the agenda
    changes: Changes = Field(default_factory=Changes)
    curation_notes: list[str] = Field(default_factory=list)  # decisions naming unknown ids etc.
    settings: dict[str, object] = Field(default_factory=dict)  # weights used, for the method section
    # how the vectors were made (embedder, its weights, onnxruntime, CPU model and SIMD features):
    # provenance for a rebuild elsewhere, not content (left out of the content hash)
    build_info: dict[str, object] = Field(default_factory=dict)
    engagement: Engagement = Field(default_factory=Engagement)  # who was heard (agenda.engagement)
    priority_round: PriorityRound | None = None  # the stakeholder round that orders `items`, if any
