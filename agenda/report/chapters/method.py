"""Chapter 'Hoe is deze agenda gemaakt': scope, sources, collecting, merging, ranking, review."""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from agenda.engagement import NOT_NAMED, role_plural

from .. import common
from ..common import dutch_date, number, one_line
from ..docx_base import Writer, join_and, kind_pos


HEADING = "Hoe is deze agenda gemaakt"


def write(w: Writer) -> None:
    a = w.agenda
    table = one_line(a.knowledge_table) or "de kennistafel"
    w.heading(HEADING, 1, new_page=True)
    w.para("Zoals bij een vraagverificatie volgens de James Lind Alliance leggen we hier verantwoording "
              "af over de afbakening, de bronnen, de manier waarop de vragen zijn verzameld, samengevoegd en "
              "gerangschikt, en wie de uitkomst heeft beoordeeld.")

    w.heading("Afbakening", 2)
    first, last = common.source_period(a)
    period = (f"De bronnen dateren van {dutch_date(first)} tot en met {dutch_date(last)}."
              if first else "Van de bronnen is geen datum bekend.")
    # the roles actually heard (engagement, most voices first), never a fixed list
    heard = [role_plural(r.group) for r in a.engagement.roles if r.group != NOT_NAMED]
    who = f"vragen die {join_and(heard)} inbrachten" if heard else "vragen uit de onderwijspraktijk"
    w.para(f"De agenda bundelt de kennisvragen van de {table}: {who}. {period} Alleen vragen uit "
              "deze bronnen staan op de agenda; er zijn geen vragen van buiten toegevoegd.")

    w.heading("Bronnen", 2)
    kinds: dict[str, list[int]] = {}
    for s in a.sources:
        k = common.kind_value(s.kind)
        kinds.setdefault(k, [0, 0])
        kinds[k][0] += 1
        kinds[k][1] += s.n_mentions
    rows = [[common.KIND_DOC_LABELS.get(k, k), v[0], v[1]]
            for k, v in sorted(kinds.items(), key=lambda kv: kind_pos(kv[0]))]
    rows.append(["Totaal", len(a.sources), sum(v[1] for v in kinds.values())])
    t = w.table(["Soort bron", "Documenten", "Formuleringen op de agenda"], rows, [7.0, 3.0, 4.5],
                   align={1: WD_ALIGN_PARAGRAPH.CENTER, 2: WD_ALIGN_PARAGRAPH.CENTER})
    for c in t.rows[-1].cells:
        for r in c.paragraphs[0].runs:
            r.bold = True
    w.para("", space_after=0)
    w.para("Een bijeenkomst, casus of publicatie telt als één bron. Bij een enquête telt elke "
              "respondent als een afzonderlijke bron. De volledige lijst staat in bijlage A."
              + (f" Daarnaast zijn {a.candidates} vraagzinnen gevonden die niet aan de regels hieronder "
                 "voldoen; die staan niet op de agenda, maar zijn aan de curator voorgelegd."
                 if a.candidates else ""))
    w.para(common.privacy_line(a))

    w.heading("Hoe zijn de vragen verzameld", 2)
    w.para("Uit verslagen en andere teksten is een zin als kennisvraag overgenomen wanneer hij:", keep_next=True)
    for n, rule in enumerate((
            "een opsommingsteken of alinea is die eindigt op een vraagteken, onder een kop met het woord "
            "‘vraag’, ‘vragen’ of ‘vraagstuk’ of een samenstelling daarmee (zoals Kennisvragen of "
            "Praktijkvragen; niet Rondvraag of Aanvraag, en niet onder Mededelingen of Actiepunten);",
            "een geciteerde vraag in de lopende tekst is, bijvoorbeeld: het vraagstuk ‘Welke competenties "
            "moeten de leerkrachten hebben?’;",
            "in de lijst met vragen bovenaan het bestand (de kopgegevens) staat."), 1):
        p = w.para(f"{n}.\t{rule}")
        p.paragraph_format.left_indent = Cm(0.8)
        p.paragraph_format.first_line_indent = Cm(-0.6)
        p.paragraph_format.space_after = Pt(3)
    w.para("Bij casusbeschrijvingen zijn de vraagstukken van de school overgenomen, met het niveau "
              "(leerling, leraar, team, school, bestuur) en de belemmerende en bevorderende factoren. Bij "
              "enquêtes telt elke ingevulde vraag. Sector, rol, school en niveau komen uit het bestand zelf "
              "of uit een notitie achter de vraag.").paragraph_format.space_before = Pt(6)

    w.heading("Samenvoegen van gelijke vragen", 2)
    w.para("Dezelfde vraag wordt vaak in andere woorden gesteld. De computer vergelijkt alle formuleringen "
              "(na het gelijktrekken van hoofdletters, spelling en gangbare afkortingen zoals po, vo en ict) "
              "en voegt ze alleen automatisch samen als hij zeker is dat ze hetzelfde vragen. Twijfelgevallen "
              "worden niet samengevoegd maar aan de curator voorgelegd. De curator kan vragen samenvoegen, "
              "splitsen, hernoemen, uitsluiten of een gevonden vraagzin alsnog op de agenda zetten; die "
              "besluiten worden bewaard en bij elke nieuwe versie opnieuw toegepast. Per vraag is in "
              "bijlage B terug te vinden uit welke formuleringen en bronnen hij bestaat.")

    w.heading("Rangorde", 2)
    w.para("Een vraag staat hoger naarmate ze in meer verschillende bronnen is gesteld, en in meer "
              "verschillende contexten: op meer scholen, in meer sectoren, door mensen in meer rollen en op "
              "meer niveaus. Zo weegt een vraag die in het hele veld leeft zwaarder dan een vraag die op één "
              "bijeenkomst vaak werd herhaald. De score is de som van het aantal maal het gewicht:",
              keep_next=True)
    weights = _weights(a.settings)
    if weights:
        w.table(["Onderdeel", "Gewicht", "Toelichting"],
                   [[_WEIGHT_LABELS.get(k, (k, ""))[0], _weight_value(v), _WEIGHT_LABELS.get(k, ("", ""))[1]]
                    for k, v in weights],
                   [3.4, 1.8, 10.8], align={1: WD_ALIGN_PARAGRAPH.CENTER})
        w.para("", space_after=0)
    else:
        w.none_line("De gebruikte gewichten zijn niet vastgelegd bij deze versie.")
    w.para("Bij gelijke score beslist het aantal bronnen. Bij elke vraag staat een korte uitleg van "
              "de score.")

    w.heading("Beoordeling", 2)
    reviewed = a.settings.get("reviewed_by")
    if isinstance(reviewed, (list, tuple)):
        reviewed = join_and([one_line(r) for r in reviewed if one_line(r)])
    reviewed = one_line(reviewed) if reviewed else ""
    decided = _curation_text(a.settings.get("curation"))
    if reviewed:
        w.para(f"De samenvoegingen en de agenda zijn beoordeeld door {reviewed}.{decided}")
    else:
        w.para(f"Deze versie is nog niet door een curator beoordeeld.{decided}")

    w.heading("Wat is al bekend", 2)
    n_lib = len(w.agenda.library)
    if n_lib:
        with_ev = sum(bool(i.evidence) for i in w.items)
        w.para(f"Elke vraag is vergeleken met de {n_lib} bronnen van de kennisbibliotheek (literatuur, notities, "
               "praktijkpublicaties). De computer zoekt op twee manieren: op gedeelde woorden (met Nederlandse "
               "woordstammen) en op betekenis (een meertalig taalmodel, zodat een Engelse samenvatting bij een "
               "Nederlandse vraag wordt gevonden). Een bron wordt alleen voorgesteld als ze duidelijk meer over "
               "deze vraag gaat dan over de andere vragen én in absolute zin genoeg op de vraag lijkt; de beste "
               "van een zwak rijtje wordt dus niet getoond, en een vraag waarover niets relevants in de "
               f"bibliotheek staat, krijgt geen voorstel. Bij {with_ev} van de {len(w.items)} vragen is minstens "
               "één mogelijk relevante bron gevonden. Zolang de curator een bron niet heeft bevestigd, staat die "
               f"bij de vraag als ‘{common.SUGGESTED_LABEL}’; bevestigde bronnen staan onder ‘Wat is al bekend’.")
    else:
        w.para("Er is geen kennisbibliotheek meegegeven, dus er is niet gezocht naar wat al bekend is: de kolom "
               "‘Wat is al bekend’ bevat alleen wat de curator zelf heeft ingevuld en is verder leeg (–), en het "
               "soort onderzoek per vraag volgt alleen uit het type vraag.")

    w.heading("Welk onderzoek is nog nodig, en hoe maken we het toegankelijk", 2)
    w.para("Beide kolommen zijn per vraag afgeleid en zijn een voorstel dat de curator kan aanpassen; wat de "
           "curator zelf invult, vervangt het voorstel. De onderzoeksvraag staat in drie delen: de populatie "
           "(de doelgroep uit de formuleringen, anders het niveau waarop de vraag speelt, en de sectoren waarin "
           "ze is gesteld), het onderwerp (de aanpak, het instrument of de werkwijze waar de vraag over gaat) en "
           "de uitkomst (leren, motivatie, werkdruk, eigenaarschap en dergelijke, zoals de formuleringen die "
           "noemen; noemen ze er geen, dan staat dat erbij). Het soort onderzoek volgt uit het type vraag en uit "
           "wat er al bekend is: een vraag naar een effect waarover niets bekend is, vraagt effectonderzoek "
           "(experimenteel of quasi-experimenteel); een hoe-vraag praktijkgericht of ontwerpgericht onderzoek, "
           "nadat bestaande kennis toegankelijk is gemaakt; een beantwoorde vraag geen nieuw onderzoek; een "
           "vraag die deels is beantwoord, onderzoek naar wat de bronnen openlaten. Toegankelijk maken: met een "
           "beantwoordende of bevestigde bron de vorm waarin die kennis de vragenstellers bereikt (een kort "
           "antwoord zoals de Kennisrotonde geeft, een praktijksamenvatting of handreiking); is er nog niets "
           "bekend, dan ‘na onderzoek’.")

    w.heading("Beperkingen", 2)
    e = a.engagement
    unheard = [*e.missing_roles, *e.thin_roles]
    w.para("Hoe vaak en in hoeveel contexten een vraag is gesteld, zegt iets over hoe breed ze leeft, niet over "
           "hoe belangrijk of hoe goed onderzoekbaar ze is; de rangorde is een startpunt voor een "
           "prioriteringsgesprek, geen oordeel. "
           + (f"Niet of weinig gehoord zijn: {join_and(unheard)} (zie ‘Wie zijn er gehoord’); hun vragen "
              "kunnen ontbreken of te laag staan. " if unheard else
              "Alleen wie aan de bijeenkomsten, casussen en enquêtes meedeed, is gehoord. ")
           + ("Het samenvoegen van gelijke vragen is door de curator beoordeeld (zie ‘Beoordeling’)."
              if reviewed else "Het samenvoegen van gelijke vragen is nog niet door een curator beoordeeld: "
              "twee vragen kunnen ten onrechte samen of apart staan.")
           + (" De voorgestelde bronnen zijn door een computer gevonden en nog niet alle beoordeeld."
              if any(ev.status == "suggested" for i in w.items for ev in i.evidence) else ""))

    w.heading("Opmerkingen bij de besluiten van de curator", 2)
    if a.curation_notes:
        w.para("Deze besluiten konden niet (volledig) worden uitgevoerd, meestal omdat ze verwijzen naar "
                  "een vraag die niet (meer) bestaat:", keep_next=True)
        for note in a.curation_notes:
            w.para(f"•\t{one_line(note)}").paragraph_format.left_indent = Cm(0.6)
    else:
        w.para("Geen: alle besluiten van de curator verwezen naar bestaande vragen.")


