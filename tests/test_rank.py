"""Ranking by distinct sources and context breadth, role balance, explanations, ties."""

import datetime as dt

from agenda.models import Cluster, Context, Curation, Mention, Rule, Source, SourceKind
from agenda.rank import rank_clusters, role_balanced
from agenda.settings import RankWeights


def _src(sid, kind=SourceKind.meeting, school=None, sectors=()):
    return Source(id=sid, path=f"{sid}.md", kind=kind, title=f"Bron {sid}", content_hash=sid,
                  date=dt.date(2021, 6, 1), context=Context(school=school, sectors=list(sectors)))


def _m(mid, sid, sectors=(), roles=(), respondent=None, level=None):
    return Mention(id=mid, source_id=sid, text=f"{mid}?", rule=Rule.section, respondent=respondent,
                   context=Context(sectors=list(sectors), roles=list(roles), level=level))


def test_one_meeting_repeating_a_question_counts_once():
    sources = [_src("S-1"), _src("S-2")]
    mentions = [_m("M-1", "S-1"), _m("M-2", "S-1"), _m("M-3", "S-1"), _m("M-4", "S-2")]
    clusters = [Cluster(id="Q-a", question="A?", mention_ids=["M-1", "M-2", "M-3"]),
                Cluster(id="Q-b", question="B?", mention_ids=["M-4"])]
    items = rank_clusters(clusters, mentions, sources, RankWeights())
    a = next(i for i in items if i.cluster_id == "Q-a")
    assert a.frequency == 1 and a.n_mentions == 3


def test_three_sectors_outrank_three_times_one_sector():
    sources = [_src(f"S-{i}") for i in range(6)]
    mentions = [_m("M-1", "S-0", ["po"]), _m("M-2", "S-1", ["so"]), _m("M-3", "S-2", ["vso"]),
                _m("M-4", "S-3", ["po"]), _m("M-5", "S-4", ["po"]), _m("M-6", "S-5", ["po"])]
    clusters = [Cluster(id="Q-z", question="Breed?", mention_ids=["M-1", "M-2", "M-3"]),
                Cluster(id="Q-a", question="Smal?", mention_ids=["M-4", "M-5", "M-6"])]
    items = rank_clusters(clusters, mentions, sources, RankWeights())
    assert [i.cluster_id for i in items] == ["Q-z", "Q-a"]
    assert items[0].contexts["sector"] == ["po", "so", "vso"]


def test_one_role_group_cannot_drown_the_others():
    assert role_balanced({"leraar": 40, "schoolleider": 2}, unassigned=2, cap_share=0.5) == 4 + 2 + 2
    assert role_balanced({"leraar": 3}, unassigned=0, cap_share=0.5) == 3  # nobody else to drown


def test_survey_respondents_are_distinct_sources_and_explained_in_dutch():
    sources = [_src("S-s", SourceKind.survey), _src("S-m", SourceKind.meeting, school="De Verwondering")]
    mentions = [_m("M-1", "S-s", ["po"], ["leraar"], "r1"), _m("M-2", "S-s", ["so"], ["ib-er"], "r2"),
                _m("M-3", "S-m", ["po"], level="team")]
    items = rank_clusters([Cluster(id="Q-a", question="A?", mention_ids=["M-1", "M-2", "M-3"])],
                          mentions, sources, RankWeights())
    item = items[0]
    assert item.frequency == 3 and item.kinds == {"meeting": 1, "survey": 2}
    assert item.role_counts == {"ib'er": 1, "leraar": 1}
    assert item.explanation.startswith("Genoemd in 3 bronnen (2 enquêtereacties, 1 bijeenkomst)")
    assert "1 school" in item.explanation and "2 sectoren (po, so)" in item.explanation
    assert "Score" in item.explanation


def test_excluded_clusters_are_not_ranked_and_priority_weighs():
    sources = [_src("S-1"), _src("S-2")]
    mentions = [_m("M-1", "S-1"), _m("M-2", "S-2")]
    clusters = [Cluster(id="Q-a", question="A?", mention_ids=["M-1"]),
                Cluster(id="Q-b", question="B?", mention_ids=["M-2"]),
                Cluster(id="Q-c", question="C?", mention_ids=[], excluded="buiten scope")]
    items = rank_clusters(clusters, mentions, sources, RankWeights(), Curation(priority={"Q-b": 2.0}))
    assert [i.cluster_id for i in items] == ["Q-b", "Q-a"]
    assert "prioriteit van de curator" in items[0].explanation


