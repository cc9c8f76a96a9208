"""A small corpus full of what must never reach an output: respondents' e-mail addresses, names
and phone numbers in survey columns, and contact details and BSN-like numbers in free text."""

from pathlib import Path

# every string that must not appear in DuckDB, an output or Prefect's database
SECRETS = ("p.devries@school.nl", "devries", "Jan de Vries", "Pieter Bakker", "Bakker", "Annelies Smit",
           "j.jansen@mail.nl", "06-48159263", "0648159263", "7294 1836", "72941836", "020-5836291", "5836291",
           "111222333", "1112 22 333", "info@casus.nl", "noot@bieb.nl", "030-9182736", "9182736",
           # issue 21, held-out variants: other headers, other tools, other writings
           "Klompmaker", "Wijnstok", "Zoutman", "gklompmaker", "bwijnstok", "91 ABNA", "0417164300",
           "37281945", "3728 1945", "470 12 34 56", "Hazelhoff", "tok8Fq2", "Brakkee", "brakkee",
           "kwakernaak", "612 45 67", "123-456-782")
# a file name holding an e-mail address: kept in DuckDB's list of sources (it is the file's name in
# inputs/), never in a published version or output
FILE_NAME_SECRET = "pietersma"


def write_private_corpus(inputs: Path) -> None:
    (inputs / "surveys").mkdir(parents=True)
    (inputs / "cases").mkdir()
    (inputs / "kennis").mkdir()
    (inputs / "meetings").mkdir()
    (inputs / "surveys" / "peiling.csv").write_text(
        "Respondent;Naam (optioneel);Telefoonnummer;Wie vulde in;sector;Welke kennisvraag heeft u?\n"
        "p.devries@school.nl;Jan de Vries;06-48159263;Jan de Vries;po;"
        "Hoe begeleid je leerlingen bij het plannen van hun eigen leerweg? Mail p.devries@school.nl\n"
        "j.jansen@mail.nl;Pieter Bakker;+31 6 7294 1836;Pieter Bakker;vo;"
        "Welke rol speelt de mentor bij gepersonaliseerd leren? Bel 020-5836291 of 06 48159263\n"
        "Annelies Smit;;;Annelies Smit;po;"
        "Hoe bewaar je leerlinggegevens veilig, bijvoorbeeld het BSN 111222333 of 1112 22 333?\n",
        encoding="utf-8")
    (inputs / "cases" / "school.yaml").write_text(
        "school: De Regenboog\nsector: po\ndate: 2022-01-10\n"
        "definition: 'Contact: info@casus.nl, telefoon 030-9182736.'\n"
        "questions:\n  - text: Hoe organiseer je kindgesprekken in een volle week? Vraag info@casus.nl\n"
        "    level: leerling\n", encoding="utf-8")
    (inputs / "kennis" / "notitie.md").write_text(
        "---\ntitle: Kennisnotitie over kindgesprekken\ndate: 2022-02-01\nkind: notitie\n---\n\n"
        "# Kindgesprekken\n\nKindgesprekken helpen leerlingen hun leerweg te plannen; vragen aan noot@bieb.nl "
        "of 030-9182736.\n", encoding="utf-8")
    (inputs / "meetings" / "2022-01-20-bijeenkomst.md").write_text(
        "---\ntitle: Bijeenkomst\ndate: 2022-01-20\nsector: po\n---\n## Kennisvragen\n"
        "- Hoe geef je feedback op de weekplanning van leerlingen? (vragen: 0648159263)\n", encoding="utf-8")
    _write_variants(inputs)


def _write_variants(inputs: Path) -> None:
    """What the first round's tests did not try: identifying columns under other headers (*Wie ben je?*,
    *Hoe kunnen we u bereiken?*), a LimeSurvey token, written-out and split e-mail addresses, an en dash
    in a phone number, an IBAN, a foreign number, a BSN with dashes, an e-mail address in a case's role
    and its *contact* field, and one in a file name."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Id", "Begintijd", "Wie ben je?", "Hoe kunnen we u bereiken?", "Hoe houd je contact met ouders?"])
    ws.append([1, "2022-03-01 10:00", "Geertruida Klompmaker, juf groep 5", "gklompmaker at deschool punt nl",
               "Hoe betrek je ouders bij de weekplanning van hun kind?"])
    ws.append([2, "2022-03-01 11:00", "Bartholomeus Wijnstok (ib'er)", "bwijnstok@\nvoorbeeldschool.be",
               "Hoe vertel je ouders wat hun kind zelf kiest, zonder de leraar extra werk te geven?"])
    ws.append([3, "2022-03-01 12:00", "Ik ben Hendrikje Zoutman", "06\u201337281945",
               "Wat verwachten ouders van een eigen leerroute? IBAN NL91 ABNA 0417 1643 00 of +32 470 12 34 56"])
    wb.save(inputs / "surveys" / "forms.xlsx")
    (inputs / "surveys" / "lime.csv").write_text(
        "id;submitdate;lastpage;token;firstname;G01Q01\n"
        "5;2022-03-03 10:00:00;2;tok8Fq2;Reinier Hazelhoff;Hoe organiseer je instructie op maat in een combinatiegroep?\n"
        "6;2022-03-03 11:00:00;2;tok9Zz1;Fenneke Doornbosch;Welke rol speelt de intern begeleider bij een eigen leerroute?\n"
        "7;2022-03-03 12:00:00;2;tok1Aa2;Sjoerd Tammeling;Hoe houd je overzicht als elke leerling een eigen planning heeft?\n",
        encoding="utf-8")
    (inputs / "cases" / "zonnewijzer.yaml").write_text(
        "school: De Zonnewijzer\nsector: po\ndate: 2022-01-11\ncontact: Jozefien Brakkee\n"
        "questions:\n  - text: Hoe geef je leerlingen inspraak in hun eigen rooster?\n    level: leerling\n"
        "    role: 'leraar (j.brakkee@zonnewijzer-vb.nl)'\n", encoding="utf-8")
    (inputs / "meetings" / "2022-01-21-verslag-van-j.pietersma@school.nl.md").write_text(
        "---\ntitle: Verslag\ndate: 2022-01-21\n---\n## Kennisvragen\n"
        "- Hoe bereik je ouders die geen Nederlands spreken (via l.kwakernaak[at]tafel[dot]nl of (020) 612 45 67)?\n"
        "- Hoe bewaar je een BSN als 123-456-782 veilig in het leerlingvolgsysteem?\n", encoding="utf-8")


def leaks(blob: str) -> list[str]:
    """The secrets found in `blob` (text of a database, output or log)."""
    return [s for s in SECRETS if s in blob]


def database_text(db: Path) -> str:
    """Every value of every table of a DuckDB file, as text."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        parts = []
        for schema, table in con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall():
            parts.append(repr(con.execute(f'SELECT * FROM "{schema}"."{table}"').fetchall()))
        return "\n".join(parts)
    finally:
        con.close()


def outputs_text(out: Path) -> str:
    """Every output file's text (a .docx unzipped, every part)."""
    import zipfile

    parts = []
    for p in sorted(out.rglob("*")):
        if not p.is_file() or p.suffix == ".duckdb" or ".duckdb" in p.name:
            continue
        if p.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(p) as z:
                parts.extend(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        else:
            parts.append(p.read_bytes().decode("utf-8", "replace"))
    return "\n".join(parts)
