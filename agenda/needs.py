"""Per question: which research it still needs, and how its knowledge can be made accessible.

Two columns of the knowledge table's agenda (*Welk onderzoek is nog nodig*, *Hoe maken we het
toegankelijk*), derived from what the build knows about a question, never left blank:

- **The research question, PICO-style** (Richardson et al. 1995; the form ZonMw and NIHR ask of a
  fundable question): the *population* (target group from the question and its formulations, else
  the level the question was raised at; plus the sectors it was raised in), the *subject* (the
  intervention, tool or way of working: the question's core, with its opening, verb and a
  subordinate clause cut off) and the *outcome* (learning, motivation, workload, ... from a small
  Dutch lexicon over the question and its formulations; else the question's purpose clause, "om
  ... te", "zodat ..."). Always marked as a proposal: the curator corrects it in the decisions
  file (``knowledge: {Q-…: {research_needed: …}}``), and the curator's text then wins.
- **The kind of research**, from the question's kind (effect, how-to/implementation, tool,
  policy, descriptive: its question type and opening) and its evidence status (answered,
  confirmed sources, unreviewed suggestions, nothing found, no library): an effect question
  without evidence needs (quasi-)experimental effect research; a how-to question practice-based
  or design research, after what is known is made accessible; an answered question no new
  research; a partly covered one what its sources leave open.
- **Accessibility**: answered or confirmed sources → which knowledge, in what form (a
  Kennisrotonde-style short answer, a practice summary, a guide with examples, an overview of
  criteria), for whom (the roles that asked); suggestions only → judge them first; nothing known
  → "na onderzoek".

Shapes: ``derive(item, library_size) -> (ResearchNeed, str)``; ``fill_needs(items, library_size)``
sets ``item.research_need`` and ``item.accessibility`` in place. Pure functions of the item.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from agenda.context import SECTOR_NAMES, SECTORS
from agenda.models import AgendaItem, ResearchNeed

__all__ = ["derive", "fill_needs", "question_kind", "PROPOSAL"]

PROPOSAL = "voorstel, door de curator aan te passen"

# --- the question's kind --------------------------------------------------------------------

# 'werken' is left out: 'aan doelen werken', 'achter een scherm werken', 'samenwerken' ask no effect
_EFFECT = re.compile(
    r"\b(effect|effecten|werkt|leidt|leiden|invloed|verband|opbrengst|oplevert|opleveren|bijdraagt|"
    r"in hoeverre|verbetert|verbeteren|vergroot|vergroten|helpt|helpen|profiteren|profiteert|meet je of|"
    r"beter|bewezen)\b")
_HOW = re.compile(r"^(hoe|op welke manier|wat kunnen we|wat doe je|wat moeten we doen|wat nemen we mee)\b")
_TOOL = re.compile(r"\b(tool|tools|software|app|apps|instrument|instrumenten|leermiddel|leermiddelen|platform|"
                   r"programma|dashboard|dashboards|methode|methodes|device|devices)\b")
_POLICY = re.compile(r"\b(beleid|inspectie|regelgeving|wet|wettelijk|avg|privacy|financiering|bekostiging|"
                     r"verantwoording|bestuur|schoolbestuur|licenties|kosten|eisen|regels|toegestaan)\b")

# words that make any question an effect question, whatever its type says
_STRONG_EFFECT = re.compile(r"\b(effect|effecten|invloed|in hoeverre|leidt tot|leiden tot|bewezen)\b")

KINDS = ("effect", "how", "tool", "policy", "describe")


def question_kind(item: AgendaItem) -> str:
    """'effect', 'how', 'tool', 'policy' or 'describe', from the question type and the wording.

    An explicit effect word ('effect', 'invloed', 'in hoeverre', 'leidt tot') makes any question an
    effect question; otherwise the type's name decides when it says it (the shipped types:
    *kennisvraag* → effect, *instrumenteel* → tool, *beleid* → policy, *praktisch (implementatie)*
    → how when its question sentence asks how, else what that sentence asks: `_practical_kind`);
    otherwise the question's opening and words do ('Hoe …' → how; 'werkt', 'helpt' → effect)."""
    q = " ".join(item.question.lower().split())
    qt = (item.question_type or "").lower()
    if _STRONG_EFFECT.search(q) or "kennis" in qt:
        return "effect"
    # the curated type decides before looser wording: 'Hoe vergroot je …', 'Welke informatie helpt …'
    if "instrument" in qt:
        return "tool"
    if "beleid" in qt:
        return "policy"
    if "prakti" in qt or "implement" in qt:
        return _practical_kind(q)
    if _EFFECT.search(q) and not q.startswith(("hoe zorg", "hoe ga", "hoe richt", "hoe voer")):
        return "effect"
    if _TOOL.search(q) and re.match(r"^(welke?|wat|hoe kies)", q):
        return "tool"
    if _POLICY.search(q) and not _HOW.match(q):
        return "policy"
    if _HOW.match(q) or qt.startswith("hoe"):
        return "how"
    return "describe"


