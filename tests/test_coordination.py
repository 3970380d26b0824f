"""
Complementarity (issue 16, item 1): a case routed to a programme's office while a member is
already on an overlapping programme gets the outcome ``coordination`` (parties to inform,
its reason), never a duplicate path nor a silent refusal; the programmes a member is in are
dated; the check is the core hook ``inclusione_coordinate``, driven by configuration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inclusione_core import (
    ConfigurationError,
    Engine,
    InvalidCaseError,
    Purpose,
    Recipient,
    RoutingOutcome,
    get_plugin_manager,
)

Writer = Callable[[str, str], Path]
SRC = "{kind: default, note: test}"
AS_OF = dt.date(2025, 6, 2)
LAYER = f"""
id: zona
label: {{it: Zona, en: Zone}}
level: zona
version: "1"
extends: italia
services:
  ufficio_programma:
    kind: ufficio_programma
    label: {{it: Ufficio del programma, en: Programme office}}
    level: primo
    access: [diretto, invio]
    source: {SRC}
programmes:
  percorso_lr14:
    label: {{it: Percorso L.R. 14, en: Regional law path}}
    kind: percorso
    data_category: health
    source: {SRC}
  percorso_adi:
    label: {{it: Percorso AdI, en: AdI path}}
    kind: misura
    measure: adi
    data_category: economic
    source: {SRC}
  programma_locale:
    label: {{it: Programma locale, en: Local programme}}
    kind: progetto
    service: ufficio_programma
    data_category: work
    source: {SRC}
routing:
  rules:
    - id: al_programma
      when: {{access_point_kind: [ufficio_programma]}}
      outcome: routed
      service: ufficio_programma
      channel: presa_in_carico
      message: {{it: "Al programma.", en: "To the programme."}}
      source: {SRC}
coordination:
  gia_in_percorso:
    applies_to: [ufficio_programma]
    programmes: [percorso_lr14, percorso_adi]
    when: {{always: true}}
    inform: [ssp, cpi]
    message: {{it: "Già in un percorso ({{programmi}}): coordinamento con i servizi.", en: "Already on a path."}}
    source: {SRC}
