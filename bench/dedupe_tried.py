"""What was tried for more recall at precision >= 0.90 in one theme (issue 16, second round).

    python bench/dedupe_tried.py [--cache FILE] [--data-dir DIR] [--only NAME] [--edits | --slots]

The protocol of bench/dedupe_quality.py, on precomputed pair features so that many variants
run in minutes: each dev set (mixed, dg, ao) held out in turn, the pair model fitted on the
other two, the threshold chosen on them by the same rule (precision >= 0.92 on the training
one-theme sets, each clustered by the model fitted on the other training sets where possible,
then the best mean F1); the sample-corpus gold clustered by the model fitted on all three and
never used for fitting or choosing. Every row prints held-out B-cubed P / R / F1, the threshold
and the pair average precision (over all pairs) per set.

Variants (README "Deduplication", "Tried"): the features without / with the slot check
(agenda.dedupe.slots), extra pair features (unmatched words, mutual-neighbour ranks, e5's
passage side, theme words removed before embedding, the question sentence alone, supervised
within-cluster whitening, zero-shot question-kind prototypes) and a non-linear pair model.
``--edits``: the regroup sheet's edits (bench/curator_sim.py's oracle rule) on the held-out
clustering, without the slot check, with its clashes only and with it as shipped (clashes and
matches). ``--slots`` (third round): variants of the slot check itself — more cue words and
slots in the clash form, one pooled clash feature, the positive side (a value both questions
name: per slot, counted, unweighted, per value) and other shared cues on top — each row with
held-out P / R / F1 and the regroup sheet's edits.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dedupe_quality as dq  # noqa: E402
from _common import bcubed, pair_ap  # noqa: E402

from agenda.dedupe import pairs as dd  # noqa: E402
from agenda.dedupe.text import normalise, stem, stop_words  # noqa: E402

DEV = ("mixed", "dg", "ao")


class Bench:
    """The four labelled sets with candidate pairs and their full feature matrices."""

    def __init__(self, data_dir: Path, cache: str | None):
        sets = {k: data_dir / f for k, f in dq.SET_FILES.items()} | {"sample": dq.SAMPLE_GOLD}
        self.e5 = dq.CachedEmbedder(dd.semantic_embedder(), cache)
        self.data = {k: dq.Data(k, p, self.e5) for k, p in sets.items()}
        ref = dd.Reference.fit(self.data["mixed"].texts, self.data["mixed"].emb, self.e5.embed, "e5")
        self.C = {}
        for k, d in self.data.items():
            c = dd.Corpus(d.texts, d.emb, reference=ref, word_vectors=self.e5.embed)
            p = dd.candidate_index(c, dd.K_CAND)
            self.C[k] = (c, p, dd.pair_features(c, p))
        self.cache = cache
        self.e5.save()
        self.signs = dict(dd.FEATURE_SIGNS)
        self.extra: dict = {}  # name -> fn(set, train) -> (m,) aligned with the set's pairs

    def add(self, name: str, sign: int, fn) -> None:
        self.signs[name] = sign
        self.extra[name] = fn

    def pairs(self, s):
        return self.C[s][1]

    def cc(self, s):
        return np.clip(self.C[s][2][:, dd.FEATURES.index("cosc")], 0, 1)

    def X(self, s, feats, train):
        f = self.C[s][2]
        return np.stack([f[:, dd.FEATURES.index(n)] if n in dd.FEATURES else self.extra[n](s, tuple(train))
                         for n in feats], 1)

    def y(self, s):
        g, p = self.data[s].gold, self.pairs(s)
        return g[p[:, 0]] == g[p[:, 1]]


class Logistic:
    """dedupe.fit_pair_model's sign-constrained logistic regression, on any columns."""

    def __init__(self, b: Bench):
        self.b = b

    def fit(self, train, feats):
        from scipy.optimize import minimize
        b = self.b
        x = np.concatenate([b.X(s, feats, train) for s in train]).astype(np.float64)
        y = np.concatenate([b.y(s) for s in train]).astype(np.float64)
        mean, scale = x.mean(0), x.std(0)
        scale[scale < 1e-6] = 1.0
        z = (x - mean) / scale
        lam = 1.0 / len(y)

        def loss(w):
            t = z @ w[:-1] + w[-1]
            p = 1.0 / (1.0 + np.exp(-t))
            return (np.mean(np.logaddexp(0.0, t) - y * t) + lam * float(w[:-1] @ w[:-1]),
                    np.append(z.T @ (p - y) / len(y) + 2 * lam * w[:-1], np.mean(p - y)))

        bounds = [(0.0, None) if b.signs[f] > 0 else (None, 0.0) for f in feats]
        w = minimize(loss, np.zeros(len(feats) + 1), jac=True, method="L-BFGS-B",
                     bounds=bounds + [(None, None)], options={"maxiter": 5000}).x
        return lambda s: 1.0 / (1.0 + np.exp(-(((b.X(s, feats, train) - mean) / scale) @ w[:-1] + w[-1])))