def test_ties_break_deterministically_on_cluster_id():
    sources = [_src("S-1"), _src("S-2")]
    mentions = [_m("M-1", "S-1"), _m("M-2", "S-2")]
    clusters = [Cluster(id="Q-b", question="B?", mention_ids=["M-2"]), Cluster(id="Q-a", question="A?", mention_ids=["M-1"])]
    assert [i.cluster_id for i in rank_clusters(clusters, mentions, sources, RankWeights())] == ["Q-a", "Q-b"]
    assert [i.rank for i in rank_clusters(clusters, mentions, sources, RankWeights())] == [1, 2]


def test_recency_decay_halves_old_sources():
    sources = [_src("S-1")]
    mentions = [_m("M-1", "S-1")]
    w = RankWeights(recency_half_life_days=365, schools=0, kinds=0, sectors=0, roles=0, levels=0)
    items = rank_clusters([Cluster(id="Q-a", question="A?", mention_ids=["M-1"])], mentions, sources, w,
                          today=dt.date(2022, 6, 1))
    assert abs(items[0].score - 0.5) < 0.01


def test_role_counts_list_every_role_a_source_names():
    sources = [_src("S-s", SourceKind.survey)]
    mentions = [_m("M-1", "S-s", ["po"], ["leraar", "schoolleider"], "r1"), _m("M-2", "S-s", ["po"], ["leraar"], "r2")]
    item = rank_clusters([Cluster(id="Q-a", question="A?", mention_ids=["M-1", "M-2"])], mentions, sources,
                         RankWeights())[0]
    assert item.role_counts == {"leraar": 2, "schoolleider": 1}
    assert "2 rollen (leraar 2, schoolleider 1)" in item.explanation
    assert "0,5 × 1 sector" not in item.explanation and "1 × 1 sector" in item.explanation


def test_a_meetings_front_matter_sectors_are_its_audience_not_each_questions_sectors():
    # a meeting whose front matter lists four sectors: its questions inherit them (ingest merges the
    # defaults into each formulation) but only an inline note of its own is evidence of a sector
    sources = [_src("S-m", sectors=["po", "so", "vo", "mbo"]), _src("S-n"), _src("S-c", SourceKind.case, sectors=["so"])]
    mentions = [_m("M-1", "S-m", ["po", "so", "vo", "mbo"]), _m("M-2", "S-m", ["vso"]), _m("M-3", "S-n"),
                _m("M-4", "S-c", ["so"])]
    clusters = [Cluster(id="Q-a", question="A?", mention_ids=["M-1"]), Cluster(id="Q-b", question="B?", mention_ids=["M-2"]),
                Cluster(id="Q-c", question="C?", mention_ids=["M-3"]), Cluster(id="Q-d", question="D?", mention_ids=["M-4"])]
    items = {i.cluster_id: i for i in rank_clusters(clusters, mentions, sources, RankWeights())}
    assert items["Q-a"].contexts["sector"] == [] and items["Q-a"].score == items["Q-c"].score == 1.0
    assert items["Q-a"].mentions[0].sectors == []  # the report's matrix counts it under "-"
    assert items["Q-b"].contexts["sector"] == ["vso"] and items["Q-b"].score == 2.0  # its own note
    assert items["Q-d"].contexts["sector"] == ["so"]  # a case's sector is its school's: its own


def test_role_spellings_count_as_one_role_and_settings_extend_the_names():
    sources = [_src("S-s", SourceKind.survey), _src("S-c", SourceKind.case)]
    mentions = [_m("M-1", "S-s", roles=["Leerkracht"], respondent="r1"), _m("M-2", "S-c", roles=["leraar"]),
                _m("M-3", "S-s", roles=["RT'er"], respondent="r2"), _m("M-4", "S-s", roles=["remedial teacher"], respondent="r3")]
    cluster = [Cluster(id="Q-a", question="A?", mention_ids=["M-1", "M-2", "M-3", "M-4"])]
    item = rank_clusters(cluster, mentions, sources, RankWeights())[0]
    assert item.role_counts == {"leraar": 2, "remedial teacher": 1, "rt'er": 1}
    item = rank_clusters(cluster, mentions, sources, RankWeights(), role_names={"rt-er": "remedial teacher"})[0]
    assert item.role_counts == {"leraar": 2, "remedial teacher": 2} and item.contexts["role"] == ["leraar", "remedial teacher"]