# The type classifier names its nearest type for every question; for a question that does not ask
# how, its *praktisch* is only the least bad of four ("Lopen leerlingen achterstand op … als we naar een
# vierdaagse lesweek gaan?"), so there the wording of the question sentence decides.
_QUESTION_WORD = re.compile(r"^(hoe|wat|welke?|wie|waar\w*|wanneer|waarom|hoeveel|in hoeverre|"
                            r"(op|voor|aan|met|bij|van|onder|tot|vanaf|naar|in|uit) (welke?|wie|wat))\b")
_DIFFERENTIAL = re.compile(r"^(voor|bij) welke (leerlingen|kinderen|scholen|groepen)\b")
_CAN = re.compile(r"^(kan|kun|kunnen)\b")  # feasibility: 'Kunnen we tekortvakken online aanbieden?'
_MUST = re.compile(r"^(mag|mogen|moet|moeten)\b")  # a rule or norm: 'Moeten ouders zelf opvang regelen?'
# a condition, intervention or comparison in a yes/no question: 'als we …', 'met een vierdaagse
# lesweek', 'minder goed dan op papier'
_CONDITION = re.compile(r"\b(als|dan|met een|door een|door de|daardoor|doordat|na een|sinds)\b|^maakt het\b.*\buit\b")
_LAST_SENTENCE = re.compile(r"[^.!?:;]*\?\s*$")


def _practical_kind(q: str) -> str:
    """The kind of a question typed *praktisch (implementatie)*, from its (last) question sentence:
    'how' when it asks how or whether something can be done (or names no other kind), else a
    differential or conditional effect, a rule or norm (policy), or a yes/no question without a
    condition or comparison (descriptive)."""
    found = _LAST_SENTENCE.search(q)
    last = (found.group(0) if found else q).strip(" ,")
    if re.search(r"\bhoe\b", last) or _HOW.match(last):
        return "how"
    if _DIFFERENTIAL.match(last):
        return "effect"
    if _CAN.match(last):
        return "how"
    if _MUST.match(last) or _POLICY.search(last) or re.search(r"\b(mag|mogen)\b", last):
        return "policy"
    if _QUESTION_WORD.match(last):
        return "how"
    # a yes/no question: 'Blijven leerkrachten langer op een school met een vierdaagse lesweek?'
    return "effect" if _CONDITION.search(last) or _EFFECT.search(last) else "describe"


# --- PICO parts ------------------------------------------------------------------------------

# target group as written → plural as a funder reads it
_GROUPS = (
    (r"\bleerlingen?\b|\bkinderen\b|\bkind\b|\bscholieren\b", "leerlingen"),
    (r"\bstudenten?\b", "studenten"),
    (r"\bleraren\b|\bleraar\b|\bleerkrachten?\b|\bdocenten?\b", "leraren"),
    (r"\bteams?\b|\bteamleden\b", "schoolteams"),
    (r"\bschoolleiders?\b|\bdirecteuren\b|\bdirectie\b", "schoolleiders"),
    (r"\bouders?\b", "ouders"),
    (r"\bbesturen\b|\bschoolbesturen?\b|\bbestuurders?\b", "schoolbesturen"),
    (r"\bintern begeleiders?\b|\bib'ers?\b", "intern begeleiders"),
)
_LEVEL_GROUP = {"leerling": "leerlingen", "leraar": "leraren", "team": "schoolteams", "school": "scholen",
                "bestuur": "schoolbesturen"}

