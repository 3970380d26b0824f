"""Scenario files: loading and validation, running, and the expectation semantics."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from samples import italia_case

from inclusione_core._engine import Engine
from inclusione_core._errors import InvalidCaseError, ScenarioFileError
from inclusione_core._models import Result
from inclusione_core._plugins import get_plugin_manager
from inclusione_core._scenarios import (
    Scenario,
    compare,
    load_scenarios,
    looks_like_scenario_file,
    run_scenario,
)

AS_OF = dt.date(2025, 3, 1)




@pytest.fixture(scope="module")
def engine() -> Engine:
    """An engine with the core only (the ``italia`` layer), independent of installed plugins."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))


@pytest.fixture(scope="module")
def result(engine: Engine) -> Result:
    """The result for :func:`italia_case` on 2025-03-01."""
    return engine.assess(italia_case(), as_of=AS_OF)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- loading


def test_load_resolves_case_files_and_inline_cases(tmp_path: Path) -> None:
    """A case path is read relative to the scenario file; an inline case is used as written."""
    write(tmp_path / "cases" / "c1.json", json.dumps(italia_case()))
    path = write(tmp_path / "sub" / "s.yaml", (
        "scenarios:\n"
        "  - {name: file, case: ../cases/c1.json, as_of: '2025-03-01', territory: italia,"
        " expected: {routing: {service: ssp}}}\n"
        "  - name: inline\n"
        "    case: {id: x, territory: italia, opened_on: '2025-01-01', household: {id: h, members: [{id: m}]}}\n"
        "    as_of: '2024-01-01'\n"
        "    expected: {profile: {pathway: da_valutare}}\n"
    ))
    first, second = load_scenarios(path)
    assert isinstance(first, Scenario)
    assert first.case["id"] == "c1"
    assert first.case_source == str((tmp_path / "cases" / "c1.json").resolve())
    assert first.territory == "italia"
    assert second.case["id"] == "x"
    assert second.as_of == dt.date(2024, 1, 1)
    assert second.territory is None
    assert second.where.endswith("s.yaml#inline")


def test_load_reports_every_problem_of_a_malformed_file_at_once(tmp_path: Path) -> None:
    """Schema errors, a missing case file and a duplicate name are all listed, each with its path."""
    path = write(tmp_path / "s.yaml", (
        "scenarios:\n"
        "  - {name: a, case: missing.json, as_of: '2025-31-01', expected: {profile: {colour: red}}}\n"
        "  - {name: a, case: {}, as_of: '2025-01-01', expected: {routing: {outcome: maybe}}}\n"
    ))
    with pytest.raises(ScenarioFileError) as info:
        load_scenarios(path)
    assert info.value.source == str(path)
    paths = {d.path for d in info.value.details}
    assert {
        "$.scenarios[0].as_of",
        "$.scenarios[0].case",
        "$.scenarios[0].expected.profile.colour",
        "$.scenarios[1].name",
        "$.scenarios[1].expected.routing.outcome",
    } <= paths


def test_load_reports_yaml_syntax_errors_with_the_line(tmp_path: Path) -> None:
    """A YAML syntax error names the line in the file."""
    path = write(tmp_path / "s.yaml", "scenarios:\n  - name: [unclosed\n")
    with pytest.raises(ScenarioFileError, match="riga"):
        load_scenarios(path)


def test_load_requires_a_list_of_scenarios(tmp_path: Path) -> None:
    """A file without scenarios is malformed, reported at the missing key's path."""
    with pytest.raises(ScenarioFileError) as info:
        load_scenarios(write(tmp_path / "s.yaml", "description: nothing\n"))
    assert [(d.path, d.rule) for d in info.value.details] == [("$.scenarios", "required")]


def test_yaml_on_and_yes_stay_strings_in_inline_cases(tmp_path: Path) -> None:
    """`on:` (a case event key) and `yes` stay strings; only true/false are booleans."""
    path = write(tmp_path / "s.yaml", (
        "scenarios:\n"
        "  - name: x\n"
        "    case: {history: [{on: '2025-01-01', kind: accesso, note: yes}], flag: true}\n"
        "    as_of: '2025-01-01'\n"
        "    expected: {profile: {pathway: da_valutare}}\n"
    ))
    (scenario,) = load_scenarios(path)
    assert scenario.case["history"] == [{"on": "2025-01-01", "kind": "accesso", "note": "yes"}]
    assert scenario.case["flag"] is True


