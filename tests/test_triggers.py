"""Narrower triggers (issue 14, item 4): need severity thresholds, the services in charge, refusal codes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import ConfigurationError, Engine
from inclusione_core._plugins import get_plugin_manager
from inclusione_core._predicates import Facts, evaluate

TERRITORIES = Path(__file__).resolve().parents[1] / "territories"
AS_OF = dt.date(2025, 3, 10)
KINDS = ["ssp", "cpi", "serd", "csm", "sociosanitario", "casa", "terzo_settore"]


@pytest.fixture(scope="module")
def engine() -> Engine:
    """The installed engine (toscana and prato configurations)."""
    return Engine()


def case(*, needs: list[tuple[str, int]] = (), services: list[str] = (), territory: str = "toscana") -> dict[str, Any]:  # type: ignore[assignment]
    """A one-member case with these needs (code, severity) and services in charge."""
    data: dict[str, Any] = {
        "id": "c1", "territory": territory, "opened_on": "2025-03-03",
        "household": {"id": "h1", "members": [{"id": "m1", "birth_date": "1980-01-01", "services": list(services)}]},
    }
    if needs:
        data["assessment"] = {"date": "2025-03-05", "needs": [{"code": c, "severity": s} for c, s in needs]}
    return data


@settings(max_examples=60, deadline=None)
@given(severities=st.lists(st.integers(1, 3), min_size=0, max_size=3), threshold=st.integers(1, 3))
def test_need_at_least_holds_iff_some_recorded_severity_reaches_the_threshold(
    engine: Engine, severities: list[int], threshold: int
) -> None:
    """need_at_least is true exactly when a need of the codes asked has a severity >= the threshold."""
    territory = engine.territory("toscana")
    c = engine.load_case(case(needs=[("abitativo", s) for s in severities] + [("lavoro", 3)]))
    truth, inputs = evaluate({"need_at_least": {"needs": ["abitativo"], "severity": threshold}},
                             Facts(case=c, territory=territory, as_of=AS_OF))
    assert truth is any(s >= threshold for s in severities)
    assert inputs["gravita_minima"] == threshold
    if severities:
        assert inputs["gravita.abitativo"] == max(severities)
        assert "housing" in inputs.categories
    assert "gravita.lavoro" not in inputs  # only the needs asked about


@settings(max_examples=60, deadline=None)
@given(held=st.lists(st.sampled_from(KINDS), unique=True), asked=st.lists(st.sampled_from(KINDS), min_size=1,
                                                                          unique=True))
def test_in_charge_of_reads_the_services_of_the_members(engine: Engine, held: list[str], asked: list[str]) -> None:
    """in_charge_of holds iff a member is in charge of a service of a kind asked; it shows only those kinds."""
    territory = engine.territory("toscana")
    c = engine.load_case(case(services=held))
    truth, inputs = evaluate({"in_charge_of": asked}, Facts(case=c, territory=territory, as_of=AS_OF))
    assert truth is bool(set(held) & set(asked))
    assert inputs["servizi_in_carico"] == sorted(set(held) & set(asked))
    # it declares the categories of every kind asked about, whatever the member holds
    assert territory.kind_categories(asked) <= inputs.categories
    assert {"process", "identity"} <= inputs.categories


def test_asking_about_the_csm_is_mental_health_data(engine: Engine) -> None:
    """Whether a member is followed by the CSM is mental-health data, held or not."""
    territory = engine.territory("toscana")
    for held in ([], ["csm"]):
        _, inputs = evaluate({"in_charge_of": ["csm"]},
                             Facts(case=engine.load_case(case(services=held)), territory=territory, as_of=AS_OF))
        assert "mental_health" in inputs.categories


@pytest.mark.parametrize(("severity", "joins"), [(1, False), (2, True), (3, True)])
def test_the_housing_office_joins_the_equipe_allargata_from_a_moderate_need(
    engine: Engine, severity: int, joins: bool
) -> None:
    """A housing need of severity 1 does not make the equipe allargata; 2 or more does, citing a default."""
    data = case(needs=[("lavoro", 2), ("economico", 2), ("abitativo", severity)])
    data["assessment"]["levels"] = [{"dimension": d, "level": 2} for d in ("lavoro", "economica", "abitare")]
    equipe = engine.assess(data, as_of=AS_OF).equipe
    roles = {m.role for m in equipe.members}
    assert ("operatore_casa" in roles) is joins
    assert equipe.format == ("allargata" if joins else "essenziale")
    if joins:
        (casa,) = [m for m in equipe.members if m.role == "operatore_casa"]
        assert casa.reason.source.is_default  # the threshold is the project's, shown as such
        assert casa.reason.inputs["gravita_minima"] == 2


def test_a_refused_case_convenes_no_equipe(engine: Engine) -> None:
    """A referral the SIIL refuses (nobody in charge of a service) convenes no equipe, saying why."""
    data = case(needs=[("lavoro", 2), ("reti_relazioni", 2)], territory="prato")
    data["assessment"]["levels"] = [{"dimension": "lavoro", "level": 2}, {"dimension": "reti", "level": 2}]
    data["access"] = {"date": "2025-03-04", "point": "siil", "channel": "invio", "from_service": "terzo_settore"}
    result = engine.assess(data, as_of=AS_OF)
    assert (result.routing.outcome.value, result.routing.service) == ("refused", "siil")
    assert "cpi" in result.routing.alternatives and "pua" in result.routing.alternatives
    assert result.equipe.format == "nessuna"
    assert [r.rule for r in result.equipe.reasons] == ["equipe.caso_rifiutato"]
    assert "mental_health" in result.routing.reasons[0].categories  # it looked at whether the CSM follows them


SIIL_RULE = (
    "routing:\n  rules:\n    - id: prova\n      when: {always: true}\n      outcome: {outcome}\n      service: siil\n"
    "      channel: segnalazione\n      refusal_code: {code}\n"
    "      message: {{it: prova, en: test}}\n      source: {{kind: default, note: prova}}\n"
)


@pytest.mark.parametrize(("outcome", "code", "rule"), [
    ("refused", "inventato", "ref:services.refusal_codes"),
    ("routed", "non_in_carico", "refusal_code.outcome"),
])
def test_a_bad_refusal_code_is_a_configuration_error_naming_path_value_and_rule(
    write_layer: Callable[[str, str], Path], outcome: str, code: str, rule: str
) -> None:
    """A routing rule's refusal code must be one of its service's codes, on a refusing rule."""
    text = ("id: zona\nlabel: {it: Zona, en: Zone}\nlevel: zona\nversion: \"1\"\nextends: toscana\n"
            + SIIL_RULE.replace("{outcome}", outcome).replace("{code}", code).replace("{{", "{").replace("}}", "}"))
    root = write_layer("zona", text)
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[TERRITORIES, root])
    with pytest.raises(ConfigurationError) as info:
        engine.territory("zona")
    details = [d for d in info.value.details if d.rule == rule]
    assert details, info.value.details
    assert details[0].path == "$.routing.rules[0].refusal_code"
    assert details[0].value == code
