"""Issue 18: research need, accessibility and who was heard are derived domain values, the same
in the JSON export and the Word report."""

from __future__ import annotations

import json

from docx import Document

from agenda.engagement import engagement, fill_groups, role_plural
from agenda.models import EvidenceRef, Knowledge
from agenda.needs import derive, fill_needs, question_kind
from agenda.report import complete, write_outputs
from tests.report_fixtures import sample_agenda


def _item(question: str, qtype: str | None = None, **kw):
    item = sample_agenda().items[0].model_copy(deep=True)
    item.question, item.question_type, item.evidence, item.knowledge = question, qtype, [], Knowledge()
    for k, v in kw.items():
        setattr(item, k, v)
    return item


def test_how_questions_are_not_effect_questions_and_read_as_dutch():
    """Found reading the sample report: 'werken' (aan doelen, achter een scherm) and 'vergroot'
    made practical how-questions ask for experiments, and an unlisted verb stayed in front of
    the subject ('onderwerp: volg je de ontwikkeling …', 'criteria die je gebruik')."""
    practical = "praktisch (implementatie)"
    for q in ("Hoe volg je de ontwikkeling van leerlingen als ze allemaal aan verschillende doelen werken?",
              "Hoe vergroot je het eigenaarschap van leerlingen over hun eigen leerproces?",
              "Hoe houd je zicht op het welbevinden van leerlingen die veel zelfstandig achter een scherm werken?"):
        item = _item(q, practical)
        need, _ = derive(item, library_size=40)
        assert question_kind(item) == "how" and need.kind == "praktijkgericht onderzoek", q
    assert question_kind(_item("Welke informatie op het dashboard helpt mij bij de instructie?",
                               "instrumenteel")) == "tool"
    assert question_kind(_item("Wat is het effect van dashboards op de instructie?", practical)) == "effect"

    def subject(q, qtype=practical):
        return derive(_item(q, qtype), library_size=40)[0].subject

    assert subject("Hoe volg je de ontwikkeling van leerlingen als ze allemaal aan verschillende doelen "
                   "werken?") == "hoe je de ontwikkeling van leerlingen volgt"
    assert subject("Hoe leg je verantwoording af over de opbrengsten?") == \
        "hoe je verantwoording over de opbrengsten aflegt"
    assert subject("Hoe voorkom je dat leerlingen alleen nog taakjes afvinken?") == \
        "hoe je voorkomt dat leerlingen alleen nog taakjes afvinken"
    assert subject("Welke criteria gebruik je om digitale leermiddelen te selecteren?", "instrumenteel") == "criteria"
    assert subject("Welke rol kan kunstmatige intelligentie spelen bij het samenstellen van leerroutes?",
                   "instrumenteel") == "rol die kunstmatige intelligentie kan spelen bij het samenstellen van leerroutes"
    assert subject("Verlicht adaptieve software de werkdruk of neemt die juist toe?", "kennisvraag") == \
        "Verlicht adaptieve software de werkdruk of neemt die juist toe"

    one = EvidenceRef(id="K-1", title="Dashboards in de klas", authors=["Jansen, A."], year=2020)
    need, access = derive(_item("Hoe gebruik je een dashboard?", practical, evidence=[one]), library_size=40)
    assert access.startswith("Na beoordeling van de gevonden bron:")  # not 'de 1 gevonden bron'
    assert need.advice.startswith("Eerst beoordelen of de gevonden bron de vraag beantwoordt;")