def test_looks_like_scenario_file(tmp_path: Path) -> None:
    """Only YAML files with a top-level `scenarios:` key (and not territory.yaml) look like scenario files."""
    assert looks_like_scenario_file(write(tmp_path / "a.yaml", "scenarios: []\n"))
    assert not looks_like_scenario_file(write(tmp_path / "b.yaml", "id: x\n"))
    assert not looks_like_scenario_file(write(tmp_path / "c.json", "scenarios: []\n"))
    assert not looks_like_scenario_file(write(tmp_path / "t" / "territory.yaml", "scenarios: []\n"))


# --------------------------------------------------------------------------- running


def test_run_scenario_passes_when_expectations_hold(tmp_path: Path, engine: Engine) -> None:
    """Expectations matching the result give a passed outcome with no mismatches."""
    write(tmp_path / "c1.json", json.dumps(italia_case()))
    path = write(tmp_path / "s.yaml", (
        "scenarios:\n"
        "  - name: ok\n"
        "    case: c1.json\n"
        "    as_of: '2025-03-01'\n"
        "    expected:\n"
        "      profile: {occupability: media, complexity: alta, activability: parzialmente_attivabile,"
        " pathway: equipe_quadro_approfondito, flags_exclude: [nessuno]}\n"
        "      routing: {outcome: routed, service: ssp, channel: equipe_multidisciplinare, deadline: null,"
        " alternatives: []}\n"
        "      equipe: {format: multidisciplinare, household_takes_part: false, modes: [in_presenza],"
        " roles: [operatore_cpi, assistente_sociale], roles_exclude: [serd]}\n"
        "      interventions: {exactly: [tirocinio_inclusione, puc], include: [puc], exclude: [collocamento_mirato]}\n"
        "      deadlines: {include: [{code: adi_primo_appuntamento, due: '2024-06-29', status: met_late,"
        " met_on: '2025-01-20', days_late: 205, days_overdue: null}], exclude: [rdc_patto]}\n"
        "      measures: {include: [{measure: adi, in_force: true, eligible: false}], exclude: [rdc]}\n"
        "      project_problems: {count: 0}\n"
        "      cites: ['d.lgs. n. 147/2017', 'Accordo Stato-Regioni']\n"
    ))
    (scenario,) = load_scenarios(path)
    outcome = run_scenario(engine, scenario)
    assert outcome.mismatches == []
    assert outcome.passed
    assert outcome.name == "ok"


def test_run_scenario_lists_each_mismatch_by_field(tmp_path: Path, engine: Engine) -> None:
    """Each expectation that does not hold is one mismatch naming the field, expected and actual."""
    path = write(tmp_path / "s.yaml", (
        "scenarios:\n"
        "  - name: ko\n"
        f"    case: {json.dumps(italia_case())}\n"
        "    as_of: '2025-03-01'\n"
        "    expected:\n"
        "      profile: {pathway: patto_lavoro}\n"
        "      equipe: {roles: [assistente_sociale]}\n"
        "      measures: {include: [{measure: rdc}]}\n"
        "      cites: ['seed 002']\n"
    ))
    (scenario,) = load_scenarios(path)
    outcome = run_scenario(engine, scenario)
    assert not outcome.passed
    assert outcome.mismatches[0] == (
        "profile.pathway: atteso 'patto_lavoro', ottenuto 'equipe_quadro_approfondito'"
    )
    assert outcome.mismatches[1].startswith("equipe.roles: atteso ['assistente_sociale'], ottenuto [")
    assert outcome.mismatches[2].startswith("measures[rdc]: assente")
    assert outcome.mismatches[3].startswith("cites: nessun motivo cita il documento 'seed 002'")
    english = run_scenario(engine, scenario, lang="en")
    assert english.mismatches[0].startswith("profile.pathway: expected 'patto_lavoro', got")


def test_run_scenario_raises_on_an_invalid_case(tmp_path: Path, engine: Engine) -> None:
    """A scenario whose case is not a valid case raises InvalidCaseError naming the scenario's case."""
    path = write(tmp_path / "s.yaml", (
        "scenarios:\n"
        "  - {name: x, case: {id: 1}, as_of: '2025-01-01', expected: {profile: {pathway: x}}}\n"
    ))
    (scenario,) = load_scenarios(path)
    with pytest.raises(InvalidCaseError) as info:
        run_scenario(engine, scenario)
    assert "scenarios[0].case" in info.value.source


# --------------------------------------------------------------------------- semantics


