"""Version labels, content hashes and the change list between versions."""

import datetime as dt

from agenda.models import Agenda, AgendaItem, MentionRef, SourceKind
from agenda.versions import content_hash, describe, diff, next_label, quarter_label


def _item(cid, rank, freq=1, mentions=()):
    return AgendaItem(rank=rank, cluster_id=cid, question=f"Vraag {cid}?", score=float(freq), frequency=freq,
                      n_mentions=len(mentions), explanation="x",
                      mentions=[MentionRef(id=m, text="t", source="s", source_id="S", source_path="p",
                                           kind=SourceKind.meeting) for m in mentions])


def _agenda(items, label="2026-Q4"):
    return Agenda(label=label, built_at=dt.datetime(2026, 11, 23), input_fingerprint="f", items=items)


def test_labels_name_the_quarter_and_count_rebuilds():
    assert quarter_label(dt.date(2026, 11, 23)) == "2026-Q4"
    assert quarter_label(dt.date(2027, 1, 1)) == "2027-Q1"
    assert next_label(dt.date(2026, 11, 23), []) == "2026-Q4"
    assert next_label(dt.date(2026, 11, 23), ["2026-Q4"]) == "2026-Q4.2"
    assert next_label(dt.date(2026, 11, 23), ["2026-Q4", "2026-Q4.2"]) == "2026-Q4.3"


def test_content_hash_ignores_label_and_time():
    a, b = _agenda([_item("Q-a", 1)]), _agenda([_item("Q-a", 1)], label="2027-Q1")
    b.built_at = dt.datetime(2027, 1, 1)
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash(_agenda([_item("Q-a", 1, freq=2)]))


def test_diff_names_new_dropped_moves_merges_and_frequency():
    fill = [_item(f"Q-f{k}", 4 + k, 1, [f"M-f{k}"]) for k in range(1, 4)]
    old = _agenda([_item("Q-a", 1, 3, ["M-1"]), _item("Q-b", 2, 2, ["M-2"]), _item("Q-c", 3, 1, ["M-3"]),
                   _item("Q-d", 4, 1, ["M-4"]), *fill, _item("Q-g", 8, 1, ["M-g"])])
    new = [_item("Q-g", 1, 4, ["M-g", "M-4"]), _item("Q-a", 2, 3, ["M-1"]), _item("Q-b", 3, 2, ["M-2"]),
           _item("Q-e", 4, 1, ["M-5"]), *[f.model_copy(update={"rank": f.rank + 1}) for f in fill]]
    changes = diff(old, new)
    assert [i.cluster_id for i in changes.new] == ["Q-e"]
    assert [i.cluster_id for i in changes.dropped] == ["Q-c"]
    assert [(m.into, m.merged) for m in changes.merges] == [("Q-g", ["Q-d", "Q-g"])]
    # Q-g climbs 5 places among the questions in both versions; Q-a and Q-b move one place
    # each and the f-questions shift for the new one: no news
    assert {(m.cluster_id, m.old_rank, m.new_rank) for m in changes.moves} == {("Q-g", 8, 1)}
    assert [(f.cluster_id, f.old, f.new) for f in changes.frequency] == [("Q-g", 1, 4)]
    text = "\n".join(describe(changes))
    assert "nieuw" in text and "Vraag Q-e?" in text and "vervallen" in text


def test_first_version_has_nothing_to_compare():
    changes = diff(None, [_item("Q-a", 1)])
    assert changes.previous is None
    assert "eerste versie" in describe(changes)[0]


def test_only_moves_across_the_top_10_or_of_three_places_are_news():
    old = _agenda([_item(f"Q-{k:02d}", k) for k in range(1, 16)])
    order = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10, 13, 12, 15, 14]  # swaps: 10<->11 crosses the top 10
    order = [2, 1, *order[2:]]  # a one-place swap at the top is not listed
    order.insert(2, order.pop(order.index(9)))  # 9 climbs to place 3: six places
    changes = diff(old, [_item(f"Q-{k:02d}", r) for r, k in enumerate(order, 1)])
    assert sorted((m.cluster_id, m.old_rank, m.new_rank) for m in changes.moves) == [
        ("Q-09", 9, 3), ("Q-10", 10, 11), ("Q-11", 11, 10)]


def test_a_shift_caused_only_by_a_new_question_is_not_a_move():
    old = _agenda([_item("Q-a", 1), _item("Q-b", 2), _item("Q-c", 3)])
    new = [_item("Q-a", 1), _item("Q-n", 2), _item("Q-b", 3), _item("Q-c", 4)]
    changes = diff(old, new)
    assert [i.cluster_id for i in changes.new] == ["Q-n"] and changes.moves == []


def _answered(item, source="K-1"):
    from agenda.models import EvidenceRef

    return item.model_copy(update={"evidence": [EvidenceRef(id=source, title="Antwoord", status="answers")]})