class Trees:
    """Gradient-boosted trees with the features' signs as monotone constraints."""

    def __init__(self, b: Bench):
        self.b = b

    def fit(self, train, feats):
        from sklearn.ensemble import HistGradientBoostingClassifier
        b = self.b
        x = np.concatenate([b.X(s, feats, train) for s in train])
        y = np.concatenate([b.y(s) for s in train])
        m = HistGradientBoostingClassifier(max_iter=100, learning_rate=0.05, max_depth=3, min_samples_leaf=40,
                                           monotonic_cst=[b.signs[f] for f in feats], random_state=0,
                                           early_stopping=False).fit(x, y)
        return lambda s: m.predict_proba(b.X(s, feats, train))[:, 1]


def probs_of(b: Bench, model, s):
    p = model(s)
    sec = b.C[s][2][:, dd.FEATURES.index("sector_conflict")] > 0
    return np.where(sec, p * dd.SECTOR_DAMP, p).astype(np.float32)


def curve(b: Bench, s, probs):
    return np.array([bcubed(dd.average_linkage(len(b.data[s].texts), b.pairs(s), probs, float(t)), b.data[s].gold)
                     for t in dq.GRID])


def loso(b: Bench, feats, learner=None, target=0.92):
    """{held-out set: (P, R, F1, threshold, pair AP, labels)} by dedupe_quality's protocol."""
    learner = learner or Logistic(b)
    out = {}
    for held in (*DEV, "sample"):
        train = [x for x in DEV if x != held]
        model = learner.fit(train, feats)
        curves = []
        for d in [x for x in train if x in dq.ONE_THEME] or train:
            rest = [x for x in train if x != d]
            m = learner.fit(rest, feats) if any(x in dq.ONE_THEME for x in rest) else model
            curves.append(curve(b, d, probs_of(b, m, d)))
        t = dq.choose(curves, dq.GRID, target)
        pr = probs_of(b, model, held)
        lab = dd.average_linkage(len(b.data[held].texts), b.pairs(held), pr, t)
        out[held] = (*bcubed(lab, b.data[held].gold), t,
                     pair_ap(len(b.data[held].texts), b.pairs(held), pr, b.data[held].gold), lab)
    return out


def regroup_edits(pred, gold) -> float:
    """Share of formulations bench/curator_sim.py's regroup oracle must move (greedy one-to-one
    match of questions to gold questions by overlap, most formulations first)."""
    count = Counter(zip(pred, gold))
    order: dict = {}
    for q in pred:
        order.setdefault(q, len(order))
    home, taken = {}, set()
    for (q, g), _n in sorted(count.items(), key=lambda kv: (-kv[1], order[kv[0][0]], kv[0][1])):
        if g not in home and q not in taken:
            home[g] = q
            taken.add(q)
    return sum(home.get(g) != q for q, g in zip(pred, gold)) / len(pred)


# ---------------------------------------------------------------- extra features

