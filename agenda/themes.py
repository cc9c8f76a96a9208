"""Themes and question types, as the knowledge table grouped its agenda.

Each question gets the theme (and type) with the highest score: the share of the theme's
keywords found in the question (after Dutch stemming) plus the semantic similarity of the
question to the theme's description (multilingual-e5-small, the build's one embedding model). The curator's `theme:` / `question_type:` entries
in curation.yaml win. The themes file is YAML (agenda/data/themes.yaml by default).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError, field_validator

from agenda.models import AgendaItem, Curation
from agenda.settings import Settings
from agenda.dedupe.text import tokens

KEYWORD_WEIGHT = 1.0
# e5's cosines between a question and the themes spread ~4.4x less than those of USE v3, the model
# these weights were set with (mean std over the themes per question: 0.022 vs 0.099 on the sample
# corpus), so the semantic term is scaled by that ratio, not re-fitted to labels
# (bench/theme_agreement.py measures the agreement with a curator's labels).
SEMANTIC_WEIGHT = 4.4
OPENING_WEIGHT = 1.5  # "Wat is het effect…", "Hoe richt je…": the opening says the type


class Theme(BaseModel):
    name: str
    description: str = ""
    keywords: list[str] = []
    openings: list[str] = []  # regular expressions on the question's start (question types)

    @field_validator("openings")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for rx in value:
            try:
                re.compile(rx)
            except re.error as exc:
                raise ValueError(f"'{rx[:60]}' is geen geldige reguliere expressie ({exc})") from None
        return value


class ThemeBook(BaseModel):
    themes: list[Theme]
    question_types: list[Theme]


class ThemesError(ValueError):
    """The themes file (setting `themes_file`) cannot be used: one Dutch line naming it and why."""


@functools.lru_cache(maxsize=4)
def load_themes(path: Path | None = None) -> ThemeBook:
    """The themes and question types of `path` (the setting `themes_file`), else the shipped ones.

    Read with the guards of every YAML input; raises ThemesError (Dutch: the file, the line or
    key, what to do) for a missing, unreadable or malformed file, checked before a build starts.
    """
    from agenda.ingest.common import IngestError
    from agenda.ingest.safety import load_yaml
    from agenda.settings import Limits, dutch_reason

    if path is None:
        text, shown = resources.files("agenda").joinpath("data/themes.yaml").read_text(encoding="utf-8"), "themes.yaml"
    else:
        shown = str(path)
        try:
            text = Path(path).read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise ThemesError(f"themabestand niet gevonden: {path} (instelling themes_file); "
                              "pas het pad aan of laat de instelling weg voor de standaardthema's") from None
        except UnicodeDecodeError:
            raise ThemesError(f"themabestand {path} is geen UTF-8-tekst (instelling themes_file)") from None
        except OSError as exc:
            raise ThemesError(f"themabestand {path} kan niet worden gelezen ({exc.strerror or type(exc).__name__}); "
                              "pas de rechten of de instelling themes_file aan") from None
    try:
        data, lines = load_yaml(text, Limits(), what=shown)
        return ThemeBook.model_validate(data)
    except IngestError as exc:
        raise ThemesError(f"{shown}{f', regel {exc.line}' if exc.line else ''}: {exc.reason}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "het bestand"
        line = lines.get(err["loc"][0]) if err["loc"] else None
        reason = err["msg"].removeprefix("Value error, ") if err["type"] == "value_error" else dutch_reason(err)
        raise ThemesError(f"{shown}{f', regel {line}' if line else ''}: themabestand ongeldig bij '{where}': {reason} "
                          "(verwacht themes: en question_types:, elk een lijst met name, description, keywords)") from None


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
        from agenda.dedupe.pairs import semantic_embedder
        from agenda.dedupe.text import normalise

        # the e5 model the build already uses ("query:" on both sides: a symmetric comparison);
        # normalised questions are the texts clustering embedded, so they come from its memo
        embedder = embedder or semantic_embedder()
        q_emb = embedder.embed([normalise(q) for q in questions])
        t_emb = embedder.embed([f"{t.name}: {t.description}" for t in book.themes])
        y_emb = embedder.embed([f"{t.name}: {t.description}" for t in book.question_types])
    except Exception:  # the semantic signal is a help, never a requirement
        q_emb = None
    themes = _choose(questions, book.themes, q_emb, t_emb)
    types = _choose(questions, book.question_types, q_emb, y_emb)
    for item, theme, qtype in zip(items, themes, types, strict=True):
        item.theme = curation.theme.get(item.cluster_id) or theme
        item.question_type = curation.question_type.get(item.cluster_id) or qtype