def test_exactly_is_ordered_order_is_relative(result: Result) -> None:
    """`exactly` needs the exact ordered list; `order` only the relative order of the codes named."""
    assert [r.code for r in result.interventions] == ["tirocinio_inclusione", "puc"]
    assert compare(result, {"interventions": {"order": ["tirocinio_inclusione", "puc"]}}) == []
    assert compare(result, {"interventions": {"order": ["puc"]}}) == []
    (m,) = compare(result, {"interventions": {"order": ["puc", "tirocinio_inclusione"]}})
    assert m.startswith("interventions.order: ordine diverso")
    (m,) = compare(result, {"interventions": {"exactly": ["puc", "tirocinio_inclusione"]}})
    assert m.startswith("interventions: atteso")
    (m,) = compare(result, {"interventions": {"exactly": ["tirocinio_inclusione"]}})
    assert m.startswith("interventions: atteso")


def test_roles_are_an_exact_set_include_and_exclude_are_subsets(result: Result) -> None:
    """`roles` ignores order but not extra roles; `roles_include`/`roles_exclude` check subsets."""
    assert compare(result, {"equipe": {"roles": ["operatore_cpi", "assistente_sociale"]}}) == []
    assert compare(result, {"equipe": {"roles": ["assistente_sociale"]}})
    assert compare(result, {"equipe": {"roles_include": ["assistente_sociale"]}}) == []
    assert compare(result, {"equipe": {"roles_exclude": ["assistente_sociale"]}})


def test_cites_matches_part_of_a_cited_document_ignoring_case(result: Result) -> None:
    """`cites` passes when some reason's document contains the text, case-insensitively."""
    assert compare(result, {"cites": ["DLGS_147"]}) == []  # a registry id
    assert compare(result, {"cites": ["d.lgs. n. 147/2017"]}) == []  # or the citation's words
    assert compare(result, {"cites": ["dgrt_544_2023"]})  # not cited in italia


def expectations_from(result: Result) -> dict[str, Any]:
    """Expectations that describe a result exactly (every kind the schema allows)."""
    p = result.profile.profile
    return {
        "profile": {
            "occupability": p.occupability.value if p.occupability else None,
            "complexity": p.complexity.value if p.complexity else None,
            "activability": p.activability.value if p.activability else None,
            "pathway": p.pathway,
            "flags_include": list(p.flags),
        },
        "routing": {
            "outcome": result.routing.outcome.value,
            "service": result.routing.service,
            "channel": result.routing.channel,
            "deadline": result.routing.deadline.isoformat() if result.routing.deadline else None,
            "alternatives": list(result.routing.alternatives),
        },
        "equipe": {
            "format": result.equipe.format,
            "household_takes_part": result.equipe.household_takes_part,
            "modes": list(result.equipe.modes),
            "roles": [m.role for m in result.equipe.members],
        },
        "interventions": {"exactly": [r.code for r in result.interventions]},
        "deadlines": {"include": [{"code": d.code, "due": d.due.isoformat(), "status": d.status.value}
                                  for d in result.deadlines]},
        "measures": {"include": [{"measure": m.measure, "in_force": m.in_force, "eligible": m.eligible}
                                 for m in result.measures]},
        "project_problems": {"count": len(result.project_problems)},
        "cites": sorted({r.source.document for r in result.profile.reasons} - {""}),
    }


cases = st.builds(
    lambda lavoro, abitare, needs, isee, measure: italia_case(
        assessment={
            "date": "2025-01-20",
            "levels": [{"dimension": "lavoro", "level": lavoro}, {"dimension": "abitare", "level": abitare}],
            "needs": [{"code": n} for n in needs],
        },
        household={"id": "h1", "members": [{"id": "m1", "birth_date": "1980-05-01", "employment": "disoccupato"}],
                   "isee": isee},
        measures=[{"code": measure, "valid_from": "2024-03-01"}] if measure else [],
    ),
    st.integers(0, 3),
    st.integers(0, 3),
    st.lists(st.sampled_from(["lavoro", "dipendenze", "abitativo", "salute_mentale"]), unique=True, max_size=3),
    st.integers(0, 20000),
    st.sampled_from([None, "adi", "sfl", "gol"]),
)


@settings(max_examples=30, deadline=None)
@given(case=cases, as_of=st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31)))
def test_a_result_meets_the_expectations_read_from_it(case: dict[str, Any], as_of: dt.date) -> None:
    """Expectations written from a result always pass, and changing the expected pathway fails on that field."""
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    result = engine.assess(case, as_of=as_of)
    expected = expectations_from(result)
    assert compare(result, expected) == []
    expected["profile"]["pathway"] = "altro_percorso"
    (mismatch,) = compare(result, expected)
    assert mismatch.startswith("profile.pathway: atteso 'altro_percorso'")
