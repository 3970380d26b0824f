"""The verbale di condivisione progettuale must be signed by all the parties involved (seed 000)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import inclusione_prato
import inclusione_toscana
from inclusione_core import Engine, Signature, get_plugin_manager

AS_OF = dt.date(2025, 3, 20)
RULE = "prato.verbale.firma_mancante"


def signature(party: str, on: str = "2024-10-01") -> dict[str, str]:
    """A signature of the verbale, JSON form."""
    return {"party": party, "name": f"Firmatario {party}", "signed_on": on}


def signature_rules(engine: Engine, case: dict[str, Any], as_of: dt.date = AS_OF) -> list[str]:
    """The rules of the signature problems found for a case."""
    result = engine.assess(case, as_of=as_of)
    return [p.reason.rule for p in result.project_problems if p.reason.rule.startswith(RULE)]


def test_missing_signature_of_an_equipe_service_is_a_problem(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """The housing office sits in the equipe allargata but did not sign: one problem, citing the Prato article."""
    result = engine.assess(example("progetto_in_corso.json"), as_of=AS_OF)
    (problem,) = result.project_problems
    assert problem.path == "$.project.signatures"
    assert problem.reason.rule == f"{RULE}.casa"
    assert problem.reason.source.document == inclusione_prato.DOCUMENT == "buone_pratiche_prato_2021"
    assert "firmati da tutte le parti coinvolte" in problem.reason.source.quote
    assert problem.reason.inputs["parte"] == "casa"
    assert problem.reason.inputs["ruolo_parte"] == "equipe"
    assert "casa" in problem.reason.message_it
    assert "casa" in problem.reason.message_en


def test_all_parties_signed_means_no_problem(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Once the housing office signs, the verbale has every signature it needs."""
    case = example("progetto_in_corso.json")
    case["project"]["signatures"].append(signature("casa", "2024-10-10"))
    assert signature_rules(engine, case) == []


def test_household_and_each_missing_service_are_reported(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """With no signature at all, the household and every equipe service are each reported once."""
    case = example("progetto_in_corso.json")
    case["project"]["signatures"] = []
    assert signature_rules(engine, case) == [f"{RULE}.{p}" for p in ("nucleo", "cpi", "ssp", "casa")]


def test_a_signature_after_the_as_of_date_does_not_count(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """A party that signs after the as-of date is still missing on that date, and the message says so."""
    case = example("progetto_in_corso.json")
    case["project"]["signatures"].append(signature("casa", "2025-04-01"))
    result = engine.assess(case, as_of=AS_OF)
    (problem,) = result.project_problems
    assert "2025-04-01" in problem.reason.message_it
    assert signature_rules(engine, case, as_of=dt.date(2025, 4, 1)) == []


def test_a_provider_of_an_intervention_is_a_party(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """A service providing one of the project's interventions must sign too, even outside the equipe."""
    case = example("progetto_in_corso.json")
    case["project"]["signatures"].append(signature("casa"))
    case["project"]["interventions"].append(
        {"code": "inserimento_socio_terapeutico", "provider": "serd", "start": "2025-02-03"})
    result = engine.assess(case, as_of=AS_OF)
    problems = [p for p in result.project_problems if p.reason.rule.startswith(RULE)]
    assert [(p.reason.rule, p.reason.inputs["ruolo_parte"]) for p in problems] == [(f"{RULE}.serd", "erogatore")]


def test_a_party_may_sign_by_service_kind(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """A signature given with the service kind (here ``pua`` for the PUA) counts for the service."""
    case = example("progetto_in_corso.json")
    case["project"]["signatures"].append(signature("casa"))
    orientation = {"code": "orientamento", "provider": "one_stop_shop", "start": "2024-10-07"}
    case["project"]["interventions"].append(orientation)
    assert signature_rules(engine, case) == [f"{RULE}.one_stop_shop"]
    case["project"]["signatures"].append(signature("pua"))
    assert signature_rules(engine, case) == []


def test_the_rule_applies_only_within_prato(example: Callable[[str], dict[str, Any]]) -> None:
    """The same project assessed under the Toscana rules is not checked for the Prato signatures."""
    pm = get_plugin_manager(load_entrypoints=False,
                            plugins=[("toscana", inclusione_toscana), ("prato", inclusione_prato)])
    engine = Engine(plugin_manager=pm)
    case = example("progetto_in_corso.json")
    case["project"]["signatures"] = []
    assert signature_rules(engine, case, AS_OF) != []
    result = engine.assess(case, as_of=AS_OF, territory="toscana")
    assert [p for p in result.project_problems if p.reason.rule.startswith(RULE)] == []


@settings(max_examples=40, deadline=None)
@given(signed=st.lists(st.sampled_from(["nucleo", "cpi", "ssp", "casa", "terzo_settore"]), unique=True))
def test_problems_are_exactly_the_unsigned_parties(
    engine: Engine, example: Callable[[str], dict[str, Any]], signed: list[str]
) -> None:
    """Whatever subset signs, the problems name exactly the required parties that did not."""
    case = example("progetto_in_corso.json")
    case["project"]["signatures"] = [signature(p) for p in signed]
    required = ["nucleo", "cpi", "ssp", "casa"]
    assert signature_rules(engine, case) == [f"{RULE}.{p}" for p in required if p not in signed]


def test_required_parties_are_exposed(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """``required_parties`` and ``missing_signatures`` answer as the hook does, for other tools to use."""
    case = engine.load_case(example("progetto_in_corso.json"))
    result = engine.assess(case, as_of=AS_OF)
    assert case.project is not None
    prato = engine.territory("prato")
    assert list(inclusione_prato.required_parties(case.project, result.equipe)) == ["nucleo", "cpi", "ssp", "casa"]
    assert inclusione_prato.missing_signatures(case.project, result.equipe, prato, AS_OF) == ["casa"]
    assert isinstance(case.project.signatures[0], Signature)


@pytest.mark.parametrize("name", ["dipendenze_e_lavoro.json", "solo_lavoro.json", "cpi_reinvio_ssp.json"])
def test_cases_without_a_project_have_no_signature_problem(
    engine: Engine, example: Callable[[str], dict[str, Any]], name: str
) -> None:
    """A case with no project yet is not checked for signatures."""
    assert signature_rules(engine, example(name), dt.date(2025, 5, 20)) == []
