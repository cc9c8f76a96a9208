"""Build a corpus of bad and hostile input files (issue 6) into a folder.

    python tests/hostile/make_hostile.py OUT_DIR

Writes ``OUT_DIR/inputs/...`` (what a curator might drop in, or an attacker might craft) and
``OUT_DIR/secret.txt`` (a local file that an XML external entity or a symlink points at: it
must never show up in any ingest output). ``build()`` returns ``{relative path: expected}``
where expected is ``"ok"`` (must be read) or a substring of the Dutch rejection reason;
``"discover:<substring>"`` marks files that ``discover`` itself rejects.

No binaries are committed: everything here is generated (zip bombs are highly compressible
and sparse files take no disk space).
"""

from __future__ import annotations

import io
import os
import random
import sys
import zipfile
from pathlib import Path

SECRET = "GEHEIM-7f3a9c-wachtwoord"

DOCTYPE = "DOCTYPE/ENTITY"
ZIPBOMB = "zip-bom"
BINARY = "binaire gegevens"
EMPTY = "leeg bestand"


def _docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    doc = docx.Document()
    doc.add_heading("Kennisvragen", level=1)
    for p in paragraphs:
        doc.add_paragraph(p)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _rewrite_zip(data: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def _zip_bomb(path: Path, base: bytes, member: str, megabytes: int) -> None:
    """A valid Office file plus one member of `megabytes` MB of zeros (deflates ~1000:1)."""
    src = zipfile.ZipFile(io.BytesIO(base))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open(member, "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)


def _xlsx_bytes(rows: list[list[str]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _survey(rows: list[list[str]], sep: str = ",") -> str:
    return "\r\n".join(sep.join(r) for r in rows) + "\r\n"


SURVEY_ROWS = [["sector", "rol", "kennisvraag"], ["po", "leraar", "Hoe gebruik je de ict’er in de klas?"], ["vo", "mentor", "Werkt één café-gesprek?"]]


def build(out: Path) -> dict[str, str]:
    out = Path(out)
    inputs = out / "inputs"
    for d in ("meetings", "cases", "surveys"):
        (inputs / d).mkdir(parents=True, exist_ok=True)
    secret = out / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    expected: dict[str, str] = {}
    rng = random.Random(6)

    def put(rel: str, data: bytes | str, expect: str) -> Path:
        p = inputs / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        expected[rel] = expect
        return p

    # --- empty, binary, encodings ---------------------------------------------------------
    put("meetings/leeg.md", b"", EMPTY)
    put("meetings/spaties.md", "  \n\n\t\n", EMPTY)
    put("meetings/binair.md", bytes(rng.randrange(256) for _ in range(4096)), BINARY)
    put("meetings/plaatje.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(500)), BINARY)
    put("meetings/onleesbaar.md", b"# Titel\n\x81\x8d\x8f\x90\x9d en meer\n", "tekstcodering")
    put("surveys/binair.csv", bytes(rng.randrange(256) for _ in range(2048)), BINARY)
    put("cases/binair.yaml", b"\x00\x01\x02school: x\n" * 50, BINARY)
    put("meetings/stuurtekens.md", "## Vragen\n\n- Hoe\x0bwerkt\x07 dit\x1b?\n", "ok")

    # --- YAML --------------------------------------------------------------------------------
    put("meetings/kapotte-kop.md", "---\ntitle: Verslag\nsector: [po, so\ndate: 2021-06-23\n---\n# Verslag\n", "ongeldige YAML")
    put("meetings/open-kop.md", "---\ntitle: Verslag\n\n# Verslag\n- Hoe?\n", "nergens afgesloten")
    put("meetings/datum.md", "---\ntitle: Verslag\ndate: 2021-13-45\n---\n# Verslag\n", "ongeldige datum '2021-13-45'")
    put("cases/datum.yaml", "school: X\ndate: 2021-13-45\n", "ongeldige datum '2021-13-45'")
    put("cases/typen.yaml", "school: [een, lijst]\nquestions: 12\n", "veld 'school'")
    put("cases/sector.yaml", "school: X\nsector: [po, havo]\n", "onbekende sector 'havo'")
    put("cases/niveau.yaml", "school: X\nquestions:\n  - text: Hoe?\n    level: klas\n", "onbekend niveau 'klas'")
    put("cases/python-tag.yaml", "school: !!python/object/apply:os.system ['echo pwned > /tmp/pwned']\n", "ongeldige YAML")
    lol = ["lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 11):
        lol.append(f"lol{i}: &lol{i} [" + ", ".join([f"*lol{i - 1}"] * 12) + "]")
    put("cases/lachbom.yaml", "\n".join(lol + ["questions: *lol10"]) + "\n", "verwijzingen (aliassen)")
    small = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 7):
        small.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    put("cases/lachbom-klein.yaml", "\n".join(small + ["questions: *a6"]) + "\n", "uitvouwen van aliassen")
    put("cases/recursief.yaml", "school: &s [*s]\n", "uitvouwen van aliassen")
    put("meetings/lachbom-kop.md", "---\n" + "\n".join(lol) + "\n---\n# Verslag\n", "verwijzingen (aliassen)")
    put("cases/diep.yaml", "school: " + "[" * 20000 + "]" * 20000 + "\n", "te diep genest")
    put("cases/diep-ingesprongen.yaml", "a:\n" + "".join(" " * (i + 1) + "b:\n" for i in range(3000)), "te diep ingesprongen")
    put("cases/grote-int.yaml", "school: X\nnummer: " + "9" * 5000 + "\n", "ongeldige waarde")

    put("meetings/lange-alinea.md", "# Verslag\n\n" + "Waarom? " * 30_000 + "\n", "alinea of lijstpunt van")

    # --- Word --------------------------------------------------------------------------------
    docx_ok = _docx_bytes(["Hoe gebruik je adaptieve software?", "PLACEHOLDER"])
    put("meetings/goed.docx", docx_ok, "ok")
    put("meetings/geen-zip.docx", "Dit is gewoon tekst met een .docx-naam\n", "geen geldig Word-bestand")
    put("meetings/afgebroken.docx", docx_ok[: len(docx_ok) // 2], "Word-bestand")
    put("meetings/excel-als-docx.docx", _xlsx_bytes([["x"]]), "geen Word-document")
    doc_xml = zipfile.ZipFile(io.BytesIO(docx_ok)).read("word/document.xml").decode("utf-8")
    head, rest = doc_xml.split("?>", 1)
    xxe = (
        head + "?>\n"
        + f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret.resolve()}">]>'
        + rest.replace("PLACEHOLDER", "&xxe;")
    )
    put("meetings/xxe.docx", _rewrite_zip(docx_ok, {"word/document.xml": xxe.encode()}), DOCTYPE)
    laughs = "".join(f'<!ENTITY l{i} "' + f"&l{i - 1};" * 10 + '">' for i in range(1, 10))
    bomb_xml = (
        head + "?>\n" + '<!DOCTYPE w:document [<!ENTITY l0 "lol">' + laughs + "]>" + rest.replace("PLACEHOLDER", "&l9;")
    )
    put("meetings/lachbom.docx", _rewrite_zip(docx_ok, {"word/document.xml": bomb_xml.encode()}), DOCTYPE)
    utf16 = ('<?xml version="1.0" encoding="UTF-16"?>' + f'<!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>' + rest).encode("utf-16")
    put("meetings/xxe-utf16.docx", _rewrite_zip(docx_ok, {"word/document.xml": utf16}), DOCTYPE)
    _zip_bomb(inputs / "meetings/zipbom-groot.docx", docx_ok, "word/media/image1.bin", 120)
    expected["meetings/zipbom-groot.docx"] = ZIPBOMB
    _zip_bomb(inputs / "meetings/zipbom-ratio.docx", docx_ok, "word/media/image1.bin", 20)
    expected["meetings/zipbom-ratio.docx"] = ZIPBOMB

    # --- surveys -----------------------------------------------------------------------------
    put("surveys/utf8.csv", _survey(SURVEY_ROWS).encode("utf-8"), "ok")
    put("surveys/utf8-bom.csv", _survey(SURVEY_ROWS, ";").encode("utf-8-sig"), "ok")
    put("surveys/utf16.csv", _survey(SURVEY_ROWS, "\t").encode("utf-16"), "ok")
    put("surveys/cp1252.csv", _survey(SURVEY_ROWS, ";").encode("cp1252"), "ok")
    put("surveys/kolommen.csv", "vraag" + ",x" * 5000 + "\n", "kolommen")
    put("surveys/geen-vraag.csv", "naam;sector\nAnne;po\n", "geen kolom met vragen gevonden")
    put("surveys/grote-cel.csv", "sector,vraag\npo,Hoe " + "x" * (3 << 20) + "?\n", "cel in rij 2, kolom 'vraag'")
    put("surveys/kapot.xlsx", docx_ok[:3000], "Excel-bestand")
    put("surveys/goed.xlsx", _xlsx_bytes(SURVEY_ROWS), "ok")
    _zip_bomb(inputs / "surveys/zipbom.xlsx", _xlsx_bytes(SURVEY_ROWS), "xl/media/blob.bin", 120)
    expected["surveys/zipbom.xlsx"] = ZIPBOMB
    xlsx_ok = _xlsx_bytes(SURVEY_ROWS)
    sheet = zipfile.ZipFile(io.BytesIO(xlsx_ok)).read("xl/worksheets/sheet1.xml").decode()
    sh, srest = sheet.split("?>", 1) if "?>" in sheet else ('<?xml version="1.0" encoding="UTF-8"', sheet)
    put(
        "surveys/xxe.xlsx",
        _rewrite_zip(xlsx_ok, {"xl/worksheets/sheet1.xml": (sh + f'?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>' + srest).encode()}),
        DOCTYPE,
    )

    # --- size: sparse files take no disk --------------------------------------------------
    for rel in ("meetings/te-groot.md", "surveys/te-groot.csv"):
        p = inputs / rel
        with open(p, "wb") as fh:
            fh.truncate(30 * 1024 * 1024)
        expected[rel] = "te groot"

    # --- discover-level -------------------------------------------------------------------
    put("meetings/afgebroken.pdf", b"%PDF-1.4\n", "beschadigd PDF-bestand")
    put("meetings/plaatje.pdf", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(500)), "geen PDF-bestand")
    put("scan.rtf", b"{\\rtf1 Kennisvragen}", "discover:bestandstype .rtf")
    try:
        os.symlink(secret.resolve(), inputs / "meetings/naar-buiten.md")
        expected["meetings/naar-buiten.md"] = "discover:buiten inputs/"
        os.symlink(out.resolve(), inputs / "buitenmap")
        expected["buitenmap"] = "discover:buiten inputs/"
    except (OSError, NotImplementedError):  # pragma: no cover - no symlinks on this platform
        pass
    return expected


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("gebruik: make_hostile.py OUT_DIR")
    for rel, exp in sorted(build(Path(sys.argv[1])).items()):
        print(f"{rel}\t{exp}")
