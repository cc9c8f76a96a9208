"""The context vocabulary (agenda/context.py): one mapping of sector and role names, used by every reader."""

from agenda.context import LEVELS, SECTORS, normalise_role, normalise_roles, role_values, sector_codes
from agenda.ingest.common import context_cells, context_from_mapping, split_note
from agenda.models import Context


def test_role_spellings_map_to_one_role():
    for written in ("Leerkracht", "leraar", "Docent", "juf", "leerkrachten", "Groepsleerkracht"):
        assert normalise_role(written) == "leraar", written
    for written in ("Intern begeleider", "ib'er", "IB-er", "ib’er", "iber"):
        assert normalise_role(written) == "ib'er", written
    for written in ("ICT-coördinator", "ict-coordinator", "ICT coördinator"):
        assert normalise_role(written) == "ict-coördinator", written
    assert normalise_role("Directeur") == normalise_role("schoolleider") == "schoolleider"
    assert normalise_role("Remedial  Teacher") == "remedial teacher"  # unknown: kept, tidied


def test_a_role_with_a_qualifier_is_that_role():
    # a survey's free-text 'Anders' answers: the role group is the role, not a group of its own
    assert normalise_roles(["Leerkracht groep 5", "Docent Nederlands", "leraar"]) == ["leraar"]
    assert normalise_role("Intern begeleider bovenbouw") == "ib'er"
    assert normalise_role("ouder van een leerling in groep 3") == "ouder"
    assert normalise_role("RT'er groep 1-4", {"RT'er": "remedial teacher"}) == "remedial teacher"
    assert normalise_role("Remedial Teacher bovenbouw") == "remedial teacher bovenbouw"  # nothing known at the start


def test_settings_extend_the_mapping_and_win():
    extra = {"RT'er": "remedial teacher", "vakdocent": "vakleerkracht"}
    assert normalise_role("rt-er", extra) == "remedial teacher"
    assert normalise_role("Vakdocent", extra) == "vakleerkracht"  # the settings beat the built-in name
    assert normalise_roles(["Leerkracht", "leraar", "docent", "Ouder", "ouders"]) == ["leraar", "ouder"]


def test_every_reader_path_normalises_roles():
    assert Context(roles=["Leerkracht", "leraar"]).roles == ["leraar"]
    _, ctx, _ = split_note("Hoe plan je instructie? (sector: po; rol: Intern begeleider, Leerkracht)")
    assert ctx is not None and ctx.roles == ["ib'er", "leraar"] and ctx.sectors == ["po"]
    assert context_from_mapping({"rol": "ICT-coordinator / docent"}).roles == ["ict-coördinator", "leraar"]
    ctx, meta, warnings = context_cells({"roles": "Leerkracht", "sectors": "Primair onderwijs"}, "rij 2")
    assert ctx.roles == ["leraar"] and ctx.sectors == ["po"] and not warnings
    assert role_values("ouder/verzorger") == ["ouder"]
    # Microsoft Forms writes a multiple-choice answer as 'A;B;' (found on a held-out Forms export)
    ctx, _, warnings = context_cells({"roles": "Leerkracht;Intern begeleider;", "sectors": "Primair onderwijs;"}, "rij 3")
    assert ctx.roles == ["leraar", "ib'er"] and ctx.sectors == ["po"] and not warnings


def test_sector_names_and_codes():
    assert sector_codes("Primair onderwijs") == (["po"], [])
    assert sector_codes("(v)so, mbo") == (["so", "vso", "mbo"], [])
    assert sector_codes("Kinderopvang") == ([], ["Kinderopvang"])
    assert "po" in SECTORS and "team" in LEVELS
