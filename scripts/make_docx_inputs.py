"""Generate the Office-format files of the sample corpus in ``inputs/``.

The sample corpus is committed; this script documents how its binary files were made and
can regenerate them byte for byte (fixed document dates and fixed zip timestamps):

- ``inputs/meetings/2021-11-22-vijfde-bijeenkomst.docx``  meeting report (Word)
- ``inputs/cases/adelbrecht-windekind.docx``                case description (Word)
- ``inputs/surveys/vragenronde-werkplaats-2021-12.xlsx``   small survey export (Excel)
- ``inputs/surveys/peiling-2022-voorjaar.csv``             survey export as Excel writes it
  (UTF-8 with BOM, semicolon-separated, CRLF line endings)
- ``inputs/kennis/notities/privacy-leerlinggegevens.docx``  a note of the evidence library (Word)

Word files use the real Word styles (Title/Heading 1/Heading 2, List Bullet, List Bullet 2/3)
and carry their own document properties (title, created date, author = the knowledge table;
category = the kind, keywords = ``key: value`` context such as sector and school).

Usage: ``.venv/bin/python scripts/make_docx_inputs.py [--inputs DIR]``
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from docx import Document
from openpyxl import Workbook
from openpyxl.styles import Font

AUTHOR = "Kennistafel Gepersonaliseerd leren met ict"
ROOT = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------------------------
# Word: meeting report of the fifth meeting (22 November 2021)
# --------------------------------------------------------------------------------------------

MEETING_5 = {
    "title": "Vijfde bijeenkomst kennistafel",
    "date": dt.date(2021, 11, 22),
    "category": "meeting",
    "keywords": "sector: po, sbo, so, vso",
    "blocks": [
        ("h1", "Vijfde bijeenkomst kennistafel"),
        ("p", "Op 22 november 2021 kwam de Kennistafel Gepersonaliseerd leren met ict voor de vijfde "
              "keer bij elkaar. Het doel was om de eerste bevindingen van het casusonderzoek te delen. "
              "Daarnaast is stilgestaan bij het versterken van de disseminatie van de opgedane kennis "
              "door deze kennistafel."),
        ("h2", "Eerste bevindingen uit het casusonderzoek"),
        ("p", "De onderzoekers hebben in september, oktober en november vijf scholen bezocht: drie "
              "scholen voor primair onderwijs, een school voor speciaal basisonderwijs en een school voor "
              "speciaal en voortgezet speciaal onderwijs. Op elke school is gesproken over de definitie en "
              "het doel van gepersonaliseerd leren, de huidige situatie en de gewenste situatie. Daarbij "
              "zijn ook belemmerende en bevorderende factoren besproken."),
        ("p", "Een eerste bevinding is dat de scholen gepersonaliseerd leren heel verschillend invullen. "
              "Op sommige scholen ligt de nadruk op het werken met adaptieve leermiddelen, op andere op "
              "eigenaarschap van leerlingen en het werken op leerpleinen. Wel hebben alle scholen te maken "
              "met data: uit de software, uit toetsen en uit observaties van de leerkracht. Een van de "
              "scholen formuleerde het zo: \u2018Wat doet adaptieve software eigenlijk met de werkdruk van "
              "het team?\u2019 Die vraag werd door meerdere leden herkend."),
        ("p", "Een tweede bevinding is dat de vraagstukken van de scholen sterk samenhangen met hun "
              "context: de fase waarin de school zit, de samenstelling van het team en de leerlingen. "
              "Dezelfde vraag kan op twee scholen om een ander antwoord vragen."),
        ("h2", "Opgehaalde vraagstukken uit het casusonderzoek"),
        ("p", "Uit de gesprekken op de scholen zijn onder meer de volgende vraagstukken naar voren gekomen."),
        ("li", "Hoe gebruiken leraren de gegevens uit dashboards van adaptieve leermiddelen om hun "
               "instructie af te stemmen? (rol: leraar)"),
        ("li", "Helpt een dashboard voor leerlingen hen om hun eigen voortgang te volgen?"),
        ("li", "Welke vormen van professionalisering helpen een team om gepersonaliseerd leren met ict "
               "vorm te geven? (rol: schoolleider)"),
        ("li", "Waar let je op bij de keuze van een adaptief leermiddel dat past bij de visie van de "
               "school? (rol: ict-coordinator)"),
        ("h2", "Disseminatie"),
        ("p", "Ten slotte is gesproken over het breder delen van de opgedane kennis. De leden zien kansen "
              "in het netwerk van de Werkplaats Onderwijsonderzoek Gepersonaliseerd leren met ICT en van "
              "het SPRONG-consortium iXpact. Ook wordt gedacht aan een praktijkpublicatie met de "
              "casusbeschrijvingen. Hoe zorgen we dat deze kennis ook terechtkomt bij scholen die niet aan "
              "de kennistafel zitten? Dat blijft een aandachtspunt voor de komende bijeenkomsten."),
    ],
}

# --------------------------------------------------------------------------------------------
# Word: case description Adelbrecht Windekind (SPOG), same headings as the Markdown cases
# --------------------------------------------------------------------------------------------

CASE_WINDEKIND = {
    "title": "Casus Adelbrecht Windekind",
    "date": dt.date(2021, 10, 19),
    "category": "case",
    "keywords": "school: Adelbrecht Windekind; organisatie: SPOG; sector: po; datum: 2021-10-19",
    "blocks": [
        ("h1", "Casus Adelbrecht Windekind"),
        ("p", "School: Adelbrecht Windekind"),
        ("p", "Organisatie: SPOG"),
        ("p", "Sector: po"),
        ("p", "Datum: 2021-10-19"),
        ("h2", "Definitie"),
        ("p", "Gepersonaliseerd leren is voor ons dat leerlingen op hun eigen niveau en in hun eigen "
              "tempo aan de doelen werken, met instructie wanneer ze die nodig hebben. Ict ondersteunt ons "
              "daarbij met adaptieve oefensoftware en met een digitaal overzicht van de leerdoelen."),
        ("h2", "Doel"),
        ("p", "We willen dat iedere leerling zich optimaal ontwikkelt en leert zelf keuzes te maken in "
              "het eigen leerproces. Leerlingen verschillen sterk in wat ze al kunnen; een aanbod voor de "
              "hele groep doet hen tekort."),
        ("h2", "Huidige situatie"),
        ("p", "De school werkt in de middenbouw en bovenbouw met stamgroepen van twee leerjaren. Voor "
              "rekenen en taal krijgen leerlingen instructie in groepen op niveau, die over de stamgroepen "
              "heen worden samengesteld. Leerlingen oefenen met adaptieve software en houden een weektaak "
              "bij. Het team is de laatste jaren sterk van samenstelling veranderd."),
        ("h2", "Gewenste situatie"),
        ("p", "Een rooster waarin instructie op niveau en werken in de stamgroep elkaar versterken, "
              "leerlingen die zelf zien welke doelen ze al beheersen, en een team dat de werkwijze deelt "
              "en aan nieuwe collega\u2019s kan overdragen."),
        ("h2", "Vraagstukken"),
        ("li", "Over welke competenties moeten leerkrachten beschikken om gepersonaliseerd leren tot een "
               "succes te maken? (niveau: leraar; rol: schoolleider)"),
        ("li2", "Belemmerend:"),
        ("li3", "weinig ervaring met gedifferentieerde instructie bij startende leerkrachten"),
        ("li2", "Bevorderend:"),
        ("li3", "collegiale consultatie tussen de bouwen"),
        ("li", "Hoe combineer je instructiegroepen op niveau met een vaste stamgroep in het weekrooster? "
               "(niveau: school; rol: schoolleider)"),
        ("li2", "Belemmerend:"),
        ("li3", "instructiemomenten van verschillende groepen overlappen"),
        ("li3", "weinig ruimtes voor instructie in kleine groepen"),
        ("li2", "Bevorderend:"),
        ("li3", "een vast dagritme dat voor alle groepen gelijk is"),
        ("li", "Hoe maken we voor leerlingen zichtbaar welke leerdoelen ze al beheersen? "
               "(niveau: leerling; rol: leraar)"),
        ("li2", "Belemmerend:"),
        ("li3", "de software toont voortgang in scores in plaats van in doelen"),
        ("li2", "Bevorderend:"),
        ("li3", "doelenmuur in de klas"),
        ("li", "Hoe werken we nieuwe leerkrachten en invallers snel in in onze manier van gepersonaliseerd "
               "werken? (niveau: team; rol: schoolleider)"),
        ("li2", "Belemmerend:"),
        ("li3", "veel personeelswisselingen"),
        ("li3", "de werkwijze staat nergens beschreven"),
        ("li2", "Bevorderend:"),
        ("li3", "een ervaren bouwcoördinator als aanspreekpunt"),
    ],
}


# --------------------------------------------------------------------------------------------
# Word: a note of the evidence library (inputs/kennis/), in the style of a Kennisrotonde answer
# --------------------------------------------------------------------------------------------

KENNIS_PRIVACY = {
    "title": "Kennisnotitie: privacy van leerlinggegevens in digitale leermiddelen",
    "date": dt.date(2022, 5, 9),
    "category": "notitie",
    "keywords": "privacy, leerlinggegevens, learning analytics",
    "blocks": [
        ("h1", "Van wie zijn de gegevens die leerlingen in digitale leermiddelen achterlaten?"),
        ("p", "Een antwoord in de stijl van de Kennisrotonde, geschreven voor de kennistafel Gepersonaliseerd "
              "leren met ict. Het vat gepubliceerd onderzoek en de geldende regels samen."),
        ("h2", "Vraag"),
        ("p", "Een schoolbestuur merkt dat adaptieve leermiddelen veel gegevens over leerlingen verzamelen: "
              "antwoorden, fouten, tijd per opgave. Van wie zijn die gegevens, wat mag de school ermee, en "
              "hoe gaat de school er zorgvuldig mee om?"),
        ("h2", "Kort antwoord"),
        ("p", "De gegevens gaan over de leerling; de school is er verantwoordelijk voor. Onder de Algemene "
              "verordening gegevensbescherming (AVG) is de school verwerkingsverantwoordelijke en de leverancier "
              "van het leermiddel verwerker: de leverancier mag de gegevens alleen gebruiken voor het doel dat de "
              "school met hem afspreekt, vastgelegd in een verwerkersovereenkomst. Scholen en leveranciers hebben "
              "daarvoor het Convenant Digitale Onderwijsmiddelen en Privacy opgesteld, met een model voor die overeenkomst."),
        ("h2", "Toelichting"),
        ("p", "Onderzoek naar learning analytics noemt dezelfde vragen: wie is eigenaar van de gegevens, weten "
              "leerlingen en ouders wat er wordt verzameld, en hoe voorkom je dat gegevens een leerling een "
              "etiket opplakken (Slade & Prinsloo, 2013). De DELICATE-checklist (Drachsler & Greller, 2016) "
              "helpt een school om vooraf vast te leggen waarvoor gegevens worden gebruikt, wie toegang heeft, "
              "hoe lang ze worden bewaard en welke afspraken met leveranciers nodig zijn."),
        ("li", "Verzamel alleen wat nodig is voor het leren (dataminimalisatie)."),
        ("li", "Leg per leermiddel vast welke gegevens de leverancier krijgt en waarvoor."),
        ("li", "Vertel leerlingen en ouders in begrijpelijke taal wat er met de gegevens gebeurt."),
        ("li", "Spreek af hoe lang gegevens bewaard blijven en wanneer ze worden verwijderd."),
        ("h2", "Welk onderzoek ontbreekt"),
        ("p", "Er is weinig onderzoek naar hoe leerlingen en ouders in het primair onderwijs het verzamelen van "
              "leergegevens ervaren, en naar wat scholen in de praktijk met de gegevens doen."),
    ],
}

_STYLES = {
    "h1": "Heading 1",
    "h2": "Heading 2",
    "p": "Normal",
    "li": "List Bullet",
    "li2": "List Bullet 2",
    "li3": "List Bullet 3",
}


def _at_nine(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, 0, 0)


def build_docx(spec: dict, path: Path) -> None:
    doc = Document()
    for kind, text in spec["blocks"]:
        doc.add_paragraph(text, style=_STYLES[kind])
    props = doc.core_properties
    props.title = spec["title"]
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.created = _at_nine(spec["date"])
    props.modified = _at_nine(spec["date"])
    props.last_printed = _at_nine(spec["date"])
    props.revision = 1
    props.category = spec["category"]
    props.subject = spec["title"]
    props.keywords = spec["keywords"]
    props.comments = ""
    props.language = "nl-NL"
    buf = io.BytesIO()
    doc.save(buf)
    _write_stable_zip(buf.getvalue(), path, spec["date"])


_MODIFIED = re.compile(rb"(<dcterms:modified\b[^>]*>)[^<]*(</dcterms:modified>)")


def _write_stable_zip(data: bytes, path: Path, day: dt.date) -> None:
    """Rewrite an OOXML zip with fixed timestamps, so a rerun gives identical bytes.

    openpyxl stamps docProps/core.xml with the time of saving; that is reset to the document date.
    """
    stamp = (day.year, day.month, day.day, 9, 0, 0)
    iso = f"{day.isoformat()}T09:00:00Z".encode()
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(lambda m: m[1] + iso + m[2], content)
            dst.writestr(zi, content)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


# --------------------------------------------------------------------------------------------
# Excel: a small question round among the werkplaats schools (December 2021)
# --------------------------------------------------------------------------------------------

XLSX_HEADER = ["Kennisvraag", "Sector", "Rol", "School", "Toelichting", "Datum"]
XLSX_ROWS = [
    ["Welke leraarcompetenties zijn nodig voor gepersonaliseerd leren met ict?", "po", "leraar",
     "De Verwondering", "Vooral het schakelen tussen instructie, begeleiding en data lezen."],
    ["Welke ervaringen uit het thuisonderwijs tijdens corona zijn bruikbaar om het leren meer te "
     "personaliseren?", "po", "schoolleider", "'t Panorama", None],
    ["Wat levert adaptief ICT-materiaal op voor de leerprestaties?", "po", "ict-coordinator", None,
     "Graag onderzoek dat verder gaat dan rekenen."],
    ["Hoe benut je als leerkracht het dashboard van de rekensoftware bij het plannen van de instructie?",
     "po", "leraar", None, None],
    ["Hoe regel je als bestuur de privacy bij het gebruik van learning analytics?", "po", "bestuurder",
     None, "Verwerkersovereenkomsten zijn niet genoeg."],
    ["Hoe laat je aan het toezicht zien dat leerlingen de kerndoelen halen als iedereen een eigen "
     "leerroute heeft?", "po", "schoolleider", None, None],
    ["Voor welke leerlingen is zelfstandig werken met adaptieve software juist niet geschikt?", "sbo",
     "ib-er", "SBO Carolus", None],
    ["Hoe combineer je digitaal oefenen met concreet en handelend leren bij jonge kinderen?", "po",
     "leraar", None, "Groep 1 tot en met 3."],
    ["Vanaf welke leeftijd kunnen kinderen eigenaarschap over hun leerproces aan?", "po", "leraar",
     "Adelbrecht Windekind", None],
    ["Wat is het effect van adaptieve leermiddelen op de motivatie van leerlingen?", "so", "leraar",
     "De Onderwijsspecialisten", None],
]


def build_xlsx(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Vragen"
    ws.append(XLSX_HEADER)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, row in enumerate(XLSX_ROWS):
        ws.append([*row, dt.datetime(2021, 12, 6 + n // 3, 9 + n, 5 * n % 60)])
        ws.cell(row=ws.max_row, column=len(XLSX_HEADER)).number_format = "dd-mm-yyyy hh:mm"
    for col, width in zip("ABCDEF", (90, 10, 16, 26, 50, 18)):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    day = dt.date(2021, 12, 10)
    wb.properties.title = "Vragenronde werkplaatsscholen december 2021"
    wb.properties.creator = AUTHOR
    wb.properties.lastModifiedBy = AUTHOR
    wb.properties.created = _at_nine(day)
    wb.properties.modified = _at_nine(day)
    wb.properties.language = "nl-NL"
    buf = io.BytesIO()
    wb.save(buf)
    _write_stable_zip(buf.getvalue(), path, day)


# --------------------------------------------------------------------------------------------
# CSV: the spring 2022 survey, as Excel ("CSV UTF-8", Dutch locale) writes it
# --------------------------------------------------------------------------------------------

CSV_HEADER = ["respondent", "datum", "school", "sector", "rol", "vraag", "toelichting"]
CSV_ROWS = [
    ["1", "7-3-2022", "De Verwondering", "po", "leraar",
     "Welke competenties moeten de leerkrachten hebben om gepersonaliseerd leren te laten slagen?",
     "Deze vraag kwam vorig jaar al op tafel en is nog steeds actueel."],
    ["2", "7-3-2022", "", "po", "leraar",
     "over welke vaardigheden moet een docent beschikken om het onderwijs te personaliseren?", ""],
    ["3", "8-3-2022", "De Onderwijsspecialisten", "so", "schoolleider",
     "Is gepersonaliseerd leren in het speciaal onderwijs eigenlijk haalbaar, en is het wenselijk?",
     "Onze leerlingen hebben veel structuur nodig; te veel keuze werkt averechts."],
    ["4", "8-3-2022", "", "vso", "leraar",
     "Kan het vso leerlingen een leeraanbod op maat bieden, en willen we dat wel?", ""],
    ["5", "8-3-2022", "SBO Carolus", "sbo", "leraar",
     "Hoe krijgen leerlingen meer regie over hun eigen ontwikkeling?", ""],
    ["6", "9-3-2022", "", "po", "ict-coordinator",
     "Wat nemen we mee uit de coronatijd voor het gebruik van ict in de klas?",
     "Tijdens de lockdown konden veel meer kinderen zelfstandig werken dan we dachten."],
    ["7", "9-3-2022", "De Verwondering", "po", "schoolleider",
     "Welke inrichting van de ruimte (leerplein, stiltehoek, instructieplek) past bij gepersonaliseerd leren?",
     ""],
    ["8", "10-3-2022", "'t Panorama", "po", "schoolleider",
     "Hoe stap je af van het leerstofjaarklassensysteem zonder dat de organisatie vastloopt?", ""],
    ["9", "10-3-2022", "", "po", "leraar",
     "Leren kinderen echt meer met adaptieve software dan met de methode op papier?",
     "Ouders vragen me dit regelmatig."],
    ["9", "10-3-2022", "", "po", "leraar",
     "Verlicht adaptieve software de werkdruk van leerkrachten of neemt die juist toe?",
     "Nakijken gaat sneller, maar het voorbereiden kost meer tijd."],
    ["10", "11-3-2022", "", "po", "ib-er",
     "Presteren leerlingen beter bij rekenen als ze met een adaptief oefenprogramma werken?", ""],
    ["11", "14-3-2022", "", "po", "leraar",
     "welke informatie op het dashboard helpt mij als leerkracht om tijdens de les bij te sturen?", ""],
    ["12", "14-3-2022", "", "po", "leraar",
     "Wat moet een leerlingdashboard laten zien zodat kinderen zelf kunnen zien waar ze staan?", ""],
    ["13", "14-3-2022", "SBO Carolus", "sbo", "leraar",
     "Hoe kunnen leerlingen zelf hun voortgang bijhouden in een digitaal portfolio?", ""],
    ["14", "15-3-2022", "", "po", "bestuurder",
     "Hoe gaan we zorgvuldig om met de privacy van leerlinggegevens in digitale leermiddelen?",
     "Denk aan de AVG en aan wat leveranciers \"anoniem\" noemen."],
    ["15", "15-3-2022", "", "so", "ict-coordinator",
     "Wat mogen leveranciers van leermiddelen met de gegevens van onze leerlingen doen?", ""],
    ["16", "16-3-2022", "", "po", "leraar", "hoe krijg ik overzicht als elk kind iets anders doet?", ""],
    ["17", "16-3-2022", "'t Panorama", "po", "ib-er",
     "Hoe volgen en sturen we het leerproces wanneer leerlingen hun eigen weekplanning maken?", ""],
    ["18", "17-3-2022", "", "po", "schoolleider",
     "Hoe leg je verantwoording af over de opbrengsten als het onderwijsaanbod per leerling verschilt?", ""],
    ["19", "17-3-2022", "", "po", "schoolleider",
     "Welke manier van professionaliseren werkt het best om een heel team gepersonaliseerd te leren "
     "werken: studiedagen, coaching of een leerteam?", ""],
    ["20", "18-3-2022", "", "po", "bestuurder",
     "Hoe voorkom je dat de vernieuwing staat of valt met één of twee trekkers in het team?", ""],
    ["21", "21-3-2022", "Adelbrecht Windekind", "po", "leraar",
     "Hoe zorg je dat de visie op gepersonaliseerd leren door het hele team gedragen wordt?", ""],
    ["22", "21-3-2022", "", "sbo", "leraar",
     "Werkt gepersonaliseerd leren ook voor kinderen die moeite hebben met plannen en zelfstandig werken?",
     ""],
    ["23", "22-3-2022", "", "po", "ict-coordinator",
     "Welke criteria gebruik je om digitale leermiddelen voor gepersonaliseerd leren te selecteren?", ""],
    ["24", "22-3-2022", "", "po", "schoolleider", "Hoe kies je als school goede adaptieve software?", ""],
    ["25", "23-3-2022", "", "po", "leraar",
     "Hoeveel schermtijd is verantwoord als kinderen een groot deel van de dag met ict leren?",
     "Sommige ouders maken zich zorgen, anderen juist niet."],
    ["26", "23-3-2022", "De Verwondering", "po", "leraar",
     "Hoe leg je ouders uit waarom hun kind niet meer met de hele groep dezelfde methode doorloopt?", ""],
    ["27", "24-3-2022", "", "po", "leraar",
     "Hoe organiseer je de technische ondersteuning van de chromebooks als er geen ict-coördinator op "
     "school is?", ""],
    ["28", "24-3-2022", "", "po", "bestuurder",
     "Wat kost gepersonaliseerd leren met ict een school structureel aan licenties en apparaten?", ""],
    ["29", "25-3-2022", "", "po", "ib-er",
     "Hoe ondersteun je leerlingen met dyslexie bij het lezen van instructies in digitale leermiddelen?", ""],
    ["30", "28-3-2022", "", "so", "leraar",
     "Hoe houd je zicht op het welbevinden van leerlingen die veel zelfstandig achter een scherm werken?",
     ""],
    ["31", "28-3-2022", "", "po", "ict-coordinator",
     "Hoe zet je programmeren en computational thinking in binnen een gepersonaliseerd aanbod?", ""],
    ["32", "29-3-2022", "SBO Carolus", "sbo", "ib-er",
     "Welke rol heeft de intern begeleider bij gepersonaliseerd leren?", ""],
    ["33", "30-3-2022", "", "po", "leraar",
     "Hoe voorkom je dat leerlingen alleen nog taakjes afvinken in de oefensoftware?", ""],
]


def build_csv(path: Path) -> None:
    """Rows in the order respondents answered; ``datum`` as Excel shows a date cell (d-m-jjjj)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_HEADER)
    writer.writerows(CSV_ROWS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=Path, default=ROOT / "inputs", help="map met de invoer (standaard: inputs/)")
    args = parser.parse_args()
    inputs: Path = args.inputs
    targets = {
        inputs / "meetings" / "2021-11-22-vijfde-bijeenkomst.docx": lambda p: build_docx(MEETING_5, p),
        inputs / "cases" / "adelbrecht-windekind.docx": lambda p: build_docx(CASE_WINDEKIND, p),
        inputs / "surveys" / "vragenronde-werkplaats-2021-12.xlsx": build_xlsx,
        inputs / "surveys" / "peiling-2022-voorjaar.csv": build_csv,
        inputs / "kennis" / "notities" / "privacy-leerlinggegevens.docx": lambda p: build_docx(KENNIS_PRIVACY, p),
    }
    for path, build in targets.items():
        build(path)
        print(path)


if __name__ == "__main__":
    main()
