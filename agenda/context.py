"""The context vocabulary: sector, role and level names and the codes they map to.

One module so that every reader (meeting notes, cases, surveys, tables), the ranking and the
priority round count the same thing: a survey's "Leerkracht" and a case's "leraar" are one role,
"Primair onderwijs" and "po" one sector. Nothing here imports another part of the pipeline
(``agenda.models`` imports SECTORS and LEVELS from here), so any stage may use it.

Shapes:
- ``SECTORS``/``LEVELS``: the codes a context may hold (tuples of lower-case strings, in report order).
- ``CONTEXT_KEYS``: key as written in a note, front matter or column header → Context field.
- ``sector_codes(text)`` → (codes, unknown parts); ``normalise_role(text, extra)`` → canonical role;
  ``normalise_roles(values, extra)`` → canonical roles, duplicates dropped, order kept.
The role mapping can be extended per agenda in the settings (``[vocabulary] roles``, see
``agenda.settings.Vocabulary``); the built-in one below always applies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

SECTORS = ("po", "sbo", "so", "vso", "vo", "mbo")
LEVELS = ("leerling", "leraar", "team", "school", "bestuur")

# Key as written (lower case) → Context field.
CONTEXT_KEYS = {
    "sector": "sectors", "sectoren": "sectors", "sectors": "sectors",
    "rol": "roles", "role": "roles", "rollen": "roles", "roles": "roles",
    "niveau": "level", "level": "level",
    "school": "school", "scholen": "school",
    "organisatie": "organisation", "organisation": "organisation", "organization": "organisation",
    "bestuur": "organisation",
}


def split_values(value: str) -> list[str]:
    """'po, sbo en so' → ['po', 'sbo', 'so']: a note's or cell's list of values (',', '/', 'en', '&', and
    ';' as Microsoft Forms writes a multiple-choice answer: 'Leerkracht;Intern begeleider;')."""
    parts = re.split(r"\s*(?:,|;|/|\ben\b|\&)\s*", value)
    return [p.strip() for p in parts if p.strip()]


# --- sectors ---------------------------------------------------------------------------------

# The usual spellings in survey answers and report tables → sector codes (SECTORS).
SECTOR_NAMES: dict[str, list[str]] = {
    "po": ["po"], "primair onderwijs": ["po"], "basisonderwijs": ["po"], "basisschool": ["po"],
    "regulier basisonderwijs": ["po"], "bao": ["po"], "primary": ["po"], "primary education": ["po"],
    "sbo": ["sbo"], "sbao": ["sbo"], "speciaal basisonderwijs": ["sbo"], "speciale basisschool": ["sbo"],
    "so": ["so"], "speciaal onderwijs": ["so"],
    "vso": ["vso"], "voortgezet speciaal onderwijs": ["vso"],
    "(v)so": ["so", "vso"], "v(so)": ["so", "vso"], "so/vso": ["so", "vso"], "so-vso": ["so", "vso"],
    "so en vso": ["so", "vso"], "speciaal (voortgezet) onderwijs": ["so", "vso"], "(voortgezet) speciaal onderwijs": ["so", "vso"],
    "speciaal en voortgezet speciaal onderwijs": ["so", "vso"],
    "vo": ["vo"], "voortgezet onderwijs": ["vo"], "middelbare school": ["vo"], "secondary": ["vo"],
    "vmbo": ["vo"], "havo": ["vo"], "vwo": ["vo"], "praktijkonderwijs": ["vo"],
    "mbo": ["mbo"], "middelbaar beroepsonderwijs": ["mbo"],
}


def sector_codes(value: str) -> tuple[list[str], list[str]]:
    """'Primair onderwijs' → (['po'], []); '(v)so, mbo' → (['so', 'vso', 'mbo'], []);
    'Kinderopvang' → ([], ['Kinderopvang']). Returns (codes, unknown parts)."""
    def norm(v: str) -> str:
        return " ".join(v.lower().replace("\u00a0", " ").strip(" .;:-–").split())

    whole = norm(value)
    if not whole:
        return [], []
    if whole in SECTOR_NAMES:
        return list(SECTOR_NAMES[whole]), []
    codes: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"\s*(?:,|;|\+|&|\ben\b|\bof\b|/(?!vso))\s*", value):
        key = norm(part)
        if not key:
            continue
        found = SECTOR_NAMES.get(key)
        if found:
            codes.extend(c for c in found if c not in codes)
        else:
            unknown.append(part.strip())
    return codes, unknown


# --- roles -----------------------------------------------------------------------------------

# Canonical role → the spellings seen in survey columns, case files and meeting notes. Looked up
# through role_key (case, accents, apostrophes, hyphens and a plural -s/-en ignored), so
# "ICT-coördinator", "ict coordinator" and "ICT-coördinatoren" are one entry.
_ROLES: dict[str, tuple[str, ...]] = {
    "leraar": ("leraar", "leraren", "leerkracht", "leerkrachten", "docent", "docenten", "juf", "juffen",
               "meester", "meesters", "groepsleerkracht", "groepsleraar", "vakleerkracht", "vakdocent",
               "teacher", "teachers"),
    "ib'er": ("ib'er", "ib-er", "iber", "ib", "intern begeleider", "interne begeleider", "intern begeleiders",
              "interne begeleiders", "ib'ers"),
    "ict-coördinator": ("ict-coördinator", "ict-coordinator", "ict coördinator", "ictcoördinator",
                        "ict-coördinatoren", "ict'er", "ict-er", "ict-specialist"),
    "schoolleider": ("schoolleider", "schoolleiders", "directeur", "directeuren", "directie", "schooldirecteur",
                     "adjunct-directeur", "locatieleider", "locatiedirecteur", "meerschoolse directeur",
                     "school leader", "principal"),
    "bestuurder": ("bestuurder", "bestuurders", "schoolbestuurder", "cvb", "college van bestuur", "cvb-lid",
                   "bovenschools directeur"),
    "onderzoeker": ("onderzoeker", "onderzoekers", "researcher", "lector", "promovendus"),
    "ouder": ("ouder", "ouders", "verzorger", "verzorgers", "ouder/verzorger", "parent", "parents"),
    "leerling": ("leerling", "leerlingen", "pupil", "pupils", "scholier", "scholieren"),
    "onderwijsassistent": ("onderwijsassistent", "onderwijsassistenten", "klassenassistent", "leraarondersteuner"),
    "beleidsmedewerker": ("beleidsmedewerker", "beleidsmedewerkers", "beleidsadviseur"),
    "zorgcoördinator": ("zorgcoördinator", "zorgcoordinator", "zorgcoördinatoren"),
}

def role_key(value: str) -> str:
    """The lookup key of a role as written: case, accents, apostrophes, hyphens and spacing ignored
    ("IB-er", "ib’er" and "ib er" → "iber")."""
    text = unicodedata.normalize("NFKD", str(value).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s\-_.;:,()’‘`´ʼ']+", "", text)


ROLE_NAMES: dict[str, str] = {role_key(name): role for role, names in _ROLES.items() for name in (role, *names)}


def _tidy(value: str) -> str:
    return " ".join(str(value).lower().replace("\u00a0", " ").split()).strip(" .;:,")


def normalise_role(value: str, extra: Mapping[str, str] | None = None) -> str:
    """'Leerkracht' → 'leraar', "IB-er" → "ib'er", 'ICT-coordinator' → 'ict-coördinator'.

    ``extra`` (written name → role, from the settings) is consulted first; a name neither knows is
    kept in lower case with its spacing tidied ('Remedial Teacher' → 'remedial teacher'), unless it
    starts with a name one of them knows ('Leerkracht groep 5' → 'leraar')."""
    key = role_key(value)
    if extra:
        for name, role in extra.items():
            if role_key(name) == key:
                return _tidy(role)
    found = ROLE_NAMES.get(key)
    if found is None and extra:
        for name, role in extra.items():  # an extension may also name a built-in role's canonical form
            if role_key(role) == key:
                return _tidy(role)
    if found is None:
        found = _qualified_role(value, extra)
    return found if found is not None else _tidy(value)


def _qualified_role(value: str, extra: Mapping[str, str] | None) -> str | None:
    """A known role followed by a qualifier, as a survey's free-text 'Anders' answer writes it:
    'Leerkracht groep 5', 'Docent Nederlands', 'Intern begeleider bovenbouw' → the role of the
    longest leading run of words that names one; None when no leading run does."""
    words = str(value).split()
    for n in range(len(words) - 1, 0, -1):
        head = " ".join(words[:n])
        key = role_key(head)
        for name, role in (extra or {}).items():
            if role_key(name) == key:
                return _tidy(role)
        if key in ROLE_NAMES:
            return ROLE_NAMES[key]
    return None


def normalise_roles(values: Iterable[str], extra: Mapping[str, str] | None = None) -> list[str]:
    """Each value through :func:`normalise_role`; empties and duplicates dropped, first order kept."""
    out: list[str] = []
    for v in values:
        if not str(v).strip():
            continue
        role = normalise_role(v, extra)
        if role and role not in out:
            out.append(role)
    return out


def role_values(value: str, extra: Mapping[str, str] | None = None) -> list[str]:
    """A cell or note value naming one or more roles → canonical roles: 'Leerkracht / IB-er' →
    ['leraar', "ib'er"]. A name the mapping knows whole ('ouder/verzorger') is not split."""
    if role_key(value) in ROLE_NAMES:
        return normalise_roles([value], extra)
    return normalise_roles(split_values(value), extra)
