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
