"""The report's chapter *Prioriteringsronde*, and the round's part of *Wat is er veranderd*.

Written only when the version carries a priority round (`Agenda.priority_round`): who voted
per group, the combined top 10, each group's top 10 side by side, the shortlist for the final
workshop, and how it was scored (JLA position scores, the tie rule). The changes, summary and
themes chapters call `write_changes`, `ranking_label` and `card_rows` for the round's part in them.
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH

from agenda.models import Agenda, AgendaItem, Changes, PriorityRound, RoundEntry

from ..common import number, one_line, plural
from ..docx_base import Writer

HEADING = "Prioriteringsronde"
TOP = 10
GROUPS_PER_TABLE = 3  # side-by-side top 10s: more groups go into a next table


def ranking_label(agenda: Agenda) -> str:
    """Which ranking the agenda (and the summary's top 10) shows, in Dutch."""
    r = agenda.priority_round
    if r is None:
        return "naar hoe vaak en in welke context ze zijn genoemd"
    return f"volgens de prioriteringsronde ({plural(sum(r.voters.values()), 'stemmer', 'stemmers')})"


def _groups_text(r: PriorityRound) -> str:
    parts = [f"{n} {g}" for g, n in r.voters.items()]
    return ", ".join(parts[:-1]) + (" en " if len(parts) > 1 else "") + parts[-1] if parts else "niemand"


def gone_note(e: RoundEntry) -> str:
    """The mark behind a ballot question that has left the agenda since the round, else ''."""
    if e.on_agenda:
        return ""
    return f" (niet meer op de agenda: {e.fate})" if e.fate else " (niet meer op de agenda)"


def _entry(r: PriorityRound, code: str) -> RoundEntry | None:
    return next((e for e in r.ranking if e.code == code), None)


def write(w: Writer) -> None:
    agenda = w.agenda
    r = agenda.priority_round
    if r is None:
        return
    center, right = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.RIGHT
    n_voters = sum(r.voters.values())
    # by ballot code: a ballot made before 2026-12 names 6-digit ids, the items carry their 12-digit form
    freq = {i.priority.code: i.priority.frequency_rank for i in agenda.items if i.priority}
    w.heading(HEADING, 1, new_page=True)
    w.para(f"In een prioriteringsronde koos iedere deelnemer de tien vragen die hij of zij het belangrijkst vindt "
           f"van het stembiljet ({r.ballot}: {plural(r.n_questions, 'vraag', 'vragen')} uit versie {r.version} van "
           f"deze agenda) en zette die in volgorde. {plural(n_voters, 'deelnemer stemde', 'deelnemers stemden')}: "
           f"{_groups_text(r)}. De volgorde van deze agenda volgt de uitkomst van de ronde; hoe vaak een vraag is "
           "genoemd staat er als aantal bronnen naast. Elke groep weegt even zwaar, hoe groot ze ook is.")

    w.heading("Wie stemden", 2)
    w.table(["Groep", "Stemmers", "Aandeel van de stemmers", "Gewicht in de uitkomst"],
            [[g, n, f"{round(100 * n / n_voters)}%", f"{round(100 / len(r.voters))}%"] for g, n in r.voters.items()],
            [5.0, 2.6, 4.2, 4.2], align={1: center, 2: center, 3: center})
    if r.warnings:
        bad = "; ".join(f"{plural(n, 'rij', 'rijen')} met {kind}" for kind, n in r.warnings.items())
        w.para(f"Niet alles kon worden meegeteld zoals het was ingevuld: {bad}. De waarschuwingen staan in "
               "`kennisagenda rejected`.", "Kleine tekst")
    if r.files:
        w.para("Gelezen exports: " + ", ".join(r.files) + ".", "Kleine tekst")

    w.heading("De gezamenlijke top 10", 2)
    top = r.ranking[:TOP]
    w.table(["#", "Code", "Kennisvraag", "Score", "In top 10 van", "Plaats naar bronnen"],
            [[e.rank, e.code, one_line(e.question) + gone_note(e),
              number(e.combined), f"{e.n_top10} van {len(r.voters)}", freq.get(e.code) or "–"] for e in top],
            [0.9, 1.3, 8.3, 1.5, 2.0, 2.0], align={0: right, 1: center, 3: center, 4: center, 5: center})

    w.heading("De top 10 per groep", 2)
    w.para("Elke groep telde haar eigen punten op; zo ziet elke groep haar top 10. Vragen met evenveel punten "
           "staan in de volgorde van het stembiljet.")
    groups = list(r.voters)
    for start in range(0, len(groups), GROUPS_PER_TABLE):
        part = groups[start:start + GROUPS_PER_TABLE]
        rows = []
        for n in range(TOP):
            row: list[object] = [n + 1]
            for g in part:
                codes = r.group_top.get(g, [])
                e = _entry(r, codes[n]) if n < len(codes) else None
                row.append(f"{e.code} {one_line(e.question)}" if e else "–")
            rows.append(row)
        width = 15.1 / len(part)
        w.table(["#", *[f"{g} ({r.voters[g]})" for g in part]], rows, [0.9, *[width] * len(part)], align={0: right})
        w.para("", space_after=2)

    w.heading("Shortlist voor de slotbijeenkomst", 2)
    w.para(f"De shortlist is de vereniging van de top {r.shortlist_k} van elke groep: "
           f"{plural(len(r.shortlist), 'vraag', 'vragen')}, in de volgorde van de gezamenlijke uitkomst. Zo komt "
           "elke vraag die voor minstens één groep bij de belangrijkste hoort op tafel.")
    w.table(["#", "Code", "Kennisvraag", "In de top 10 van"],
            [[e.rank, e.code, one_line(e.question),
              ", ".join(g for g in r.voters if e.code in r.group_top.get(g, [])) or "–"]
             for code in r.shortlist if (e := _entry(r, code)) is not None],
            [0.9, 1.3, 9.8, 4.0], align={0: right, 1: center})

    w.heading("Hoe is gescoord", 2)
    n = r.n_questions
    w.para("De ronde volgt de tussentijdse prioritering van de James Lind Alliance (JLA Guidebook, hoofdstuk 7–8). "
           "De eerste keuze van een deelnemer krijgt 10 punten, de tweede 9, tot 1 punt voor de tiende. De punten "
           f"worden per groep opgeteld. Per groep worden die totalen omgezet in positiescores: met {n} vragen op het "
           f"stembiljet krijgt de vraag met de meeste punten van die groep {n}, de volgende {n - 1}, en zo verder tot "
           "1. De positiescores van alle groepen worden opgeteld tot de score in de tabellen: zo weegt elke groep "
           "even zwaar, hoe groot ze ook is.")
    w.para("Vragen met evenveel punten binnen een groep delen het gemiddelde van hun posities; vragen waar een "
           "groep niet op stemde, delen samen de onderste posities. Zo telt elke groep precies even zwaar mee. "
           f"{r.tie_rule[:1].upper()}{r.tie_rule[1:]}. Een deelnemer zonder rol telt mee in de groep ‘onbekend’.")
    if r.not_on_ballot:
        w.para(f"{plural(len(r.not_on_ballot), 'vraag kwam', 'vragen kwamen')} na het stembiljet op de agenda; "
               "die staan na de vragen van de ronde, in de volgorde van hoe vaak ze zijn genoemd.")


def card_rows(item: AgendaItem) -> list[tuple[str, str]]:
    """The question card's row on the round: its place, score and the groups with it in their top 10."""
    p = item.priority
    if p is None:
        return []
    tops = ", ".join(p.in_top10) or "geen groep"
    return [("Prioriteringsronde", f"{p.code}: plaats {p.rank} met score {number(p.combined)} (in de top 10 van: "
                                   f"{tops}); naar hoe vaak genoemd plaats {p.frequency_rank or '–'}")]


def write_changes(w: Writer, changes: Changes) -> None:
    """The round's part of *Wat is er veranderd*: what the (new or changed) round moved."""
    rc = changes.priority_round
    if rc is None:
        return
    w.heading("Wat de prioriteringsronde verschoof", 2)
    groups = ", ".join(f"{g} {n}" for g, n in rc.groups.items())
    w.para(f"Sinds de vorige versie is er een prioriteringsronde ({rc.ballot}, stembiljet van versie {rc.version}; "
           f"{plural(rc.n_voters, 'stemmer', 'stemmers')}: {groups}). De volgorde volgt nu de ronde. Deze vragen "
           "kwamen daardoor in, uit of binnen de top 10 op een andere plaats dan naar hoe vaak ze zijn genoemd.")
    if rc.moved:
        center = WD_ALIGN_PARAGRAPH.CENTER
        w.table(["Vraag", "Plaats naar bronnen", "Plaats na de ronde"],
                [[one_line(m.question), m.old_rank, m.new_rank] for m in rc.moved], [11.0, 2.5, 2.5],
                align={1: center, 2: center})
    else:
        w.none_line("De ronde veranderde de top 10 niet.")
