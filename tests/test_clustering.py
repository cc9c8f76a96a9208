"""Stable cluster ids and the curator's decisions, on top of a fixed automatic clustering."""

import numpy as np
import pytest

from agenda.dedupe import clusters
from agenda.dedupe.clusters import assign_ids, cluster_mentions, select_mentions
from agenda.models import Curation, Exclusion, Knowledge, Mention, Rule


class FakeEmbedder:
    name = "fake"

    def embed(self, texts):
        rng = np.random.default_rng(0)
        v = rng.normal(size=(len(texts), 8)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def _mentions(n):
    return [Mention(id=f"M-{i:08d}", source_id="S-1", text=f"Vraag {i}?", rule=Rule.section) for i in range(n)]


@pytest.fixture
def fixed_labels(monkeypatch):
    """Make the automatic clustering return the labels a test sets."""
    state = {"labels": None}
    monkeypatch.setattr(clusters.pairs, "cluster_texts", lambda texts, **kw: state["labels"])
    return state


def test_new_ids_are_deterministic_and_well_formed():
    ids = assign_ids([["M-2", "M-1"], ["M-3"]], {})
    assert ids == assign_ids([["M-1", "M-2"], ["M-3"]], {})
    assert all(i.startswith("Q-") and len(i) == 14 for i in ids)  # 12 hex digits (agenda.dedupe.ids)
    assert len(set(ids)) == 2


def test_a_growing_cluster_keeps_its_id():
    [old] = assign_ids([["M-1", "M-2"]], {})
    assert assign_ids([["M-1", "M-2", "M-9"]], {old: ["M-1", "M-2"]}) == [old]


def test_fused_clusters_keep_the_id_with_most_shared_mentions():
    prev = {"Q-aaaaaa": ["M-1"], "Q-bbbbbb": ["M-2", "M-3"]}
    assert assign_ids([["M-1", "M-2", "M-3"]], prev) == ["Q-bbbbbb"]


def test_a_split_cluster_keeps_its_id_on_the_larger_part():
    prev = {"Q-aaaaaa": ["M-1", "M-2", "M-3"]}
    ids = assign_ids([["M-1"], ["M-2", "M-3"]], prev)
    assert ids[1] == "Q-aaaaaa" and ids[0] != "Q-aaaaaa"


def test_curator_merge_split_exclude_rename(fixed_labels):
    mentions = _mentions(5)
    fixed_labels["labels"] = [0, 0, 1, 2, 2]
    base = cluster_mentions(mentions, {}, Curation(), embedder=FakeEmbedder())
    cid = {m: c.id for c in base.clusters for m in c.mention_ids}
    a, b, c = cid["M-00000000"], cid["M-00000002"], cid["M-00000003"]
    curation = Curation(
        merge=[[a, b]], split=[["M-00000004"]], exclude=[Exclusion(cluster=c, why="buiten scope")],
        rename={a: "Nieuwe formulering?"}, knowledge={a: Knowledge(known="x")},
    )
    previous: dict[str, list[str]] = {}
    for mention_id, cluster_id in base.automatic.items():
        previous.setdefault(cluster_id, []).append(mention_id)
    out = cluster_mentions(mentions, previous, curation, embedder=FakeEmbedder())
    by_id = {cl.id: cl for cl in out.clusters}
    assert sorted(by_id[a].mention_ids) == ["M-00000000", "M-00000001", "M-00000002"]
    assert b not in by_id
    assert by_id[a].question == "Nieuwe formulering?"
    assert by_id[c].excluded == "buiten scope" and by_id[c].mention_ids == ["M-00000003"]
    split = [cl for cl in out.clusters if cl.mention_ids == ["M-00000004"]]
    assert len(split) == 1 and split[0].id not in (a, b, c)
    assert out.curation.knowledge[a].known == "x"
    assert out.notes == []


def test_decisions_on_unknown_ids_are_reported(fixed_labels):
    fixed_labels["labels"] = [0, 1]
    curation = Curation(merge=[["Q-000000", "Q-111111"]], exclude=[Exclusion(cluster="Q-222222")],
                        split=[["M-ffffffff"]], rename={"Q-333333": "x"}, priority={"Q-444444": 2})
    out = cluster_mentions(_mentions(2), {}, curation, embedder=FakeEmbedder())
    text = "\n".join(out.notes)
    for ident in ("Q-000000", "Q-111111", "Q-222222", "M-ffffffff", "Q-333333", "Q-444444"):
        assert ident in text
    assert len(out.clusters) == 2


def test_an_unknown_id_in_several_decisions_is_reported_once(fixed_labels):
    fixed_labels["labels"] = [0, 1]
    curation = Curation(merge=[["Q-000000", "Q-111111"], ["Q-000000", "Q-222222"], ["Q-000000", "Q-333333"]])
    out = cluster_mentions(_mentions(2), {}, curation, embedder=FakeEmbedder())
    assert sum("Q-000000" in n for n in out.notes) == 1 and len(out.notes) == len(set(out.notes))


def test_promote_brings_a_candidate_onto_the_agenda():
    ms = _mentions(2) + [Mention(id="M-cand0001", source_id="S-1", text="Kandidaat?", rule=Rule.candidate)]
    chosen, notes = select_mentions(ms, Curation(promote=["M-cand0001", "M-nothere0"]))
    assert [m.id for m in chosen][-1] == "M-cand0001" and len(chosen) == 3
    assert notes and "M-nothere0" in notes[0]
    chosen, _ = select_mentions(ms, Curation())
    assert "M-cand0001" not in [m.id for m in chosen]


def test_embeddings_are_cached_by_normalised_text(tmp_path):
    from agenda.dedupe.clusters import embed_cached
    from agenda.store import Store

    class Counting(FakeEmbedder):
        seen: list[str] = []

        def embed(self, texts):
            self.seen.extend(texts)
            return super().embed(texts)

    embedder = Counting()
    with Store(tmp_path / "a.duckdb") as store:
        first = embed_cached(["Hoe richt je een leerplein in?", "Wat is goed onderwijs?"], embedder, store)
        assert len(embedder.seen) == 2
        again = embed_cached(["HOE richt je een leerplein in ?", "Wat is goed onderwijs?", "Nieuw?"], embedder, store)
        assert len(embedder.seen) == 3  # only the unseen question was embedded
        assert np.allclose(again[:2], first)


def test_the_agenda_formulation_leaves_out_who_asks():
    texts = ["Vraag vanuit het team: hoe pakken we begrijpend lezen aan?"]
    assert clusters.representative([0], texts, np.ones((1, 3), np.float32)) == "Hoe pakken we begrijpend lezen aan?"
    texts = ["Vanuit de MR: is huiswerk oneerlijk?", "Is huiswerk oneerlijk voor sommige kinderen?"]
    emb = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    assert clusters.representative([0, 1], texts, emb) == "Is huiswerk oneerlijk?"
    assert clusters.representative([0], ["Feedback geven: hoe doe je dat?"], emb[:1]) == "Feedback geven: hoe doe je dat?"


def test_the_agenda_formulation_is_the_most_self_contained():
    texts = [
        "Ik zie in mijn klas dat kinderen ChatGPT gebruiken, hoe leer ik ze kritisch te zijn?",
        "Welke scholing is daarvoor nodig?",
        "Hoe leer je leerlingen kritisch om te gaan met generatieve AI?",
        "Hoe leren leerlingen kritisch en verantwoord omgaan met generatieve AI in hun schoolwerk en daarbuiten?",
        "Hoe leer je kinderen kritisch naar AI te kijken?",
        "Kritisch AI-gebruik leren?",
    ]
    # the leaning and the first-person formulations are the most central: still not chosen
    emb = np.array([[1.0, 0.0], [1.0, 0.0], [0.9, 0.44], [0.8, 0.6], [0.85, 0.53], [0.7, 0.71]], np.float32)
    chosen = clusters.representative(range(len(texts)), texts, emb)
    assert chosen == "Hoe leer je leerlingen kritisch om te gaan met generatieve AI?"  # not longest, not shortest
    # without a self-contained formulation the least dependent one is shown
    assert clusters.representative([0, 1], texts, emb) == texts[0]


def test_a_leaning_question_is_compared_with_its_lead_in():
    class Recording:
        name = "rec"

        def __init__(self):
            self.seen = []

        def embed(self, texts):
            self.seen.extend(texts)
            return np.ones((len(texts), 384), np.float32) / np.sqrt(384)


    m = [Mention(id="M-1", source_id="s", text="Welke scholing is daarvoor nodig?", rule=Rule.section,
                 extra={"lead_in": "Leraren gaan met AI werken."}),
         Mention(id="M-2", source_id="s", text="Hoe werk je met AI?", rule=Rule.section)]
    rec = Recording()
    out = cluster_mentions(m, {}, Curation(), embedder=rec)
    assert any("ai werken" in t and "scholing" in t for t in rec.seen)
    assert sum(len(c.mention_ids) for c in out.clusters) == 2


def test_cluster_csv_reads_an_optional_context_column(tmp_path):
    from agenda.dedupe.csv_io import read_rows

    p = tmp_path / "in.csv"
    p.write_text("id,text,context\na,Welke scholing is daarvoor nodig?,Leraren gaan met AI werken.\nb,Wat werkt?,\n",
                 encoding="utf-8")
    assert read_rows(p) == [("a", "Welke scholing is daarvoor nodig?", "Leraren gaan met AI werken."),
                            ("b", "Wat werkt?", "")]


def _build(store, mentions, labels, curation, fixed_labels, n):
    """One build as cluster_database runs it (the machine's labels fixed), stored with a version."""
    import datetime as dt

    from agenda.models import Agenda, AgendaItem, MentionRef, SourceKind

    fixed_labels["labels"] = labels
    out = cluster_mentions(mentions, store.previous_clusters(automatic=True), curation, embedder=FakeEmbedder(),
                           history=store.id_history())
    store.save_clusters(n, out.clusters, out.automatic)
    items = [AgendaItem(rank=r, cluster_id=c.id, question=c.question, score=1.0, frequency=1,
                        n_mentions=len(c.mention_ids), explanation="",
                        mentions=[MentionRef(id=m, text="", source="s", source_id="S-1", source_path="s",
                                             kind=SourceKind.meeting) for m in c.mention_ids])
             for r, c in enumerate(out.clusters, start=1)]
    store.save_version(Agenda(label=f"v{n}", built_at=dt.datetime(2026, 1, n), input_fingerprint=str(n), items=items))
    return out, {m: c.id for c in out.clusters for m in c.mention_ids}


def test_decisions_hold_when_the_machine_merges_their_questions_itself(fixed_labels, tmp_path):
    """A curator merged B and C and said A and D differ; later the machine merges B with C and
    A with D on its own (a bridging formulation, a refitted model). On every later build the
    merge is simply satisfied (no note) and A and D are taken apart again, under their ids."""
    from agenda.dedupe.review import Decisions
    from agenda.store import Store

    ms = _mentions(7)
    with Store(tmp_path / "a.duckdb") as store:
        _, first = _build(store, ms[:6], [0, 0, 1, 1, 2, 3], Curation(), fixed_labels, 1)
        a, b, c, d = first["M-00000000"], first["M-00000002"], first["M-00000004"], first["M-00000005"]
        curation = Curation(merge=[[b, c]], distinct=[[a, d]])
        for n in (2, 3, 4):  # the machine now fuses B+C and A+D; three builds, ids vanished for good
            out, now = _build(store, ms[:6], [0, 0, 1, 1, 1, 0], curation, fixed_labels, n)
            assert out.notes == [], (n, out.notes)
            assert now == {"M-00000000": a, "M-00000001": a, "M-00000002": b, "M-00000003": b,
                           "M-00000004": b, "M-00000005": d}, n
        decisions = Decisions.resolve(curation, store.clusters(), store.previous_clusters(automatic=True),
                                      store.id_history())
        assert decisions.decided(a, d) and decisions.decided(b, b)
        # an unrelated new formulation changes nothing else
        _, more = _build(store, ms, [0, 0, 1, 1, 1, 0, 2], curation, fixed_labels, 5)
        assert {m: q for m, q in more.items() if m != "M-00000006"} == now and more["M-00000006"] not in now.values()
        # C's only formulation leaves the inputs: the merge cannot apply any more, said once, in words
        out, _ = _build(store, [m for m in ms if m.id != "M-00000004"], [0, 0, 1, 1, 0, 2], curation, fixed_labels, 6)
        assert len(out.notes) == 1 and c in out.notes[0] and "niet meer in de invoer" in out.notes[0], out.notes


def test_a_distinct_verdict_on_a_question_the_machine_split_up_is_no_note(fixed_labels):
    """Nothing to take apart when the machine itself split the question: no note (its other
    decisions still get the 'opgesplitst' note); a merge already made by the machine neither."""
    ms = _mentions(5)
    fixed_labels["labels"] = [0, 0, 0, 0, 1]
    base = cluster_mentions(ms, {}, Curation(), embedder=FakeEmbedder())
    a, b = base.automatic["M-00000000"], base.automatic["M-00000004"]
    previous = {a: [f"M-{i:08d}" for i in range(4)], b: ["M-00000004"]}
    fixed_labels["labels"] = [0, 0, 1, 1, 1]
    out = cluster_mentions(ms, previous, Curation(distinct=[[a, b]]), embedder=FakeEmbedder())
    assert a in out.split_up and out.notes == []
    out = cluster_mentions(ms, previous, Curation(distinct=[[a, b]], rename={a: "x"}), embedder=FakeEmbedder())
    assert len(out.notes) == 1 and "opgesplitst" in out.notes[0]


def test_a_merge_naming_a_question_the_machine_split_up_still_applies(fixed_labels):
    """A review round's "ja" between A (two formulations) and B, then a refitted pair model splits A:
    A's formulations join B all the same (the curator judged A as it was); one the curator took out
    with a `split` stays out. Before, the merge was dropped with an 'opgesplitst' note."""
    ms = _mentions(5)
    fixed_labels["labels"] = [0, 0, 1, 2, 2]
    base = cluster_mentions(ms, {}, Curation(), embedder=FakeEmbedder())
    a, b, c = (base.automatic[f"M-0000000{i}"] for i in (0, 2, 3))
    previous = {a: ["M-00000000", "M-00000001"], b: ["M-00000002"], c: ["M-00000003", "M-00000004"]}
    fixed_labels["labels"] = [0, 1, 2, 3, 4]  # the machine now splits A (and C)
    out = cluster_mentions(ms, previous, Curation(merge=[[a, b]]), embedder=FakeEmbedder())
    assert a in out.split_up and out.notes == []
    where = {m: cl.id for cl in out.clusters for m in cl.mention_ids}
    assert where["M-00000000"] == where["M-00000001"] == where["M-00000002"]
    assert where["M-00000003"] != where["M-00000004"]  # C: no decision, the machine's split holds
    # both named questions split: their formulations become one question; a formulation taken out stays out
    out = cluster_mentions(ms, previous, Curation(merge=[[a, c]], split=[["M-00000004"]]), embedder=FakeEmbedder())
    where = {m: cl.id for cl in out.clusters for m in cl.mention_ids}
    assert where["M-00000000"] == where["M-00000001"] == where["M-00000003"] != where["M-00000004"]
    assert out.notes == []
