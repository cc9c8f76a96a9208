"""The DuckDB store: the only module with SQL DDL.

Layers, named as in jaffle_shop: raw tables (`sources`, `mentions`, `rejected`,
`embeddings`) are append-only and keyed by content hashes, so re-ingesting a file adds
nothing; `clusters`/`cluster_members` hold the current deduplication; `agenda_versions`
and `agenda_items` are immutable snapshots (marts).

DuckDB allows one writer process. Connections are short-lived; a whole build is
serialised by `build_lock` (an OS file lock beside the database), so a second build
waits a bounded time and then fails with `DatabaseBusy` (CLI exit code 3).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import numpy as np

from agenda.privacy import mask, mask_context, mask_knowledge, mask_value

from agenda.models import (
    Agenda,
    Cluster,
    Context,
    IngestResult,
    KnowledgeSource,
    Mention,
    Rejection,
    Rule,
    Source,
    SourceKind,
)


class DatabaseBusy(RuntimeError):
    """Another process holds the database (a build running, or a reader open)."""


# Numbered migrations, applied in order, each in one transaction and recorded in
# schema_migrations. Never edit a released migration: add the next one.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE builds (
            id INTEGER PRIMARY KEY,
            started_at TIMESTAMP NOT NULL,
            finished_at TIMESTAMP,
            inputs_dir VARCHAR,
            input_fingerprint VARCHAR,
            status VARCHAR NOT NULL DEFAULT 'running',   -- running | done | failed
            version_label VARCHAR
        );
        CREATE TABLE sources (
            id VARCHAR PRIMARY KEY,              -- 'S-' + content hash
            path VARCHAR NOT NULL,               -- relative to inputs/
            kind VARCHAR NOT NULL,
            title VARCHAR NOT NULL,
            date DATE,
            content_hash VARCHAR NOT NULL,
            context JSON,
            meta JSON,
            first_build INTEGER,
            active BOOLEAN NOT NULL DEFAULT TRUE -- present in the latest build's inputs
        );
        CREATE TABLE mentions (
            id VARCHAR NOT NULL,                 -- 'M-' + hash(path, text, occurrence)
            source_id VARCHAR NOT NULL,
            text VARCHAR NOT NULL,
            rule VARCHAR NOT NULL,
            line INTEGER,
            respondent VARCHAR,
            date DATE,
            sectors VARCHAR[],
            roles VARCHAR[],
            level VARCHAR,
            school VARCHAR,
            organisation VARCHAR,
            extra JSON,
            PRIMARY KEY (source_id, id)
        );
        CREATE TABLE rejected (
            build_id INTEGER NOT NULL,
            file VARCHAR NOT NULL,
            line INTEGER,
            reason VARCHAR NOT NULL
        );
        CREATE TABLE embeddings (
            model VARCHAR NOT NULL,
            norm_text VARCHAR NOT NULL,
            vector BLOB NOT NULL,                -- float32 bytes: 20x faster to write than FLOAT[]
            PRIMARY KEY (model, norm_text)
        );
        CREATE TABLE clusters (
            id VARCHAR PRIMARY KEY,              -- 'Q-' + 6 hex, stable across builds (12 hex since 0005)
            question VARCHAR NOT NULL,
            excluded VARCHAR,                    -- curator's reason, when excluded
            build_id INTEGER
        );
        CREATE TABLE cluster_members (
            mention_id VARCHAR PRIMARY KEY,
            cluster_id VARCHAR NOT NULL,         -- after the curator's decisions
            auto_cluster_id VARCHAR NOT NULL     -- the machine's cluster: ids stay stable against this
        );
        CREATE TABLE agenda_versions (
            label VARCHAR PRIMARY KEY,           -- '2026-Q4', '2026-Q4.2'
            seq INTEGER NOT NULL UNIQUE,
            built_at TIMESTAMP NOT NULL,
            input_fingerprint VARCHAR NOT NULL,
            content_hash VARCHAR NOT NULL,
            previous VARCHAR,
            n_sources INTEGER NOT NULL,
            n_mentions INTEGER NOT NULL,
            n_items INTEGER NOT NULL,
            snapshot JSON NOT NULL               -- the whole Agenda: any version can be re-rendered
        );
        CREATE TABLE agenda_items (
            version_label VARCHAR NOT NULL,
            rank INTEGER NOT NULL,
            cluster_id VARCHAR NOT NULL,
            question VARCHAR NOT NULL,
            score DOUBLE NOT NULL,
            frequency INTEGER NOT NULL,
            n_mentions INTEGER NOT NULL,
            n_schools INTEGER NOT NULL,
            sectors VARCHAR[],
            roles VARCHAR[],
            levels VARCHAR[],
            theme VARCHAR,
            question_type VARCHAR,
            explanation VARCHAR NOT NULL,
            PRIMARY KEY (version_label, cluster_id)
        );
        CREATE TABLE agenda_item_mentions (
            version_label VARCHAR NOT NULL,
            cluster_id VARCHAR NOT NULL,
            mention_id VARCHAR NOT NULL
        );
        """,
    ),
    (
        "0002_knowledge",
        """
        CREATE TABLE knowledge_sources (
            id VARCHAR PRIMARY KEY,              -- 'K-' + 6 hex from the content (DOI, else title + year)
            path VARCHAR NOT NULL,               -- relative to inputs/
            kind VARCHAR NOT NULL,               -- reference | document
            title VARCHAR NOT NULL,
            authors VARCHAR[],
            year INTEGER,
            venue VARCHAR,
            doi VARCHAR,
            url VARCHAR,
            abstract VARCHAR,
            build_id INTEGER
        );
        CREATE TABLE knowledge_passages (
            pid INTEGER PRIMARY KEY,             -- document id of the full-text index
            source_id VARCHAR NOT NULL,
            n INTEGER NOT NULL,                  -- 0-based position in the source
            text VARCHAR NOT NULL,               -- what a curator reads (the fragment)
            indexed VARCHAR NOT NULL             -- what is searched: the source's title + the fragment
        );
        CREATE TABLE knowledge_stopwords (sw VARCHAR PRIMARY KEY);
        CREATE TABLE evidence_suggestions (
            cluster_id VARCHAR NOT NULL,
            source_id VARCHAR NOT NULL,
            rank INTEGER NOT NULL,               -- 1 = best for this question
            score DOUBLE NOT NULL,               -- fused score in [0, 1]
            bm25 DOUBLE,                         -- best passage's BM25 (NULL: no shared term)
            cosine DOUBLE,                       -- best passage's e5 cosine
            passage VARCHAR,
            build_id INTEGER,
            PRIMARY KEY (cluster_id, source_id)
        );
        """,
    ),
    (
        # warnings of a file that was read (no question found, an unknown sector value): kept with
        # the source, because an unchanged file is not read again, yet every build lists them
        "0003_source_warnings",
        """
        CREATE TABLE source_warnings (
            source_id VARCHAR NOT NULL,
            file VARCHAR NOT NULL,
            line INTEGER,
            reason VARCHAR NOT NULL
        );
        """,
    ),
    (
        # the stakeholder priority round (agenda/priority/): ballots keep the version they were made
        # from; votes are kept per ballot, so a later ballot leaves an earlier round's votes alone
        "0004_priority_round",
        """
        CREATE TABLE ballots (
            id VARCHAR PRIMARY KEY,              -- 'R1', 'R2', … in the order they were made
            version_label VARCHAR NOT NULL,      -- the agenda version the ballot was made from
            created_at TIMESTAMP NOT NULL,
            origin VARCHAR NOT NULL,             -- 'stemronde' (the command) or the ballot file read
            n_questions INTEGER NOT NULL
        );
        CREATE TABLE ballot_items (
            ballot_id VARCHAR NOT NULL,
            code VARCHAR NOT NULL,               -- V01 …
            cluster_id VARCHAR NOT NULL,
            question VARCHAR NOT NULL,           -- as it stood on the ballot
            position INTEGER NOT NULL,           -- agenda order when the ballot was made
            PRIMARY KEY (ballot_id, code)
        );
        CREATE TABLE votes (
            ballot_id VARCHAR NOT NULL,
            build_id INTEGER NOT NULL,           -- the build that read them (each build re-reads the folder)
            file VARCHAR NOT NULL,               -- the export, relative to inputs/
            content_hash VARCHAR NOT NULL,       -- sha256 of that file: an old round's export is recognised
            respondent VARCHAR NOT NULL,         -- a pseudonym (hash), never a name or e-mail address
            grp VARCHAR NOT NULL,                -- the normalised role group ('onbekend' for none)
            choice INTEGER NOT NULL,             -- 1 = first choice
            code VARCHAR NOT NULL
        );
        CREATE TABLE round_warnings (
            build_id INTEGER NOT NULL,
            file VARCHAR NOT NULL,
            line INTEGER,
            reason VARCHAR NOT NULL
        );
        """,
    ),
    (
        # every question id the database ever gave out (agenda.dedupe.ids): a new id never repeats one
        # that an earlier build or version used for other content, however long ago it vanished.
        # Ids of existing databases are registered without a seed (their content is unknown).
        "0005_question_ids",
        """
        CREATE TABLE question_ids (
            id VARCHAR PRIMARY KEY,              -- 'Q-' + 12 hex (6 hex before 2026-12)
            seed VARCHAR,                        -- what the id was derived from; NULL: registered by 0005
            first_build INTEGER
        );
        INSERT INTO question_ids
        SELECT DISTINCT id, NULL, NULL FROM (
            SELECT id FROM clusters
            UNION ALL SELECT cluster_id FROM cluster_members
            UNION ALL SELECT auto_cluster_id FROM cluster_members
            UNION ALL SELECT cluster_id FROM agenda_items
            UNION ALL SELECT cluster_id FROM agenda_item_mentions
            UNION ALL SELECT cluster_id FROM ballot_items
            UNION ALL SELECT cluster_id FROM evidence_suggestions
            UNION ALL SELECT unnest(json_extract_string(snapshot, '$.answered[*].cluster_id')) FROM agenda_versions
            UNION ALL SELECT unnest(json_extract_string(snapshot, '$.excluded[*].cluster_id')) FROM agenda_versions
        ) AS ever(id) WHERE id IS NOT NULL;
        """,
    ),
]


