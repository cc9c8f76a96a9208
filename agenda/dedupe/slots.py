"""The explicit "slots" of a knowledge question, for the "same question" check.

Two questions that share a theme's words but differ in an explicit slot ask different things
(the rule of ``../shared/data/dev_theme_README.md``): the **kind** of question (the effect of
a measure, how to do it, how to measure or evaluate it, whether it is allowed, what it costs,
which tool or material), the **outcome** (pupils' learning, wellbeing, teacher workload,
recruitment and retention, parents' childcare, the student's own training) and the **actor**
or target group (pupils, teachers, parents, school leaders, the board, assistants,
zij-instromers, students, specialist teachers).

``slot_cues(text)`` gives one bitmask per slot; two questions *clash* on a slot when both name
a value there and they share none, and *match* on it when they share one (positive evidence: two
questions that both ask for the effect on pupils' learning are more likely one question than two
that share only the theme's words). The vocabulary is general Dutch education wording (word
starts, matched on the lower-cased text without its "who asks" framing), nothing tuned to one data set; it is read per
text, so a question's cues depend on its own text only (a new question changes no other
pair's features).
"""

from __future__ import annotations

import re

import numpy as np

from agenda.dedupe.text import strip_framing

__all__ = ["SLOTS", "slot_cues", "slot_clashes", "slot_matches"]

#: slot -> value -> regular expression (searched in the lower-cased text)
SLOTS: dict[str, dict[str, str]] = {
    "kind": {
        "effect": r"effect|invloed|impact|in hoeverre|oplever|opbrengst|bijdra|gevolg|leidt tot|leiden tot"
                  r"|werkt het|helpt het|verband|samenhang|samenhangt|resultaat|verbeter[td]? (het|de)"
                  r"|beter (leren|presteren)|onderzoek naar|wat doet",
        "howto": r"\bhoe (pak|zet|voer|richt|organiseer|begin|kun|kan|maak|leer|geef|krijg|zorg|bouw|ga|kies"
                 r"|breng|help|verdeel|regel|bereid|betrek|ondersteun|differentieer|houd|voorkom|bied|begeleid"
                 r"|motiveer|stimuleer|werf|combineer|rooster)"
                 r"|aanpak|invoer|invoering|implement|inricht|opzetten|vormgev|didactiek|manier",
        "measure": r"\bmeten\b|\bmeet\b|meting|monitor|instrument|vragenlijst|\btoets|\btest\b|vaststellen"
                   r"|in beeld|evalu|volgen|observatie|peiling",
        "legal": r"\bmag\b|\bmogen\b|toegestaan|wettelijk|\bwet\b|regelgeving|bevoegd|aansprakelijk"
                 r"|verantwoordelijk|\bcao\b|\bavg\b|leeftijdsgrens|inspectie|norm\b|urennorm|instemming|verplicht",
        "cost": r"\bkost|bekostig|financier|\bgeld\b|budget|investering|betaalt|betalen|\bduur\b|goedkoper"
                r"|subsidie|formatie",
        "tool": r"\bwelke (robot|app|tool|methode|materia|device|apparat|zoekmachine|programm|software|platform)"
                r"|\bmethode|materiaal|materialen|\brobot|apparat|device|tools?\b|zoekmachine|software|licentie",
    },
    "outcome": {
        "learning": r"leerresultat|resultat|prestatie|leerwinst|leerprestatie|cijfer|toetsresultat|leeropbrengst"
                    r"|\bleren van|schrijv|lezen|rekenen|taalvaardig|nadenken|denken|begrip|kennis van leerl"
                    r"|motorisch|motoriek",
        "wellbeing": r"welbevinden|welzijn|zelfbeeld|sfeer|veiligheid|\bband\b|relatie|stress|rust|onrust|gehecht"
                     r"|vertrouwd|eenzaam|mentale|gezond",
        "workload": r"werkdruk|werkbelasting|taakbelasting|extra taak|ontlast|overbelast|\bdruk\b|uitval|burn",
        "recruit": r"werving|werven|aantrekk|behoud|behouden|uitstroom|vacature|\bblijven\b|binden|aantrekkelijk",
        "parents": r"opvang|kinderopvang|werkende ouders|oppas",
        "training": r"opleiding|studie|studiebelasting|\bpabo\b|stage",
    },
    "actor": {
        "pupil": r"leerling|kinderen|\bkind\b|scholier|jongeren|pubers|kleuter|nieuwkomer|brugklasser",
        "teacher": r"leraar|leraren|leerkracht|docent|\bjuf\b|meester|collega|\bteam\b",
        "parent": r"\bouder|gezin|thuis",
        "leader": r"schoolleider|directeur|directie|\bmt\b|management",
        "board": r"bestuur|bestuurder|schoolbestuur|stichting",
        "assistant": r"onderwijsassist|assistent|klassenassist",
        "zij": r"zij-?instromer|zijinstrom",
        "student": r"\blio\b|student|stagiair",
        "specialist": r"vakleerkracht|vakdocent|specialist|gymleraar|vakleerkrachten",
    },
}
_COMPILED = {slot: [re.compile(p) for p in values.values()] for slot, values in SLOTS.items()}


def slot_cues(texts: list[str]) -> np.ndarray:
    """(n, len(SLOTS)) int64 bitmasks: bit v of column s is set when text i names value v of
    slot s (order of ``SLOTS``). A leading "who asks" framing (*Vanuit het MT:*, *Vraag vanuit
    het team:*) is not read: it names the asker, not the question's actor."""
    out = np.zeros((len(texts), len(SLOTS)), np.int64)
    for i, t in enumerate(texts):
        low = strip_framing(t).lower()
        for s, pats in enumerate(_COMPILED.values()):
            out[i, s] = sum(1 << v for v, p in enumerate(pats) if p.search(low))
    return out


def slot_clashes(cues: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(m, len(SLOTS)) bool: pair r clashes on slot s when both texts name a value of s and
    they share none. `cues` may also be one bitmask per text, (n,): then (m,) for that cue set
    (the pair model's sector and question-type conflicts)."""
    ca, cb = cues[a], cues[b]
    return (ca != 0) & (cb != 0) & ((ca & cb) == 0)


def slot_matches(cues: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(m, len(SLOTS)) bool: pair r matches on slot s when both texts name a value of s they
    share."""
    return (cues[a] & cues[b]) != 0
