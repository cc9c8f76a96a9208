"""Dutch text normalisation for knowledge questions.

``normalise`` produces a canonical, comparable string: lower case, accents
folded, punctuation stripped, whitespace collapsed and common spelling variants
and education abbreviations unified (``ICT``/``ict``, ``leerkracht``/``leraar``/
``docent``, ``basisschool``/``primair onderwijs``/``po`` ...).  Sector
abbreviations ``so``, ``vso`` and ``sbo`` stay distinct.

``tokens`` gives the content words: normalised, stop words removed, Snowball
(Dutch) stemmed.

The word lists live in ``agenda/data/nl_*.txt`` so they can be reviewed and
extended without touching code.  They hold only general Dutch and general
Dutch-education vocabulary, nothing tuned to one data set.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources

import snowballstemmer

__all__ = ["normalise", "tokens", "stem", "stop_words", "strip_framing", "SECTORS", "LEAD_IN",
           "leans_on_context", "dependence", "comparison_text", "lead_in_of"]

#: sector tokens after normalisation; pairs that name different sectors differ.
SECTORS = frozenset({"po", "vo", "so", "vso", "sbo", "mbo", "hbo", "wo",
                     "vmbo", "havo", "vwo", "kinderopvang", "pabo"})


def _data_lines(name: str) -> list[str]:
    text = resources.files("agenda").joinpath("data", name).read_text(encoding="utf-8")
    out = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out.append(line)
    return out


def _fold(text: str) -> str:
    """Lower case and strip diacritics (ë → e, é → e)."""
    if text.isascii():  # nothing to decompose (most questions): same result, a tenth of the time
        return text.lower()
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    return frozenset(_fold(w) for line in _data_lines("nl_stopwords.txt") for w in line.split())


@lru_cache(maxsize=1)
def _synonyms() -> tuple[list[tuple[str, re.Pattern[str], str]], dict[str, str]]:
    """Multi-word phrases (the phrase, its regex, its canonical form; applied first) and
    single-word replacements."""
    phrases: list[tuple[str, str]] = []
    words: dict[str, str] = {}
    for line in _data_lines("nl_synonyms.txt"):
        if "=" not in line:
            continue
        canon, variants = line.split("=", 1)
        canon = _fold(canon.strip())
        for v in variants.split(","):
            v = _fold(v.strip())
            if not v:
                continue
            if " " in v:
                phrases.append((v, canon))
            else:
                words[v] = canon
    phrases.sort(key=lambda p: -len(p[0]))  # longest phrase first
    compiled = [(p, re.compile(r"\b" + re.escape(p) + r"\b"), c) for p, c in phrases]
    return compiled, words


_APOS = re.compile(r"[’'`´]")
_ZON = re.compile(r"\bzo'n\b")
_VSO_PAREN = re.compile(r"\(v\)\s*so\b")
_HYPHEN = re.compile(r"(\w+)-(\w+)")
_NONWORD = re.compile(r"[^\w\s]+")
_WS = re.compile(r"\s+")
_SLASH_NUM = re.compile(r"(\d)\s*/\s*(\d)")


# Who asks, said before the question ("Vraag vanuit het team: …", "Vanuit de MR: …", "Wij vragen
# ons af: …"): context, not content. Ten schools framing one question in ten ways still ask one
# question (the framing stays in the mention's own text, appendix B). Only a framing ended by a colon is
# removed ("Feedback geven in de klas: hoe …" keeps its topic), or the "wij vragen ons af" kind
# directly before a question word.
_FRAMING = re.compile(
    r"^(?:"
    r"(?:een |onze |mijn )?(?:kennis)?vraag(?: (?:van(?:uit)?|uit|namens|bij) (?:[^\s:?]+ ){0,4}[^\s:?]+)?"
    r"|(?:vanuit|namens) (?:[^\s:?]+ ){0,4}[^\s:?]+"  # at most five words: a group, not a clause
    r"|(?:onze|mijn|de) (?:kennis)?vraag (?:is|luidt)"
    r"|(?:wij|we|ik) (?:vragen|vraag) (?:ons|me|mij) af"
    r"|(?:graag )?(?:willen|zouden) (?:wij|we|ik) (?:graag )?(?:willen )?weten"
    r"|(?:wij|we|ik) (?:willen|wil|zouden graag willen) (?:graag )?weten"
    r")\s*:\s*", re.IGNORECASE)
_FRAMING_INLINE = re.compile(
    r"^(?:(?:wij|we|ik) (?:vragen|vraag) (?:ons|me|mij) af|(?:wij|we|ik) (?:willen|wil) (?:graag )?weten"
    r"|graag (?:willen|zouden) (?:wij|we|ik) weten)\s+"
    r"(?=(?:hoe|wat|welke|waarom|wanneer|waar|wie|of|in hoeverre|met welke)\b)", re.IGNORECASE)


def strip_framing(text: str) -> str:
    """`text` without a leading "who asks" phrase (see _FRAMING); unchanged when nothing would be left.

    Used for comparing (in `normalise`) and for the formulation an agenda item shows."""
    rest = _FRAMING_INLINE.sub("", _FRAMING.sub("", text, count=1), count=1)
    return rest if rest.strip(" ?.!") else text


_GLUE_PREFIX = frozenset({"re", "e", "co", "ex", "her", "pre", "anti", "non", "de", "mede"})
_GLUE_SUFFIX = frozenset({"er", "ers", "ster", "sters", "tje", "tjes"})



def agenda_text(text: str) -> str:
    """How a formulation reads as an agenda question: without a "who asks" opening, capitalised."""
    text = strip_framing(text.strip())
    return text[:1].upper() + text[1:]

def _hyphen(m: re.Match[str]) -> str:
    a, b = m.group(1), m.group(2)
    # re-integreren, ib-er, e-mail, anti-pest: glue prefixes and -er suffixes;
    # split the rest (ict-werkgroep, ai-chatbots, smartphone-ban).
    if a in _GLUE_PREFIX or b in _GLUE_SUFFIX:
        return a + b
    return a + " " + b


def normalise(text: str) -> str:
    """Canonical comparable form of a Dutch question (see module doc)."""
    if not text:
        return ""
    t = text.replace("’", "'").replace("‘", "'")
    t = strip_framing(_fold(t).strip())
    t = _ZON.sub("zo een", t)
    t = _VSO_PAREN.sub("so vso", t)
    t = _APOS.sub("", t)               # thema's → themas, ib'er → iber
    t = _SLASH_NUM.sub(r"\1 \2", t)    # groep 7/8 → groep 7 8
    for _ in range(2):                 # chained hyphens: po-vo-overgang
        t = _HYPHEN.sub(_hyphen, t)
    t = t.replace("_", " ")
    t = _NONWORD.sub(" ", t)
    t = _WS.sub(" ", t).strip()
    phrases, words = _synonyms()
    for phrase, rx, canon in phrases:
        if phrase in t:  # the regex matches only where the phrase itself occurs: skip the rest
            t = rx.sub(canon, t)
    t = " ".join(words.get(w, w) for w in t.split())
    return t


_STEMMER = snowballstemmer.stemmer("dutch")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word.isdigit() or len(word) <= 3:
        return word
    return _STEMMER.stemWord(word)


def tokens(text: str) -> list[str]:
    """Normalised, stop-word-free, Snowball-stemmed content words."""
    sw = stop_words()
    return [stem(w) for w in normalise(text).split() if w not in sw]


# --- how self-contained a formulation is (the agenda text of a question; context for comparing) ---
# A question "leans" on what was said before it when it opens with a connective ("En hoe doe je
# dat in het so?"), uses a pronominal adverb or a bare dat/dit pointing back ("Welke scholing is
# daarvoor nodig?", "Werkt dat?"), or a third-person pronoun with no antecedent in the sentence
# ("Hebben zij dat ook gemerkt?"). Such a question needs the sentence before it to be understood.
_LEANS = re.compile(
    r"^(?:en|maar|of|ook|dus|en dan|zo ja|zo nee|zo niet)\b"
    r"|\b(?:daar|hier|waar)(?:voor|bij|mee|in|op|aan|over|van|door|om|tegen|uit|naar|na|onder|achter)\b"
    r"|\b(?:doe|doen|doet|werkt|werken|aanpakken|regelen|organiseren|bereiken|meten|voorkomen|gemerkt"
    r"|merken|zien|ervaren|is|zijn|kan|kun|kunnen|mag|moet|moeten|betekent|betekenen|vraagt|kost|kosten|levert)\s+(?:je|jij|we|wij|jullie|zij|ze|u|men)?"
    r"\s*(?:dat|dit)\b(?!\s+(?:de|het|een|er|\w+(?:en|t)\b))"
    r"|\b(?:dat|dit)\s*(?:dan|ook|nou|wel|eigenlijk)?\s*\?$"
    r"|^(?:[^?]*\s)?(?:zij|hen)\b(?!-)",
    re.IGNORECASE)
# pointing outside by a demonstrative or a time word ("deze lockdown", "die keuzes", "nu", "dit jaar")
_DEIXIS = re.compile(
    r"\bdeze\s+(?!vraag\b)\w+"
    r"|(?:^|\b(?:van|voor|met|in|op|bij|over|aan|door|uit|om|na|tijdens|sinds)\s+)(?:die|dat|dit|zo'n|zulke)\s+\w+"
    r"|\bdie\s+(?:keuze|keuzes|aanpak|situatie|periode|maatregel|maatregelen|plannen|ontwikkeling|problemen"
    r"|verandering|veranderingen|leerlingen|kinderen|collega's|school|scholen|groep|klas)\b"
    r"|\b(?:nu|momenteel|tegenwoordig|straks|binnenkort|dit jaar|dit schooljaar|vorig jaar|volgend jaar"
    r"|afgelopen jaar|de lockdown|na de zomer|na de vakantie)\b",
    re.IGNORECASE)
# a survey answer's first person ("ik", "mijn klas", "bij ons"): a local story, not the agenda's voice
_FIRST_SINGULAR = re.compile(r"\b(?:ik|mijn|m'n|me|mij|mezelf)\b", re.IGNORECASE)
_FIRST_PLURAL = re.compile(r"\b(?:bij ons|onze|ons|wij|we)\b", re.IGNORECASE)


#: Mention.extra key of the sentence (or question) a leaning question leans on
LEAD_IN = "lead_in"


def lead_in_of(extra: dict) -> str | None:
    """The sentence a leaning question leans on, from a mention's ``extra`` (None when absent)."""
    value = extra.get(LEAD_IN)
    return value.strip() if isinstance(value, str) and value.strip() else None