# outcome lexicon: pattern over question + formulations → outcome as a funder reads it
_OUTCOMES = (
    (r"\bleerresulta|\bleeropbrengst|\bprestatie|\bcijfers\b|\bleerwinst|\bhet leren van leerlingen|"
     r"\bleerprestatie|\bresultaten\b|\bopbrengst", "leerresultaten"),
    (r"\bmotivat|\bbetrokkenheid|\bplezier|\bgemotiveerd", "motivatie en betrokkenheid"),
    (r"\bwerkdruk|\bwerklast|\btijd\b|\btijdsinvestering|\bbelasting\b|\bminder werk", "werkdruk"),
    (r"\beigenaarschap|\bregie\b|\bzelfregul|\bzelfstandig", "eigenaarschap en zelfregulatie van leerlingen"),
    (r"\bwelbevinden|\bwelzijn|\bveilig", "welbevinden"),
    (r"\bkansengelijk|\bzwakke\b|\bsterke\b|\bachterstand|\bverschillen tussen", "kansengelijkheid (sterke en zwakke leerlingen)"),
    (r"\bvoortgang|\bzicht op|\bleerdoelen|\bbijsturen|\bbij te sturen|\bfeedback", "zicht op voortgang en bijsturen"),
    (r"\bop (zijn|haar|hun|eigen) niveau|\bpassend\b|\bdifferenti|\bop maat", "passend onderwijs op niveau"),
    (r"\bprivacy|\bavg\b|\bleerlingdata|\bgegevens", "zorgvuldig gebruik van leerlinggegevens"),
    (r"\bcompetenties|\bvaardigheden|\bprofessionaliser|\bbekwaam|\bscholing", "bekwaamheid van leraren"),
    (r"\bdraagvlak|\bborg|\bduurzaam|\bverandering|\bmeenemen|\bmee in\b|\bcontinu", "draagvlak en borging van de vernieuwing"),
    (r"\bouders?\b", "betrokkenheid van ouders"),
    (r"\bdigitale geletterdheid|\bprogrammeren|\bcomputational|\bmediawijs", "digitale geletterdheid van leerlingen"),
    (r"\bovergang|\bdoorstroom|\baansluiting", "een soepele overgang tussen schoolsoorten"),
)
_DEFAULT_OUTCOME = {
    "effect": "leerresultaten en motivatie van leerlingen",
    "how": "de kwaliteit en haalbaarheid van de uitvoering in de school",
    "tool": "de bruikbaarheid en opbrengst van het instrument",
    "policy": "heldere kaders voor scholen",
    "describe": "een gedeeld beeld van de praktijk",
}

_OPENING = re.compile(
    r"^(op welke manier|in welke mate|in hoeverre|wat is het effect van|wat zijn de effecten van|"
    r"wat levert|wat weten we over|wat zegt (het )?onderzoek over|hoe|wat|welke?|waarom|wanneer|waar|wie)\s+", re.I)
_PRONOUN = re.compile(r"^(je|jij|we|wij|u|men|ze|zij|ik|jullie)(\s+|$)", re.I)
_INVERTED = re.compile(r"^(\S+)\s+(je|jij|we|wij)\s+(.+)$", re.I)
_CLAUSE = re.compile(r"\s+(zodat|om(?=\s.+\ste\s)|voordat|als(?=\s(?:daar|er|je|we|jullie|de|het|een|ze|zij|men|u)\s)|"
                     r"wanneer|terwijl|omdat|waardoor|zonder|opdat|zolang)\s+", re.I)