def test_a_question_no_longer_answered_is_its_own_change():
    """Issue 21, kind 4: a question that stops being answered returns to the ranking (here at #2);
    `diff` and the report used to say 'Geen verschillen'."""
    old = _agenda([_item("Q-a", 1), _item("Q-b", 2)])
    old.answered = [_answered(_item("Q-x", 1))]
    new = [_item("Q-a", 1), _item("Q-x", 2), _item("Q-b", 3)]
    changes = diff(old, new)
    assert not changes.empty
    assert [(m.cluster_id, m.new_rank) for m in changes.unanswered] == [("Q-x", 2)]
    assert not changes.new  # it is not a new question
    text = "\n".join(describe(changes))
    assert "niet langer beantwoord" in text and "Vraag Q-x?" in text and "Geen verschillen" not in text


def test_an_answered_question_that_vanishes_or_is_merged_is_a_change():
    """Issue 21 (held out): an answered question whose only source was removed, or which the curator
    merged into a ranked question, left `diff` and the report at 'Geen verschillen'."""
    old = _agenda([_item("Q-a", 1, mentions=["M-a1"]), _item("Q-b", 2, mentions=["M-b1"])])
    old.answered = [_answered(_item("Q-x", 1, mentions=["M-x1"])), _answered(_item("Q-y", 2, mentions=["M-y1"]))]
    new = [_item("Q-a", 1, mentions=["M-a1", "M-y1"]), _item("Q-b", 2, mentions=["M-b1"])]
    changes = diff(old, new)
    assert not changes.empty
    assert [i.cluster_id for i in changes.dropped_answered] == ["Q-x"]
    assert [(m.into, m.merged) for m in changes.merges] == [("Q-a", ["Q-a", "Q-y"])]
    text = "\n".join(describe(changes))
    assert "vervallen (was beantwoord): Vraag Q-x?" in text and "samengevoegd: Q-a, Q-y" in text


def test_a_question_no_longer_excluded_is_not_called_new():
    """Issue 21 (held out): a question the curator excluded, then let back in, was listed as 'nieuw'."""
    from agenda.models import ExcludedItem

    old = _agenda([_item("Q-a", 1), _item("Q-b", 2)])
    old.excluded = [ExcludedItem(cluster_id="Q-x", question="Vraag Q-x?", why="buiten scope", n_mentions=1)]
    changes = diff(old, [_item("Q-a", 1), _item("Q-x", 2), _item("Q-b", 3)])
    assert not changes.new and [i.cluster_id for i in changes.readmitted] == ["Q-x"]
    assert [(t.cluster_id, t.how) for t in changes.top_in] == [("Q-x", "niet langer uitgesloten")]
    assert "niet langer uitgesloten, weer in de rangorde (#2): Vraag Q-x?" in "\n".join(describe(changes))


def test_top_10_entries_and_exits_renames_and_exclusions_with_their_reason():
    from agenda.models import ExcludedItem

    old = _agenda([_item(f"Q-{k:02d}", k) for k in range(1, 13)])
    # answered, Q-03 excluded: and (renamed) Q-04 move up without any relative move
    new = [_item(f"Q-{k:02d}", k - 3) for k in range(4, 13)]
    new[0] = new[0].model_copy(update={"question": "Een betere formulering?"})
    answered = [_answered(_item("Q-01", 1)), _answered(_item("Q-02", 2))]
    excluded = [ExcludedItem(cluster_id="Q-03", question="Vraag Q-03?", why="valt buiten de opdracht", n_mentions=1)]
    changes = diff(old, new, answered, excluded)
    assert not changes.moves  # the relative order did not change ...
    assert {(t.cluster_id, t.how) for t in changes.top_in} == {("Q-11", "gestegen"), ("Q-12", "gestegen")}
    assert {(t.cluster_id, t.how) for t in changes.top_out} == {
        ("Q-01", "beantwoord"), ("Q-02", "beantwoord"), ("Q-03", "uitgesloten")}  # ... but the top 10 did
    assert [(e.cluster_id, e.why) for e in changes.excluded] == [("Q-03", "valt buiten de opdracht")]
    assert not changes.dropped
    assert [(r.old, r.new) for r in changes.renamed] == [("Vraag Q-04?", "Een betere formulering?")]
    text = "\n".join(describe(changes))
    assert "valt buiten de opdracht" in text and "herformuleerd" in text and "uit de top 10" in text


def test_a_question_split_up_is_listed_as_split_not_dropped():
    old = _agenda([_item("Q-a", 1, 4, ["M-1", "M-2", "M-3", "M-4"]), _item("Q-b", 2, 1, ["M-5"])])
    new = [_item("Q-x", 1, 3, ["M-1", "M-2", "M-3"]), _item("Q-b", 2, 2, ["M-5", "M-4"])]
    changes = diff(old, new)
    assert [(s.cluster_id, s.old_rank, s.into) for s in changes.splits] == [("Q-a", 1, ["Q-x", "Q-b"])]
    assert changes.dropped == [] and changes.merges == []
    assert [t.how for t in changes.top_out] == ["opgesplitst"]
    text = "\n".join(describe(changes))
    assert "opgesplitst (was #1): Vraag Q-a? [Q-a] → Q-x, Q-b" in text and "bekijk" in text
    # all of it in one new question: that is no split (a new id for the same question)
    assert diff(old, [_item("Q-x", 1, 4, ["M-1", "M-2", "M-3", "M-4"]), _item("Q-b", 2, 1, ["M-5"])]).splits == []