def acquire_flock(fd: int, timeout: float, poll: float = 0.1) -> bool:
    """Take an exclusive flock on `fd`, waiting up to `timeout` seconds; False when still held."""
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)


@contextlib.contextmanager
def build_lock(db_path: Path, timeout: float = 0.0) -> Iterator[None]:
    """Hold an exclusive OS lock beside the database for a whole build.

    The kernel drops the lock when the process dies (even by SIGKILL), so a crashed build
    never blocks the next one.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = db_path.with_name(db_path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not acquire_flock(fd, timeout):
            raise DatabaseBusy(f"de database {db_path} wordt al gebruikt door een andere build; probeer het later opnieuw")
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


# DuckDB must never fetch code at run time (no network; a SQLite or Postgres file would make it
# download a scanner over plain HTTP): every connection turns auto-install and auto-load off,
# and the project loads only extensions it ships, by path.
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


class ForeignDatabase(ValueError):
    """The file is not a Kennisagenda database (SQLite, another DuckDB database, damaged, ...)."""


def _foreign(path: Path, what: str) -> ForeignDatabase:
    return ForeignDatabase(
        f"{path} is {what}; kies met --db een ander (of nog niet bestaand) bestand en laat dit bestand met rust"
    )


# DuckDB's words for a file that was cut short or overwritten (a copy interrupted, a full disk
# during a copy, a sync tool): a retry never helps, a backup or another --db does.
_DAMAGE = ("could not read enough bytes", "corrupt database file", "checksum", "invalid block", "malformed")


def damaged_message(exc: BaseException, path: Path | str | None = None) -> str | None:
    """One Dutch line when `exc` says the database file itself is damaged; else None."""
    text = str(exc)
    if not isinstance(exc, duckdb.Error) or not any(w in text.lower() for w in _DAMAGE):
        return None
    where = path if path is not None else (m.group(1) if (m := re.search(r'file "([^"]+)"', text)) else "de database")
    return (f"de database {where} is beschadigd (afgekapt of overschreven; DuckDB: {text.splitlines()[0][:160]}): "
            "zet een reservekopie terug of kies met --db een ander (nog niet bestaand) bestand; opnieuw bouwen in "
            "hetzelfde bestand helpt niet")


def connect(path: Path | str, *, read_only: bool = False, timeout: float = 5.0) -> duckdb.DuckDBPyConnection:
    """The project's only way to open DuckDB: extensions never download, a held file is waited for.

    `timeout` (seconds) bounds the wait for another process's lock, then `DatabaseBusy`.
    A file that is not a DuckDB database raises `ForeignDatabase` (a Dutch message naming it).
    """
    path = Path(path)
    deadline = time.monotonic() + max(timeout, 0.0)
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=dict(DUCKDB_CONFIG))
        except duckdb.IOException as exc:
            text = str(exc).lower()
            if (damaged := damaged_message(exc, path)) is not None:  # before "lock": a corrupt "block"
                raise ForeignDatabase(damaged) from None
            if "lock" not in text:
                if "not a valid duckdb" in text or "sqlite" in text or "extension" in text:
                    raise _foreign(path, _kind_of_file(path)) from None
                raise
            if time.monotonic() >= deadline:
                raise DatabaseBusy(
                    f"de database {path} is bezet door een ander proces; probeer het later opnieuw"
                    " (of verhoog lock_timeout_seconds)"
                ) from None
            time.sleep(0.1)
        except (duckdb.InvalidInputException, duckdb.SerializationException, duckdb.CatalogException,
                duckdb.NotImplementedException, duckdb.InternalException) as exc:
            raise _foreign(path, _kind_of_file(path, str(exc))) from None


def _kind_of_file(path: Path, detail: str = "") -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        head = b""
    if head.startswith(b"SQLite format 3"):
        return "een SQLite-database, geen DuckDB-database van de kennisagenda"
    if "version" in detail.lower():
        return "een DuckDB-database van een andere DuckDB-versie"
    return "geen DuckDB-database van de kennisagenda (beschadigd of een ander soort bestand)"


SOURCE_COLUMNS = {"id": "VARCHAR", "path": "VARCHAR", "kind": "VARCHAR", "title": "VARCHAR", "date": "DATE",
                  "content_hash": "VARCHAR", "context": "VARCHAR", "meta": "VARCHAR", "first_build": "INTEGER"}
MENTION_COLUMNS = {"id": "VARCHAR", "source_id": "VARCHAR", "text": "VARCHAR", "rule": "VARCHAR", "line": "INTEGER",
                   "respondent": "VARCHAR", "date": "DATE", "sectors": ["VARCHAR"], "roles": ["VARCHAR"],
                   "level": "VARCHAR", "school": "VARCHAR", "organisation": "VARCHAR", "extra": "VARCHAR"}


def _bulk_insert(con: duckdb.DuckDBPyConnection, table: str, types: dict[str, object], rows: list[tuple],
                 constants: dict[str, str] | None = None, *, verb: str = "INSERT",
                 convert: dict[str, str] | None = None) -> None:
    """INSERT many rows in one statement per 10,000, each sent as ONE JSON text parameter.

    Why: DuckDB's Python client converts list parameters element by element (~1.4 ms each,
    measured: 7 s for 5,000 ids) and `executemany` runs a statement per row (133 s for 5,000
    sources and mentions on a busy machine); one JSON string unnested in SQL took 1.3 s for
    50,000 rows. `types` maps column -> DuckDB type (as `from_json` spells it), in `rows`' order;
    `constants` adds columns with a SQL constant; `convert` maps a column to a SQL expression
    of its JSON value `{v}` (BLOBs travel as base64: `from_base64({v})`); `verb` may be
    "INSERT OR IGNORE".
    """
    if not rows:
        return
    names = list(types)
    convert = convert or {}
    columns = ", ".join(f'"{n}"' for n in [*names, *(constants or {})])
    values = ", ".join([convert.get(n, "{v}").format(v=f'r."{n}"') for n in names] + list((constants or {}).values()))
    sql = (f"{verb} INTO {table} ({columns}) SELECT {values} "
           f"FROM (SELECT unnest(from_json(?::JSON, '[{json.dumps(types)}]')) AS r)")
    for start in range(0, len(rows), BULK_ROWS):  # bounds the JSON text's memory
        payload = json.dumps([dict(zip(names, r, strict=True)) for r in rows[start:start + BULK_ROWS]],
                             ensure_ascii=False, default=str)
        con.execute(sql, [payload])


BULK_ROWS = 10_000
ITEM_COLUMNS = {"version_label": "VARCHAR", "rank": "INTEGER", "cluster_id": "VARCHAR", "question": "VARCHAR",
                "score": "DOUBLE", "frequency": "INTEGER", "n_mentions": "INTEGER", "n_schools": "INTEGER",
                "sectors": ["VARCHAR"], "roles": ["VARCHAR"], "levels": ["VARCHAR"], "theme": "VARCHAR",
                "question_type": "VARCHAR", "explanation": "VARCHAR"}
KNOWLEDGE_SOURCE_COLUMNS = {"id": "VARCHAR", "path": "VARCHAR", "kind": "VARCHAR", "title": "VARCHAR",
                            "authors": ["VARCHAR"], "year": "INTEGER", "venue": "VARCHAR", "doi": "VARCHAR",
                            "url": "VARCHAR", "abstract": "VARCHAR", "build_id": "INTEGER"}
PASSAGE_COLUMNS = {"pid": "INTEGER", "source_id": "VARCHAR", "n": "INTEGER", "text": "VARCHAR", "indexed": "VARCHAR"}
REJECTED_COLUMNS = {"build_id": "INTEGER", "file": "VARCHAR", "line": "INTEGER", "reason": "VARCHAR"}


def _json_list(values: Iterable[str]) -> str:
    """A list of strings as one JSON parameter (see `_bulk_insert` for why not a list parameter)."""
    return json.dumps(sorted(set(values)), ensure_ascii=False)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


class Store:
    """A short-lived connection to the agenda database, migrated on open (unless read-only)."""

    def __init__(self, path: Path | str, *, read_only: bool = False, timeout: float = 5.0):
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise FileNotFoundError(f"database niet gevonden: {self.path} (draai eerst `kennisagenda build`)")
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = connect(self.path, read_only=read_only, timeout=timeout)
        try:
            self._check_ours()
            if not read_only:
                self.migrate()
        except BaseException:
            self.con.close()
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield self.con
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    # --- schema -------------------------------------------------------------------------

    def _tables(self) -> set[str]:
        return {r[0] for r in self.con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = current_database()").fetchall()}

    def has_schema(self) -> bool:
        """Whether the versions table exists (a read-only store of a never-migrated file has none)."""
        return "agenda_versions" in self._tables()

    def verify(self) -> None:
        """Read every row of every table once, so a damaged block is found now, not mid-build.

        DuckDB checks a block's checksum when it reads it; opening a file reads only its header
        and catalog. Measured on the sample database with 64 random bytes written into each
        256 KiB block in turn: opening found 3 of 41, this scan 24 more (the other 14 hit free
        space or indexes, which no query reads). Cost: one pass over the data (0.03 s for the sample
        corpus). Raises ForeignDatabase with the Dutch damage message.
        """
        tables = self.con.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
        try:
            for schema, table in tables:
                self.con.execute(f'SELECT bit_xor(hash(t)) FROM "{schema}"."{table}" AS t').fetchone()
        except duckdb.Error as exc:
            if (damaged := damaged_message(exc, self.path)) is not None:
                raise ForeignDatabase(damaged) from None
            raise

    def _check_ours(self) -> None:
        """A database with tables but without our `schema_migrations` belongs to someone else."""
        tables = self._tables()
        if tables and "schema_migrations" not in tables:
            raise _foreign(self.path, "een DuckDB-database van iets anders (geen tabel schema_migrations)")

    def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own transaction. Returns the names applied."""
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL)"
        )
        done = {r[0] for r in self.con.execute("SELECT name FROM schema_migrations").fetchall()}
        applied = []
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as con:
                con.execute(sql)
                con.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, dt.datetime.now()])
            applied.append(name)
        return applied

    def schema_version(self) -> str | None:
        row = self.con.execute("SELECT max(name) FROM schema_migrations").fetchone()
        return row[0] if row else None

    # --- builds -------------------------------------------------------------------------

    def start_build(self, inputs_dir: str) -> int:
        with self.transaction() as con:
            (next_id,) = con.execute("SELECT coalesce(max(id), 0) + 1 FROM builds").fetchone()
            con.execute(
                "INSERT INTO builds (id, started_at, inputs_dir) VALUES (?, ?, ?)",
                [next_id, dt.datetime.now(), inputs_dir],
            )
        return int(next_id)

    def finish_build(self, build_id: int, status: str, version_label: str | None, input_fingerprint: str) -> None:
        self.con.execute(
            "UPDATE builds SET finished_at = ?, status = ?, version_label = ?, input_fingerprint = ? WHERE id = ?",
            [dt.datetime.now(), status, version_label, input_fingerprint, build_id],
        )

    def fail_build(self, build_id: int) -> None:
        """Mark a build that stopped half-way (no version made)."""
        self.con.execute("UPDATE builds SET finished_at = ?, status = 'failed' WHERE id = ? AND status = 'running'",
                         [dt.datetime.now(), build_id])

    def build_inputs_dir(self, build_id: int) -> str | None:
        row = self.con.execute("SELECT inputs_dir FROM builds WHERE id = ?", [build_id]).fetchone()
        return row[0] if row else None

    def last_build_id(self) -> int | None:
        row = self.con.execute("SELECT max(id) FROM builds").fetchone()
        return row[0] if row and row[0] is not None else None

    # --- ingest -------------------------------------------------------------------------

    def known_source_ids(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT id FROM sources").fetchall()}

    def record_ingest(self, build_id: int, results: Iterable[IngestResult], present_source_ids: Iterable[str]) -> None:
        """Store new sources and mentions, the build's rejections, and which sources are present.

        `present_source_ids` are all sources in this build's inputs (including ones already
        stored and not parsed again); every other source becomes inactive but is kept, because
        earlier versions refer to it.
        """
        results = list(results)
        known = self.known_source_ids()
        sources, mentions, warnings = [], [], []
        for result in results:
            src = result.source
            if result.rejection is not None or src is None or src.id in known:
                continue
            known.add(src.id)
            # every text stored has contact details masked, whichever reader made it (agenda/privacy.py)
            sources.append((src.id, src.path, src.kind.value, mask(src.title), src.date, src.content_hash,
                            mask_context(src.context).model_dump_json(), _json(mask_value(src.meta)), build_id))
            warnings.extend((src.id, w.file, w.line, mask(w.reason)) for w in result.warnings)
            seen: set[str] = set()
            for m in result.mentions:
                if m.id in seen:  # a reader should not emit twins; never let one abort the build
                    continue
                seen.add(m.id)
                ctx = mask_context(m.context)
                mentions.append((m.id, m.source_id, mask(m.text), m.rule.value, m.line, m.respondent, m.date,
                                 ctx.sectors, ctx.roles, ctx.level, ctx.school, ctx.organisation,
                                 _json(mask_value(m.extra))))
        with self.transaction() as con:
            self.record_rejections(build_id, [r.rejection for r in results if r.rejection is not None])
            _bulk_insert(con, "sources", SOURCE_COLUMNS, sources, constants={"active": "TRUE"})
            _bulk_insert(con, "mentions", MENTION_COLUMNS, mentions)
            # a semi-join, linear in the number of sources (list_contains per row was quadratic)
            con.execute("UPDATE sources SET active = id IN (SELECT unnest(from_json(?::JSON, '[\"VARCHAR\"]')))",
                        [_json_list(present_source_ids)])
            _bulk_insert(con, "source_warnings",
                         {"source_id": "VARCHAR", "file": "VARCHAR", "line": "INTEGER", "reason": "VARCHAR"}, warnings)

    def mention_ids(self) -> set[str]:
        """Every formulation id ever stored (also of sources no longer present)."""
        return {r[0] for r in self.con.execute("SELECT id FROM mentions").fetchall()}

    def record_rejections(self, build_id: int, rejections: Iterable[Rejection]) -> None:
        """Record rejected files of this build (the inputs', and the evidence library's, read after gather)."""
        _bulk_insert(self.con, "rejected", REJECTED_COLUMNS,
                     [(build_id, r.file, r.line, mask(r.reason)) for r in rejections])

    def sources(self, active_only: bool = True) -> list[Source]:
        sql = "SELECT id, path, kind, title, date, content_hash, context, meta FROM sources"
        if active_only:
            sql += " WHERE active"
        rows = self.con.execute(sql + " ORDER BY date NULLS LAST, path").fetchall()
        return [
            Source(id=r[0], path=r[1], kind=SourceKind(r[2]), title=r[3], date=r[4], content_hash=r[5],
                   context=Context.model_validate_json(r[6]) if r[6] else Context(), meta=json.loads(r[7] or "{}"))
            for r in rows
        ]

    def mentions(self, active_only: bool = True, include_candidates: bool = False) -> list[Mention]:
        sql = """
            SELECT m.id, m.source_id, m.text, m.rule, m.line, m.respondent, m.date, m.sectors, m.roles,
                   m.level, m.school, m.organisation, m.extra
            FROM mentions m JOIN sources s ON s.id = m.source_id
            WHERE TRUE"""
        if active_only:
            sql += " AND s.active"
        if not include_candidates:
            sql += " AND m.rule <> 'candidate'"
        rows = self.con.execute(sql + " ORDER BY s.date NULLS LAST, s.path, m.line NULLS LAST, m.id").fetchall()
        return [
            Mention(id=r[0], source_id=r[1], text=r[2], rule=Rule(r[3]), line=r[4], respondent=r[5], date=r[6],
                    context=Context(sectors=r[7] or [], roles=r[8] or [], level=r[9], school=r[10], organisation=r[11]),
                    extra=json.loads(r[12] or "{}"))
            for r in rows
        ]

    def rejected(self, build_id: int | None = None) -> list[Rejection]:
        """The build's rejected files (severity "error"), then the warnings of the files in use."""
        if build_id is None:
            build_id = self.last_build_id()
        if build_id is None:
            return []
        rows = self.con.execute(
            """SELECT file, line, reason, 'error' FROM rejected WHERE build_id = ?
               UNION ALL
               SELECT w.file, w.line, w.reason, 'warning' FROM source_warnings w JOIN sources s ON s.id = w.source_id
               WHERE s.active
               UNION ALL
               SELECT file, line, reason, 'warning' FROM round_warnings WHERE build_id = ?
               ORDER BY 4, 1, 2 NULLS FIRST, 3""",
            [build_id, build_id],
        ).fetchall()
        return [Rejection(file=r[0], line=r[1], reason=r[2], severity=r[3]) for r in rows]

    # --- embedding cache ----------------------------------------------------------------

    def cached_embeddings(self, model: str, norm_texts: list[str]) -> dict[str, np.ndarray]:
        if not norm_texts:
            return {}
        rows = self.con.execute(  # one JSON parameter: a list parameter is bound element by element
            "SELECT norm_text, vector FROM embeddings WHERE model = ? "
            "AND norm_text IN (SELECT unnest(from_json(?::JSON, '[\"VARCHAR\"]')))",
            [model, _json_list(norm_texts)],
        ).fetchall()
        return {t: np.frombuffer(v, dtype=np.float32) for t, v in rows}

    def cache_embeddings(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        if not vectors:
            return
        with self.transaction() as con:
            _bulk_insert(con, "embeddings", {"model": "VARCHAR", "norm_text": "VARCHAR", "vector": "VARCHAR"},
                         [(model, t, base64.b64encode(np.ascontiguousarray(v, dtype=np.float32).tobytes()).decode())
                          for t, v in vectors.items()],
                         verb="INSERT OR IGNORE", convert={"vector": "from_base64({v})"})

    # --- clusters -----------------------------------------------------------------------

    def previous_clusters(self, automatic: bool = False) -> dict[str, list[str]]:
        """The last build's clustering: cluster id -> member mention ids (final, or the machine's)."""
        column = "auto_cluster_id" if automatic else "cluster_id"
        out: dict[str, list[str]] = {}
        for cid, mid in self.con.execute(
            f"SELECT {column}, mention_id FROM cluster_members ORDER BY {column}, mention_id"
        ).fetchall():
            out.setdefault(cid, []).append(mid)
        return out

    def id_history(self) -> dict[str, list[str]]:
        """Every question id this database has produced -> the mention ids it held when last seen.

        Newest first: the last build's clusters (after the curator's decisions, then the
        machine's), else the newest stored version holding that id (agenda_item_mentions).
        Curator decisions name ids; an id the machine later merged away is resolved through
        these formulations (agenda.dedupe.clusters), however many builds ago it vanished.
        """
        out: dict[str, list[str]] = {}
        for cid, mid in self.con.execute(
            """WITH h AS (
                   SELECT cluster_id AS id, mention_id, 0 AS age FROM cluster_members
                   UNION ALL SELECT auto_cluster_id, mention_id, 1 FROM cluster_members
                   UNION ALL SELECT m.cluster_id, m.mention_id,
                                    2 + (SELECT max(seq) FROM agenda_versions) - v.seq
                   FROM agenda_item_mentions m JOIN agenda_versions v ON v.label = m.version_label),
               newest AS (SELECT id, min(age) AS age FROM h GROUP BY id)
               SELECT DISTINCT h.id, h.mention_id FROM h JOIN newest USING (id, age) ORDER BY 1, 2"""
        ).fetchall():
            out.setdefault(cid, []).append(mid)
        return out

    def cluster_questions(self) -> dict[str, str]:
        """The last build's questions: cluster id -> its agenda formulation (or the curator's rename)."""
        return dict(self.con.execute("SELECT id, question FROM clusters").fetchall())

    def question_id_registry(self) -> dict[str, str | None]:
        """Every question id this database ever gave out -> the seed it was derived from (None: unknown)."""
        return dict(self.con.execute("SELECT id, seed FROM question_ids").fetchall())

    def save_clusters(self, build_id: int, clusters: list[Cluster], automatic: dict[str, str],
                      seeds: dict[str, str] | None = None, retired: Iterable[str] = ()) -> None:
        """Replace the current clustering. `automatic` maps mention id -> the machine's cluster id;
        `seeds` the ids new in this build -> what they were derived from. Every id is registered for
        good; `retired` ids (a question split up) lose their seed, so no later question gets them back."""
        ids = {c.id for c in clusters} | set(automatic.values())
        seeds = seeds or {}
        with self.transaction() as con:
            _bulk_insert(con, "question_ids", {"id": "VARCHAR", "seed": "VARCHAR", "first_build": "INTEGER"},
                         [(cid, seeds.get(cid), build_id) for cid in sorted(ids)], verb="INSERT OR IGNORE")
            if retired := list(retired):
                con.execute("UPDATE question_ids SET seed = NULL WHERE id IN (SELECT unnest(from_json(?::JSON, "
                            "'[\"VARCHAR\"]')))", [_json_list(retired)])
            con.execute("DELETE FROM cluster_members")
            con.execute("DELETE FROM clusters")
            _bulk_insert(con, "clusters",
                         {"id": "VARCHAR", "question": "VARCHAR", "excluded": "VARCHAR", "build_id": "INTEGER"},
                         [(c.id, c.question, c.excluded, build_id) for c in clusters])
            _bulk_insert(con, "cluster_members",
                         {"mention_id": "VARCHAR", "cluster_id": "VARCHAR", "auto_cluster_id": "VARCHAR"},
                         [(m, c.id, automatic.get(m, c.id)) for c in clusters for m in c.mention_ids],
                         verb="INSERT OR IGNORE")

    def clusters(self) -> list[Cluster]:
        members = self.previous_clusters()
        rows = self.con.execute("SELECT id, question, excluded FROM clusters ORDER BY id").fetchall()
        return [Cluster(id=r[0], question=r[1], excluded=r[2], mention_ids=members.get(r[0], [])) for r in rows]

    # --- versions -----------------------------------------------------------------------

    def save_version(self, agenda: Agenda) -> None:
        """Store an immutable snapshot: the version row, its items and their mentions."""
        with self.transaction() as con:
            (seq,) = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM agenda_versions").fetchone()
            con.execute(
                "INSERT INTO agenda_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [agenda.label, seq, agenda.built_at, agenda.input_fingerprint, agenda.content_hash,
                 agenda.changes.previous, len(agenda.sources), sum(i.n_mentions for i in agenda.items),
                 len(agenda.items), agenda.model_dump_json()],
            )
            _bulk_insert(con, "agenda_items", ITEM_COLUMNS,
                         [(agenda.label, i.rank, i.cluster_id, i.question, i.score, i.frequency, i.n_mentions,
                           i.n_schools, i.contexts.get("sector", []), i.contexts.get("role", []),
                           i.contexts.get("level", []), i.theme, i.question_type, i.explanation)
                          for i in agenda.items])
            _bulk_insert(con, "agenda_item_mentions",
                         {"version_label": "VARCHAR", "cluster_id": "VARCHAR", "mention_id": "VARCHAR"},
                         [(agenda.label, i.cluster_id, m.id) for i in agenda.items for m in i.mentions])

    def versions(self) -> list[dict[str, object]]:
        rows = self.con.execute(
            "SELECT label, seq, built_at, input_fingerprint, content_hash, previous, n_sources, n_mentions, n_items "
            "FROM agenda_versions ORDER BY seq"
        ).fetchall()
        keys = ["label", "seq", "built_at", "input_fingerprint", "content_hash", "previous",
                "n_sources", "n_mentions", "n_items"]
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def count_questions(self, source_ids: Iterable[str]) -> int:
        """How many stored mentions of these sources are agenda questions (not candidate sentences)."""
        ids = sorted(set(source_ids))
        if not ids:
            return 0
        return int(self.con.execute(
            "SELECT count(*) FROM mentions WHERE rule <> 'candidate' AND list_contains(?, source_id)", [ids]
        ).fetchone()[0])

    def latest_version_info(self) -> dict[str, object] | None:
        """The newest version's row (label, counts, ...) without loading its snapshot."""
        rows = self.versions()
        return rows[-1] if rows else None

    def latest_library_size(self) -> int:
        """How many evidence-library entries the latest version was built with (0 without a version)."""
        row = self.con.execute("SELECT json_array_length(snapshot, '$.library') FROM agenda_versions "
                               "ORDER BY seq DESC LIMIT 1").fetchone()
        return int(row[0] or 0) if row else 0

    def version_folders(self, label: str) -> dict[str, int]:
        """Top-level input folders of a version's sources -> how many sources came from each
        (files directly in the inputs folder are not counted)."""
        rows = self.con.execute(
            """SELECT split_part(p, '/', 1) AS folder, count(*) FROM (
                   SELECT unnest(json_extract_string(snapshot, '$.sources[*].path')) AS p
                   FROM agenda_versions WHERE label = ?)
               WHERE contains(p, '/') GROUP BY folder ORDER BY folder""", [label]).fetchall()
        return {folder: int(n) for folder, n in rows}

    def version(self, label: str | None = None) -> Agenda | None:
        """A stored version by label, or the latest when label is None."""
        if label is None:
            row = self.con.execute("SELECT snapshot FROM agenda_versions ORDER BY seq DESC LIMIT 1").fetchone()
        else:
            row = self.con.execute("SELECT snapshot FROM agenda_versions WHERE label = ?", [label]).fetchone()
        return Agenda.model_validate_json(row[0]) if row else None

    # --- evidence library ---------------------------------------------------------------

    def save_library(self, build_id: int, sources: list[KnowledgeSource], stopwords: Iterable[str] = ()) -> None:
        """Replace the evidence library with this build's entries and their passages.

        The library is small (hundreds of entries) and re-read every build, so it is replaced
        whole; entries keep their content-derived ids, so curator verdicts carry over.
        """
        with self.transaction() as con:
            con.execute("DELETE FROM knowledge_passages")
            con.execute("DELETE FROM knowledge_sources")
            con.execute("DELETE FROM knowledge_stopwords")
            sources = [mask_knowledge(s) for s in sources]  # a library note's contact details never stored
            _bulk_insert(con, "knowledge_sources", KNOWLEDGE_SOURCE_COLUMNS,
                         [(s.id, s.path, s.kind, s.title, s.authors, s.year, s.venue, s.doi, s.url, s.abstract,
                           build_id) for s in sources])
            rows, pid = [], 0
            for s in sources:
                for n, text in enumerate(s.passages):
                    pid += 1
                    rows.append((pid, s.id, n, text, f"{s.title}. {text}" if n else text))
            _bulk_insert(con, "knowledge_passages", PASSAGE_COLUMNS, rows)
            # a few hundred stopwords, one statement per row with executemany: 1.4 s of every build
            _bulk_insert(con, "knowledge_stopwords", {"sw": "VARCHAR"}, [(w,) for w in sorted(set(stopwords))],
                         verb="INSERT OR IGNORE")

    def library(self) -> list[KnowledgeSource]:
        """The stored evidence library with passages, in file order."""
        passages: dict[str, list[str]] = {}
        for sid, text in self.con.execute("SELECT source_id, text FROM knowledge_passages ORDER BY pid").fetchall():
            passages.setdefault(sid, []).append(text)
        rows = self.con.execute(
            "SELECT id, path, kind, title, authors, year, venue, doi, url, abstract FROM knowledge_sources "
            "ORDER BY path, id"
        ).fetchall()
        return [KnowledgeSource(id=r[0], path=r[1], kind=r[2], title=r[3], authors=r[4] or [], year=r[5],
                                venue=r[6] or "", doi=r[7] or "", url=r[8] or "", abstract=r[9] or "",
                                passages=passages.get(r[0], []))
                for r in rows]

    def passages(self) -> list[tuple[int, str, str, str]]:
        """(pid, source id, indexed text, fragment text) of every passage, in pid order."""
        return self.con.execute("SELECT pid, source_id, indexed, text FROM knowledge_passages ORDER BY pid").fetchall()

    def load_fts(self) -> bool:
        """Load DuckDB's full-text extension from the offline `duckdb-extension-fts` wheel.

        Never from the network: the file is found with importlib and loaded by path. Returns
        False when the wheel is not installed or does not fit this DuckDB (BM25 is then skipped).
        """
        import importlib.util

        spec = importlib.util.find_spec("duckdb_extension_fts")
        if spec is None or not spec.submodule_search_locations:
            return False
        version = duckdb.__version__
        for loc in spec.submodule_search_locations:
            path = Path(loc) / "extensions" / f"v{version}" / "fts.duckdb_extension"
            if path.is_file():
                try:
                    self.con.execute(f"LOAD '{path.as_posix()}'")
                except duckdb.Error:
                    return False
                return True
        return False

    def index_passages(self) -> None:
        """(Re)build the BM25 index over the passages: Dutch Snowball stemmer, the library's stop words.

        Needs `load_fts()` first. The index lives in the schema `fts_main_knowledge_passages`.
        """
        self.con.execute(
            "PRAGMA create_fts_index('knowledge_passages', 'pid', 'indexed', stemmer = 'dutch', "
            "stopwords = 'knowledge_stopwords', strip_accents = 1, lower = 1, overwrite = 1)"
        )

    def stems(self, words: list[str]) -> dict[str, str]:
        """word -> its Dutch Snowball stem, as the BM25 index stems it (needs `load_fts()` first)."""
        if not words:
            return {}
        rows = self.con.execute("SELECT w, stem(w, 'dutch') FROM unnest(?::VARCHAR[]) AS t(w)", [list(words)]).fetchall()
        return dict(rows)

    def bm25(self, query: str, limit: int = 50) -> list[tuple[int, float]]:
        """(pid, BM25 score) of the passages sharing a stemmed term with `query`, best first."""
        return self.con.execute(
            "SELECT pid, score FROM (SELECT pid, fts_main_knowledge_passages.match_bm25(pid, ?) AS score "
            "FROM knowledge_passages) WHERE score IS NOT NULL ORDER BY score DESC, pid LIMIT ?",
            [query, limit],
        ).fetchall()

    def save_suggestions(self, build_id: int, rows: list[tuple]) -> None:
        """Replace the suggestions: (cluster id, source id, rank, score, bm25, cosine, passage) rows."""
        with self.transaction() as con:
            con.execute("DELETE FROM evidence_suggestions")
            _bulk_insert(con, "evidence_suggestions",
                         {"cluster_id": "VARCHAR", "source_id": "VARCHAR", "rank": "INTEGER", "score": "DOUBLE",
                          "bm25": "DOUBLE", "cosine": "DOUBLE", "passage": "VARCHAR", "build_id": "INTEGER"},
                         [(*r, build_id) for r in rows])

    def suggestions(self) -> dict[str, list[dict[str, object]]]:
        """cluster id -> its suggestions, best first: {source_id, rank, score, bm25, cosine, passage}."""
        out: dict[str, list[dict[str, object]]] = {}
        keys = ("source_id", "rank", "score", "bm25", "cosine", "passage")
        for row in self.con.execute(
            "SELECT cluster_id, source_id, rank, score, bm25, cosine, passage FROM evidence_suggestions "
            "ORDER BY cluster_id, rank"
        ).fetchall():
            out.setdefault(row[0], []).append(dict(zip(keys, row[1:], strict=True)))
        return out

    # --- the priority round -------------------------------------------------------------

    def save_ballot(self, version_label: str, questions: list[tuple[str, str, str, int]], origin: str,
                    now: dt.datetime | None = None) -> tuple[str, bool]:
        """Store a ballot made from `version_label`: (code, cluster id, question, position) rows.

        The same questions and codes as a stored ballot give that ballot back, not a new one.
        Returns (ballot id, whether it is new)."""
        wanted = sorted((c, cid, q, int(p)) for c, cid, q, p in questions)
        with self.transaction() as con:
            for (bid,) in con.execute("SELECT id FROM ballots ORDER BY created_at DESC, id DESC").fetchall():
                have = con.execute("SELECT code, cluster_id, question, position FROM ballot_items WHERE ballot_id = ? "
                                   "ORDER BY code, cluster_id, question, position", [bid]).fetchall()
                if [tuple(r) for r in have] == wanted:
                    return bid, False
            (n,) = con.execute("SELECT count(*) FROM ballots").fetchone()
            bid = f"R{n + 1}"
            con.execute("INSERT INTO ballots VALUES (?, ?, ?, ?, ?)",
                        [bid, version_label, now or dt.datetime.now().replace(microsecond=0), origin, len(wanted)])
            _bulk_insert(con, "ballot_items", {"ballot_id": "VARCHAR", "code": "VARCHAR", "cluster_id": "VARCHAR",
                                               "question": "VARCHAR", "position": "INTEGER"},
                         [(bid, *q) for q in wanted])
        return bid, True

    def date_ballots(self, label: str) -> None:
        """A ballot read from a file before any version existed was made from the first one: `label`."""
        self.con.execute("UPDATE ballots SET version_label = ? WHERE version_label = ''", [label])

    def ballots(self) -> list[dict[str, object]]:
        """Every stored ballot, oldest first: {id, version_label, created_at, origin, n_questions}."""
        keys = ("id", "version_label", "created_at", "origin", "n_questions")
        rows = self.con.execute(f"SELECT {', '.join(keys)} FROM ballots ORDER BY created_at, id").fetchall()
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def ballot_items(self, ballot_id: str) -> list[tuple[str, str, str, int]]:
        """A ballot's (code, cluster id, question, position) rows in ballot order."""
        return [tuple(r) for r in self.con.execute(
            "SELECT code, cluster_id, question, position FROM ballot_items WHERE ballot_id = ? ORDER BY position",
            [ballot_id]).fetchall()]

    def save_votes(self, ballot_id: str, build_id: int, rows: list[tuple[str, str, str, str, int, str]],
                   warnings: list[tuple[str, int | None, str]]) -> None:
        """Replace the votes of `ballot_id` by this build's: (file, content hash, respondent pseudonym,
        group, choice, code) rows; record the build's round warnings (file, line, reason)."""
        with self.transaction() as con:
            con.execute("DELETE FROM votes WHERE ballot_id = ?", [ballot_id])
            _bulk_insert(con, "votes", {"file": "VARCHAR", "content_hash": "VARCHAR", "respondent": "VARCHAR",
                                        "grp": "VARCHAR", "choice": "INTEGER", "code": "VARCHAR"},
                         rows, constants={"ballot_id": f"'{ballot_id}'", "build_id": str(int(build_id))})
            _bulk_insert(con, "round_warnings", REJECTED_COLUMNS, [(build_id, *w) for w in warnings])

    def record_round_warnings(self, build_id: int, warnings: list[tuple[str, int | None, str]]) -> None:
        _bulk_insert(self.con, "round_warnings", REJECTED_COLUMNS, [(build_id, *w) for w in warnings])

    def votes(self, ballot_id: str) -> list[tuple[str, str, str, str, int, str]]:
        """A ballot's stored votes: (file, content hash, respondent, group, choice, code), per respondent in choice order."""
        return [tuple(r) for r in self.con.execute(
            "SELECT file, content_hash, respondent, grp, choice, code FROM votes WHERE ballot_id = ? "
            "ORDER BY file, respondent, choice", [ballot_id]).fetchall()]

    def round_of_build(self, build_id: int) -> str | None:
        """The ballot whose votes `build_id` read, if any."""
        row = self.con.execute("SELECT min(ballot_id) FROM votes WHERE build_id = ?", [build_id]).fetchone()
        return row[0] if row else None

    def vote_files_elsewhere(self, ballot_id: str) -> dict[str, str]:
        """content hash -> the other ballot whose round an export with those bytes was counted in."""
        return {h: b for h, b in self.con.execute(
            "SELECT DISTINCT content_hash, ballot_id FROM votes WHERE ballot_id <> ? ORDER BY ballot_id",
            [ballot_id]).fetchall()}