_PURPOSE = ("zodat", "om", "opdat", "waardoor")
_BARE = re.compile(r"(het|dit|dat|die|deze|er|ze|zo|hier|daar)?", re.I)  # no subject left, or a pronoun
_PARTICLE = re.compile(r"\s+(in|mee|aan|op|uit|bij|toe|af|over|door|om|voor)$", re.I)
# ... or inside, before the prepositional phrase that ends the clause: 'zet je X goed in voor een paar
# uur' → 'X voor een paar uur' (an adverb before it goes too)
_PARTICLE_INSIDE = re.compile(r"(?:\s+(?:goed|zo|beter|slim|zinvol|effectief))?\s+(in|mee|op|toe|af)"
                              r"(?=\s+(?:voor|bij|met|zonder|tijdens|binnen|naast|als|in|op)\s)", re.I)
_SEPARABLE = ("zet", "zetten", "richt", "richten", "pak", "pakken", "voer", "voeren", "neem", "nemen",
              "bouw", "bouwen", "vul", "vullen", "stel", "stellen", "leg", "leggen")
# common finite verbs after 'welke N' / 'wat' (there is no Dutch tagger offline; see README)
_VERB = re.compile(
    r"^(is|zijn|heeft|hebben|kan|kunnen|moet|moeten|mag|mogen|wil|willen|stel|stelt|stellen|hanteer|hanteert|"
    r"hanteren|gebruik|gebruikt|gebruiken|zet|zetten|werkt|werken|past|passen|levert|leveren|speelt|spelen|biedt|"
    r"bieden|helpt|helpen|maakt|maken|vraagt|vragen|betekent|betekenen|verstaan|verstaat|hoort|horen|draagt|"
    r"dragen|zie|ziet|zien|doe|doet|doen|kies|kiest|kiezen|geef|geeft|geven|vind|vindt|vinden|ervaren|ervaart|"
    r"weet|weten|neem|neemt|nemen|krijgt|krijgen|houd|houdt|houden|richt|richten|voer|voert|voeren|zorg|zorgt|"
    r"zorgen|ga|gaat|gaan|betrek|betrekt|betrekken|leer|leert|leren|meet|meten|ontwikkel|ontwikkelt|ontwikkelen|"
    r"organiseer|organiseert|organiseren|begeleid|begeleidt|begeleiden|motiveer|motiveert|motiveren|stimuleer|"
    r"stimuleert|stimuleren|bevorder|bevordert|bevorderen|borg|borgt|borgen|verander|verandert|veranderen)\b\s*",
    re.I)


_MODALS = ("kan", "kunnen", "moet", "moeten", "mag", "mogen", "wil", "willen")


def _found(suggested: list) -> str:
    """'de gevonden bron' (not 'de 1 gevonden bron'), 'de 3 gevonden bronnen'."""
    return "de gevonden bron" if len(suggested) == 1 else f"de {len(suggested)} gevonden bronnen"


