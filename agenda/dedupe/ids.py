"""Question ids (``Q-…``): how a new one is made, which forms are valid, how an old one is found.

- A new id is ``Q-`` + the first 12 hex digits of sha1(seed:salt) (48 bits). With n ids the
  chance that any two share their 12 digits is about n²/2⁴⁹: 1.8e-5 for 100,000 questions
  (and still 0.2 % for a million ids handed out over a database's life). Until 2026-12 ids had
  6 hex digits (24 bits): 100,000 questions then hold ~300 colliding pairs (n²/2²⁵), so a salt
  loop had to pick another id, and an id checked only against the last build could be one a
  question that vanished versions ago had carried.
- A collision is never assumed away: `new_id` skips every id in use and every id the database
  ever gave out for another seed (the store's registry, `Store.question_id_registry`), and
  every 12-digit id whose first 6 digits are an old 6-digit id of the database.
- Old 6-digit ids stay valid everywhere: questions that have one keep it, and a decision, sheet
  or ballot naming ``Q-1a2b3c`` that is no current id means the current id ``Q-1a2b3c……`` that
  starts with it (the same seed makes both: a database rebuilt from scratch gives its questions
  the long form of the ids an old ``curation.yaml`` names). Because no new id ever starts with
  an old id of the same database, this never lands on a different question there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container, Iterable, Mapping

WIDTH = 12  # hex digits of a new id
LEGACY_WIDTH = 6  # hex digits of ids handed out before 2026-12
QID = re.compile(r"^Q-(?:[0-9a-f]{12}|[0-9a-f]{6})$")
QID_ANY_CASE = re.compile(r"^Q-(?:[0-9a-f]{12}|[0-9a-f]{6})$", re.I)
EXAMPLE = "Q-1a2b3c4d5e6f"  # shown in messages ("een id als …")


def is_question_id(text: str) -> bool:
    """Whether `text` is a question id of either width (``Q-`` + 12 or 6 lower-case hex digits)."""
    return bool(QID.match(text))


def short_form(cid: str) -> str:
    """The 6-digit prefix of an id (``Q-1a2b3c`` for ``Q-1a2b3c4d5e6f``; an old id is its own)."""
    return cid[: 2 + LEGACY_WIDTH]


def new_id(seed: str, taken: Container[str], registry: Mapping[str, str | None] | None = None) -> str:
    """A new question id derived from `seed` (deterministic: a fresh database gives the same ids).

    `taken`: ids in use in this build. `registry`: every id the database ever gave out, with the
    seed it was derived from (None for ids from before the registry). An id registered for
    another seed, or whose 6-digit prefix is a registered old id, is skipped (the next salt):
    an id never passes to different content. The same seed gets its own id back, so a question
    that leaves and returns finds its curator decisions again."""
    salt = 0
    while True:
        cid = "Q-" + hashlib.sha1(f"{seed}:{salt}".encode()).hexdigest()[:WIDTH]
        if cid not in taken and (registry is None or _free(cid, seed, registry)):
            return cid
        salt += 1


def _free(cid: str, seed: str, registry: Mapping[str, str | None]) -> bool:
    if cid in registry:
        return registry[cid] == seed
    return short_form(cid) not in registry


class Resolver:
    """Finds the current id a reference means: itself, or for an old 6-digit reference that is
    no current id the one current 12-digit id starting with it (none, or two: None)."""

    def __init__(self, current: Iterable[str]):
        self.current = set(current)
        self._by_short: dict[str, list[str]] = {}
        for cid in self.current:
            if len(cid) == 2 + WIDTH:
                self._by_short.setdefault(short_form(cid), []).append(cid)

    def __call__(self, ref: str) -> str | None:
        if ref in self.current:
            return ref
        if len(ref) == 2 + LEGACY_WIDTH and QID.match(ref):
            found = self._by_short.get(ref, [])
            if len(found) == 1:
                return found[0]
        return None

    def aliases(self) -> set[str]:
        """The old 6-digit forms that resolve (for id checks of sheets: both forms are accepted)."""
        return {short for short, ids in self._by_short.items() if len(ids) == 1 and short not in self.current}
