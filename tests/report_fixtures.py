"""A realistic sample Agenda for the publish-stage tests (and for looking at the report).

Modelled on the Kennistafel Gepersonaliseerd leren met ict (2021-2022): seven meetings,
five school cases and one survey export; 18 questions in five themes plus one without a
theme; curator exclusions, rejected input files and the changes against a previous version.

    python -m tests.report_fixtures OUT_DIR     # writes the sample report
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

from agenda.models import (
    Agenda,
    AgendaItem,
    Changes,
    ExcludedItem,
    FrequencyChange,
    Knowledge,
    MentionRef,
    Merge,
    RankMove,
    Rejection,
    SourceKind,
    SourceRef,
)

TABLE = "Kennistafel Gepersonaliseerd leren met ict"

# (key, path, kind, title, date, school, sector)
_SOURCES = [
    ("m1", "meetings/2021-01-28-startbijeenkomst.md", "meeting", "Startbijeenkomst kennistafel", dt.date(2021, 1, 28), None, None),
    ("m2", "meetings/2021-03-25-tweede-bijeenkomst.docx", "meeting", "Tweede bijeenkomst: van praktijkvragen naar kennisvragen", dt.date(2021, 3, 25), None, None),
    ("m3", "meetings/2021-06-23-derde-bijeenkomst.md", "meeting", "Derde bijeenkomst kennistafel", dt.date(2021, 6, 23), None, None),
    ("m4", "meetings/2021-09-13-vierde-bijeenkomst.md", "meeting", "Vierde bijeenkomst kennistafel", dt.date(2021, 9, 13), None, None),
    ("m5", "meetings/2021-11-22-vijfde-bijeenkomst.docx", "meeting", "Vijfde bijeenkomst kennistafel", dt.date(2021, 11, 22), None, None),
    ("m6", "meetings/2022-02-10-zesde-bijeenkomst.md", "meeting", "Zesde bijeenkomst kennistafel", dt.date(2022, 2, 10), None, None),
    ("m7", "meetings/2022-04-14-zevende-bijeenkomst.md", "meeting", "Zevende bijeenkomst kennistafel", dt.date(2022, 4, 14), None, None),
    ("c1", "cases/de-verwondering.yaml", "case", "Casus De Verwondering (Conexus)", dt.date(2021, 9, 28), "De Verwondering", "po"),
    ("c2", "cases/t-panorama.yaml", "case", "Casus basisschool 't Panorama (Flores)", dt.date(2021, 10, 5), "'t Panorama", "po"),
    ("c3", "cases/sbo-carolus.yaml", "case", "Casus SBO Carolus (SPOG)", dt.date(2021, 10, 12), "SBO Carolus", "sbo"),
    ("c4", "cases/signum-rosmalen.md", "case", "Casus Signum onderwijs Rosmalen", dt.date(2021, 10, 19), "Signum Rosmalen", "po"),
    ("c5", "cases/onderwijsspecialisten.docx", "case", "Casus De Onderwijsspecialisten", dt.date(2021, 11, 2), "De Onderwijsspecialisten", "so"),
    ("s1", "surveys/enquete-leraren-2022.xlsx", "survey", "Enquête kennisvragen leraren 2022", dt.date(2022, 3, 1), None, None),
]

# (theme, question_type, question, [variants], [(source key, sector, role, level)], knowledge)
_QUESTIONS: list[tuple] = [
    ("Eigenaarschap van leerlingen", "Hoe-vraag",
     "Hoe houden leerlingen zelf zicht op hun leerdoelen en hun voortgang?",
     ["Hoe houden leerlingen zelf zicht op hun leerdoelen?",
      "Hoe krijgen kinderen inzicht in hun eigen voortgang met de leerlijnen?",
      "Welke tools helpen leerlingen om hun doelen te volgen?"],
     [("m2", "po", "leraar", "leerling"), ("m3", "po", "schoolleider", "leerling"), ("c1", "po", "leraar", "leerling"),
      ("c2", "po", "leraar", "leerling"), ("c4", "po", "ict-coördinator", "leerling"), ("s1", "po", "leraar", "leerling"),
      ("s1", "vo", "leraar", "leerling"), ("m6", "so", "onderzoeker", "leerling")],
     Knowledge(known="Overzichtsstudie Kennisrotonde (2020) naar zelfregulatie en leerdashboards in het po.",
               accessible="Handreiking voor teams met voorbeelden van leerdoelenborden.",
               research_needed="Effect van leerling-dashboards op zelfregulatie bij jonge kinderen.")),
    ("Professionalisering van leraren en teams", "Wat-vraag",
     "Welke competenties hebben leraren nodig om gepersonaliseerd leren met ict te laten slagen?",
     ["Welke competenties moeten de leerkrachten hebben om gepersonaliseerd leren te laten slagen?",
      "Wat moet een leraar kunnen om met adaptieve software te werken?"],
     [("m1", "po", "schoolleider", "leraar"), ("m2", "po", "onderzoeker", "leraar"), ("m4", "vo", "leraar", "leraar"),
      ("c1", "po", "schoolleider", "team"), ("c3", "sbo", "schoolleider", "leraar"), ("s1", "po", "leraar", "leraar"),
      ("s1", "mbo", "leraar", "leraar")],
     Knowledge(known="Bekwaamheidseisen en het TPACK-model; onderzoek Werkplaats Gepersonaliseerd leren met ict.")),
    ("Ict-middelen en data", "Hoe-vraag",
     "Hoe gebruik je de data uit adaptieve leermiddelen om je onderwijs bij te sturen?",
     ["Hoe gebruik je de data uit adaptieve leermiddelen om je onderwijs bij te sturen?",
      "Wat doe je als leerkracht met de dashboards van Snappet en Gynzy?"],
     [("m3", "po", "leraar", "leraar"), ("m5", "po", "onderzoeker", "leraar"), ("c2", "po", "leraar", "leraar"),
      ("c4", "po", "leraar", "leraar"), ("s1", "po", "leraar", "leraar"), ("s1", "po", "intern begeleider", "leraar")],
     Knowledge()),
    ("Organisatie en leeromgeving", "Hoe-vraag",
     "Hoe richt je leerpleinen en flexibele groeperingsvormen in zodat elke leerling op zijn niveau werkt?",
     ["Hoe richt je leerpleinen in?", "Hoe organiseer je flexibele groepen over jaargroepen heen?"],
     [("m2", "po", "schoolleider", "school"), ("c1", "po", "leerpleincoördinator", "school"),
      ("c3", "sbo", "schoolleider", "school"), ("c4", "po", "schoolleider", "school"), ("m7", "po", "schoolleider", "school")],
     Knowledge(accessible="Praktijkpublicatie 'Aan tafel bij scholen' (2022).")),
    ("Eigenaarschap van leerlingen", "Hoe-vraag",
     "Hoe voer je kindgesprekken over leerdoelen als daar in de week weinig tijd voor is?",
     ["Hoe voer je kindgesprekken als er te weinig tijd is?", "Wanneer vind je tijd voor gesprekken over leerdoelen?"],
     [("c1", "po", "leraar", "leerling"), ("c2", "po", "leraar", "leerling"), ("m4", "po", "leraar", "leerling"),
      ("s1", "po", "leraar", "leerling"), ("s1", "so", "leraar", "leerling")],
     Knowledge()),
    ("Differentiatie en inclusie", "Wat-vraag",
     "Wat vraagt gepersonaliseerd leren met ict van het speciaal (basis)onderwijs?",
     ["Werkt gepersonaliseerd leren ook voor leerlingen in het so en vso?",
      "Wat vraagt gepersonaliseerd leren van het sbo?"],
     [("c3", "sbo", "schoolleider", "school"), ("c5", "so", "ict-coördinator", "school"), ("m5", "vso", "onderzoeker", "school"),
      ("m6", "so", "leraar", "leerling")],
     Knowledge(known="Weinig onderzoek specifiek voor so/vso; wel casuïstiek uit de Werkplaats.")),
    ("Professionalisering van leraren en teams", "Hoe-vraag",
     "Hoe neem je het hele team mee in de verandering naar gepersonaliseerd leren?",
     ["Hoe neem je het hele team mee in de verandering?", "Hoe zorg je voor draagvlak in het team?"],
     [("m1", "po", "schoolleider", "team"), ("c2", "po", "schoolleider", "team"), ("c4", "po", "innovator", "team"),
      ("m7", "po", "schoolleider", "team")],
     Knowledge()),
    ("Ict-middelen en data", "Wat-vraag",
     "Welke eisen stel je aan adaptieve leermiddelen voordat je ze aanschaft?",
     ["Welke eisen stel je aan adaptieve software bij de aanschaf?"],
     [("m3", "po", "bovenschools ict'er", "bestuur"), ("c5", "so", "ict-coördinator", "school"),
      ("s1", "vo", "ict-coördinator", "school")],
     Knowledge()),
    ("Differentiatie en inclusie", "Hoe-vraag",
     "Hoe zorg je dat sterke én zwakke leerlingen profiteren van gepersonaliseerd leren?",
     ["Hoe zorg je dat ook de zwakke leerlingen profiteren?", "Wat doe je met leerlingen die al verder zijn?"],
     [("m2", "po", "leraar", "leerling"), ("s1", "po", "leraar", "leerling"), ("s1", "vo", "leraar", "leerling")],
     Knowledge()),
    ("Organisatie en leeromgeving", "Wat-vraag",
     "Wat is de rol van het schoolbestuur bij het invoeren van gepersonaliseerd leren met ict?",
     ["Wat is de rol van het bestuur?"],
     [("m1", None, "bestuurder", "bestuur"), ("m6", "po", "bovenschools ict'er", "bestuur"), ("c3", "sbo", "schoolleider", "bestuur")],
     Knowledge()),
    ("Eigenaarschap van leerlingen", "Wat-vraag",
     "Wat verstaan leerlingen zelf onder eigenaarschap van hun leren?",
     ["Wat verstaan leerlingen zelf onder eigenaarschap?"],
     [("m4", "po", "onderzoeker", "leerling"), ("c2", "po", "leraar", "leerling")],
     Knowledge()),
    ("Ict-middelen en data", "Hoe-vraag",
     "Hoe ga je om met privacy en de AVG bij het verzamelen van leerlingdata?",
     ["Hoe ga je om met privacy bij leerlingdata?"],
     [("m5", "po", "bovenschools ict'er", "bestuur"), ("s1", "vo", "ict-coördinator", "school")],
     Knowledge()),
    ("Professionalisering van leraren en teams", "Hoe-vraag",
     "Hoe leer je als team van elkaar bij het ontwerpen van gepersonaliseerde lessen?",
     ["Hoe leer je van elkaar bij het ontwerpen van lessen?"],
     [("c4", "po", "leraar", "team"), ("m6", "po", "leraar", "team")],
     Knowledge()),
    ("Organisatie en leeromgeving", "Hoe-vraag",
     "Hoe betrek je ouders bij gepersonaliseerd leren met ict?",
     ["Hoe betrek je ouders erbij?"],
     [("c1", "po", "schoolleider", "school"), ("s1", "po", "leraar", "school")],
     Knowledge()),
    ("Differentiatie en inclusie", "Wat-vraag",
     "Wat betekent gepersonaliseerd leren voor de overgang van po naar vo?",
     ["Wat betekent het voor de overstap naar het vo?"],
     [("m7", "vo", "onderzoeker", "school"), ("s1", "vo", "mentor", "leerling")],
     Knowledge()),
    (None, "Wat-vraag",
     "Welke definitie van gepersonaliseerd leren hanteren scholen eigenlijk?",
     ["Welke definitie van gepersonaliseerd leren hanteren we?"],
     [("m1", None, "onderzoeker", "school"), ("c5", "so", "ict-coördinator", "school")],
     Knowledge(known="Definities uit de casusbeschrijvingen; literatuur over personalised learning (2017-2021).")),
    ("Ict-middelen en data", "Hoe-vraag",
     "Hoe zorg je voor een betrouwbare ict-infrastructuur in de klas?",
     ["Hoe zorg je dat de wifi en de devices het gewoon doen?"],
     [("c5", "so", "ict-coördinator", "school")],
     # raised once, yet the curator filled in what is known: the compact table must show it
     Knowledge(known="Kennisnet-monitor ict-basis op orde (2021).")),
    (None, "Hoe-vraag",
     "Hoe meet je of gepersonaliseerd leren het leren van leerlingen verbetert?",
     ["Hoe meet je of het werkt?"],
     [("m6", "po", "onderzoeker", "school")],
     Knowledge()),
]

_HOSTILE = [
    ("Veiligheid", "Wat-vraag", "Wat gebeurt er met {{ 7*7 }} en <script>alert(1)</script> in een vraag?",
     ["Wat gebeurt er met {{ 7*7 }} en <script>alert(1)</script> in een vraag?\x0b"],
     [("s1", "po", "leraar", "leerling")], Knowledge()),
    ("Veiligheid", "Wat-vraag", "=HYPERLINK(\"http://x\",\"klik\") werkt dit?",
     ["=HYPERLINK(\"http://x\",\"klik\") werkt dit?"],
     [("s1", "po", "leraar", "leerling")], Knowledge()),
]


def _hid(prefix: str, *parts: object) -> str:
    return prefix + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:6]


def _source_map() -> dict[str, dict]:
    return {k: dict(id=_hid("S-", p), path=p, kind=SourceKind(kind), title=t, date=d, school=sch, sector=sec)
            for k, p, kind, t, d, sch, sec in _SOURCES}


def _build_items(questions: list[tuple]) -> list[AgendaItem]:
    sources = _source_map()
    items = []
    for (theme, qtype, question, variants, uses, knowledge) in questions:
        cid = _hid("Q-", question)
        mentions = []
        for mi, (skey, sector, role, level) in enumerate(uses):
            s = sources[skey]
            text = variants[mi % len(variants)]
            mentions.append(MentionRef(
                id=_hid("M-", s["path"], text, mi), text=text, source=s["title"], source_id=s["id"],
                source_path=s["path"], kind=s["kind"], date=s["date"],
                sectors=[sector] if sector else [], roles=[role], level=level, school=s["school"]))
        # a survey respondent counts as a distinct source
        distinct = {(m.source_id, i if m.kind == SourceKind.survey else 0) for i, m in enumerate(mentions)}
        kinds = Counter()
        for sid, _ in distinct:
            kinds[next(m.kind.value for m in mentions if m.source_id == sid)] += 1
        schools = sorted({m.school for m in mentions if m.school})
        sectors = sorted({s for m in mentions for s in m.sectors})
        roles = Counter(r for m in mentions for r in m.roles)
        levels = sorted({m.level for m in mentions if m.level})
        score = len(distinct) * 1.0 + len(schools) * 0.5 + (len(kinds) - 1) * 0.5 + len(sectors) * 1.0 \
            + len(roles) * 0.5 + len(levels) * 0.25
        kind_nl = {"meeting": ("bijeenkomst", "bijeenkomsten"), "case": ("casus", "casussen"),
                   "survey": ("enquêterespondent", "enquêterespondenten")}
        per_kind = ", ".join(f"{n} {kind_nl[k][n != 1]}" for k, n in sorted(kinds.items()))
        explanation = (f"Genoemd in {len(distinct)} bronnen ({per_kind}), op {len(schools)} scholen, in "
                       f"{len(sectors)} sectoren, door {len(roles)} rollen en op {len(levels)} niveaus; "
                       f"score {score:.2f}".replace(".", ",") + ".")
        items.append(AgendaItem(
            rank=0, cluster_id=cid, question=question, score=round(score, 2), frequency=len(distinct),
            n_mentions=len(mentions), n_schools=len(schools), kinds=dict(kinds),
            sources=sorted({m.source for m in mentions}),
            contexts={"sector": sectors, "role": sorted(roles), "level": levels},
            role_counts=dict(roles), explanation=explanation, theme=theme, question_type=qtype,
            knowledge=knowledge, mentions=mentions))
    items.sort(key=lambda i: (-i.score, i.cluster_id))
    for rank, item in enumerate(items, 1):
        item.rank = rank
    return items


def tiny_png() -> bytes:
    """A 2x2 PNG: stands in for the charts in tests that do not look at them (faster)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (2, 2), "white").save(buf, format="PNG")
    return buf.getvalue()