def _subject(question: str) -> tuple[str, str]:
    """(subject, purpose) of a question: its core with the opening, a finite verb and a pronoun cut
    off, and the first subordinate clause ('om … te', 'zodat …') split off as the purpose. A 'Hoe'
    question whose verb is not in the list becomes a subordinate clause ('Hoe volg je X?' → 'hoe je
    X volgt'), so an unknown verb is never left dangling in front ('volg je X')."""
    q = " ".join(question.strip().rstrip("?!. ").split())
    parts = _CLAUSE.split(q, maxsplit=1)
    main = parts[0]
    purpose = parts[2] if len(parts) > 2 and parts[1].lower() in _PURPOSE else ""
    effect = re.match(r"^wat (is|zijn) (het|de) effect(en)? van (.+?)(?: op (.+))?$", main, re.I)
    if effect:
        return effect.group(4), (effect.group(5) or purpose)
    opening = _OPENING.match(main)
    rest = main[opening.end():] if opening else main
    noun = ""
    if opening and opening.group(1).lower() in ("welke", "welk"):
        m = re.match(r"^((?:\S+\s+){0,5}?)(?=(?:is|zijn|heeft|hebben|kan|kunnen|moet|moeten|stel|stelt|stellen|"
                     r"hanteren|hanteert|gebruik|gebruikt|gebruiken|zet|zetten|werkt|werken|past|passen|speelt|spelen|"
                     r"bieden|biedt|helpen|helpt|maken|maakt|vragen|vraagt|horen|hoort|kies|kiest|kiezen|zie|zien|"
                     r"vind|vinden|ervaren|weten|nemen|krijgen)\b)", rest, re.I)
        if m and m.group(1).strip():
            noun, rest = m.group(1).strip(), rest[m.end():]
    verb = _VERB.match(rest)
    inverted = _INVERTED.match(rest) if opening and opening.group(1).lower() in ("hoe", "op welke manier") else None
    if not verb and inverted:
        # 'Hoe volg je X' with a verb outside the list: 'hoe je X volgt' (je/jij: stem + t)
        finite, pronoun, body = inverted.group(1), inverted.group(2).lower(), inverted.group(3)
        if pronoun in ("je", "jij") and not finite.lower().endswith("t"):
            finite += "t"
        sep = re.match(r"^(.+?)\s+(af|mee|toe|terug)\b\s*(.*)$", body, re.I)
        if sep:  # separable verb: 'leg je verantwoording af over X' → 'verantwoording over X aflegt'
            body, finite = f"{sep.group(1)} {sep.group(3)}".strip(), sep.group(2).lower() + finite.lower()
        if re.match(r"^(dat|of)\b", body, re.I):  # 'hoe je voorkomt dat …'
            return f"hoe {pronoun} {finite} {body}".strip(" ,"), purpose.strip(" ,")
        clause = re.search(r"\s(als|wanneer|zodat|terwijl|omdat|zonder)\s", body, re.I)
        if clause:  # the verb closes the main clause: '… richting de inspectie verantwoordt als …'
            body = f"{body[:clause.start()]} {finite}{body[clause.start():]}"
            return f"hoe {pronoun} {body}".strip(" ,"), purpose.strip(" ,")
        return f"hoe {pronoun} {body} {finite}".strip(" ,"), purpose.strip(" ,")
    if verb:
        rest = rest[verb.end():]
    had_pronoun = bool(_PRONOUN.match(rest))
    rest = _PRONOUN.sub("", rest)
    rest = re.sub(r"^(dat|voor|ervoor dat|er voor dat|om met|met|of)\s+", "", rest, flags=re.I)
    if verb or had_pronoun:  # 'Hoe zet je X in' → 'X'; never the 'toe' of 'neemt die juist toe'
        rest = _PARTICLE.sub("", rest)
        if verb and verb.group(1).lower() in _SEPARABLE:
            rest = _PARTICLE_INSIDE.sub("", rest, count=1)
    rest = rest.strip(" ,")
    if noun:
        if not rest:
            subject = noun
        elif re.match(r"^(aan|van|voor|bij|in|met|op|over|tussen|uit|naar)\b", rest, re.I) or had_pronoun:
            subject = f"{noun} {rest}"
        else:  # 'Welke competenties hebben leraren nodig' → 'competenties die leraren nodig hebben'
            finite = verb.group(1).lower() if verb else ""
            words = rest.split()
            infinitive = [i for i, w in enumerate(words) if w.endswith("en") and _VERB.match(w + " ")]
            if finite in _MODALS and infinitive:  # 'kan … spelen bij X' → 'die … kan spelen bij X'
                i = infinitive[-1]
                rest, finite = " ".join(words[:i] + [finite] + words[i:]), ""
            subject = f"{noun} die {rest}{' ' + finite if finite else ''}"
    else:
        subject = rest or q
    if _BARE.fullmatch(subject.strip(" ,")):  # never 'onderwerp: het'
        # 'Werkt het om leerlingen als ambassadeurs in te zetten?': the 'om'-clause is what it is about
        subject, purpose = (purpose, "") if purpose and parts[1].lower() == "om" else (main, purpose)
    return subject.strip(" ,"), purpose.strip(" ,")


def _texts(item: AgendaItem) -> list[str]:
    return [item.question] + [m.text for m in item.mentions]


_SECTOR_WORDS = re.compile(r"(?<![\w(])(" + "|".join(sorted((re.escape(k) for k in SECTOR_NAMES if k[0].isalpha()),
                                                              key=len, reverse=True)) + r")(?!\w)")


