"""Respondents' privacy: identifying columns, pseudonyms, and masking of contact details in text.

Used by every reader that stores or publishes text (survey exports, priority-round vote
exports, documents, the evidence library) and once more on every version before it is stored,
so no e-mail address, Dutch phone number or BSN-like number reaches DuckDB, the JSON, the report
or Prefect's database.

- ``mask(text)`` replaces e-mail addresses by ``[e-mailadres]``, Dutch phone numbers (mobile
  ``06-12345678``, ``+31 6 1234 5678``, ``0031 6…``, landlines ``020-1234567``, ``(030) 123 45 67``,
  ``+31 (0)30 …``) by ``[telefoonnummer]`` and nine-digit numbers that pass the BSN eleven-test
  (``123456782``, ``1234.56.782``) by ``[BSN]``. ``mask_counts`` also says how many of each.
- ``identifying_column(header, values)``: a survey column that names or holds who answered —
  by its header (*Naam (optioneel)*, *Uw e-mailadres*, *Telefoonnummer*, *Mobiel*, IP address,
  location) or by what it holds (most cells an e-mail address, a phone number, a BSN-like number,
  or a person's name: two to four capitalised words, Dutch prefixes allowed, nearly all distinct).
- ``pseudonym(value, key)``: ``p-`` + 10 hex digits of HMAC-SHA256(key, value). The key is
  ``pseudonym_key(file_bytes)``: derived from the export's own bytes (BLAKE2b, personalised), never
  stored. Chosen over a per-project secret so the same inputs give the same agenda on any machine
  (a secret generated once would differ between a fresh clone and the server, and would have to be
  kept, backed up and never committed); a reader of the outputs, who has the content hash but not
  the export, cannot test guesses ("is it p.devries@…?"). The same person in two exports gets two
  pseudonyms, which changes nothing: each export is its own source and respondents are counted
  per source. ``respondent_id(value, key)`` keeps what identifies no one (a row number, a
  survey tool's response id such as ``R_1abcXYZ``, a timestamp) and pseudonymises the rest.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["EMAIL_MASK", "PHONE_MASK", "BSN_MASK", "IBAN_MASK", "MASKS", "mask", "mask_counts", "count_masks",
           "identifying_header", "identifying_column", "pseudonym_key", "pseudonym", "respondent_id",
           "is_pseudonym", "method_sentence", "mask_reason", "RESPONDENT_TEXT"]

EMAIL_MASK = "[e-mailadres]"
PHONE_MASK = "[telefoonnummer]"
BSN_MASK = "[BSN]"
IBAN_MASK = "[IBAN]"
MASKS = (EMAIL_MASK, PHONE_MASK, BSN_MASK, IBAN_MASK)

# Invisible characters that split an address or number without showing (zero-width space/joiners,
# word joiner, soft hyphen, BOM): dropped before matching, so "jan\u200b@school.nl" is still found.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# every dash a word processor writes (hyphen, non-breaking hyphen, figure/en/em dash, minus)
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_TLDS = ("nl|be|com|org|net|eu|de|fr|uk|edu|info|nu|io|gov|int|biz|frl|amsterdam|online|email|"
         "school|education|academy|ch|at|lu|dk|se|no|es|it")
# local part, @ (also a full-width ＠, spaces or a line break around it, or written as "(at)", "[at]",
# "{at}", "apenstaartje"), domain with a dot
EMAIL = re.compile(
    r"(?<![\w.+-])[\w.+%-]+(?:\s{0,3}[@\uff20]\s{0,3}|\s?[\[({]\s?at\s?[\])}]\s?|\s+apenstaartje\s+)"
    r"[\w-]+(?:\s?(?:\.|[\[({]\s?(?:dot|punt)\s?[\])}])\s?[\w-]+)*(?:\.|\s?[\[({]\s?(?:dot|punt)\s?[\])}]\s?)"
    r"[a-z]{2,}(?![\w-])", re.I)
# written out in words: "naam at school punt nl", "p.devries at school.nl" (a dotted local part), so
# "available at www.example.org" in an abstract is left alone
EMAIL_WORDS = re.compile(
    r"(?<![\w.+-])(?:[\w+%-]+(?:\s+(?:at|apenstaartje)\s+)[\w-]+(?:\s+(?:punt|dot)\s+[\w-]+)*\s+(?:punt|dot)\s+"
    rf"(?:{_TLDS})|[\w+%-]+(?:\.[\w+%-]+)+\s+(?:at|apenstaartje)\s+[\w-]+(?:\.[\w-]+)*\.(?:{_TLDS}))(?![\w-])",
    re.I)
_SEP = rf"[\s.()/{_DASHES}-]"
# +31 / 0031 / 0, optional "(0)", then 9 digits with spaces, dots, dashes, slashes or brackets between
PHONE = re.compile(rf"(?<![\w+])(?:(?:\+|00)31{_SEP}*(?:\(0\){_SEP}*)?|\(?0)(?:{_SEP}{{0,3}}\d){{9}}(?![\w]|[.,]\d)")
# another country's number: +32 470 12 34 56, 0049 30 12345678 (country code, then 7 to 12 digits)
PHONE_INTL = re.compile(rf"(?<![\w+])(?:\+|00)(?!31)[1-9]\d{{0,2}}{_SEP}{{1,3}}(?:\(0\){_SEP}*)?\d(?:{_SEP}{{0,3}}\d){{6,11}}"
                        r"(?![\w]|[.,]\d)")
# 123456782, 1234.56.782, 1234 56 782, 123 456 782, 123-456-782, 12345 6782 (not 123.456.782: that is how
# amounts are written, unless "BSN" or "burgerservicenummer" stands right before it)
BSN_CANDIDATE = re.compile(
    rf"(?<![\w.,-])(?:\d{{9}}|\d{{4}}([. ])\d{{2}}\1\d{{3}}|\d{{1,5}}(?:[ {_DASHES}-]\d{{1,5}}){{1,4}})(?![\w]|[.,-]\d)")
BSN_AFTER_WORD = re.compile(r"(?i)\b(?:bsn|burgerservicenummer|sofinummer|sofi-nummer)\b\W{0,5}(\d[\d. -]{8,14}\d)")
# an IBAN (NL91 ABNA 0417 1643 00), checked with its mod-97 check digits
IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")


def _is_bsn(digits: str) -> bool:
    """The eleven-test (elfproef) for a BSN: 9 digits, sum(d_i * (9 - i)) - d_9 divisible by 11."""
    if len(digits) != 9 or digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1))) - int(digits[8])
    return total % 11 == 0


_NL_IBAN = re.compile(r"^NL\d{2}[A-Z]{4}\d{10}$")


def _is_iban(text: str) -> bool:
    """ISO 13616 check: the country code and check digits moved to the end, letters as numbers, mod 97 = 1.
    A Dutch account number with a typo (NL, 2 digits, a 4-letter bank code, 10 digits) is one too."""
    s = text.replace(" ", "").upper()
    if _NL_IBAN.match(s):
        return True
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    try:
        return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1
    except ValueError:
        return False


def _phone_ok(match: str) -> bool:
    digits = re.sub(r"\D", "", match)
    if digits.startswith("0031"):
        digits = digits[4:]
    elif digits.startswith("31") and match.lstrip().startswith("+"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    else:
        return False
    if digits.startswith("0") and len(digits) == 10:  # +31 (0)6 …: the (0) is not part of the number
        digits = digits[1:]
    return len(digits) == 9 and digits[0] != "0"


def mask_counts(text: str) -> tuple[str, Counter]:
    """`text` with e-mail addresses (also "naam at school punt nl", split over a line), phone numbers
    (Dutch ones in every writing, and other countries' with their +code), BSN-like numbers and IBANs
    replaced by their placeholder, and a Counter {"email": n, "phone": n, "bsn": n, "iban": n} of what
    was replaced. Invisible characters (zero-width, soft hyphen) are dropped first. Idempotent: the
    placeholders match nothing."""
    counts: Counter = Counter()
    if not text or not any(ch.isdigit() or ch in "@\uff20[({" or ch.isspace() for ch in text):
        return text, counts
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)

    def email(m: re.Match) -> str:
        counts["email"] += 1
        return EMAIL_MASK

    def phone(m: re.Match) -> str:
        if not _phone_ok(m.group(0)):
            return m.group(0)
        counts["phone"] += 1
        return PHONE_MASK

    def phone_intl(m: re.Match) -> str:
        counts["phone"] += 1
        return PHONE_MASK

    def bsn(m: re.Match) -> str:
        if not _is_bsn(re.sub(r"\D", "", m.group(0))):
            return m.group(0)
        counts["bsn"] += 1
        return BSN_MASK

    def bsn_after_word(m: re.Match) -> str:
        if not _is_bsn(re.sub(r"\D", "", m.group(1))):
            return m.group(0)
        counts["bsn"] += 1
        return m.group(0)[:m.start(1) - m.start(0)] + BSN_MASK

    def iban(m: re.Match) -> str:
        if not _is_iban(m.group(0)):
            return m.group(0)
        counts["iban"] += 1
        return IBAN_MASK

    text = EMAIL.sub(email, text)
    text = EMAIL_WORDS.sub(email, text)
    text = IBAN.sub(iban, text)
    text = BSN_AFTER_WORD.sub(bsn_after_word, text)
    text = PHONE.sub(phone, text)
    text = PHONE_INTL.sub(phone_intl, text)
    text = BSN_CANDIDATE.sub(bsn, text)
    return text, counts


def mask(text: str) -> str:
    """`text` with contact details and BSN-like numbers replaced (see `mask_counts`)."""
    return mask_counts(text)[0]


def mask_value(value):
    """`mask` applied to a string, or to every string in a list or a dict (a source's or mention's
    fields: keys too). A field that names or reaches a person by its key (a case file's *contact*,
    *contactpersoon*, *telefoon* …: `identifying_header`) is dropped, as a survey's column would be."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [mask_value(v) for v in value]
    if isinstance(value, dict):
        return {mask(k) if isinstance(k, str) else k: mask_value(v) for k, v in value.items()
                if not (isinstance(k, str) and identifying_header(k))}
    return value


def mask_context(ctx):
    """A mention's or source's Context with its free-text fields (school, organisation, and the roles:
    an unknown role is kept as written, "leraar (j.brakkee@…)") masked."""
    if not (ctx.school or ctx.organisation or ctx.roles):
        return ctx
    return ctx.model_copy(update={"school": ctx.school and mask(ctx.school),
                                  "organisation": ctx.organisation and mask(ctx.organisation),
                                  "roles": [mask(r) for r in ctx.roles]})


def mask_knowledge(entry):
    """An evidence-library entry (KnowledgeSource) with title, authors, venue, abstract and passages masked."""
    return entry.model_copy(update={
        "title": mask(entry.title), "authors": [mask(a) for a in entry.authors], "venue": mask(entry.venue),
        "abstract": mask(entry.abstract), "passages": [mask(p) for p in entry.passages]})


# keys whose values are ids, hashes, paths or enum values, never free text
_KEEP_KEYS = frozenset({"id", "cluster_id", "source_id", "mention_id", "content_hash", "input_fingerprint",
                        "label", "previous", "kind", "rule", "status", "severity", "doi", "url", "theme_id"})


def mask_tree(value, key: str = ""):
    """`value` (nested dicts/lists as from model_dump(mode="json")) with every free-text string masked,
    dict keys too (a count per role is keyed by the role as written); ids, hashes, paths and enum
    fields (`_KEEP_KEYS`) are left as they are."""
    if isinstance(value, str):
        return value if key in _KEEP_KEYS else mask(value)
    if isinstance(value, list):
        return [mask_tree(v, key) for v in value]
    if isinstance(value, dict):
        out: dict = {}
        for k, v in value.items():
            masked = mask_tree(v, k if isinstance(k, str) else key)
            k = mask(k) if isinstance(k, str) and k not in _KEEP_KEYS else k
            if isinstance(out.get(k), int) and isinstance(masked, int):  # two roles that differ only in an address
                masked += out[k]
            out[k] = masked
        return out
    return value


def count_masks(texts: Iterable[str]) -> Counter:
    """How many placeholders the (already masked) `texts` hold: {"email": n, "phone": n, "bsn": n, "iban": n}."""
    out: Counter = Counter()
    for t in texts:
        if t and "[" in t:
            out["email"] += t.count(EMAIL_MASK)
            out["phone"] += t.count(PHONE_MASK)
            out["bsn"] += t.count(BSN_MASK)
            out["iban"] += t.count(IBAN_MASK)
    return out


# --- identifying columns ------------------------------------------------------------------------

_ID_HEADER = re.compile(
    r"\b(?:e-?mail\w*|mail(?:adres)?|naam|namen|name|voornaam|achternaam|roepnaam|initialen|firstname|lastname|"
    r"full ?name|telefoon\w*|tel(?:\.|efoonnr)?|phone\w*|mobiel\w*|mobile|gsm|whatsapp|ip ?(?:address|adres)|"
    r"ip-adres|ipadres|ipaddr|latitude|longitude|locatie ?gegevens|contactpersoon|contactgegevens|contact|"
    r"adres|woonadres|postcode|woonplaats|geboortedatum|bsn|burgerservicenummer|handtekening|signature|"
    r"tussenvoegsel|telnr|mob|06-nummer|mobiele nummer|recipient|token|username|user ?name|gebruikersnaam|"
    r"login|inlognaam|persoonsgegevens|uw gegevens|je gegevens|jouw gegevens|naw|naw-gegevens|linkedin|"
    r"twitter|instagram|wie ben je|wie ben jij|wie bent u|wie vulde|wie vult|ingevuld door|invuller|"
    r"bereiken|bereikbaar|terugbellen|iban|rekeningnummer)\b",
    re.I,
)
_YOUR = re.compile(r"\b(?:uw|je|jouw|your|u)\s+$", re.I)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
# "Naam van de school", "Schoolnaam", "Naam organisatie": context, not a person
_NOT_PERSON = re.compile(r"\b(?:school\w*|organisatie\w*|organisation|organization|bestuur\w*|stichting|instelling|"
                         r"bijeenkomst|kennistafel|thema|project|vraag|vragen|question)\b", re.I)
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")

_NAME_WORD = re.compile(r"^(?:[A-ZÀ-Ý][a-zà-ÿ'’-]+|[A-Z]\.(?:[A-Z]\.)*)$")
_PREFIX = {"van", "de", "der", "den", "het", "ten", "ter", "te", "in", "'t", "op", "la", "le", "du", "da", "el", "bin"}


def identifying_header(header: str) -> bool:
    """A column header that asks who someone is or how to reach them (parenthesised remarks such
    as "(optioneel)" ignored): *Naam (optioneel)*, *E-mailadres*, *Telefoonnummer*, *Uw naam* …"""
    key = " ".join(_CAMEL.sub(" ", _PARENS.sub(" ", header)).replace("_", " ").split()).strip(" :*?")
    if not key:
        return False
    # a question prompt ("Hoe bereiken we ouders beter?", "Hoe houd je contact met ouders?") may be the
    # question column: in one only "uw/je … e-mailadres" or "wie ben je" asks who answered
    prompt = header.strip().endswith("?") and len(key.split()) >= 5
    # every identifying word counts: "Mag de kennistafel contact opnemen? Zo ja, uw e-mail" is not
    # excused by its first match ("contact" next to "kennistafel")
    for m in _ID_HEADER.finditer(key):
        word = m.group(0).lower()
        if prompt and not word.startswith(("wie ", "ingevuld")) and (
                word == "contact" or not _YOUR.search(key[:m.start()])):
            continue
        if word in {"naam", "namen", "name", "contact", "adres", "bereiken", "bereikbaar"} and _NOT_PERSON.search(key):
            continue
        return True
    return False


def _looks_like_name(value: str) -> bool:
    words = value.replace(",", " ").split()
    if not 2 <= len(words) <= 5 or any(ch.isdigit() for ch in value) or "?" in value:
        return False
    capitalised = [w for w in words if w.lower() not in _PREFIX]
    return 2 <= len(capitalised) <= 4 and all(_NAME_WORD.match(w) for w in capitalised)


# "Ik ben Hendrikje Zoutman", "Geertruida Klompmaker, juf groep 5", "Bartholomeus Wijnstok (ib'er)"
_INTRO = re.compile(r"^(?:ik ben|ik heet|mijn naam is|naam|dit is|door|van)\b[\s:]*", re.I)
_NAME_END = re.compile(r"[,(;/|\u2013\u2014]| - ")


def _starts_with_name(value: str) -> bool:
    """A cell that begins with a person's name, followed by a remark: the name part (after an
    introduction such as "Ik ben") looks like a name and names no school or organisation."""
    head = _NAME_END.split(_INTRO.sub("", value.strip()), maxsplit=1)[0].strip()
    return _looks_like_name(head) and not _NOT_PERSON.search(head)


# two capitalised words, Dutch prefixes between them allowed: "Jan Willemsen", "Anne van der Berg"
_NAMEISH = re.compile(r"\b[A-ZÀ-Ý][a-zà-ÿ'’-]+(?:\s+(?:van|de|der|den|ter|ten|te|het|'t|op|la|le|du|da|el|bin)){0,3}"
                      r"\s+[A-ZÀ-Ý][a-zà-ÿ'’-]+\b")
_QUOTED = re.compile(r"'([^'\n]{1,500})'")
_NAMES_A_COLUMN = ("kolom ", "veld ", "werkblad ")  # a quote after these is a header, not a respondent's text
RESPONDENT_TEXT = "[tekst van een respondent]"


def mask_reason(reason: str, respondent_file: bool) -> str:
    """A rejection or warning reason as stored and shown: `mask`ed, and for a survey or vote export
    (`respondent_file`) a quoted cell value that holds a name ("ongeldige datum 'Jan Willemsen …'":
    a respondent typed it in the wrong column) replaced by RESPONDENT_TEXT; the row number stays."""
    reason = mask(reason)
    if not respondent_file or "'" not in reason:
        return reason
    def hide(m: re.Match) -> str:
        if reason[:m.start()].endswith(_NAMES_A_COLUMN) or not _NAMEISH.search(m.group(1)):
            return m.group(0)
        return f"'{RESPONDENT_TEXT}'"

    return _QUOTED.sub(hide, reason)


def identifying_value(value: str) -> bool:
    """One cell that is an e-mail address, a phone number or a BSN-like number (and little else)."""
    masked, counts = mask_counts(value)
    if not counts:
        return False
    rest = masked
    for token in MASKS:
        rest = rest.replace(token, "")
    return len(rest.strip(" ,;:/-()")) <= 12


def identifying_column(header: str, values: list[str]) -> bool:
    """Whether a survey column identifies a respondent: by its header (`identifying_header`) or by
    its non-empty `values`: at least 30% contact details or BSN-like numbers, or at least 70%
    person names (2-4 capitalised words, Dutch prefixes allowed) of which 80% distinct."""
    if identifying_header(header):
        return True
    values = [v.strip() for v in values if v and v.strip()]
    if not values:
        return False
    if sum(identifying_value(v) for v in values) >= 0.3 * len(values):
        return True
    names = [v for v in values if _looks_like_name(v) or _starts_with_name(v)]
    return len(names) >= 0.7 * len(values) and len(set(names)) >= 0.8 * len(names) and len(set(names)) >= 2


# --- pseudonyms ------------------------------------------------------------------------------------

_PSEUDONYM = re.compile(r"^p-[0-9a-f]{10}$")
_KEEP_ID = re.compile(r"^(?=[^\d]*\d)[A-Za-z0-9_.-]{1,40}$")  # a number or code with a digit: no name has one


def pseudonym_key(file_bytes: bytes) -> bytes:
    """The pseudonym key for one export: BLAKE2b of its bytes, personalised so it is never the
    stored content hash (sha256 of the same bytes)."""
    return hashlib.blake2b(file_bytes, digest_size=32, person=b"kennisagenda-psn").digest()


def pseudonym(value: str, key: bytes) -> str:
    """``p-`` + 10 hex digits of HMAC-SHA256(key, the value case- and space-folded)."""
    norm = " ".join(value.split()).casefold()
    return "p-" + hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest()[:10]


def is_pseudonym(value: str | None) -> bool:
    return bool(value) and bool(_PSEUDONYM.match(value))


def respondent_id(value: str, key: bytes) -> str:
    """A respondent column's value as stored: a row number or a survey tool's response id
    (``R_1abcXYZ``, ``12``) as is; anything else (a name, an e-mail address, a phone number) as its
    pseudonym."""
    value = value.strip()
    if is_pseudonym(value) or (_KEEP_ID.match(value) and not identifying_value(value)):
        return value
    return pseudonym(value, key)


def method_sentence(counts: Counter, n_pseudonyms: int) -> str:
    """The report's one line on what was done (Dutch). Respondents numbered by the survey keep
    their number, so with none named there is no pseudonym to count: then it says so, rather than
    'onder een pseudoniem (0 op deze agenda)'."""
    def n_of(key: str, one: str, many: str) -> str:
        n = counts.get(key, 0)
        return f"{n} {one if n == 1 else many}"

    if n_pseudonyms:
        who = (f"respondenten die met naam, e-mailadres of telefoonnummer werden aangeduid, staan onder een "
               f"pseudoniem ({n_pseudonyms} op deze agenda)")
    else:
        who = ("respondenten staan onder het volgnummer of de antwoordcode uit de enquête (geen respondent was met "
               "naam, e-mailadres of telefoonnummer aangeduid)")
    if not any(counts.get(k, 0) for k in ("email", "phone", "bsn", "iban")):
        found = "in de formuleringen op deze agenda kwamen ze niet voor."
    else:
        iban = f", {n_of('iban', 'IBAN', 'IBANs')}" if counts.get("iban", 0) else ""
        found = (f"in de formuleringen op deze agenda ging het om {n_of('email', 'e-mailadres', 'e-mailadressen')}, "
                 f"{n_of('phone', 'telefoonnummer', 'telefoonnummers')}{iban} en "
                 f"{n_of('bsn', 'BSN-achtig nummer', 'BSN-achtige nummers')}.")
    return ("Privacy: namen, e-mailadressen en telefoonnummers van respondenten zijn bij het inlezen weggelaten; "
            f"{who}. In alle teksten worden e-mailadressen, telefoonnummers, bankrekeningnummers (IBAN) en "
            f"BSN-achtige nummers vervangen door [e-mailadres], [telefoonnummer], [IBAN] en [BSN]; {found}")
