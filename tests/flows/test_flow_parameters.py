"""Prefect's 512 KB limit on a flow run's parameters (issue 21, kind 1): subflows get paths and ids."""

import asyncio
import json

import httpx

from flows.build import build_agenda


def _flow_run_parameters() -> dict[str, list[dict]]:
    from prefect.client.orchestration import get_client

    async def read():
        async with get_client() as client:
            runs = await client.read_flow_runs(limit=200)
            flows = {f.id: f.name for f in await client.read_flows(limit=200)}
            return [(flows.get(r.flow_id, "?"), r.parameters) for r in runs]

    out: dict[str, list[dict]] = {}
    for name, params in asyncio.run(read()):
        out.setdefault(name, []).append(params)
    return out


def test_a_long_curation_file_and_known_sources_never_become_flow_parameters(tmp_path):
    inputs = tmp_path / "inputs"
    (inputs / "meetings").mkdir(parents=True)
    (inputs / "meetings" / "2022-01-20-bijeenkomst.md").write_text(
        "---\ntitle: Bijeenkomst\ndate: 2022-01-20\n---\n## Kennisvragen\n"
        "- Hoe geef je feedback op de weekplanning van leerlingen?\n"
        "- Welke rol speelt de mentor bij gepersonaliseerd leren?\n", encoding="utf-8")
    page = "Dit is een bladzijde tekst van de curator over wat al bekend is. " * 80  # ~5 KB
    lines = ["knowledge:"]
    for i in range(40):  # a page of text per column for 40 questions: ~600 KB
        lines.append(f"  Q-{i:06x}:")
        for col in ("known", "accessible", "research_needed"):
            lines.append(f"    {col}: \"{page}\"")
    (inputs / "curation.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert (inputs / "curation.yaml").stat().st_size > 550_000
    out = tmp_path / "out"
    first = build_agenda(inputs_dir=inputs, db_path=out / "k.duckdb", out_dir=out)
    assert first["new_version"]
    (inputs / "meetings" / "2022-02-20-bijeenkomst.md").write_text(
        "---\ntitle: Tweede\ndate: 2022-02-20\n---\n## Kennisvragen\n- Hoe plan je kindgesprekken?\n", encoding="utf-8")
    second = build_agenda(inputs_dir=inputs, db_path=out / "k.duckdb", out_dir=out)  # known sources stored now
    assert second["new_version"] and second["items"] == first["items"] + 1
    params = _flow_run_parameters()
    assert params["gather"] and params["make-agenda"]
    for name, runs in params.items():
        for p in runs:
            assert len(json.dumps(p, default=str)) < 20_000, name
    assert all(p.get("known_source_ids") is None for p in params["gather"])
    assert not list(out.glob(".*besluiten*"))  # the build's snapshot of the decisions is removed


def test_a_prefect_refusal_is_reported_as_a_refusal_not_a_full_disk():
    from agenda.cli import _prefect_api_error

    request = httpx.Request("POST", "http://127.0.0.1:4200/api/flow_runs/")
    response = httpx.Response(422, request=request, json={
        "detail": "Flow run parameters must be less than 524,288 bytes when serialized (got 611,023 bytes)."})
    message = _prefect_api_error(httpx.HTTPStatusError("422", request=request, response=response))
    assert "weigerde" in message and "HTTP 422" in message and "524,288 bytes" in message
    assert "vol" not in message
