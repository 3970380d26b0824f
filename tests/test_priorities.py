"""Priorities that depend on the case (``priority_when``) and funding sources of catalogue entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inclusione_core import ConfigurationError, Engine
from inclusione_core._plugins import get_plugin_manager

AS_OF = dt.date(2025, 3, 3)
SRC = "source: {kind: default, note: test}"
LAYER = """id: figlio
label: {it: Prova, en: Test}
level: zona
version: "1"
extends: italia
interventions:
  primo:
    label: {it: Primo, en: First}
    category: orientamento
    providers: [cpi]
    funding: [fse, regionale]
    funding_source: {kind: default, note: test}
    suitable_when: {always: true}
    priority: 50
    priority_when:
      - id: disoccupato_grave
        when: {dimension_at_least: {lavoro: 3}}
        priority: 1
        message: {it: "bisogno lavorativo grave ({livello_lavoro})", en: "severe work need"}
        source: {kind: default, note: regola di prova}
    source: {kind: default, note: test}
  secondo:
    label: {it: Secondo, en: Second}
    category: orientamento
    providers: [cpi]
    suitable_when: {always: true}
    priority: 10
    source: {kind: default, note: test}
"""


def engine_for(root: Path) -> Engine:
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root])


def case(level: int) -> dict[str, Any]:
    return {"id": "C-1", "territory": "figlio", "opened_on": "2025-01-10",
            "household": {"id": "h1", "members": [{"id": "m1", "birth_date": "1980-01-01"}]},
            "assessment": {"date": "2025-01-20", "levels": [{"dimension": "lavoro", "level": level}], "needs": []}}


def test_the_first_priority_rule_that_holds_orders_and_explains(write_layer: Callable[[str, str], Path]) -> None:
    """A severe work need puts `primo` first; its reason cites the priority rule with the facts it read."""
    engine = engine_for(write_layer("figlio", LAYER))
    severe = engine.assess(case(3), as_of=AS_OF).interventions
    assert [r.code for r in severe][:2] == ["primo", "secondo"]
    why = severe[0].reason
    assert why.rule == "interventi.primo.priorita.disoccupato_grave"
    assert why.inputs["priorita"] == 1 and why.inputs["regola_priorita"] == "disoccupato_grave"
    assert "priorità 1" in why.message_it and "bisogno lavorativo grave" in why.message_it
    assert severe[0].funding == ("fse", "regionale")
    mild = engine.assess(case(1), as_of=AS_OF).interventions
    assert [r.code for r in mild][:2] == ["secondo", "primo"]
    assert mild[1].reason.rule == "interventi.primo"
    # the fixed priority's reason still carries what the priority rule read (it decided the order)
    assert "work" in mild[1].reason.categories or "process" in mild[1].reason.categories


def test_a_priority_rule_naming_an_unknown_need_is_an_error_at_its_path(
        write_layer: Callable[[str, str], Path]) -> None:
    """The priority rules' conditions are cross-checked like any other."""
    text = LAYER.replace("{dimension_at_least: {lavoro: 3}}", "{need: ludopatia}")
    try:
        engine_for(write_layer("figlio", text)).territory("figlio")
    except ConfigurationError as err:
        paths = {d.path for d in err.details}
        assert "$.interventions.primo.priority_when[0].when.need" in paths
    else:
        raise AssertionError("an unknown need in priority_when was accepted")


def test_funding_needs_its_source(write_layer: Callable[[str, str], Path]) -> None:
    """`funding` without `funding_source` is refused by the schema."""
    text = LAYER.replace("    funding_source: {kind: default, note: test}\n", "")
    try:
        engine_for(write_layer("figlio", text)).territory("figlio")
    except ConfigurationError as err:
        assert any("funding" in d.path or d.value == "funding_source" or "funding" in str(d.value)
                   for d in err.details), [(d.path, d.value) for d in err.details]
    else:
        raise AssertionError("funding without funding_source was accepted")