def test_kind_of_research_follows_question_type_and_evidence():
    effect = _item("Wat is het effect van adaptieve software op de motivatie van leerlingen?", "kennisvraag")
    assert question_kind(effect) == "effect"
    need, access = derive(effect, library_size=40)
    assert need.kind == "effectonderzoek" and "quasi-experimenteel" in need.advice
    assert need.subject == "adaptieve software" and "motivatie" in need.outcome
    assert access.startswith("Na onderzoek")

    how = _item("Hoe voer je kindgesprekken als daar weinig tijd voor is?", "praktisch (implementatie)")
    need, _ = derive(how, library_size=40)
    assert question_kind(how) == "how" and need.kind == "praktijkgericht onderzoek"
    assert need.subject == "kindgesprekken" and "werkdruk" in need.outcome

    ref = EvidenceRef(id="K-1", title="Kindgesprekken in de praktijk", authors=["Jansen, A."], year=2020)
    answered = _item("Hoe voer je kindgesprekken?", "praktisch (implementatie)",
                     evidence=[ref.model_copy(update={"status": "answers"})])
    need, access = derive(answered, library_size=40)
    assert need.kind == "geen nieuw onderzoek" and "Jansen (2020)" in need.advice
    assert "Kennisrotonde" in access and "Jansen" in access

    partly = _item("Hoe voer je kindgesprekken?", "praktisch (implementatie)",
                   evidence=[ref.model_copy(update={"status": "confirmed"})])
    need, access = derive(partly, library_size=40)
    assert need.kind == "aanvullend onderzoek" and "openlaten" in need.advice
    assert "handreiking" in access


def test_curator_text_wins_and_is_not_a_proposal():
    item = _item("Hoe betrek je ouders?", knowledge=Knowledge(research_needed="Ontwerponderzoek met 4 scholen.",
                                                            accessible="Een webinar voor ouders."))
    fill_needs([item], library_size=10)
    assert item.research_need.text == "Ontwerponderzoek met 4 scholen." and not item.research_need.proposal
    assert item.accessibility == "Een webinar voor ouders."


def test_engagement_counts_groups_and_flags_missing_and_thin_ones():
    agenda = sample_agenda()
    fill_groups(agenda.items)
    e = engagement(agenda.items, agenda.answered, expected_roles=["Leerkracht", "ouder"], expected_sectors=["po", "mbo"])
    roles = {r.group: r for r in e.roles}
    assert roles["leraar"].formulations == sum("leraar" in m.roles for i in agenda.items for m in i.mentions)
    assert e.formulations == sum(len(i.mentions) for i in [*agenda.items, *agenda.answered])
    assert e.expected_roles == ["leraar", "ouder"] and e.missing_roles == ["ouder"]  # normalised, then judged
    assert "mbo" in e.thin_sectors and not e.missing_sectors
    top = next(t for t in e.top_per_group if t.group == "leraar")
    assert len(top.questions) <= 5 and top.voices == sorted(top.voices, reverse=True)
    assert all(len(i.groups) == 1 for i in agenda.items if i.cluster_id in e.single_group)
    assert role_plural("ict-coördinator") == "ict-coördinatoren" and role_plural("leraar") == "leraren"


def test_older_version_judges_groups_against_the_settings(tmp_path):
    """A version stored before it had an engagement summary gets one on reading (`show`, `publish`,
    an unchanged build's report): judged against expected_roles / expected_sectors, as a build does."""
    agenda = sample_agenda()
    assert not agenda.engagement.formulations  # as stored before the summary existed
    paths = write_outputs(agenda, tmp_path, expected_roles=["leerkracht", "ouder"], expected_sectors=["po", "mbo"])
    data = json.loads(next(p for p in paths if p.suffix == ".json").read_text(encoding="utf-8"))
    e = data["engagement"]
    assert e["expected_roles"] == ["leraar", "ouder"] and e["missing_roles"] == ["ouder"]
    assert e["expected_sectors"] == ["po", "mbo"] and "mbo" in e["missing_sectors"] + e["thin_sectors"]
    body = "\n".join(p.text for p in Document(str(paths[0])).paragraphs)
    assert "ouders" in body.split("Wie zijn er gehoord")[-1]  # the missing group is named in the report
    plain = complete(sample_agenda())  # no settings: judged against what the inputs show, nothing missing
    assert not plain.engagement.missing_roles and not plain.engagement.expected_roles


