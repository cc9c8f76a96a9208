"""The James Lind Alliance scoring, against worked examples computed by hand (agenda/priority/scoring.py)."""

from agenda.priority.scoring import BallotQuestion, Vote, points_for, position_scores, score_round


def ballot(n: int) -> list[BallotQuestion]:
    return [BallotQuestion(code=f"V{k:02d}", cluster_id=f"Q-{k:06d}", question=f"Vraag {k}?", position=k)
            for k in range(1, n + 1)]


def vote(who: str, group: str, *codes: str) -> Vote:
    return Vote(respondent=who, group=group, choices=codes)


def test_points_rank_1_is_10_rank_10_is_1():
    assert [points_for(r) for r in range(1, 12)] == [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]


def test_position_scores_share_ties_and_unvoted_questions():
    # 5 questions, two tied for first, two unvoted: (5+4)/2, 3, then (2+1)/2 for the unvoted
    got = position_scores({"V01": 19, "V02": 19, "V03": 8}, ["V01", "V02", "V03", "V04", "V05"])
    assert got == {"V01": 4.5, "V02": 4.5, "V03": 3, "V04": 1.5, "V05": 1.5}
    assert sum(got.values()) == 15  # N(N+1)/2: every group carries the same weight


def test_worked_example_three_groups_of_different_sizes():
    # By hand (README "Prioriteringsronde"), N = 5:
    # leraar (3 voters):     V01 10+10+9 = 29, V02 9+8+10 = 27, V03 8+9 = 17  -> positions 5, 4, 3, V04/V05 1.5
    # schoolleider (1):      V04 10, V05 9, V03 8                              -> 5, 4, 3, V01/V02 1.5
    # onderzoeker (2):       V05 10+9 = 19, V02 9+10 = 19 (tie)                -> 4.5, 4.5, V01/V03/V04 (3+2+1)/3 = 2
    # combined: V01 5+1.5+2 = 8.5, V02 4+1.5+4.5 = 10, V03 3+3+2 = 8, V04 1.5+5+2 = 8.5, V05 1.5+4+4.5 = 10
    # V02 = V05 = 10: both in 2 groups' top 10; raw points V02 46 > V05 28 -> V02 first
    # V01 = V04 = 8.5: both in 1 group's top 10; raw points V01 29 > V04 10 -> V01 first
    votes = [
        vote("a1", "leraar", "V01", "V02", "V03"),
        vote("a2", "leraar", "V01", "V03", "V02"),
        vote("a3", "leraar", "V02", "V01"),
        vote("b1", "schoolleider", "V04", "V05", "V03"),
        vote("c1", "onderzoeker", "V05", "V02"),
        vote("c2", "onderzoeker", "V02", "V05"),
    ]
    s = score_round(ballot(5), votes)
    assert [x.code for x in s.ranking] == ["V02", "V05", "V01", "V04", "V03"]
    assert {x.code: x.combined for x in s.ranking} == {"V01": 8.5, "V02": 10, "V03": 8, "V04": 8.5, "V05": 10}
    assert s.by_code["V02"].points == {"leraar": 27, "onderzoeker": 19, "schoolleider": 0}
    assert s.by_code["V02"].positions == {"leraar": 4, "onderzoeker": 4.5, "schoolleider": 1.5}
    assert s.by_code["V02"].total_points == 46 and s.by_code["V05"].total_points == 28
    assert s.voters == {"leraar": 3, "onderzoeker": 2, "schoolleider": 1}  # largest group first
    assert s.group_top == {"leraar": ["V01", "V02", "V03"], "schoolleider": ["V04", "V05", "V03"],
                           "onderzoeker": ["V02", "V05"]}  # V02 = V05 on points: ballot order
    for g in s.voters:  # every group's position scores add up to the same total
        assert sum(x.positions[g] for x in s.ranking) == 15
    short = score_round(ballot(5), votes, shortlist_k=1)
    assert short.shortlist == ["V02", "V01", "V04"]  # union of each group's first, in combined order


def test_tie_rule_groups_then_points_then_ballot_order():
    # N = 3. X: V01 10, V02 9 -> 3, 2, 1 (V03). Y: V03 10, V02 9 -> 3, 2, 1 (V01). All combined 4.
    # V02 is in both groups' top 10 -> first; V01 and V03: one group each, 10 points each -> ballot order.
    s = score_round(ballot(3), [vote("x", "X", "V01", "V02"), vote("y", "Y", "V03", "V02")])
    assert [x.combined for x in s.ranking] == [4, 4, 4]
    assert [x.code for x in s.ranking] == ["V02", "V01", "V03"]


def test_a_large_group_cannot_drown_a_small_one():
    # forty teachers all put V01 first; five researchers all put V02 first: equal weight
    votes = [vote(f"t{k}", "leraar", "V01") for k in range(40)] + [vote(f"r{k}", "onderzoeker", "V02") for k in range(5)]
    s = score_round(ballot(2), votes)
    assert s.by_code["V01"].combined == s.by_code["V02"].combined == 3
    assert s.by_code["V01"].total_points == 400 and [x.code for x in s.ranking][0] == "V01"  # raw points break the tie


def test_a_vote_without_valid_choices_is_no_voter():
    s = score_round(ballot(2), [vote("a", "leraar"), vote("b", "leraar", "V02")])
    assert s.voters == {"leraar": 1}


def test_without_a_round_the_content_hash_is_unchanged():
    # before any round nothing changes: an agenda without a round hashes as it did before the
    # priority fields existed (no new version only because the fields were added)
    import datetime as dt
    import hashlib
    import json

    from agenda.models import Agenda, AgendaItem
    from agenda.versions import content_hash

    agenda = Agenda(label="x", built_at=dt.datetime(2026, 1, 1), input_fingerprint="f",
                    items=[AgendaItem(rank=1, cluster_id="Q-000001", question="Hoe?", score=1, frequency=1,
                                      n_mentions=1, explanation="e")])
    data = agenda.model_dump(mode="json", exclude={"label", "built_at", "content_hash", "changes", "input_fingerprint",
                                                  "build_info"})
    data.pop("priority_round")
    for item in data["items"]:
        item.pop("priority")
    before = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    assert content_hash(agenda) == before
