"""`kennisagenda`: the front door. A thin typer layer over the `agenda` library.

Exit codes (DESIGN.md): 0 success; 1 the build ran but some inputs were rejected;
2 usage or configuration error; 3 the database is held by another build.
No traceback reaches a user: errors are one Dutch line naming the file (and line).
"""

from __future__ import annotations

import json
import os
import re
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from agenda.models import Agenda
from agenda.store import DatabaseBusy, ForeignDatabase, Store, damaged_message

app = typer.Typer(
    help="Kennisagenda: van verslagen, casussen en enquêtes naar een gerangschikte, geversioneerde kennisagenda.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
class SafeConsole(Console):
    """A Rich console that prints no control characters: a file name or curator id with an escape
    sequence (one cleared the screen) or a right-to-left override reaches the operator as text."""

    def print(self, *objects, **kwargs) -> None:  # noqa: A003 - Rich's name
        super().print(*(_console_safe(o) for o in objects), **kwargs)


def _console_safe(obj):
    from agenda import console_safe

    if isinstance(obj, str):
        return console_safe(obj)
    if isinstance(obj, Table):
        if isinstance(obj.title, str):
            obj.title = console_safe(obj.title)
        for column in obj.columns:
            column._cells = [console_safe(c) if isinstance(c, str) else c for c in column._cells]
    return obj


out = SafeConsole(soft_wrap=True)
err = SafeConsole(stderr=True, soft_wrap=True)  # one line per error: greppable, never wrapped

DEFAULT_DB = Path("outputs/kennisagenda.duckdb")
DbOption = Annotated[Path, typer.Option("--db", help="Het DuckDB-bestand van de agenda.")]


class Format(str, Enum):
    table = "table"
    json = "json"
    md = "md"


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]fout:[/] {escape(one_line(message))}", highlight=False)
    raise typer.Exit(code)


def one_line(message: str) -> str:
    """The first line of a message: an operator's console gets one line per error, never the
    20-line body of a library's exception (pydantic's validation errors are ValueErrors)."""
    lines = message.strip().splitlines() or [""]
    return lines[0] + (" (…)" if len(lines) > 1 else "")


def _open(db: Path) -> Store:
    try:
        store = Store(db, read_only=True, timeout=5.0)
    except (FileNotFoundError, ForeignDatabase) as exc:
        fail(str(exc))
    except DatabaseBusy as exc:
        fail(str(exc), 3)
    if not store.has_schema():
        store.close()
        fail(f"er is nog geen versie van de agenda in {db}; draai eerst `kennisagenda build`")
    return store


def _os_error(exc: OSError, fallback: Path) -> str:
    """One Dutch line for an I/O error during a build: the file, and what to do."""
    import errno

    where = exc.filename or fallback
    if exc.errno == errno.ENOSPC:
        return (f"de schijf is vol bij het schrijven van {where}: maak ruimte vrij en draai de build opnieuw "
                "(een al opgeslagen versie krijgt dan alsnog haar rapport)")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"geen schrijf- of leesrechten voor {where}: pas de rechten aan en draai de build opnieuw"
    return f"{where}: {exc.strerror or exc.__class__.__name__}; controleer het bestand en draai de build opnieuw"


def _quiet_library_warnings() -> None:
    """No warning banners from libraries on the operator's console (setuptools' and pkg_resources'
    deprecation banners, printed by packages that import them; the temporary Prefect server is a
    child process with its own stderr, hence PYTHONWARNINGS). --verbose or KENNISAGENDA_DEBUG=1 keeps them."""
    import warnings

    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    for module in ("setuptools", "pkg_resources", "_distutils_hack", "distutils"):
        warnings.filterwarnings("ignore", module=rf"{module}(\.|$)")
    warnings.filterwarnings("ignore", message=r".*(pkg_resources|setuptools|distutils).*")


def quiet_tracebacks() -> None:
    """The operator's console during a build: the Dutch lines only (flows/console.py); with
    --verbose Prefect's lines too, without tracebacks; KENNISAGENDA_DEBUG=1 everything. Prefect's own
    records (the API, a server's UI) keep every line and traceback."""
    from flows.console import dutch_console

    dutch_console()