def comparison_text(text: str, lead_in: str | None) -> str:
    """What a formulation is compared by: its text, preceded by the sentence it leans on, if any."""
    return f"{lead_in.strip()} {text}" if lead_in and lead_in.strip() else text


def leans_on_context(text: str) -> bool:
    """True when the question needs the sentence before it to be understood (see _LEANS):
    "Welke scholing is daarvoor nodig?", "En hoe doe je dat in het so?", "Hebben zij dat ook gemerkt?"."""
    t = strip_framing(" ".join(text.replace("’", "'").split()))
    return bool(_LEANS.search(t))


def dependence(text: str) -> int:
    """How much a formulation depends on its surroundings or its asker (0 = self-contained):
    3 leans on the sentence before it, +2 a demonstrative or time word pointing outside,
    +2 survey first person singular (ik, mijn), +1 first person plural (bij ons, we, onze).
    Used to pick a cluster's agenda formulation (agenda.dedupe.clusters.representative)."""
    t = strip_framing(" ".join(text.replace("’", "'").split()))
    score = 3 if _LEANS.search(t) else 0
    score += 2 if _DEIXIS.search(t) else 0
    score += 2 if _FIRST_SINGULAR.search(t) else 0
    score += 1 if _FIRST_PLURAL.search(t) else 0
    return score