def _curation_text(counts) -> str:
    """' De curator nam 40 besluiten: 21 samenvoegingen, …' from the version's curation counts."""
    if not isinstance(counts, dict) or not any(counts.values()):
        return ""
    names = {"merge": ("samenvoeging", "samenvoegingen"), "distinct": ("paar als verschillend beoordeeld",
             "paren als verschillend beoordeeld"), "split": ("afsplitsing", "afsplitsingen"),
             "rename": ("herformulering", "herformuleringen"), "exclude": ("uitsluiting", "uitsluitingen"),
             "promote": ("toegevoegde vraagzin", "toegevoegde vraagzinnen")}
    parts = [common.plural(int(n), *names[k]) for k, n in counts.items() if n and k in names]
    return f" Beoordeeld en vastgelegd: {join_and(parts)}." if parts else ""


_WEIGHT_LABELS = {
    "sources": ("Bronnen", "per afzonderlijke bron waarin de vraag voorkomt (een enquêterespondent telt als één bron)"),
    "schools": ("Scholen", "per school waar de vraag speelt"),
    "kinds": ("Soorten bronnen", "per extra soort bron (bijeenkomst, casus, enquête, publicatie) na de eerste"),
    "sectors": ("Sectoren", "per sector (po, sbo, so, vso, vo, mbo)"),
    "roles": ("Rollen", "per rol van wie de vraag stelde (leraar, schoolleider, onderzoeker …)"),
    "levels": ("Niveaus", "per niveau (leerling, leraar, team, school, bestuur)"),
    "role_cap": ("Plafond per rol", "geen enkele rolgroep telt voor meer dan dit deel van de bronnen mee"),
    "recency_half_life_days": ("Halveringstijd", "oudere vermeldingen tellen minder zwaar (dagen); leeg = uit"),
    "priority": ("Prioriteit curator", "extra gewicht dat de curator aan een vraag gaf"),
}


def _weights(settings: dict) -> list[tuple[str, object]]:
    """The ranking weights from ``agenda.settings`` (nested under 'rank'/'weights', or flat)."""
    src = None
    for key in ("rank", "weights", "rank_weights"):
        if isinstance(settings.get(key), dict):
            src = settings[key]
            break
    if src is None:
        src = {k: v for k, v in settings.items() if k in _WEIGHT_LABELS}
    return [(str(k), v) for k, v in src.items() if v is None or isinstance(v, (int, float))]


def _weight_value(v: object) -> str:
    if v is None:
        return "uit"
    if isinstance(v, bool):
        return "ja" if v else "nee"
    return number(float(v), 2)