def _file_error(exc: OSError) -> str:
    """One Dutch line for a file error outside a build: the file, what is wrong, what to do."""
    import errno

    where = exc.filename2 if exc.errno == errno.EISDIR and exc.filename2 else exc.filename
    if where is None:
        return f"{exc.strerror or type(exc).__name__}; controleer de bestanden en mappen en probeer het opnieuw"
    reasons = {
        errno.EISDIR: "is een map, geen bestand; kies een bestandsnaam",
        errno.ENOENT: "bestaat niet; controleer het pad",
        errno.ENOTDIR: "een deel van het pad is een bestand, geen map; kies een ander pad",
        errno.EACCES: "geen rechten; pas de rechten aan of kies een andere plek",
        errno.EPERM: "geen rechten; pas de rechten aan of kies een andere plek",
        errno.EROFS: "staat op een alleen-lezen schijf; kies een andere plek",
        errno.ENOSPC: "de schijf is vol; maak ruimte vrij en probeer het opnieuw",
    }
    return f"{where}: {reasons.get(exc.errno, f'{exc.strerror or type(exc).__name__}; controleer het bestand')}"


def _free_space(folder: Path) -> str:
    """', 123 MB vrij' for the disk of `folder`; '' when that cannot be asked (the folder is gone)."""
    import shutil

    try:
        return f", {shutil.disk_usage(folder).free / 1024 / 1024:.0f} MB vrij"
    except OSError:
        return ""


def _server_start_error(home: Path) -> str:
    """One Dutch line when the temporary Prefect server never answered. 'Is the machine busy? Try
    again' was the only advice, but a server that cannot write its SQLite file in PREFECT_HOME
    (a full disk, a file-size limit) dies at start, is restarted until the start-up timeout, and
    fails the same way the next time."""
    return (f"de tijdelijke Prefect-server startte niet op tijd; zijn gegevens staan in {home}{_free_space(home)}: "
            f"is die schijf vol, {home / 'prefect.db'} beschadigd (hernoem het dan) of de machine erg druk? Los dat op "
            "en draai de build opnieuw, of verhoog PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS")


def _prefect_api_error(exc: Exception) -> str:
    """One Dutch line for a failing Prefect API (HTTP 500s when its SQLite database in PREFECT_HOME
    cannot be written: a full disk, measured with a file-size limit), with the folder and its free space."""
    home = Path(os.environ.get("PREFECT_HOME") or Path.home() / ".prefect")
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    what = f"HTTP {status}" if status else type(exc).__name__
    if status is not None and 400 <= status < 500:
        # a refusal (a parameter over Prefect's 512 KB, an invalid request), not a full disk
        try:
            detail = one_line(str(response.json().get("detail", "")))[:300]
        except Exception:  # noqa: BLE001 - any body: the status says enough
            detail = one_line(getattr(response, "text", "") or "")[:300]
        return (f"de Prefect-server weigerde een verzoek van de build ({what}{': ' + detail if detail else ''}); "
                "dat is geen probleem met de schijf maar een fout in de build: meld het met deze regel "
                "(KENNISAGENDA_DEBUG=1 toont de details)")
    return (f"de Prefect-server gaf een fout ({what}); zijn gegevens staan in {home}{_free_space(home)}: is die schijf "
            "vol of de map niet schrijfbaar? Maak ruimte vrij of zet PREFECT_HOME op een andere map en draai de build opnieuw "
            "(een al opgeslagen versie krijgt dan alsnog haar rapport)")


def _version(store: Store, label: str | None) -> Agenda:
    agenda = store.version(label)
    if agenda is None:
        if label:
            known = ", ".join(v["label"] for v in store.versions()) or "geen"
            fail(f"versie {label} bestaat niet (bekende versies: {known})")
        fail("er is nog geen versie van de agenda; draai eerst `kennisagenda build`")
    return agenda


def _expected_groups(settings_file: Path | None) -> dict[str, list[str]]:
    """The settings' expected_roles / expected_sectors, for a version stored before it had an
    engagement summary (its summary is derived on reading, judged against these, as a build does)."""
    from agenda.settings import SettingsError, load_settings

    try:
        settings = load_settings(settings_file)
    except (SettingsError, FileNotFoundError) as exc:
        fail(str(exc))
    return {"expected_roles": settings.expected_roles, "expected_sectors": settings.expected_sectors}