def sample_agenda(*, hostile: bool = False, first_version: bool = False, label: str = "2026-Q4") -> Agenda:
    """A realistic Agenda: 18 items (20 with ``hostile``), themes, exclusions, rejections, changes."""
    questions = list(_QUESTIONS) + (list(_HOSTILE) if hostile else [])
    items = _build_items(questions)
    by_q = {i.question: i for i in items}
    sources = _source_map()
    n_per_source = Counter(m.source_id for i in items for m in i.mentions)
    source_refs = [SourceRef(id=s["id"], path=s["path"], kind=s["kind"], title=s["title"], date=s["date"],
                             n_mentions=n_per_source.get(s["id"], 0)) for s in sources.values()]

    new_q = by_q["Hoe ga je om met privacy en de AVG bij het verzamelen van leerlingdata?"]
    new2 = by_q["Hoe meet je of gepersonaliseerd leren het leren van leerlingen verbetert?"]
    moved = by_q["Hoe gebruik je de data uit adaptieve leermiddelen om je onderwijs bij te sturen?"]
    moved2 = by_q["Wat vraagt gepersonaliseerd leren met ict van het speciaal (basis)onderwijs?"]
    merged = by_q["Hoe richt je leerpleinen en flexibele groeperingsvormen in zodat elke leerling op zijn niveau werkt?"]
    changes = Changes() if first_version else Changes(
        previous="2026-Q3",
        new=[new_q, new2],
        dropped=[AgendaItem(rank=14, cluster_id="Q-0d1e2f", question="Hoe plan je de inzet van chromebooks per groep?",
                            score=2.75, frequency=1, n_mentions=1, explanation="Genoemd in 1 bron.")],
        moves=[RankMove(cluster_id=moved.cluster_id, question=moved.question, old_rank=6, new_rank=moved.rank),
               RankMove(cluster_id=moved2.cluster_id, question=moved2.question, old_rank=4, new_rank=moved2.rank)],
        frequency=[FrequencyChange(cluster_id=moved.cluster_id, question=moved.question, old=4, new=moved.frequency)],
        merges=[Merge(into=merged.cluster_id, question=merged.question, merged=["Q-4a5b6c", "Q-7d8e9f"])],
    )
    return Agenda(
        label=label,
        title="Kennisagenda gepersonaliseerd leren met ict",
        knowledge_table=TABLE,
        built_at=dt.datetime(2026, 11, 23, 9, 30),
        input_fingerprint="f" * 64,
        content_hash="c" * 64,
        items=items,
        excluded=[
            ExcludedItem(cluster_id="Q-77aa01", question="Hoe laat begint de volgende bijeenkomst?",
                         why="organisatorische vraag, geen kennisvraag", n_mentions=2),
            ExcludedItem(cluster_id="Q-88bb02", question="Welke laptop is het goedkoopst?",
                         why="buiten scope: inkoopvraag", n_mentions=1),
        ],
        sources=source_refs,
        rejected=[
            Rejection(file="meetings/verslag-achtste-bijeenkomst.docx", line=None,
                      reason="Beschadigd Word-bestand: het zip-archief kan niet worden geopend."),
            Rejection(file="surveys/enquete-ouders.csv", line=14,
                      reason="Onbekende tekstcodering; sla het bestand op als UTF-8."),
            Rejection(file="cases/casus-orion.yaml", line=7,
                      reason="Ongeldige YAML: een dubbele punt ontbreekt na 'sector'."),
        ],
        candidates=11,
        changes=changes,
        curation_notes=[
            "curation.yaml: samenvoegen [Q-123abc, Q-1a2b3c] genoemd, maar Q-123abc bestaat niet (meer); besluit overgeslagen.",
            "curation.yaml: kennis voor Q-999999 opgegeven, maar die vraag bestaat niet (meer).",
        ],
        settings={
            "rank": {"sources": 1.0, "schools": 0.5, "kinds": 0.5, "sectors": 1.0, "roles": 0.5,
                     "levels": 0.25, "role_cap": 0.5, "recency_half_life_days": None},
            "reviewed_by": ["Marijke Kral", "Manon van Zanten"],
        },
    )


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    from agenda.report import write_outputs

    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/r")
    for p in write_outputs(sample_agenda(hostile="--hostile" in sys.argv), out):
        print(p)