def test_json_export_and_report_read_the_same_values(tmp_path):
    agenda = complete(sample_agenda())
    paths = write_outputs(agenda, tmp_path)
    data = json.loads(next(p for p in paths if p.suffix == ".json").read_text(encoding="utf-8"))
    assert data["engagement"]["roles"] and {"group", "sources", "respondents", "formulations"} <= set(data["engagement"]["roles"][0])
    assert all(i["research_need"]["text"] and i["accessibility"] for i in data["items"])
    assert all("groups" in i for i in data["items"])
    doc = Document(str(paths[0]))
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Wie zijn er gehoord" in body and "Wat elke groep voorop zet" in body
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    for item in [i for i in agenda.items if i.frequency >= 2][:10]:
        assert item.research_need.text in cells and item.accessibility in cells


def test_report_shows_no_longer_answered_and_top_10_changes(tmp_path):
    """Issue 21 kind 4 and issue 18 item 6, in the Word report: a question no longer answered has
    its own section, and top-10 entries/exits are listed even without any relative move."""
    from agenda.models import Changes, RankMove, TopChange

    agenda = sample_agenda()
    back = agenda.items[1]
    agenda.changes = Changes(previous="2026-Q3",
                             unanswered=[RankMove(cluster_id=back.cluster_id, question=back.question, old_rank=1,
                                                  new_rank=back.rank)],
                             top_in=[TopChange(cluster_id=back.cluster_id, question=back.question, new_rank=back.rank,
                                               how="niet langer beantwoord")])
    doc = Document(str(write_outputs(agenda, tmp_path)[0]))
    body = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Niet langer beantwoord" in body and "Er is niets veranderd" not in body
    assert "1 vraag niet langer beantwoord" in body and "1 wisseling in de top 10" in body
    assert back.question in cells and "in (niet langer beantwoord)" in cells


def test_who_was_heard_judgement_is_a_statement():
    """Found reading the sample report: '…: is onderzoeker ondervertegenwoordigd' read as a question."""
    from agenda.report.chapters.who_heard import _judgement

    said = []

    class Stub:
        def para(self, text, style=None):
            said.append(text)
            return Document().add_paragraph()

    _judgement(Stub(), "rollen", ["leraar", "ouder"], ["ouder"], ["onderzoeker"])
    assert "ouder ontbreekt; onderzoeker is ondervertegenwoordigd (minder dan" in said[0]
    _judgement(Stub(), "rollen", [], ["ouder", "bestuurder"], [])
    assert ": ouder en bestuurder ontbreken." in said[1]


def test_scope_names_the_roles_that_were_heard(tmp_path):
    """Found on a held-out corpus (parents, no ict-coördinatoren): the report's *Afbakening* named a
    fixed list of roles ('leraren, schoolleiders, ict-coördinatoren, bestuurders en onderzoekers')
    whoever had been heard."""
    agenda = complete(sample_agenda())
    heard = [r.group for r in agenda.engagement.roles if r.group != "niet genoemd"]
    doc = Document(str(write_outputs(agenda, tmp_path)[0]))
    scope = next(p.text for p in doc.paragraphs if p.text.startswith("De agenda bundelt de kennisvragen"))
    for role in heard:
        assert role_plural(role) in scope, role
    for role in {"ict-coördinator", "bestuurder", "ouder", "leerling"} - set(heard):
        assert role_plural(role) not in scope, role


def test_a_yes_no_question_typed_practical_is_not_a_how_to_question():
    """Found on a held-out corpus (anders organiseren): the type classifier's nearest type for
    'Lopen leerlingen achterstand op … als we naar een vierdaagse lesweek gaan?' was *praktisch
    (implementatie)*, and the report asked a funder for design research ('een aanpak ontwikkelen')
    on what is an effect question; the type decides only when the wording is a how-question."""
    practical = "praktisch (implementatie)"
    for q in ("Lopen leerlingen achterstand op in taal en rekenen als we naar een vierdaagse lesweek gaan?",
              "Blijven leerkrachten langer op een school met een vierdaagse lesweek?",
              "Voor welke kinderen pakt een vierdaagse lesweek het slechtst uit?"):
        item = _item(q, practical)
        assert question_kind(item) == "effect", q
        assert derive(item, library_size=40)[0].kind == "effectonderzoek", q
    assert question_kind(_item("Hebben scholen met veel achterstandsleerlingen vaker te maken met onbevoegden?",
                               practical)) == "describe"
    assert question_kind(_item("Aan welke eisen rond onderwijstijd moet een vierdaagse schoolweek voldoen?",
                               practical)) == "policy"
    # how-questions keep the type's word
    assert question_kind(_item("Hoe organiseer je de samenwerking met de onderwijsassistent?", practical)) == "how"
    assert question_kind(_item("Wat kunnen we doen tegen lesuitval?", practical)) == "how"


