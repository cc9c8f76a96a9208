"""Word as Word shows it, changes accepted: text inside w:ins, w:sdt, w:smartTag, w:customXml,
w:fldSimple, hyperlinks and text boxes counts (each once), w:del/w:delText and field codes do not;
a soft line break (w:br) inside a sentence is a space. The XML is what Word writes."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.oxml import parse_xml

from agenda.ingest import read_file
from agenda.models import Rule

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def paragraph(inner: str, style: str | None = None) -> object:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return parse_xml(f"<w:p {NS}>{ppr}{inner}</w:p>")


def document(*paragraphs) -> docx.Document:
    doc = docx.Document()
    doc.add_heading("Verslag", level=1)
    doc.add_heading("Kennisvragen", level=2)
    body = doc.element.body
    for p in paragraphs:
        body.insert(len(body) - 1, p)  # before w:sectPr, as Word keeps it last
    return doc


def read(doc, tmp_path: Path):
    p = tmp_path / "meetings" / "verslag.docx"
    p.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(p))
    r = read_file(p, tmp_path)
    assert r.rejection is None, r.rejection
    return r


def section(r) -> list[str]:
    return [m.text for m in r.mentions if m.rule == Rule.section]


def test_tracked_insertion_in_and_deletion_out(tmp_path):
    ins = '<w:ins w:id="1" w:author="Secretaris" w:date="2021-06-24T10:00:00Z">'
    dele = '<w:del w:id="2" w:author="Secretaris" w:date="2021-06-24T10:00:00Z">'
    p = paragraph(
        run("Welke ict-vaardigheden hebben leraren nodig ")
        + f"{ins}{run('om adaptieve software te gebruiken')}</w:ins>"
        + f'{dele}<w:r><w:delText xml:space="preserve"> in de klas</w:delText></w:r></w:del>'
        + run("?"),
        style="ListBullet",
    )
    moved = paragraph(
        '<w:moveFrom w:id="3" w:author="S" w:date="2021-06-24T10:00:00Z"><w:r><w:t>Oud?</w:t></w:r></w:moveFrom>'
        + '<w:moveTo w:id="4" w:author="S" w:date="2021-06-24T10:00:00Z">'
        + run("Hoe plan je kindgesprekken?") + "</w:moveTo>",
        style="ListBullet",
    )
    r = read(document(p, moved), tmp_path)
    assert section(r) == [
        "Welke ict-vaardigheden hebben leraren nodig om adaptieve software te gebruiken?",
        "Hoe plan je kindgesprekken?",
    ]


def test_content_controls_smart_tags_custom_xml_fields_and_links(tmp_path):
    sdt = (
        '<w:sdt><w:sdtPr><w:alias w:val="Vraag"/><w:id w:val="12"/></w:sdtPr>'
        f"<w:sdtContent>{run('leerlingen met dyslexie')}</w:sdtContent></w:sdt>"
    )
    smart = f'<w:smartTag w:uri="urn:schemas-microsoft-com:office:smarttags" w:element="place">{run("Nijmegen")}</w:smartTag>'
    custom = f'<w:customXml w:element="onderwerp">{run("digitale leermiddelen")}</w:customXml>'
    field = f'<w:fldSimple w:instr=" DOCPROPERTY Sector "><w:r><w:t>het speciaal onderwijs</w:t></w:r></w:fldSimple>'
    complex_field = (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> REF _Ref1 \\h </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + run("in groep 5") + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )
    link = f'<w:hyperlink r:id="rId99">{run("de leesapp")}</w:hyperlink>'
    doc = document(
        paragraph(run("Hoe ondersteun je ") + sdt + run(" bij het lezen in ") + custom + run("?"), "ListBullet"),
        paragraph(run("Hoe werken scholen in ") + smart + run(" samen met ") + field + run("?"), "ListBullet"),
        paragraph(run("Wat leren leerlingen ") + complex_field + run(" van ") + link
                  + '<w:r><w:rPr><w:vanish/></w:rPr><w:t xml:space="preserve"> (verborgen)</w:t></w:r>' + run("?"), "ListBullet"),
    )
    r = read(doc, tmp_path)
    assert section(r) == [
        "Hoe ondersteun je leerlingen met dyslexie bij het lezen in digitale leermiddelen?",
        "Hoe werken scholen in Nijmegen samen met het speciaal onderwijs?",
        "Wat leren leerlingen in groep 5 van de leesapp?",
    ]


def test_block_level_content_control_and_text_box_read_once(tmp_path):
    box_paragraph = f"<w:p>{run('Hoe betrek je ouders bij het digitale portfolio?')}</w:p>"
    textbox = (
        "<w:r><mc:AlternateContent>"
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
        'relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:extent cx="1828800" cy="914400"/><wp:docPr id="1" name="Tekstvak 1"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx><w:txbxContent>{box_paragraph}</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
        '<mc:Fallback><w:pict><v:shape id="Tekstvak 1" type="#_x0000_t202"><v:textbox>'
        f"<w:txbxContent>{box_paragraph}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"
    )
    block_sdt = parse_xml(
        f'<w:sdt {NS}><w:sdtPr><w:id w:val="7"/></w:sdtPr><w:sdtContent>'
        f'<w:p><w:pPr><w:pStyle w:val="ListBullet"/></w:pPr>{run("Welke afspraken maak je over schermtijd?")}</w:p>'
        "</w:sdtContent></w:sdt>"
    )
    r = read(document(paragraph(run("Zie het kader.") + textbox), block_sdt), tmp_path)
    texts = [m.text for m in r.mentions]
    assert texts.count("Hoe betrek je ouders bij het digitale portfolio?") == 1
    assert "Welke afspraken maak je over schermtijd?" in section(r)


def test_soft_break_inside_a_sentence_is_a_space(tmp_path):
    doc = document(
        paragraph(run("Hoe geven we leerlingen") + "<w:r><w:br/></w:r>"
                  + run("meer eigenaarschap over hun digitale leerroute?"), "ListBullet"),
        paragraph(run("Wat vraagt dit van de leraar?") + "<w:r><w:br/></w:r>" + run("Wie begeleidt de nieuwe collega's?")),
        paragraph(run("Hoe zorg je dat de") + '<w:r><w:br w:type="textWrapping"/><w:t>visie gedragen wordt?</w:t></w:r>'),
    )
    r = read(doc, tmp_path)
    assert section(r) == [
        "Hoe geven we leerlingen meer eigenaarschap over hun digitale leerroute?",
        "Wat vraagt dit van de leraar?",
        "Wie begeleidt de nieuwe collega's?",
        "Hoe zorg je dat de visie gedragen wordt?",
    ]
    assert not any(m.text.startswith(("Meer eigenaarschap", "meer eigenaarschap", "visie")) for m in r.mentions)
