"""Question ids: wide enough not to collide at 100,000 questions, never handed to other content,
old 6-digit ids still resolvable; an id stays with the part of a split question that continues it."""

import hashlib
import math

import numpy as np
import pytest

from agenda.dedupe import clusters, ids
from agenda.dedupe.clusters import assign_ids, cluster_mentions
from agenda.models import Curation, Exclusion, Mention, Rule
from agenda.store import MIGRATIONS, Store


class FakeEmbedder:
    name = "fake"

    def embed(self, texts):
        v = np.random.default_rng(0).normal(size=(len(texts), 8)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def fixed_labels(monkeypatch):
    state = {"labels": None}
    monkeypatch.setattr(clusters.pairs, "cluster_texts", lambda texts, **kw: state["labels"])
    return state


def _mentions(texts):
    return [Mention(id=f"M-{i:08d}", source_id="S-1", text=t, rule=Rule.section) for i, t in enumerate(texts)]


def test_new_ids_have_12_hex_digits_and_do_not_collide_at_100k_questions():
    made = [ids.new_id(f"M-{i:08x}", ()) for i in range(100_000)]
    assert all(ids.is_question_id(c) and len(c) == 14 for c in made)
    assert len(set(made)) == len(made)  # no salt needed: no two seeds share 12 digits
    # the birthday bound behind it: ~1.8e-5 for 48 bits; 6 digits (24 bits) hold ~300 colliding pairs
    n = 100_000
    assert 1 - math.exp(-n * (n - 1) / 2 / 16**12) < 2e-5
    assert n * (n - 1) / 2 / 16**6 > 250
    assert len({c[:8] for c in made}) < n - 200  # the old width did collide at this size


def test_an_id_used_for_other_content_is_never_given_out_again():
    seed = "M-00000001"
    first = ids.new_id(seed, ())
    # a question long gone had this id (another seed): the new question gets another one
    other = ids.new_id(seed, (), {first: "M-0000ffff"})
    assert other != first and len(other) == 14
    # the same content coming back gets its own id back (its decisions apply again)
    assert ids.new_id(seed, (), {first: seed}) == first
    # an old 6-digit id of the database blocks every 12-digit id that starts with it
    assert ids.new_id(seed, (), {first[:8]: None}) != first
    # through assign_ids and cluster_mentions
    assert assign_ids([[seed, "M-00000009"]], {}, registry={first: "M-0000ffff"}) == [other]


def test_old_six_digit_ids_resolve_to_the_question_carrying_their_long_form(fixed_labels):
    mentions = _mentions(["Hoe leren kinderen lezen?", "Wat werkt bij rekenen?", "Hoe plannen we toetsen?"])
    fixed_labels["labels"] = [0, 1, 2]
    base = cluster_mentions(mentions, {}, Curation(), embedder=FakeEmbedder())
    a, b, c = (next(cl.id for cl in base.clusters if m.id in cl.mention_ids) for m in mentions)
    assert all(len(x) == 14 for x in (a, b, c))
    # a curation.yaml written when ids had 6 digits (e.g. the database was built afresh since)
    curation = Curation(rename={a[:8]: "Hoe leren kinderen goed lezen?"}, merge=[[b[:8], c[:8]]],
                        exclude=[], priority={a[:8]: 2.0})
    out = cluster_mentions(mentions, {}, curation, embedder=FakeEmbedder())
    by_id = {cl.id: cl for cl in out.clusters}
    assert by_id[a].question == "Hoe leren kinderen goed lezen?"
    assert sorted(by_id[b].mention_ids) == ["M-00000001", "M-00000002"] and c not in by_id
    assert out.curation.priority == {a: 2.0}
    assert out.notes == []
    # an existing question keeps its old id, and decisions on it apply as before
    legacy = {"Q-0a0b0c": ["M-00000000"], b: ["M-00000001"], c: ["M-00000002"]}
    out = cluster_mentions(mentions, legacy, Curation(exclude=[Exclusion(cluster="Q-0a0b0c", why="buiten scope")]),
                           embedder=FakeEmbedder())
    assert {cl.id: cl.excluded for cl in out.clusters}["Q-0a0b0c"] == "buiten scope"


def test_every_sheet_reader_accepts_both_widths(tmp_path):
    from agenda.evidence.sheet import _QID
    from agenda.dedupe.regroup import _Q_ID
    from agenda.priority.scoring import BallotQuestion
    from agenda.priority.votes import OptionMatcher

    wide, old = "Q-" + hashlib.sha1(b"x").hexdigest()[:12], "Q-1a2b3c"
    assert _QID.match(wide) and _QID.match(old) and not _QID.match("Q-1a2b3c4")
    assert _Q_ID.match(wide) and _Q_ID.match(old)
    matcher = OptionMatcher([BallotQuestion(code="V01", cluster_id=wide, question="Hoe?", position=1)])
    assert matcher.match(wide) == "V01" and matcher.match(wide[:8].upper()) == "V01"
    assert matcher.match("Q-ffffff") is None


def test_a_ballot_with_old_ids_still_counts_for_the_questions():
    from agenda.models import AgendaItem
    from agenda.priority import apply_round

    class FakeStore:
        def round_of_build(self, build_id):
            return "R1"

        def ballots(self):
            return [{"id": "R1", "version_label": "2026-Q4"}]

        def ballot_items(self, ballot_id):
            return [("V01", wide[:8], "Vraag één?", 1), ("V02", "Q-2b2b2b", "Vraag twee?", 2)]

        def votes(self, ballot_id):
            return [("stemmen.csv", "h", "p-1", "leraar", 1, "V02"), ("stemmen.csv", "h", "p-1", "leraar", 2, "V01")]

        def rejected(self, build_id):
            return []

    wide = ids.new_id("M-1", ())
    items = [AgendaItem(rank=1, cluster_id=wide, question="Vraag één?", score=2, frequency=2, n_mentions=2,
                        explanation="x"),
             AgendaItem(rank=2, cluster_id="Q-2b2b2b", question="Vraag twee?", score=1, frequency=1, n_mentions=1,
                        explanation="x")]
    ordered, result = apply_round(FakeStore(), 1, items)
    assert [i.cluster_id for i in ordered] == ["Q-2b2b2b", wide]
    assert ordered[1].priority is not None and ordered[1].priority.code == "V01"
    assert all(e.on_agenda for e in result.ranking)


def test_the_store_registers_every_id_for_good(tmp_path, monkeypatch):
    from agenda.models import Cluster

    # an existing database from before the registry: its ids are registered by the migration
    monkeypatch.setattr("agenda.store.MIGRATIONS", MIGRATIONS[:4])
    with Store(tmp_path / "a.duckdb") as store:
        store.con.execute("INSERT INTO clusters VALUES ('Q-0a0b0c', 'Oud?', NULL, 1)")
        store.con.execute("INSERT INTO cluster_members VALUES ('M-1', 'Q-0a0b0c', 'Q-0a0b0c')")
        store.con.execute("INSERT INTO ballot_items VALUES ('R1', 'V01', 'Q-0d0e0f', 'Eerder?', 1)")
    monkeypatch.setattr("agenda.store.MIGRATIONS", MIGRATIONS)
    with Store(tmp_path / "a.duckdb") as store:
        assert store.question_id_registry() == {"Q-0a0b0c": None, "Q-0d0e0f": None}
        new = ids.new_id("M-2", ())
        store.save_clusters(2, [Cluster(id=new, question="Nieuw?", mention_ids=["M-2"])], {"M-2": new}, {new: "M-2"})
        store.save_clusters(3, [], {})  # both questions vanished from the corpus
        assert store.question_id_registry() == {"Q-0a0b0c": None, "Q-0d0e0f": None, new: "M-2"}


def _previous_build(mentions, groups, question):
    """The previous build: machine groups (lists of mention indices) under ids, the first group's
    agenda formulation `question`."""
    prev_ids = [ids.new_id(f"old-{k}", ()) for k in range(len(groups))]
    previous = {cid: [mentions[i].id for i in g] for cid, g in zip(prev_ids, groups)}
    return prev_ids, previous, {prev_ids[0]: question}


BLOB = ["Hoe krijgen we ouders betrokken bij het leesonderwijs?",  # the agenda formulation voters saw
        "Hoe betrek je ouders bij het lezen thuis?",
        "Wat doen ouders thuis aan lezen?",
        "Hoe lang mag een kind op een tablet?",
        "Wat is een goede schermtijd voor kleuters?",
        "Hoeveel schermtijd is gezond?",
        "Hoe organiseer je een ouderavond?",
        "Wanneer nodig je ouders uit op school?",
        "Hoe vaak spreek je ouders?"]


def test_a_fragment_with_most_mentions_does_not_inherit_the_old_question(fixed_labels):
    mentions = _mentions(BLOB)
    prev_ids, previous, questions = _previous_build(mentions, [range(9)], BLOB[0])
    old = prev_ids[0]
    # a changed dedupe model splits the blob in three: 4 about screen time and evenings (the
    # largest part), 3 about reading with parents (holds the agenda formulation), 2 others
    fixed_labels["labels"] = [1, 1, 1, 0, 0, 0, 0, 2, 2]
    curation = Curation(rename={old: "Hoe betrekken we ouders bij lezen?"}, priority={old: 3.0})
    out = cluster_mentions(mentions, previous, curation, embedder=FakeEmbedder(), questions=questions)
    assert old not in {c.id for c in out.clusters}  # no part holds both the formulation and a majority
    assert sorted(out.split_up[old]) == sorted(c.id for c in out.clusters)
    assert out.curation.rename == {} and out.curation.priority == {}  # decisions not applied to a fragment
    assert any(old in n and "opgesplitst" in n and "bekijk" in n for n in out.notes)
    assert all(c.question != "Hoe betrekken we ouders bij lezen?" for c in out.clusters)


def test_the_part_with_the_formulation_and_most_mentions_keeps_the_id(fixed_labels):
    mentions = _mentions(BLOB)
    prev_ids, previous, questions = _previous_build(mentions, [range(9)], BLOB[0])
    old = prev_ids[0]
    fixed_labels["labels"] = [0, 0, 0, 0, 0, 1, 1, 2, 2]  # 5 of 9 with the formulation
    out = cluster_mentions(mentions, previous, Curation(priority={old: 3.0}), embedder=FakeEmbedder(),
                           questions=questions)
    kept = next(c for c in out.clusters if c.id == old)
    assert sorted(kept.mention_ids) == [m.id for m in mentions[:5]]
    assert out.curation.priority == {old: 3.0} and out.split_up == {} and out.notes == []
    # most mentions but not the formulation voters saw: new ids all round
    fixed_labels["labels"] = [1, 0, 0, 0, 0, 0, 1, 1, 2]
    out = cluster_mentions(mentions, previous, Curation(), embedder=FakeEmbedder(), questions=questions)
    assert old not in {c.id for c in out.clusters} and old in out.split_up
    # the formulation's own mention gone from the corpus: a majority decides, as before
    fixed_labels["labels"] = [0, 0, 0, 0, 0, 1, 1, 2]
    out = cluster_mentions(mentions[1:], previous, Curation(), embedder=FakeEmbedder(), questions=questions)
    assert old in {c.id for c in out.clusters}


def test_a_fresh_database_gives_the_same_ids_and_new_input_changes_nothing_else(fixed_labels):
    mentions = _mentions(BLOB)
    fixed_labels["labels"] = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    one = cluster_mentions(mentions, {}, Curation(), embedder=FakeEmbedder())
    two = cluster_mentions(mentions, {}, Curation(), embedder=FakeEmbedder())
    assert [(c.id, c.mention_ids) for c in one.clusters] == [(c.id, c.mention_ids) for c in two.clusters]
    previous = {}
    for m, cid in one.automatic.items():
        previous.setdefault(cid, []).append(m)
    questions = {c.id: c.question for c in one.clusters}
    more = mentions + [Mention(id="M-0000abcd", source_id="S-2", text="Wat kost een leesconsulent?", rule=Rule.section)]
    fixed_labels["labels"] = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    three = cluster_mentions(more, previous, Curation(), embedder=FakeEmbedder(), questions=questions)
    assert [(c.id, c.mention_ids) for c in three.clusters if c.id in previous] == \
        [(c.id, c.mention_ids) for c in one.clusters]
    assert three.split_up == {} and len(three.clusters) == 4


def test_an_id_retired_by_a_split_never_returns_to_a_fragment(tmp_path):
    from agenda.models import Cluster

    with Store(tmp_path / "a.duckdb") as store:
        old = ids.new_id("M-1", ())
        store.save_clusters(1, [Cluster(id=old, question="Vraag?", mention_ids=["M-1", "M-2", "M-3"])],
                            {m: old for m in ("M-1", "M-2", "M-3")}, {old: "M-1"})
        assert ids.new_id("M-1", (), store.question_id_registry()) == old  # the same content would get it back
        parts = [ids.new_id("M-1", {old}), ids.new_id("M-2", {old})]
        store.save_clusters(2, [Cluster(id=parts[0], question="A?", mention_ids=["M-1"]),
                                Cluster(id=parts[1], question="B?", mention_ids=["M-2", "M-3"])],
                            {"M-1": parts[0], "M-2": parts[1], "M-3": parts[1]},
                            {parts[0]: "M-1", parts[1]: "M-2"}, retired=[old])
        # later the fragment holding M-1 needs a new id again: never the split question's
        assert ids.new_id("M-1", set(parts), store.question_id_registry()) != old
