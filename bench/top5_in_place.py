"""Does the agenda's top 5 survive automatic deduplication? The one-theme dev sets, held out.

    python bench/top5_in_place.py [--data-dir ../shared/data] [--cache F] [--target 0.92]

Issue 16 measured, end to end on two held-out input folders, that "only 1 of the gold top 5
holds its place" and that the #1 item joined formulations of 8 (resp. 15) questions. This is
the same question asked of the two one-theme dev sets, each clustered **held out** exactly as
``bench/dedupe_quality.py`` does it (pair model fitted on the other two dev sets, threshold
chosen there), and ranked by a proxy of the build's score (``agenda/rank.py`` with the default
weights of ``agenda.settings.RankWeights``): 1 × distinct sources (a survey respondent, a
meeting, a case: the sets' ``source_id``) + 1 × sectors + 0.5 × roles + 0.5 × source kinds
beyond the first; ties by number of formulations, then first appearance. The role cap,
schools and levels are left out (the dev sets carry neither schools nor levels).

The gold ranking is the same score over the gold questions. Printed per set, for the
automatic clustering and for "every question apart":

- *in place*: gold questions at rank r (r ≤ 5) whose agenda item at rank r is theirs (the
  item's majority gold question);
- *in the top 5*: gold top-5 questions that are the majority question of some item in the
  agenda's top 5;
- *#1 mixes*: how many gold questions the agenda's first item joins;
- *largest share*: of the gold #1 question's formulations, the share in its biggest item.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dedupe_quality as dq  # noqa: E402

from agenda.dedupe import pairs as dedupe  # noqa: E402
from agenda.settings import RankWeights  # noqa: E402

TOP = 5


def ranking(labels, rows: list[dict[str, str]]) -> list[tuple[object, list[int]]]:
    """(label, member row indices) ordered by the proxy score, best first."""
    w = RankWeights()
    groups: dict[object, list[int]] = defaultdict(list)
    for i, lab in enumerate(labels):
        groups[lab].append(i)

    def score(members: list[int]) -> tuple:
        sources = {rows[i]["source_id"] for i in members}
        kinds = {rows[i]["source_kind"] for i in members}
        sectors = {rows[i]["sector"] for i in members if rows[i]["sector"]}
        roles = {rows[i]["role"] for i in members if rows[i]["role"]}
        s = (w.sources * len(sources) + w.sectors * len(sectors) + w.roles * len(roles)
             + w.kinds * max(len(kinds) - 1, 0))
        return (-s, -len(members), min(members))

    return sorted(groups.items(), key=lambda kv: score(kv[1]))


def top5(pred, gold: list[str], rows) -> dict[str, object]:
    agenda = ranking(pred, rows)
    truth = ranking(gold, rows)
    majority = [Counter(gold[i] for i in ms).most_common(1)[0][0] for _, ms in agenda]
    gold_top = [g for g, _ in truth[:TOP]]
    in_place = sum(1 for r, g in enumerate(gold_top) if r < len(majority) and majority[r] == g)
    in_top = sum(1 for g in gold_top if g in majority[:TOP])
    first = agenda[0][1]
    g1_members = dict(truth)[gold_top[0]]
    share = max(Counter(pred[i] for i in g1_members).values()) / len(g1_members)
    return {"in place": in_place, "in top 5": in_top, "#1 mixes": len({gold[i] for i in first}),
            "largest share": share}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", default=str(dq.SHARED))
    ap.add_argument("--cache", help="pickle file caching embeddings between runs")
    ap.add_argument("--target", type=float, default=0.92)
    args = ap.parse_args(argv)
    files = {k: Path(args.data_dir) / f for k, f in dq.SET_FILES.items()}
    e5 = dq.CachedEmbedder(dedupe.semantic_embedder(), args.cache)
    data = {k: dq.Data(k, p, e5) for k, p in files.items()}
    method = dq.Ours(e5.embed, data["mixed"])
    print(f"gold top {TOP} after automatic deduplication, each one-theme set held out (threshold rule: "
          f"precision >= {args.target:g} on the training one-theme sets)")
    print(f"{'set':<6}{'clustering':<24}{'B3 P / R / F1':>22}{'in place':>10}{'in top 5':>10}{'#1 mixes':>10}"
          f"{'gold #1 kept':>14}")
    for held in dq.ONE_THEME:
        with open(files[held], newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        test = data[held]
        train = [data[x] for x in dq.DEV if x != held]
        model = method.fit(train)
        t = dq.ours_threshold(method, train, args.target)
        pred = dedupe.average_linkage(len(test.texts), *method.score(test, model), t)
        gold = list(test.gold)
        for name, lab in (("every question apart", list(range(len(gold)))), (f"automatic (@{t:.3f})", list(pred))):
            p, r, f = dq.bcubed(lab, gold)
            m = top5(lab, gold, rows)
            print(f"{held:<6}{name:<24}{f'{p:.3f} / {r:.3f} / {f:.3f}':>22}{m['in place']:>8}/5"
                  f"{m['in top 5']:>8}/5{m['#1 mixes']:>10}{m['largest share']:>13.0%}")
    e5.save()


if __name__ == "__main__":
    main()