def _named_sectors(question: str) -> list[str]:
    """The sectors a question names itself ('in het vmbo' → vo, 'groep 7 en 8' → po), for a question
    whose sources name none."""
    q = question.lower()
    found = {c for m in _SECTOR_WORDS.finditer(q) for c in SECTOR_NAMES[m.group(1)]}
    if re.search(r"\bgroep(en)? [1-8]\b|\bkleuters?\b", q):
        found.add("po")
    if re.search(r"\bbrugklas|\bonderbouw van het vo|\bexamenklas", q):
        found.add("vo")
    return [s for s in SECTORS if s in found]


def _population(item: AgendaItem) -> str:
    """'leerlingen en leraren in po en vo': target groups named in the formulations (at least twice
    when there are many formulations, so one aside does not decide), else the levels; plus sectors."""
    texts = [t.lower() for t in _texts(item)]
    counts = Counter()
    for pattern, group in _GROUPS:
        counts[group] = sum(bool(re.search(pattern, t)) for t in texts)
    need = 2 if len(texts) >= 4 else 1
    in_question = [g for p, g in _GROUPS if re.search(p, item.question.lower())]
    groups = list(dict.fromkeys(in_question + [g for g, n in counts.most_common() if n >= need]))[:3]
    if not groups:
        groups = [_LEVEL_GROUP[lv] for lv in item.contexts.get("level", []) if lv in _LEVEL_GROUP][:2]
    sectors = [s for s in SECTORS if s in item.contexts.get("sector", [])] or _named_sectors(item.question)
    who = _and(groups) if groups else "scholen"
    return f"{who} in {_and(sectors)}" if sectors else f"{who} (sector niet genoemd)"


def _outcomes(item: AgendaItem, purpose: str, kind: str) -> tuple[str, bool]:
    """(outcome, named): the outcomes the formulations name most (at most two), else the
    question's purpose clause, else a default for its kind (named False)."""
    texts = [t.lower() for t in _texts(item)] + ([purpose.lower()] if purpose else [])
    scores = Counter()
    for pattern, outcome in _OUTCOMES:
        n = sum(bool(re.search(pattern, t)) for t in texts)
        if n:
            scores[outcome] = n + (2 if re.search(pattern, item.question.lower()) else 0)
    if scores:
        ranked = [o for o, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]
        return _and(ranked[:2]), True
    if purpose:
        return re.sub(r"^(je|we|de leerling|leerlingen)\s+", "", purpose), True
    return _DEFAULT_OUTCOME[kind], False


def _and(parts: Sequence[str]) -> str:
    parts = [p for p in parts if p]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " en " + parts[-1] if parts else ""


def _cites(refs: Iterable, n: int = 2) -> str:
    from agenda.versions import cite

    refs = list(refs)
    shown = "; ".join(cite(r) for r in refs[:n])
    return shown + (f" en {len(refs) - n} andere" if len(refs) > n else "")


