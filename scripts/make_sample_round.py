"""Generate the sample round's Microsoft Forms export (inputs/stemronde/) from the shipped ballot.

Usage: python scripts/make_sample_round.py inputs/stemronde/stembiljet.csv inputs/stemronde/stemronde-2026-11-forms.xlsx
15 anonymous voters (9 leraren, 4 schoolleiders, 2 onderzoekers), each group leaning to questions with its
own words; seeded, so the same ballot gives the same export. No names or e-mail addresses ("anonymous").
"""
import csv
import datetime as dt
import random
import sys
from pathlib import Path

from openpyxl import Workbook

ballot = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"), delimiter=";"))
out = Path(sys.argv[2])
rng = random.Random(19)
words = {
    "leraar": ["leerling", "les", "feedback", "differenti", "instructie", "eigenaarschap", "doelen", "portfolio", "kind"],
    "schoolleider": ["team", "organis", "rooster", "school", "leiding", "visie", "professional", "bestuur", "ouders"],
    "onderzoeker": ["effect", "onderzoek", "meten", "kennis", "data", "competenties", "evaluat", "opbrengst"],
}
def prefs(role):
    scored = []
    for n, row in enumerate(ballot):
        q = row["vraag"].lower()
        s = sum(w in q for w in words[role]) * 3 + rng.random() * 2.5 - n * 0.02
        scored.append((s, row))
    return [r for _, r in sorted(scored, key=lambda x: -x[0])]
people = [("leraar", 9), ("schoolleider", 4), ("onderzoeker", 2)]
wb = Workbook(); ws = wb.active; ws.title = "Sheet1"
head = ["Id", "Begintijd", "Tijd van voltooien", "E-mail", "Naam", "Wat is uw rol?"] + [f"{k}e keuze" for k in range(1, 11)]
ws.append(head)
rid = 0
t0 = dt.datetime(2026, 11, 16, 9, 0)
prefs_rank = {r: [x["code"] for x in prefs(r)] for r, _ in people}
order = [r for r, n in people for _ in range(n)]
rng.shuffle(order)
for role in order:
    rid += 1
    base = sorted(ballot, key=lambda r: prefs_rank[role].index(r["code"]) + rng.random() * 8)
    chosen = base[:10]
    start = t0 + dt.timedelta(hours=rid * 7, minutes=rng.randint(0, 50))
    label = {"leraar": rng.choice(["Leraar", "leraar"]), "schoolleider": "Schoolleider",
             "onderzoeker": "Onderzoeker"}[role]
    ws.append([rid, start, start + dt.timedelta(minutes=rng.randint(4, 12)), "anonymous", "", label]
              + [f"{r['code']} {r['vraag']}" for r in chosen])
wb.save(out)