def _table(title: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    table = Table(title=escape(title))
    for n, col in enumerate(columns):
        # a narrow terminal folds a long word or path, never cuts it off; a word up to 16 characters
        # (a question id, Q- + 12 hex, copied into curation.yaml; "bevestigd,") is never split
        longest = max((len(word) for row in rows for word in str(row[n]).split()), default=0)
        table.add_column(col, overflow="fold", min_width=min(longest, 16) or None)
    for row in rows:
        table.add_row(*(escape(str(cell)) for cell in row))  # questions and file names are text, not markup
    out.print(table)


def _json(data: object) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)  # escapes C0 controls, not C1 or bidi
    sys.stdout.write(re.sub("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]",
                            lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


@app.command()
def build(
    inputs: Annotated[Path, typer.Option("--inputs", help="Map met invoerbestanden.")] = Path("inputs"),
    db: DbOption = DEFAULT_DB,
    out_dir: Annotated[Path, typer.Option("--out", help="Map voor het rapport en de exports.")] = Path("outputs"),
    settings_file: Annotated[Path | None, typer.Option("--settings", help="TOML-bestand met instellingen.")] = None,
    label: Annotated[str | None, typer.Option("--label", help="Eigen versielabel (anders jaar-kwartaal).")] = None,
    task_runner: Annotated[str | None, typer.Option("--task-runner", help="thread (standaard) of dask.")] = None,
    allow_shrink: Annotated[bool, typer.Option(
        "--allow-shrink", help="Bouw ook als er (bijna) geen invoer is: minder dan de helft van de bronnen van de vorige versie.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", help="Toon ook de (Engelse) regels van Prefect; KENNISAGENDA_DEBUG=1 toont alles, met tracebacks.")] = False,
) -> None:
    """Bouw de agenda: lees inputs/, ontdubbel, rangschik, maak een versie en schrijf het rapport."""
    if task_runner not in (None, "thread", "dask"):
        fail(f"onbekende --task-runner {task_runner}: gebruik thread of dask")
    if verbose:
        os.environ["KENNISAGENDA_VERBOSE"] = "1"
    os.environ["KENNISAGENDA_CONSOLE"] = "cli"  # the CLI prints the one Dutch line of a failure itself
    if not (verbose or os.environ.get("KENNISAGENDA_DEBUG")):
        _quiet_library_warnings()
    import duckdb
    import httpx

    if not os.environ.get("KENNISAGENDA_DEBUG"):
        # the temporary Prefect server (a child process) logs its own failures with tracebacks: a full
        # disk under PREFECT_HOME gave 5,500 lines and 94 tracebacks above the one Dutch line (measured)
        os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    import flows  # noqa: F401  - sets the embedded Prefect defaults (PREFECT_HOME) without importing Prefect
    from agenda.dedupe.curation import CurationError, load_curation
    from agenda.ingest import discover
    from agenda.pipeline import CURATION_FILE
    from agenda.preflight import check_build
    from agenda.settings import load_settings, settings_file_for
    from agenda.store import build_lock
    from agenda.supervise import stopped_in
    from agenda.themes import load_themes

    settings_file = settings_file_for(inputs, settings_file)
    try:
        settings = load_settings(settings_file)
        prefect_home = Path(os.environ["PREFECT_HOME"]) if os.environ.get("PREFECT_HOME") else Path.home() / ".prefect"
        if inputs.is_dir():
            # fail fast, before Prefect starts its server, when another build holds the database
            with build_lock(db, timeout=settings.lock_timeout_seconds):
                pass
        check_build(inputs, db, out_dir, label=label, prefect_home=prefect_home, timeout=max(settings.lock_timeout_seconds, 5.0))
        load_curation(inputs / CURATION_FILE, limits=settings.limits)  # a broken decisions file stops us before Prefect starts
        load_themes(settings.themes_file)  # so does a missing or broken themes file (it is used only at the end)
        if not (allow_shrink or settings.allow_shrink):
            files, refused = discover(inputs, settings.limits)
            if not files:  # files that are there but cannot be read are named: the share is mounted
                why = (f"{len(refused)} bestand(en) niet leesbaar, zoals {refused[0].file}: {refused[0].reason}"
                       if refused else "is de (netwerk)map gekoppeld?")
                fail(f"geen invoerbestanden gevonden in {inputs} ({why}): geen nieuwe versie gemaakt. "
                     "Bewust leeg bouwen: --allow-shrink")
        summary = None
        if inputs.is_dir():
            # unchanged inputs, settings and software: the answer without starting Prefect (a worker's run
            # of the flow makes the same check inside it)
            from agenda.fingerprint import unchanged_summary, unchanged_version

            with build_lock(db, timeout=settings.lock_timeout_seconds):
                timeout = max(settings.lock_timeout_seconds, 5.0)
                if (same := unchanged_version(db.resolve(), inputs.resolve(), out_dir.resolve(), settings,
                                              timeout=timeout)) is not None:
                    summary = unchanged_summary(db.resolve(), *same, label_asked=label, timeout=timeout)
        if summary is None:
            from flows.build import build_agenda  # imported here so the rest of the CLI starts fast

            quiet_tracebacks()

            summary = build_agenda(inputs_dir=inputs, db_path=db, out_dir=out_dir, settings_file=settings_file,
                                   label=label, task_runner=task_runner, allow_shrink=allow_shrink)
    except DatabaseBusy as exc:
        fail(str(exc), 3)
    except CurationError as exc:
        r = exc.rejection
        fail(f"{inputs / r.file}{f', regel {r.line}' if r.line else ''}: {r.reason}")
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    except OSError as exc:
        fail(_os_error(exc, out_dir))
    except httpx.HTTPError as exc:  # Prefect's API: its SQLite in PREFECT_HOME full, locked or gone
        fail(_prefect_api_error(exc))
    except RuntimeError as exc:
        if (stop := stopped_in(exc)) is not None:
            raise stop from None
        if "ephemeral Prefect API server" not in str(exc):
            raise
        fail(_server_start_error(prefect_home))
    except duckdb.Error as exc:
        if (stop := stopped_in(exc)) is not None:
            raise stop from None
        text = str(exc)
        if (damaged := damaged_message(exc, db)) is not None:
            fail(damaged)
        if "No space left" in text:
            fail(f"de schijf is vol bij het schrijven van de database {db}: maak ruimte vrij en draai de build opnieuw")
        fail(f"de database {db} kon niet worden bijgewerkt ({type(exc).__name__}: {text.splitlines()[0][:200]}); "
             "draai de build opnieuw of kies met --db een ander bestand")
    if summary.get("unchanged"):  # nothing ran: the inputs, settings and software are those of the version
        out.print(escape(summary["changes"][0]), highlight=False)
        out.print("Rapport (ongewijzigd):")
        for p in summary["paths"]:
            out.print(f"  {escape(str(p))}", highlight=False)
        failed = [r for r in summary["rejected"] if r.get("severity") != "warning"]
        _list_rejections("bestand(en) afgewezen", failed, summary["db_path"])
        if failed:
            raise typer.Exit(1)
        return
    state = "nieuwe versie" if summary["new_version"] else "geen wijzigingen, bestaande versie"
    out.print(f"Kennisagenda [bold]{escape(summary['label'])}[/] ({state}): {summary['items']} vragen uit "
              f"{summary['mentions']} formuleringen in {summary['sources']} bronnen.", highlight=False)
    for line in summary["changes"]:
        out.print(f"  {escape(line)}", highlight=False)
    for note in summary["notes"]:
        err.print(f"[yellow]let op:[/] {escape(note)}", highlight=False)
    out.print("Geschreven:")
    for p in [*summary["paths"], summary["db_path"]]:
        out.print(f"  {escape(str(p))}", highlight=False)
    # a warning (a file without questions, an unknown sector) is shown but does not fail the build:
    # exit code 1 means inputs were rejected, and a warned file was read
    warned = [r for r in summary["rejected"] if r.get("severity") == "warning"]
    failed = [r for r in summary["rejected"] if r.get("severity") != "warning"]
    for title, rows in (("waarschuwing(en) bij gelezen bestanden", warned), ("bestand(en) afgewezen", failed)):
        _list_rejections(title, rows, summary["db_path"])
    if failed:
        raise typer.Exit(1)


CONSOLE_REJECTIONS = 20  # a share unmounted mid-build rejected 300 files: 300 console lines


def _list_rejections(title: str, rows: list[dict], db_path: object) -> None:
    """The first CONSOLE_REJECTIONS rejections on stderr, then how many more and where they all are."""
    if not rows:
        return
    err.print(f"[bold yellow]{len(rows)} {title}:[/]", highlight=False)
    from agenda import console_line

    for r in rows[:CONSOLE_REJECTIONS]:
        where = f"{r['file']}:{r['line']}" if r["line"] else r["file"]
        err.print(f"  {escape(console_line(where))}: {escape(console_line(r['reason']))}", highlight=False)
    if len(rows) > CONSOLE_REJECTIONS:
        err.print(f"  … en nog {len(rows) - CONSOLE_REJECTIONS}; alle: kennisagenda rejected --db {escape(str(db_path))}",
                  highlight=False)


@app.command()
def cluster(
    input_csv: Annotated[Path, typer.Argument(help="CSV met kolommen id,text (optioneel context: de zin waar een vraag op leunt; sector,role,source_kind,source_id).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Uitvoer: CSV met id,cluster_id.")],
) -> None:
    """Ontdubbel alleen: ken elke vraag in een CSV een cluster toe (zelfde methode als de build)."""
    from agenda.dedupe.csv_io import cluster_csv

    try:
        n_rows, n_clusters = cluster_csv(input_csv, output)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    err.print(f"{n_rows} vragen → {n_clusters} clusters; geschreven: {output}", highlight=False, markup=False)


@app.command()
def show(
    db: DbOption = DEFAULT_DB,
    version: Annotated[str | None, typer.Option("--version", help="Versielabel (standaard de nieuwste).")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="table, json of md.")] = Format.table,
    sector: Annotated[str | None, typer.Option("--sector", help="Alleen vragen uit deze sector (po, so, ...).")] = None,
    role: Annotated[str | None, typer.Option("--role", help="Alleen vragen van deze rol (leraar, ...).")] = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Alleen de eerste N vragen.")] = None,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="TOML-bestand met instellingen (verwachte rollen en sectoren).")] = None,
) -> None:
    """Toon de gerangschikte agenda (met --sector of --role gefilterd op context)."""
    from agenda.report import complete

    expected = _expected_groups(settings_file)
    with _open(db) as store:
        # a version stored before the derived columns gets them too
        agenda = complete(_version(store, version), **expected)
    from agenda.context import normalise_role

    wanted_role = normalise_role(role) if role is not None else None  # --role Leerkracht finds leraar
    items = [i for i in agenda.items
             if (sector is None or sector.lower() in i.contexts.get("sector", []))
             and (wanted_role is None or wanted_role in [normalise_role(r) for r in i.contexts.get("role", [])])]
    items = items[:top] if top else items
    if fmt is Format.json:
        _json([i.model_dump(mode="json") for i in items])
        return
    if fmt is Format.md:
        for i in items:
            out.print(f"{i.rank}. {i.question} — {i.frequency} bronnen [{i.cluster_id}]", highlight=False, markup=False)
        return
    title = f"Kennisagenda {agenda.label}" + (f" · sector {sector}" if sector else "") + (f" · rol {role}" if role else "")
    from agenda.report.common import known_status

    if agenda.priority_round is not None:  # the ranking follows the round; frequency stays beside it
        r = agenda.priority_round
        title += f" · volgorde: prioriteringsronde {r.ballot} ({sum(r.voters.values())} stemmers)"
        _table(title, ("#", "vraag", "stemscore", "bronnen", "sectoren", "al bekend", "id"),
               [(i.rank, i.question, _nl_number(i.priority.combined) if i.priority else "–", i.frequency,
                 ", ".join(i.contexts.get("sector", [])), known_status(i), i.cluster_id) for i in items])
        return
    _table(title, ("#", "vraag", "score", "bronnen", "sectoren", "al bekend", "id"),
           [(i.rank, i.question, _nl_number(i.score), i.frequency, ", ".join(i.contexts.get("sector", [])),
             known_status(i), i.cluster_id) for i in items])


def _nl_number(x: float) -> str:
    """98,5 not 98.5 on the Dutch console, as in the report."""
    return f"{x:g}".replace(".", ",")


@app.command()
def versions(db: DbOption = DEFAULT_DB,
             fmt: Annotated[Format, typer.Option("--format", help="table of json.")] = Format.table) -> None:
    """Lijst van opgeslagen versies."""
    with _open(db) as store:
        rows = store.versions()
    if fmt is Format.json:
        _json(rows)
        return
    _table("Versies", ("label", "gebouwd", "vragen", "formuleringen", "bronnen", "vorige"),
           [(v["label"], v["built_at"], v["n_items"], v["n_mentions"], v["n_sources"], v["previous"] or "–")
            for v in rows])


@app.command()
def diff(
    a: Annotated[str, typer.Argument(help="Oude versie.")],
    b: Annotated[str, typer.Argument(help="Nieuwe versie.")],
    db: DbOption = DEFAULT_DB,
    fmt: Annotated[Format, typer.Option("--format", help="table of json.")] = Format.table,
) -> None:
    """Wat is er veranderd van versie A naar versie B."""
    from agenda.versions import describe
    from agenda.versions import diff as compare

    with _open(db) as store:
        old, new = _version(store, a), _version(store, b)
    changes = compare(old, new.items, new.answered, new.excluded, new_round=new.priority_round)
    if fmt is Format.json:
        _json(changes.model_dump(mode="json"))
        return
    for line in describe(changes):
        out.print(line, highlight=False, markup=False)


@app.command()
def rejected(db: DbOption = DEFAULT_DB,
             fmt: Annotated[Format, typer.Option("--format", help="table of json.")] = Format.table) -> None:
    """Afgewezen invoerbestanden van de laatste build, met reden, en waarschuwingen bij gelezen bestanden."""
    with _open(db) as store:
        rows = store.rejected()
    if fmt is Format.json:
        _json([r.model_dump() for r in rows])
        return
    if not rows:
        out.print("Geen afgewezen bestanden en geen waarschuwingen in de laatste build.")
        return
    kind = {"error": "afgewezen", "warning": "waarschuwing"}
    _table("Afgewezen invoerbestanden en waarschuwingen", ("bestand", "regel", "soort", "reden"),
           [(r.file, r.line or "", kind[r.severity], r.reason) for r in rows])


@app.command()
def publish(
    version: Annotated[str | None, typer.Option("--version", help="Versielabel (standaard de nieuwste).")] = None,
    db: DbOption = DEFAULT_DB,
    out_dir: Annotated[Path, typer.Option("--out", help="Map voor het rapport.")] = Path("outputs"),
    settings_file: Annotated[Path | None, typer.Option("--settings", help="TOML-bestand met instellingen (verwachte rollen en sectoren).")] = None,
) -> None:
    """Schrijf het rapport van een opgeslagen versie opnieuw."""
    from agenda.report import write_outputs

    expected = _expected_groups(settings_file)
    with _open(db) as store:
        agenda = _version(store, version)
    if out_dir.exists() and not out_dir.is_dir():
        fail(f"uitvoermap {out_dir} is geen map maar een bestand; kies een map")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = write_outputs(agenda, out_dir, **expected)
    except OSError as exc:
        fail(_os_error(exc, out_dir).replace("draai de build opnieuw", "probeer het opnieuw"))
    for p in paths:
        out.print(str(p), highlight=False, markup=False)


@app.command()
def review(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Reviewlijst: .xlsx of .csv.")] = None,
    apply: Annotated[Path | None, typer.Option("--apply", help="Verwerk een ingevulde reviewlijst.")] = None,
    db: DbOption = DEFAULT_DB,
    curation_file: Annotated[Path, typer.Option("--curation", help="Het besluitenbestand.")] = Path("inputs/curation.yaml"),
    limit: Annotated[int, typer.Option("--limit", help="Hooguit zoveel rijen.")] = 200,
    choices: Annotated[int, typer.Option("--keuzes", min=1, max=3,
                                         help="Kandidaten per rij: 3 (standaard) = kies bij welke vraag (b, c, d) "
                                              "hij hoort, of geen; 1 = alleen paren (ja/nee).")] = 3,
) -> None:
    """Twijfelgevallen voor de curator: schrijf een reviewlijst, of verwerk de oordelen in curation.yaml."""
    from agenda.dedupe import review as rv
    from agenda.dedupe.ids import Resolver

    if (output is None) == (apply is None):
        fail("geef precies één van -o BESTAND of --apply BESTAND")
    if output is not None:
        if output.suffix.lower() not in (".xlsx", ".csv"):
            fail("de reviewlijst moet op .xlsx of .csv eindigen")
        with _open(db) as store:
            rows = rv.review_queue(store, limit=limit, choices=choices)
        rv.write_review(rows, output)
        out.print(f"{len(rows)} twijfelgevallen geschreven naar {output}", highlight=False, markup=False)
        return
    assert apply is not None
    known = None
    if db.exists():  # only ids that exist: a sheet of another knowledge table or a typo is refused
        with _open(db) as store:
            questions = {c.id for c in store.clusters()}
            # an old sheet may name a question by its old 6-digit id: accepted when it resolves (agenda.dedupe.ids)
            known = questions | Resolver(questions).aliases() | store.mention_ids()
    _apply_verdicts(lambda sheet_path, cur: rv.apply_review(sheet_path, cur, known_ids=known), apply, curation_file)
    if known is None:
        out.print(f"(de id's zijn niet gecontroleerd: geen database {db}; geef --db)", highlight=False, markup=False)


@app.command()
def indeling(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Indelingslijst: .xlsx of .csv.")] = None,
    apply: Annotated[Path | None, typer.Option("--apply", help="Verwerk een ingevulde indelingslijst.")] = None,
    db: DbOption = DEFAULT_DB,
    version: Annotated[str | None, typer.Option("--version", help="Versielabel (standaard de nieuwste).")] = None,
    curation_file: Annotated[Path, typer.Option("--curation", help="Het besluitenbestand.")] = Path("inputs/curation.yaml"),
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Alleen de eerste zoveel vragen.")] = None,
) -> None:
    """De indeling in één keer nakijken: één rij per formulering bij haar vraag; vul hoort_bij in waar ze
    ergens anders hoort, of verwerk de ingevulde lijst in curation.yaml."""
    from agenda.dedupe import regroup
    from agenda.dedupe.ids import Resolver

    if (output is None) == (apply is None):
        fail("geef precies één van -o BESTAND of --apply BESTAND")
    if output is not None:
        if output.suffix.lower() not in (".xlsx", ".csv"):
            fail("de indelingslijst moet op .xlsx of .csv eindigen")
        with _open(db) as store:
            agenda = _version(store, version)
        rows = regroup.regroup_rows(agenda, limit=limit)
        try:
            regroup.write_regroup(rows, output)
        except OSError as exc:
            fail(_file_error(exc))
        n_q = len({r["vraag_id"] for r in rows})
        out.print(f"{len(rows)} formuleringen van {n_q} vragen geschreven naar {output} (vul hoort_bij in waar een "
                  f"formulering niet bij haar vraag hoort: een vraag-id, een eigen label of uitsluiten)",
                  highlight=False, markup=False)
        return
    assert apply is not None
    questions: list[str] = []
    mention_ids: list[str] | None = None
    if db.is_file():  # ids are checked against the database when there is one
        with _open(db) as store:
            questions = [c.id for c in store.clusters()]
            questions += sorted(Resolver(questions).aliases())  # old 6-digit ids that resolve
            mention_ids = [m.id for m in store.mentions(active_only=False, include_candidates=True)]

    def apply_fn(sheet_path: Path, curation: Path) -> str:
        return regroup.apply_regroup(sheet_path, curation, questions, mention_ids)

    _apply_verdicts(apply_fn, apply, curation_file)


def _apply_verdicts(apply_fn, sheet_path: Path, curation_file: Path) -> None:
    """Turn a filled-in sheet into curation.yaml entries; errors name the file (and line)."""
    from agenda.dedupe.curation import CurationError

    try:
        summary = apply_fn(sheet_path, curation_file)
    except CurationError as exc:
        r = exc.rejection
        fail(f"{curation_file}{f', regel {r.line}' if r.line else ''}: {r.reason}")
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    out.print(summary, highlight=False, markup=False)


@app.command()
def evidence(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Bewijslijst: .xlsx of .csv.")] = None,
    apply: Annotated[Path | None, typer.Option("--apply", help="Verwerk een ingevulde bewijslijst.")] = None,
    db: DbOption = DEFAULT_DB,
    version: Annotated[str | None, typer.Option("--version", help="Versielabel (standaard de nieuwste).")] = None,
    curation_file: Annotated[Path, typer.Option("--curation", help="Het besluitenbestand.")] = Path("inputs/curation.yaml"),
) -> None:
    """Wat is al bekend: voorgestelde bronnen uit inputs/kennis/ per vraag, of verwerk de oordelen in curation.yaml."""
    from agenda.evidence import sheet

    if (output is None) == (apply is None):
        fail("geef precies één van -o BESTAND of --apply BESTAND")
    if output is not None:
        if output.suffix.lower() not in (".xlsx", ".csv"):
            fail("de bewijslijst moet op .xlsx of .csv eindigen")
        with _open(db) as store:
            agenda = _version(store, version)
        rows = sheet.evidence_rows(agenda)
        sheet.write_evidence(rows, output)
        n_q = len({r["vraag"] for r in rows if r["bron"]})
        out.print(f"{sum(bool(r['bron']) for r in rows)} bronnen bij {n_q} vragen geschreven naar {output} "
                  f"(vul de kolom oordeel in: relevant, beantwoordt of nee)", highlight=False, markup=False)
        return
    assert apply is not None
    _apply_verdicts(sheet.apply_evidence, apply, curation_file)


@app.command()
def stemronde(
    output: Annotated[Path, typer.Option("-o", "--output", help="Het stembiljet: .xlsx of .csv.")],
    db: DbOption = DEFAULT_DB,
    max_n: Annotated[int, typer.Option("--max", min=1, help="Hooguit zoveel vragen (de JLA houdt 80 aan).")] = 80,
    version: Annotated[str | None, typer.Option("--version", help="Versielabel (standaard de nieuwste).")] = None,
) -> None:
    """Prioriteringsronde: schrijf het stembiljet (code, vraag_id, vraag) om in Forms of Qualtrics te plakken."""
    from agenda.priority import make_ballot, store_ballot, write_ballot

    if output.suffix.lower() not in (".xlsx", ".csv"):
        fail("het stembiljet moet op .xlsx of .csv eindigen")
    with _open(db) as store:
        agenda = _version(store, version)
    ballot = make_ballot(agenda, max_n)
    if not ballot:
        fail(f"versie {agenda.label} heeft geen open vragen om over te stemmen")
    try:
        with Store(db, timeout=5.0) as store:  # the ballot is stored with the version it was made from
            ballot_id, new = store_ballot(store, ballot, agenda.label, "stemronde")
    except DatabaseBusy as exc:
        fail(str(exc), 3)
    note = write_ballot(ballot, output, agenda.label)
    state = "nieuw" if new else "hetzelfde als eerder gemaakt"
    out.print(f"Stembiljet {ballot_id} ({state}): {len(ballot)} vragen uit versie {agenda.label} geschreven naar "
              f"{output}" + (f"; toelichting in {note}" if note != output else "") + ".", highlight=False, markup=False)
    out.print("Laat iedere deelnemer zijn of haar 10 belangrijkste vragen kiezen en rangschikken (1 = belangrijkst) "
              "en vraag naar de rol; zet de export daarna met dit stembiljet in inputs/stemronde/ en draai "
              "kennisagenda build.", highlight=False, markup=False)


def stopped(exc: BaseException) -> NoReturn:
    from agenda.supervise import Stopped, signal_name

    how = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else signal_name(exc.signum)
    err.print(f"afgebroken ({how}): gestopt; een half gebouwde versie is niet opgeslagen (een opgeslagen versie zonder rapport krijgt het bij de volgende build) en de database is vrijgegeven",
              highlight=False)
    sys.exit(exc.exit_code if isinstance(exc, Stopped) else 130)


def main() -> None:
    from agenda import supervise

    argv = sys.argv[1:]
    if argv[:1] == ["build"] and not os.environ.get(supervise.SUPERVISED_ENV) and os.name == "posix":
        sys.exit(supervise.run_supervised(argv))  # nothing outlives the build, not even after SIGKILL
    supervise.install_child_handlers()
    try:
        app()
    except DatabaseBusy as exc:
        err.print(f"[bold red]fout:[/] {escape(str(exc))}", highlight=False)
        sys.exit(3)
    except (supervise.Stopped, KeyboardInterrupt) as exc:
        stopped(exc)
    except OSError as exc:  # a file an operator named (a sheet, --curation, -o): say which and why, in Dutch
        if os.environ.get("KENNISAGENDA_DEBUG"):
            raise
        err.print(f"[bold red]fout:[/] {escape(_file_error(exc))}", highlight=False)
        sys.exit(2)
    except Exception as exc:  # a bug, not a user error: one line, no traceback (KENNISAGENDA_DEBUG=1 shows it)
        if (stop := supervise.stopped_in(exc)) is not None:  # a signal during a DuckDB statement
            stopped(stop)
        if os.environ.get("KENNISAGENDA_DEBUG"):
            raise
        if (damaged := damaged_message(exc)) is not None:  # `show` and friends reading a damaged block
            err.print(f"[bold red]fout:[/] {escape(damaged)}", highlight=False)
            sys.exit(2)
        err.print(f"[bold red]onverwachte fout:[/] {type(exc).__name__}: {escape(one_line(str(exc)))}", highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