def _audience(item: AgendaItem) -> str:
    from agenda.engagement import role_plural

    roles = sorted(item.role_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    names = [role_plural(r) for r, _ in roles[:2]]
    return _and(names) if names else "leraren en schoolleiders"


def derive(item: AgendaItem, library_size: int) -> tuple[ResearchNeed, str]:
    """The research need and the accessibility line of one question (see module docstring)."""
    kind = question_kind(item)
    subject, purpose = _subject(item.question)
    population = _population(item)
    outcome, named = _outcomes(item, purpose, kind)
    answers = [e for e in item.evidence if e.status == "answers"]
    confirmed = [e for e in item.evidence if e.status == "confirmed"]
    suggested = [e for e in item.evidence if e.status == "suggested"]

    # PICO as labelled parts: robust where a generated sentence around a clause would not read
    rq = (f"populatie: {population}; onderwerp: {subject}; uitkomst: {outcome}"
          + ("" if named else " (niet in de formuleringen genoemd)"))

    if answers:
        label = "geen nieuw onderzoek"
        advice = (f"Geen nieuw onderzoek nodig: de vraag is beantwoord door {_cites(answers, 1)}. "
                  "Maak het antwoord toegankelijk.")
    elif confirmed:
        label = "aanvullend onderzoek"
        gap = {"effect": "of het effect ook geldt voor deze doelgroep en sector, en onder welke voorwaarden",
               "how": "hoe de aanpak in deze scholen uitvalt en wat daarvoor nodig is",
               "tool": "hoe de instrumenten zich in deze scholen tot elkaar verhouden",
               "policy": "hoe de kaders in de praktijk uitpakken",
               "describe": "wat de bronnen niet beschrijven voor deze scholen"}[kind]
        advice = (f"Deels bekend ({_cites(confirmed)}). Onderzoek alleen wat deze bronnen openlaten: {gap}; "
                  "maak eerst toegankelijk wat bekend is.")
    else:
        base = {
            "effect": ("effectonderzoek", "Effectonderzoek: experimenteel of quasi-experimenteel, met een "
                       "vergelijkingsgroep en een voor- en nameting van de uitkomst"),
            "how": ("praktijkgericht onderzoek", "Praktijkgericht of ontwerpgericht onderzoek met scholen: een "
                    "aanpak ontwikkelen, beproeven en beschrijven wat werkt onder welke voorwaarden"),
            "tool": ("vergelijkend onderzoek", "Vergelijkend en ontwerpgericht onderzoek: criteria opstellen en "
                     "instrumenten in de praktijk beproeven"),
            "policy": ("beleidsonderzoek", "Verkennend beleidsonderzoek: regels, afspraken en hun uitwerking in "
                       "scholen in kaart brengen"),
            "describe": ("verkennend onderzoek", "Verkennend (beschrijvend) onderzoek: de praktijk en de opvattingen "
                         "in kaart brengen, als basis voor vervolgonderzoek"),
        }[kind]
        label = base[0]
        if suggested:
            state = (f"Eerst beoordelen of {_found(suggested)} de vraag "
                     f"{'beantwoordt' if len(suggested) == 1 else 'beantwoorden'}; zo niet: ")
            advice = state + base[1][0].lower() + base[1][1:] + "."
        elif library_size:
            advice = base[1] + ". In de kennisbibliotheek is hierover niets gevonden."
        else:
            advice = base[1] + "."
        if kind in ("how", "tool") and not suggested:
            advice += " Ga na of er praktijkkennis (bijvoorbeeld bij de Kennisrotonde) toegankelijk te maken is."
    text = f"{advice} Onderzoeksvraag ({PROPOSAL}): {rq}."
    need = ResearchNeed(population=population, subject=subject, outcome=outcome, question=rq, kind=label,
                        advice=advice, text=text, proposal=True)

    audience = _audience(item)
    if answers:
        access = (f"Het antwoord uit {_cites(answers, 1)} als kort antwoord (zoals de Kennisrotonde geeft) en een "
                  f"praktijksamenvatting voor {audience}.")
    elif confirmed:
        form = {"how": "een handreiking met praktijkvoorbeelden", "tool": "een overzicht van instrumenten met "
                "keuzecriteria", "effect": "een kennisoverzicht van wat werkt", "policy": "een overzicht van de "
                "kaders met voorbeelden", "describe": "een praktijksamenvatting"}[kind]
        access = f"De kennis uit {_cites(confirmed)} bundelen in {form} voor {audience}."
    elif suggested:
        access = (f"Na beoordeling van {_found(suggested)}: "
                  f"wat bruikbaar is als praktijksamenvatting voor {audience}; anders na onderzoek.")
    else:
        access = f"Na onderzoek: de uitkomsten als praktijksamenvatting voor {audience}."
    return need, access


def fill_needs(items: Iterable[AgendaItem], library_size: int) -> None:
    """Set ``research_need`` and ``accessibility`` on every item, in place; the curator's own
    texts (``knowledge.research_needed`` / ``knowledge.accessible``) win and are not proposals."""
    for item in items:
        need, access = derive(item, library_size)
        own = " ".join(item.knowledge.research_needed.split())
        if own:
            need = need.model_copy(update={"text": own, "advice": own, "proposal": False})
        item.research_need = need
        item.accessibility = " ".join(item.knowledge.accessible.split()) or access
