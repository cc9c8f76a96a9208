"""Themes and question types, as the knowledge table grouped its agenda.

Each question gets the theme (and type) with the highest score: the share of the theme's
keywords found in the question (after Dutch stemming) plus the semantic similarity of the
question to the theme's description. The curator's `theme:` / `question_type:` entries
in curation.yaml win. The themes file is YAML (agenda/data/themes.yaml by default).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel

from agenda.models import AgendaItem, Curation
from agenda.settings import Settings
from agenda.dedupe.text import tokens

KEYWORD_WEIGHT = 1.0
SEMANTIC_WEIGHT = 1.0
OPENING_WEIGHT = 1.5  # "Wat is het effect…", "Hoe richt je…": the opening says the type


class Theme(BaseModel):
    name: str
    description: str = ""
    keywords: list[str] = []
    openings: list[str] = []  # regular expressions on the question's start (question types)


class ThemeBook(BaseModel):
    themes: list[Theme]
    question_types: list[Theme]


@functools.lru_cache(maxsize=4)
def load_themes(path: Path | None = None) -> ThemeBook:
    text = path.read_text(encoding="utf-8") if path else resources.files("agenda").joinpath("data/themes.yaml").read_text(encoding="utf-8")
    return ThemeBook.model_validate(yaml.safe_load(text))


def _keyword_scores(question: str, options: Sequence[Theme]) -> np.ndarray:
    words = set(tokens(question))
    scores = []
    for option in options:
        stems = {t for k in option.keywords for t in tokens(k)}
        hits = len(words & stems)
        scores.append(min(hits, 3) / 3)
    return np.asarray(scores, dtype=np.float32)


def _opening_scores(question: str, options: Sequence[Theme]) -> np.ndarray:
    start = question.strip().lower()
    return np.asarray([any(re.match(p, start) for p in o.openings) for o in options], dtype=np.float32)


def _choose(questions: Sequence[str], options: Sequence[Theme], q_emb: np.ndarray | None, o_emb: np.ndarray | None) -> list[str]:
    chosen = []
    for i, question in enumerate(questions):
        score = KEYWORD_WEIGHT * _keyword_scores(question, options) + OPENING_WEIGHT * _opening_scores(question, options)
        if q_emb is not None and o_emb is not None:
            score = score + SEMANTIC_WEIGHT * (o_emb @ q_emb[i])
        chosen.append(options[int(np.argmax(score))].name)
    return chosen


def assign_themes(items: Sequence[AgendaItem], curation: Curation, settings: Settings, embedder=None) -> None:
    """Set `theme` and `question_type` on every item, in place; curator overrides win."""
    if not items:
        return
    book = load_themes(settings.themes_file)
    questions = [i.question for i in items]
    q_emb = t_emb = y_emb = None
    try:
        from agenda.dedupe.embed import default_embedder

        embedder = embedder or default_embedder()
        q_emb = embedder.embed(questions)
        t_emb = embedder.embed([f"{t.name}: {t.description}" for t in book.themes])
        y_emb = embedder.embed([f"{t.name}: {t.description}" for t in book.question_types])
    except Exception:  # the semantic signal is a help, never a requirement
        q_emb = None
    themes = _choose(questions, book.themes, q_emb, t_emb)
    types = _choose(questions, book.question_types, q_emb, y_emb)
    for item, theme, qtype in zip(items, themes, types, strict=True):
        item.theme = curation.theme.get(item.cluster_id) or theme
        item.question_type = curation.question_type.get(item.cluster_id) or qtype
