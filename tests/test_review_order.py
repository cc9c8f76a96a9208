"""The review queue's order on small fixtures (no build): by rank within each question, then by
expected gain; no row of a sheet implied by its other rows; "nee" verdicts push a question back."""

import random

from agenda.dedupe.review import SPLIT_DEPTH, Decisions, order_rows
from agenda.models import Cluster, Curation


def _forest(rows):
    parent = {}

    def root(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for _, a, b in rows:
        ra, rb = root(a), root(b)
        if ra == rb:
            return False
        parent[ra] = rb
    return True


def test_every_questions_best_candidate_before_any_second_one():
    """Q-d's best partner has a tiny probability (one theme: everything looks alike); it is still
    asked before Q-b's second candidate. Q-b / Q-c would close a triangle with Q-a: left out."""
    merges = [("Q-a", "Q-b", 0.9, 1), ("Q-a", "Q-c", 0.8, 1), ("Q-b", "Q-c", 0.7, 1), ("Q-d", "Q-e", 0.02, 1)]
    rows = order_rows(merges, [], {}, limit=10)
    assert [(a, b) for _, a, b in rows] == [("Q-a", "Q-b"), ("Q-a", "Q-c"), ("Q-d", "Q-e")]
    assert rows[0][0] == 0.9  # the probability shown in the sheet is the model's


def test_nee_verdicts_push_a_question_back():
    merges = [("Q-a", "Q-b", 0.1, 1), ("Q-c", "Q-d", 0.9, 1)]
    assert [a for _, a, _ in order_rows(merges, [], {}, 10)] == ["Q-c", "Q-a"]
    assert [a for _, a, _ in order_rows(merges, [], {"Q-c": 1, "Q-d": 1}, 10)] == ["Q-a", "Q-c"]
    # one side still fresh: its best candidate keeps depth 0
    assert [a for _, a, _ in order_rows(merges, [], {"Q-c": 3}, 10)] == ["Q-c", "Q-a"]


def test_gain_weighs_links_within_a_depth_and_splits_wait_for_their_depth():
    merges = [("Q-a", "Q-b", 0.4, 1), ("Q-c", "Q-d", 0.3, 16)]  # 0.3·√16 = 1.2 > 0.4
    splits = [("Q-c", "M-x", 0.05, 3)]
    rows = order_rows(merges, splits, {"Q-e": 0}, 10)
    assert [(a, b) for _, a, b in rows] == [("Q-c", "Q-d"), ("Q-a", "Q-b"), ("Q-c", "M-x")]
    # Q-f's candidates at depths 0, 1, ...: its i-th, with i "nee" verdicts of its own
    deep = [("Q-f", f"Q-g{i}", 0.5, 1) for i in range(SPLIT_DEPTH + 2)]
    order = [b for _, _, b in order_rows(deep, splits, {f"Q-g{i}": i for i in range(9)}, 20)]
    # after the merges of depth 0 .. SPLIT_DEPTH-1; at its own depth by gain ((1-0.05)·√3 > 0.5)
    assert order.index("M-x") == SPLIT_DEPTH


def test_rows_of_one_sheet_never_imply_each_other_and_respect_the_limit():
    rng = random.Random(7)
    ids = [f"Q-{i:02d}" for i in range(30)]
    merges = []
    for _ in range(200):
        a, b = rng.sample(ids, 2)
        merges.append((a, b, rng.random(), rng.randint(1, 9)))
    splits = [(q, f"M-{q[2:]}{k}", rng.random(), 2) for q in ids[:10] for k in range(2)]
    for limit in (5, 40, 1000):
        rows = order_rows(merges, splits, {q: rng.randint(0, 3) for q in ids}, limit)
        assert len(rows) <= limit and _forest(rows)
    assert len(order_rows(merges, splits, {}, 1000)) == 29 + 20  # a spanning tree of the questions + every split


def test_refused_counts_nee_verdicts_resolved_to_todays_questions():
    clusters = [Cluster(id=c, question="?", mention_ids=[f"M-{c[2:]}01", f"M-{c[2:]}02"]) for c in
                ("Q-aaaaaa", "Q-bbbbbb", "Q-cccccc")]
    automatic = {"Q-aaaaaa": ["M-aaaaaa01", "M-aaaaaa02"], "Q-bbbbbb": ["M-bbbbbb01", "M-bbbbbb02"],
                 "Q-cccccc": ["M-cccccc01", "M-cccccc02"], "Q-dddddd": ["M-cccccc02"]}
    cur = Curation(distinct=[["Q-aaaaaa", "Q-bbbbbb"], ["Q-aaaaaa", "Q-dddddd"]],
                   merge=[["Q-bbbbbb", "Q-cccccc"]])
    d = Decisions.resolve(cur, clusters, automatic)
    # Q-dddddd was the machine's: it now stands for Q-cccccc; a merge is no "nee"
    assert d.refused == {"Q-aaaaaa": 2, "Q-bbbbbb": 1, "Q-cccccc": 1}