def _n2(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _pair_cos(e, p):
    return np.einsum("ij,ij->i", e[p[:, 0]], e[p[:, 1]])


def add_variants(b: Bench) -> None:
    data, C = b.data, b.C
    # mutual-neighbour ranks by centred cosine (0 = nearest)
    rank = {}
    for s in data:
        e = C[s][0].embc
        sim = e @ e.T
        np.fill_diagonal(sim, -9)
        rank[s] = (-sim).argsort(1, kind="stable").argsort(1, kind="stable")

    def rk(s):
        p = b.pairs(s)
        return rank[s][p[:, 0], p[:, 1]], rank[s][p[:, 1], p[:, 0]]
    b.add("mrank", -1, lambda s, tr: np.log1p(np.maximum(*rk(s))))
    b.add("mnn3", +1, lambda s, tr: ((rk(s)[0] < 3) & (rk(s)[1] < 3)).astype(float))

    # other embeddings of the same texts: e5 passage side, theme words removed, question sentence
    from agenda.dedupe.embed import e5_embedder
    pe = dq.CachedEmbedder(e5_embedder("passage"), b.cache)
    sw = stop_words()
    emb = {}
    for s, d in data.items():
        norm = [normalise(t) for t in d.texts]
        emb[(s, "passage")] = pe.embed(norm)
        toks = [[stem(w) for w in n.split() if w not in sw] for n in norm]
        df = Counter(t for ts in toks for t in set(ts))
        theme = {t for t, v in df.items() if v >= 0.10 * len(norm)}
        emb[(s, "notheme")] = b.e5.embed([" ".join(w for w in n.split() if stem(w) not in theme) or n for n in norm])
        core = []
        for t in d.texts:
            q = [x for x in re.split(r"(?<=[.!?])\s+", t.strip()) if x.endswith("?")]
            core.append(normalise(q[-1] if q else t))
        emb[(s, "core")] = b.e5.embed(core)
    pe.save()
    b.e5.save()
    b.add("cos_passage", +1, lambda s, tr: _pair_cos(emb[(s, "passage")], b.pairs(s)))
    b.add("cos_qp", +1, lambda s, tr: 0.5 * (np.einsum("ij,ij->i", data[s].emb[b.pairs(s)[:, 0]], emb[(s, "passage")][b.pairs(s)[:, 1]])
                                             + np.einsum("ij,ij->i", emb[(s, "passage")][b.pairs(s)[:, 0]], data[s].emb[b.pairs(s)[:, 1]])))
    b.add("cos_notheme", +1, lambda s, tr: _pair_cos(emb[(s, "notheme")], b.pairs(s)))
    b.add("cos_core", +1, lambda s, tr: _pair_cos(emb[(s, "core")], b.pairs(s)))
    b.add("cos_raw_text", +1, lambda s, tr: _pair_cos(data[s].raw, b.pairs(s)))

    # supervised within-cluster whitening (WCCN) fitted on the training sets only
    @lru_cache(None)
    def wccn(train, lam):
        xs = []
        for s in train:
            e, g = C[s][0].embc, data[s].gold
            for cl in set(g):
                m = g == cl
                if m.sum() > 1:
                    xs.append(e[m] - e[m].mean(0))
        x = np.concatenate(xs)
        w, v = np.linalg.eigh(x.T @ x / len(x))
        return (v / np.sqrt(w + lam * w.mean())) @ v.T
    for lam in (0.3, 1.0):
        b.add(f"wccn{lam:g}", +1, (lambda lam: lambda s, tr: _pair_cos(_n2(C[s][0].embc @ wccn(tr, lam)), b.pairs(s)))(lam))

    # zero-shot question kind: softmax over cosines to e5 prototypes of each kind
    proto = {
        "effect": ["Wat is het effect van deze aanpak?", "Werkt deze maatregel?",
                   "In hoeverre draagt dit bij aan betere resultaten?", "Wat levert het op?"],
        "howto": ["Hoe voer je dit in op school?", "Hoe pak je dit aan in de klas?", "Hoe organiseer je dit?",
                  "Hoe geef je hier les in?"],
        "measure": ["Hoe meet je dit?", "Met welk instrument kun je dit vaststellen?",
                    "Hoe evalueer je of het werkt?", "Hoe monitor je de voortgang?"],
        "legal": ["Mag dit volgens de wet?", "Wat zijn de wettelijke regels hiervoor?",
                  "Wie is verantwoordelijk en aansprakelijk?", "Is dit toegestaan?"],
        "cost": ["Wat kost dit?", "Hoe wordt dit bekostigd?", "Wie betaalt dit?", "Welke investeringen zijn nodig?"],
        "tool": ["Welke methode of welk materiaal is geschikt?", "Welke apps en tools kun je gebruiken?",
                 "Welk apparaat past het best?"],
        "describe": ["Hangt dit samen met de achtergrond van leerlingen?", "Hoe vaak komt dit voor?",
                     "Waarom is dit zo?"],
    }
    P = _n2(np.stack([b.e5.embed([normalise(t) for t in v]).mean(0) for v in proto.values()]))
    kind = {}
    for s, d in data.items():
        z = (d.emb @ P.T) / 0.02
        w = np.exp(z - z.max(1, keepdims=True))
        kind[s] = w / w.sum(1, keepdims=True)
    b.add("kind_proto_x", -1, lambda s, tr: (1 - (kind[s][b.pairs(s)[:, 0]] * kind[s][b.pairs(s)[:, 1]]).sum(1)) * b.cc(s))


# ---------------------------------------------------------------- slot-check variants (third round)

def _cue_masks(slots: dict, texts: list[str]) -> np.ndarray:
    """agenda.dedupe.slots.slot_cues for any slot table (variants of SLOTS)."""
    from agenda.dedupe.text import strip_framing
    comp = [[re.compile(p) for p in values.values()] for values in slots.values()]
    out = np.zeros((len(texts), len(slots)), np.int64)
    for i, t in enumerate(texts):
        low = strip_framing(t).lower()
        for k, pats in enumerate(comp):
            out[i, k] = sum(1 << v for v, p in enumerate(pats) if p.search(low))
    return out


def slot_variant(b: Bench, tag: str, slots: dict, *, mode: str = "clash", implicit_effect: bool = False,
                 asym: tuple = (), keep: tuple = (), weighted: bool = True) -> list[str]:
    """Register the features of one slot table; returns the feature list to fit.

    mode "clash": per-slot clash x centred cosine plus agree_x (the shipped slot check's form,
    replacing it); "pooled"/"count": one clash feature over all slots (any / number of slots);
    "match"/"match1": the shipped features plus the slots both name a shared value on (per slot /
    their number), x centred cosine unless ``weighted`` is False. ``implicit_effect``: a question
    naming an outcome but no kind counts as an effect question; ``asym``: slots where one side
    naming a value and the other none counts as a clash."""
    names = list(slots)
    clash, match = {}, {}
    for s, d in b.data.items():
        cu = _cue_masks(slots, d.texts)
        if implicit_effect:
            ki, oi = names.index("kind"), names.index("outcome")
            eff = 1 << list(slots["kind"]).index("effect")
            cu[:, ki] = np.where((cu[:, ki] == 0) & (cu[:, oi] != 0), eff, cu[:, ki])
        p = b.pairs(s)
        ca, cb = cu[p[:, 0]], cu[p[:, 1]]
        cl = (ca != 0) & (cb != 0) & ((ca & cb) == 0)
        for k, n in enumerate(names):
            if n in asym:
                cl[:, k] = (ca[:, k] != 0) != (cb[:, k] != 0)
        clash[s], match[s] = cl, (ca & cb) != 0
    w = (lambda s: b.cc(s)) if weighted else (lambda s: 1.0)
    if mode.startswith("match"):
        if mode == "match1":
            b.add(f"{tag}:match", +1, lambda s, tr: match[s].sum(1) * w(s))
            return list(dq.FEATURES_CLASH_ONLY) + [f"{tag}:match"]
        for k, n in enumerate(names):
            b.add(f"{tag}:m_{n}", +1, (lambda k: lambda s, tr: match[s][:, k] * w(s))(k))
        return list(dq.FEATURES_CLASH_ONLY) + [f"{tag}:m_{n}" for n in names]
    feats = list(dq.FEATURES_NO_SLOTS)
    sym = [k for k, n in enumerate(names) if n not in asym]
    if mode in ("pooled", "count"):
        f = (lambda s, tr: clash[s].any(1) * w(s)) if mode == "pooled" else (lambda s, tr: clash[s].sum(1) * w(s))
        b.add(f"{tag}:pool", -1, f)
        feats.append(f"{tag}:pool")
        sel = [names.index(n) for n in keep]
    else:
        sel = range(len(names))
    for k in sel:
        b.add(f"{tag}:{names[k]}", -1, (lambda k: lambda s, tr: clash[s][:, k] * w(s))(k))
        feats.append(f"{tag}:{names[k]}")
    b.add(f"{tag}:agree", +1, lambda s, tr: ~clash[s][:, sym].any(1) * w(s))
    return feats + [f"{tag}:agree"]


def slot_rows(b: Bench) -> dict:
    """The third round's slot-check variants (README "Tried"): extended cue lists and new slots in
    the clash form, pooled clashes, and the positive side (a value both name)."""
    from copy import deepcopy

    from agenda.dedupe.slots import SLOTS

    def w(*ws):
        return r"\b(" + "|".join(ws) + r")\b"

    def with_(**kw):
        sl = deepcopy(SLOTS)
        for k, v in kw.items():
            slot, val = k.split("__")
            if val in sl.get(slot, {}) and v.startswith("+"):
                sl[slot][val] += "|" + v[1:]
            else:
                sl.setdefault(slot, {})[val] = v
        return sl
    learn = (r"+\bleren (de )?(kinderen|leerlingen|scholieren)\b|(kinderen|leerlingen|scholieren) (nog )?"
             r"(iets |minder |meer |evenveel |beter )?leren\b|achterstand|leerwinst|leerachterstand|\bniveau\b")
    actor = {
        "pupil": w("leerlingen?", "kinderen", "kind", "scholieren?", "jongeren", "pubers?", "kleuters?", "nieuwkomers?",
                   "brugklassers?", "dochter", "zoon", "meisjes?", "meiden", "jongens?"),
        "teacher": w("leraar", "leraren", "leerkracht(en)?", "docent(en)?", "juf(fen)?", "meester(s)?", "collega'?s?",
                     "team", "groepsleerkracht(en)?"),
        "parent": w("ouders?", "gezin(nen)?", "thuis", "verzorgers"),
        "leader": w("schoolleiders?", "directeur(en)?", "directie", "mt", "management", "teamleiders?"),
        "board": w("bestuur", "besturen", "bestuurders?", "schoolbestuur", "schoolbesturen", "stichting"),
        "assistant": r"\b(onderwijs|klassen)?assis?tent(en)?\b|\bonderwijsondersteun|pedagogisch(e)? medewerker",
        "zij": r"zij-?instro",
        "student": w("lio'?s?", "studenten", "student", "stagiairs?", "pabostudent(en)?", "leraar in opleiding",
                     "leraren in opleiding"),
        "specialist": w("vakleerkracht(en)?", "vakdocent(en)?", "specialist(en)?", "gymleraar", "gymleraren"),
    }
    time_ = r"onderwijstijd|lestijd|\btijd\b|\buren\b|\buur\b|rooster|lesuren|urennorm"
    money = r"\bkost(en|t)?\b(?<!ten koste)|bekostig|financi|\bgeld\b|budget|investering|betaal|betalen|goedkoper|subsidie|\bduur\b"
    effect_more = (r"+vermindert|verminderen|verhoogt|verhogen|verbetert|vergroot|verkleint|achteruit|omhoog|omlaag"
                   r"|ten koste|scheelt|merkbaar|zie je dat terug|pakt .* uit")
    words = dict(deepcopy(SLOTS), actor=actor)
    ext = dict(words, outcome=with_(outcome__learning=learn)["outcome"], resource={"time": time_, "money": money})
    ext_stage = dict(ext, stage={"prevent": r"voorkom|voorkomen|preventie|preventief|weerbaar",
                                 "handle": r"\bhandel|reageer|reageren|incident|wat doe je als|achteraf|nazorg"})
    v = {
        "clash: learning cues (leren kinderen ..., achterstand)": (with_(outcome__learning=learn), {}),
        "clash: outcome without kind = effect": (deepcopy(SLOTS), dict(implicit_effect=True)),
        "clash: resource slot (time vs money)": (dict(deepcopy(SLOTS), resource={"time": time_, "money": money}), {}),
        "clash: stage slot (prevent vs handle)": (with_(stage__prevent=r"voorkom|voorkomen|preventie|preventief|weerbaar",
                                                        stage__handle=r"\bhandel|reageer|reageren|incident|\bals er\b"
                                                                      r"|wat doe je als|achteraf|nazorg"), {}),
        "clash: stage slot (introduce vs evaluate)": (with_(stage__start=r"invoer|invoeren|invoering|implement|overstap"
                                                                         r"|overstappen|starten|\bbegin|opzetten|ombouw|omvorm",
                                                            stage__evaluate=r"evalu|werkt het|achteraf|na (een|twee|drie) jaar"
                                                                            r"|terugkijk|bijstellen|borgen|volhouden"), {}),
        "clash: subgroup named on one side": (with_(group__sub=r"achterstand|armoede|kwetsbare|kansarm|sociaaleconomisch|\bses\b"
                                                               r"|\bopp\b|ondersteuningsbehoefte|zorgleerling|\blvb\b|hoogbegaafd"
                                                               r"|meisjes|\bmeiden\b|jongens|nieuwkomer|\bisk\b"
                                                               r"|welke (kinderen|leerlingen)|voor wie"), dict(asym=("group",))),
        "clash: descriptive kind (hangt samen, vaker)": (with_(kind__effect=SLOTS["kind"]["effect"].replace("|verband|samenhang|samenhangt", ""),
                                                               kind__describe=r"verband|samenhang|samenhangt|hangt .* samen|hangen .* samen"
                                                                              r"|verschillen in|vaker|hoe vaak|harder getroffen|\bkomt .* voor\b|\bscoren\b"), {}),
        "clash: requirement kind (eindniveau, welke kennis)": (with_(kind__require=r"eindniveau|vereist|vereisten|\bwat moet(en)? .* "
                                                                                   r"(kunnen|kennen|weten)|welke (kennis|vaardigheden|"
                                                                                   r"bekwaamheden|competenties)|moeten .* beschikken"), {}),
        "clash: actor as whole words (not lerarentekort)": (words, {}),
        "clash: all of the above cues, separate": (ext, {}),
        "clash pooled (any slot), shipped cues": (deepcopy(SLOTS), dict(mode="pooled")),
        "clash pooled (number of slots), shipped cues": (deepcopy(SLOTS), dict(mode="count")),
        "clash pooled + actor kept, extended cues + stage": (ext_stage, dict(mode="pooled", keep=("actor",))),
        "match: number of slots, shipped cues": (deepcopy(SLOTS), dict(mode="match1")),
        "match: per slot, shipped cues (kind, outcome, actor)": (deepcopy(SLOTS), dict(mode="match")),
        "match: per slot, unweighted": (deepcopy(SLOTS), dict(mode="match", weighted=False)),
        "match: kind only": ({"kind": SLOTS["kind"]}, dict(mode="match")),
        "match: outcome only": ({"outcome": SLOTS["outcome"]}, dict(mode="match")),
        "match: actor only": ({"actor": SLOTS["actor"]}, dict(mode="match")),
        "match: kind + outcome (shipped)": ({"kind": SLOTS["kind"], "outcome": SLOTS["outcome"]}, dict(mode="match")),
        "match: per slot, learning cues": (with_(outcome__learning=learn), dict(mode="match")),
        "match: per slot, actor whole words + learning": (dict(words, outcome=with_(outcome__learning=learn)["outcome"]), dict(mode="match")),
        "match: per slot, more effect cues (vermindert ...)": (dict(deepcopy(SLOTS), kind=with_(kind__effect=effect_more)["kind"]), dict(mode="match")),
        "match: per slot + resource slot": (dict(deepcopy(SLOTS), resource={"time": time_, "money": money}), dict(mode="match")),
        "match: per slot, all extended cues + effect cues": (dict(ext, kind=with_(kind__effect=effect_more)["kind"]), dict(mode="match")),
    }
    rows = {name: slot_variant(b, f"v{i}", sl, **kw) for i, (name, (sl, kw)) in enumerate(v.items())}

    # on top of the shipped features: a shared value of the older cue sets (sector, question
    # type, target group), x centred cosine; and the kind / outcome match split by value
    # (effect and learning are the commonest, so perhaps the weakest evidence)
    for attr in ("sector_bits", "qtype_bits", "group_bits"):
        def shared(s, tr, attr=attr):
            c, p = b.C[s][0], b.pairs(s)
            bits = getattr(c, attr)
            return ((bits[p[:, 0]] & bits[p[:, 1]]) != 0) * b.cc(s)
        b.add(f"m_{attr}", +1, shared)
        rows[f"shipped + a shared {attr.split('_')[0]} value"] = list(dq.FEATURES) + [f"m_{attr}"]
    masks = {s: _cue_masks(SLOTS, d.texts) for s, d in b.data.items()}

    def value_match(slot, values):
        k, bits = list(SLOTS).index(slot), sum(1 << v for v, n in enumerate(SLOTS[slot]) if n in values)

        def f(s, tr):
            p = b.pairs(s)
            return ((masks[s][p[:, 0], k] & masks[s][p[:, 1], k] & bits) != 0) * b.cc(s)
        return f
    other_out = [n for n in SLOTS["outcome"] if n != "learning"]
    other_kind = [n for n in SLOTS["kind"] if n != "effect"]
    b.add("m_learning", +1, value_match("outcome", ["learning"]))
    b.add("m_outcome_other", +1, value_match("outcome", other_out))
    b.add("m_effect", +1, value_match("kind", ["effect"]))
    b.add("m_kind_other", +1, value_match("kind", other_kind))
    clash = list(dq.FEATURES_CLASH_ONLY)
    rows["match: outcome split (learning / other)"] = clash + ["kind_match_x", "m_learning", "m_outcome_other"]
    rows["match: kind split (effect / other)"] = clash + ["m_effect", "m_kind_other", "outcome_match_x"]
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", help="pickle file caching embeddings between runs")
    ap.add_argument("--data-dir", default=str(dq.SHARED))
    ap.add_argument("--only", help="only the rows whose name contains this")
    ap.add_argument("--edits", action="store_true", help="only the regroup edits, without / with the slot check")
    ap.add_argument("--slots", action="store_true", help="only the slot-check variants (third round), with edits")
    args = ap.parse_args(argv)
    b = Bench(Path(args.data_dir), args.cache)
    base, clash, slots = list(dq.FEATURES_NO_SLOTS), list(dq.FEATURES_CLASH_ONLY), list(dq.FEATURES)
    if args.edits:
        for name, feats in (("without the slot check", base), ("slot clashes only", clash),
                            ("with the slot check", slots)):
            res = loso(b, feats)
            print(f"{name:<24}" + "".join(f"  {h} {regroup_edits(r[5], list(b.data[h].gold)):.1%}"
                                            for h, r in res.items()))
        print(f"{'every question apart':<24}" + "".join(
            f"  {h} {regroup_edits(list(range(len(d.texts))), list(d.gold)):.1%}" for h, d in b.data.items()))
        return
    if args.slots:
        rows = {"slot clashes only (before)": clash, "with the slot check (shipped)": slots} | slot_rows(b)
        print(f"{'variant':<52}" + "".join(f"{h:>30}" for h in (*DEV, "sample")))
        for name, feats in rows.items():
            if args.only and args.only not in name:
                continue
            res = loso(b, feats)
            print(f"{name:<52}" + "".join(f"{f'{p:.3f}/{r:.3f}/{f:.3f} e{regroup_edits(lab, list(b.data[h].gold)):.1%}':>30}"
                                          for h, (p, r, f, t, a, lab) in res.items()), flush=True)
        return
    add_variants(b)
    rows = {
        "without the slot check": (base, None),
        "with the slot check (shipped)": (slots, None),
        "+ miss": (base + ["miss"], None),
        "+ miss2": (base + ["miss2"], None),
        "+ res_sim": (base + ["res_sim"], None),
        "+ mutual rank": (base + ["mrank"], None),
        "+ mutual top 3": (base + ["mnn3"], None),
        "+ e5 passage cosine": (base + ["cos_passage"], None),
        "+ e5 query-passage": (base + ["cos_qp"], None),
        "+ theme words removed": (base + ["cos_notheme"], None),
        "+ question sentence": (base + ["cos_core"], None),
        "+ WCCN 0.3": (base + ["wccn0.3"], None),
        "+ WCCN 1": (base + ["wccn1"], None),
        "+ kind prototypes": (base + ["kind_proto_x"], None),
        "trees, same features": (base, Trees(b)),
        "trees, all features": (list(dd.FEATURES), Trees(b)),
        "slots + kind prototypes": (slots + ["kind_proto_x"], None),
        "slots + raw-text e5": (slots + ["cos_raw_text"], None),
        "slots + miss": (slots + ["miss", "miss2"], None),
        "slots + res_sim": (slots + ["res_sim"], None),
        "slots + mutual rank": (slots + ["mrank"], None),
    }
    print(f"{'variant':<32}" + "".join(f"{h:>36}" for h in (*DEV, "sample")))
    for name, (feats, learner) in rows.items():
        if args.only and args.only not in name:
            continue
        res = loso(b, feats, learner)
        print(f"{name:<32}" + "".join(f"{f'{p:.3f}/{r:.3f}/{f:.3f} @{t:.3f} ap {a:.3f}':>36}"
                                      for p, r, f, t, a, _ in res.values()), flush=True)


if __name__ == "__main__":
    main()