def test_a_separable_verbs_particle_inside_the_subject_is_dropped():
    """Found on a held-out corpus: 'Hoe zet je hybride docenten … goed in voor een paar uur per week?'
    gave the subject 'hybride docenten uit het bedrijfsleven goed in voor een paar uur per week'."""
    def subject(q):
        return derive(_item(q, "praktisch (implementatie)"), library_size=40)[0].subject

    assert subject("Hoe zet je hybride docenten uit het bedrijfsleven goed in voor een paar uur per week?") == \
        "hybride docenten uit het bedrijfsleven voor een paar uur per week"
    assert subject("Hoe richt je taak- en functiedifferentiatie in onderwijsteams in bij een structureel tekort "
                   "aan leraren?") == "taak- en functiedifferentiatie in onderwijsteams bij een structureel tekort aan leraren"
    assert subject("Hoe zet je de onderwijsassistent in?") == "de onderwijsassistent"  # at the end, as before


def test_a_subject_is_never_a_bare_pronoun_and_mag_asks_a_rule():
    """Found on a held-out corpus: 'Hoe houd je het als zij-instromer vol om tegelijk les te geven …?'
    gave 'onderwerp: het'; 'Welke taken mag een onderwijsassistent zelfstandig uitvoeren …?' asked for
    design research where it asks what the rules allow."""
    practical = "praktisch (implementatie)"
    need, _ = derive(_item("Hoe houd je het als zij-instromer vol om tegelijk les te geven en de opleiding te "
                           "volgen?", practical), library_size=40)
    assert need.subject not in ("het", "dit", "dat") and "zij-instromer" in need.subject
    assert question_kind(_item("Welke taken mag een onderwijsassistent zelfstandig uitvoeren zonder dat er een "
                               "bevoegde leraar bij is?", practical)) == "policy"


def test_who_was_heard_does_not_reassure_when_no_source_names_a_role():
    """Found on a small held-out corpus (two meeting reports, no roles noted): the report said 'geen
    groep ontbreekt of is ondervertegenwoordigd' where no group could be told at all."""
    from agenda.report.chapters.who_heard import _judgement

    said = []

    class Stub:
        def para(self, text, style=None):
            said.append(text)
            return Document().add_paragraph()

    _judgement(Stub(), "rollen", [], [], [], named=False)
    assert "geen groep ontbreekt" not in said[0] and "niet na te gaan" in said[0]
    _judgement(Stub(), "rollen", ["leraar", "ouder"], ["leraar", "ouder"], [], named=False)
    assert "leraar en ouder ontbreken" in said[1]  # what the table wanted to hear is still named


def test_population_takes_the_sector_the_question_names_when_no_source_does():
    """Found on a small held-out corpus: 'Welke boeken sluiten aan bij de belevingswereld van jongens in
    het vmbo?' from a meeting report without a sector gave 'populatie: scholen (sector niet genoemd)'."""
    item = _item("Welke boeken sluiten aan bij de belevingswereld van jongens in het vmbo?", "instrumenteel")
    item.contexts = {**item.contexts, "sector": []}
    assert derive(item, library_size=40)[0].population.endswith("in vo")
    item = _item("Hoe richt je in groep 7 en 8 een leeshoek in?", "praktisch (implementatie)")
    item.contexts = {**item.contexts, "sector": []}
    assert derive(item, library_size=40)[0].population.endswith("in po")
    item = _item("Hoe richt je een leeshoek in?", "praktisch (implementatie)")
    item.contexts = {**item.contexts, "sector": []}
    assert derive(item, library_size=40)[0].population.endswith("(sector niet genoemd)")