"""


def engine_for(write_layer: Writer, text: str = LAYER) -> Engine:
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[write_layer("zona", text)])


def case(programmes: list[dict[str, Any]] | None = None, point: str = "ufficio_programma") -> dict[str, Any]:
    return {
        "id": "Z-1", "territory": "zona", "opened_on": "2025-05-02",
        "household": {"id": "H", "members": [
            {"id": "m1", "relation": "richiedente", "birth_date": "1975-01-01", "employment": "disoccupato",
             "programmes": programmes or []}]},
        "access": {"date": "2025-05-02", "point": point},
        "assessment": {"date": "2025-05-10", "levels": [{"dimension": "lavoro", "level": 2}],
                       "needs": [{"code": "lavoro", "severity": 2}]},
    }


def test_a_member_already_on_an_overlapping_path_is_coordinated_not_taken_twice(write_layer: Writer) -> None:
    engine = engine_for(write_layer)
    result = engine.assess(case([{"code": "percorso_lr14", "since": "2024-01-10"}]), as_of=AS_OF)
    routing = result.routing
    assert routing.outcome is RoutingOutcome.COORDINATION and routing.service == "ufficio_programma"
    assert routing.coordination is not None
    assert routing.coordination.programmes == ("percorso_lr14",) and routing.coordination.inform == ("ssp", "cpi")
    last = routing.reasons[-1]
    assert last.rule == "coordinamento.gia_in_percorso" and last.inputs["programmi"] == ["percorso_lr14"]
    assert "health" in last.categories
    assert result.equipe.format is None or result.equipe.members == ()
    assert any(r.rule == "equipe.caso_in_coordinamento" for r in result.equipe.reasons)


def test_without_an_overlap_the_routing_stands_and_says_what_it_read(write_layer: Writer) -> None:
    engine = engine_for(write_layer)
    for programmes in ([], [{"code": "percorso_lr14", "since": "2023-01-01", "until": "2024-12-31"}],
                       [{"code": "programma_locale", "since": "2025-01-01"}]):
        result = engine.assess(case(programmes), as_of=AS_OF)
        assert result.routing.outcome is RoutingOutcome.ROUTED and result.routing.coordination is None
        # the decision looked at the programmes: its reason carries their categories either way
        assert {"health", "economic"} <= set(result.routing.reasons[0].categories)


def test_a_routing_to_another_service_is_not_checked(write_layer: Writer) -> None:
    engine = engine_for(write_layer)
    result = engine.assess(case([{"code": "percorso_lr14", "since": "2024-01-10"}], point="ssp"), as_of=AS_OF)
    assert result.routing.outcome is not RoutingOutcome.COORDINATION
    assert all("health" not in r.categories for r in result.routing.reasons)


def test_a_recipient_without_a_basis_cannot_tell_coordination_from_routing(write_layer: Writer) -> None:
    """The CPI (no consent) sees the same routing whether or not the member is on the L.R. 14 path."""
    engine = engine_for(write_layer)
    views = []
    for programmes in ([{"code": "percorso_lr14", "since": "2024-01-10"}], []):
        c = engine.load_case(case(programmes))
        result = engine.assess(c, as_of=AS_OF)
        view = engine.preview_result(result, c, recipient=Recipient(kind="cpi", service="cpi"),
                                     purpose=Purpose.COORDINATION)
        views.append(view)
    assert views[0].data["routing"]["outcome"] == "non_comunicato" and views[0].data["routing"]["coordination"] is None
    # the whole result, not only the routing: the equipe follows the check and is masked either way
    assert views[0].data == views[1].data and views[0].masked == views[1].masked
    assert "$.equipe" in views[0].masked


@settings(max_examples=40, deadline=None)
@given(since=st.dates(dt.date(2020, 1, 1), dt.date(2026, 12, 31)),
       days=st.one_of(st.none(), st.integers(0, 800)),
       code=st.sampled_from(["percorso_lr14", "percorso_adi", "programma_locale"]))
def test_coordination_exactly_when_an_overlapping_programme_holds_on_the_date(
        tmp_path_factory: pytest.TempPathFactory, since: dt.date, days: int | None, code: str) -> None:
    root = tmp_path_factory.mktemp("zona")
    (root / "zona").mkdir()
    (root / "zona" / "territory.yaml").write_text(LAYER, encoding="utf-8")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])
    until = None if days is None else since + dt.timedelta(days=days)
    enrolment = {"code": code, "since": since.isoformat(), **({"until": until.isoformat()} if until else {})}
    data = case([enrolment])
    data["opened_on"] = data["access"]["date"] = data["assessment"]["date"] = "2019-12-01"
    result = engine.assess(data, as_of=AS_OF)
    on = since <= AS_OF and (until is None or until >= AS_OF)
    expected = on and code in ("percorso_lr14", "percorso_adi")
    assert (result.routing.outcome is RoutingOutcome.COORDINATION) is expected


def test_unknown_programmes_and_dates_out_of_order_are_case_errors(write_layer: Writer) -> None:
    engine = engine_for(write_layer)
    with pytest.raises(InvalidCaseError) as info:
        engine.assess(case([{"code": "reddito_x", "since": "2024-01-10"},
                            {"code": "percorso_adi", "since": "2024-01-10", "until": "2023-01-01"}]), as_of=AS_OF)
    details = {(d.path, d.rule) for d in info.value.details}  # a case's values are not echoed
    assert ("$.household.members[0].programmes[0].code", "ref:programmes") in details
    assert ("$.household.members[0].programmes[1].until", "date_order") in details


def test_configuration_references_are_checked(write_layer: Writer) -> None:
    text = LAYER.replace("inform: [ssp, cpi]", "inform: [ssp, sportello]").replace(
        "programmes: [percorso_lr14, percorso_adi]", "programmes: [percorso_lr14, res]")
    with pytest.raises(ConfigurationError) as info:
        engine_for(write_layer, text).territory("zona")
    details = {(d.path, d.rule, d.value) for d in info.value.details}
    assert details == {("$.coordination.gia_in_percorso.inform", "ref:services", "sportello"),
                       ("$.coordination.gia_in_percorso.programmes", "ref:programmes", "res")}
