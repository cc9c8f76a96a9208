"""Themes and question types: shipped themes file, openings, curator overrides, a custom file."""

import numpy as np

from agenda.models import AgendaItem, Curation
from agenda.settings import Settings
from agenda.themes import assign_themes, load_themes


class NoSemantics:
    """An embedder that carries no signal, so keywords and openings decide."""

    name = "flat"

    def embed(self, texts):
        return np.ones((len(texts), 4), dtype=np.float32) / 2


def _item(cid, question):
    return AgendaItem(rank=1, cluster_id=cid, question=question, score=1, frequency=1, n_mentions=1, explanation="x")


def test_shipped_themes_cover_the_knowledge_tables_groups():
    book = load_themes(None)
    names = {t.name for t in book.themes}
    assert {"Volgen en sturen", "Professionalisering en continuïteit", "Leermiddelen en ict-toepassingen",
            "Visie en organisatie"} <= names
    assert {t.name for t in book.question_types} == {"kennisvraag", "praktisch (implementatie)", "instrumenteel", "beleid"}


def test_openings_and_keywords_decide_without_semantics():
    items = [_item("Q-1", "Wat is het effect van adaptieve software op de resultaten van leerlingen?"),
             _item("Q-2", "Hoe richt je een leerplein in?"),
             _item("Q-3", "Welke software is geschikt om de voortgang op leerdoelen te volgen?")]
    assign_themes(items, Curation(), Settings(), embedder=NoSemantics())
    assert [i.question_type for i in items] == ["kennisvraag", "praktisch (implementatie)", "instrumenteel"]
    assert items[1].theme == "Visie en organisatie"


def test_curator_overrides_win(tmp_path):
    items = [_item("Q-1", "Hoe richt je een leerplein in?")]
    assign_themes(items, Curation(theme={"Q-1": "Eigen thema"}, question_type={"Q-1": "beleid"}), Settings(),
                  embedder=NoSemantics())
    assert (items[0].theme, items[0].question_type) == ("Eigen thema", "beleid")


def test_a_custom_themes_file(tmp_path):
    path = tmp_path / "themes.yaml"
    path.write_text("themes:\n  - name: Lezen\n    keywords: [lezen, leesbegrip]\n  - name: Rekenen\n"
                    "    keywords: [rekenen, breuken]\nquestion_types:\n  - name: vraag\n", encoding="utf-8")
    items = [_item("Q-1", "Hoe verbeter je het leesbegrip?"), _item("Q-2", "Hoe leg je breuken uit?")]
    assign_themes(items, Curation(), Settings(themes_file=path), embedder=NoSemantics())
    assert [i.theme for i in items] == ["Lezen", "Rekenen"]
