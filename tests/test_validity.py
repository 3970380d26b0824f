"""Periods in force of configuration entries and layers (issue 14, item 1; docs/configuration.md)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import ConfigurationError, Engine, get_plugin_manager
from inclusione_core._config import DATED, ORDERED, VERSIONS_KEY, dated_entries, dig, in_period, period_of
from inclusione_core.testing import minimal_case

Writer = Callable[[str, str], Path]
SRC = "source: {kind: default, note: test}"


def engine_for(root: Path | None = None) -> Engine:
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root] if root else [])


def child(body: str, *, header: str = "", territory: str = "figlio", extends: str = "italia") -> str:
    return (f"id: {territory}\nlabel: {{it: Prova, en: Test}}\nlevel: zona\nversion: \"1\"\nextends: {extends}\n"
            f"{header}{body}")


RULE = ("routing:\n  rules:\n"
        "    - id: sportello_lavoro\n      when: {always: true}\n      outcome: routed\n      service: cpi\n"
        "      channel: invio\n      message: {it: Al CPI, en: To the CPI}\n      " + SRC + "\n")


def rule_ids(engine: Engine, territory: str, day: dt.date) -> list[str]:
    return [r["id"] for r in engine.territory(territory).in_force(day).rules("routing", "rules")]


def test_a_layers_period_dates_its_rules(write_layer: Writer) -> None:
    """A rule of a layer in force from a date applies from that day (inclusive), not the day before."""
    root = write_layer("figlio", child(RULE, header='valid_from: "2023-05-15"\n'))
    engine = engine_for(root)
    assert "sportello_lavoro" not in rule_ids(engine, "figlio", dt.date(2023, 5, 14))
    assert rule_ids(engine, "figlio", dt.date(2023, 5, 15))[0] == "sportello_lavoro"


def test_an_entrys_own_period_wins_over_its_layers(write_layer: Writer) -> None:
    body = RULE.replace("      " + SRC, '      valid_from: "2020-01-01"\n      valid_to: "2020-12-31"\n      ' + SRC)
    root = write_layer("figlio", child(body, header='valid_from: "2023-05-15"\n'))
    engine = engine_for(root)
    assert rule_ids(engine, "figlio", dt.date(2020, 12, 31))[0] == "sportello_lavoro"
    assert "sportello_lavoro" not in rule_ids(engine, "figlio", dt.date(2021, 1, 1))
    assert "sportello_lavoro" not in rule_ids(engine, "figlio", dt.date(2024, 1, 1))


def test_an_override_from_a_date_keeps_the_inherited_version_before_it(write_layer: Writer) -> None:
    """A zone that changes a national rule from a date: the national version applies before, the zone's after."""
    write_layer("figlio", child(
        "routing:\n  rules:\n"
        "    - id: patto_lavoro\n      override: true\n      valid_from: \"2022-01-01\"\n"
        "      when: {pathway: [patto_lavoro]}\n      outcome: routed\n      service: ssp\n      channel: invio\n"
        "      message: {it: Al servizio sociale, en: To the social service}\n      " + SRC + "\n"))
    engine = engine_for(write_layer("nipote", child("", territory="nipote", extends="figlio")))

    def rule(day: dt.date) -> Mapping[str, Any]:
        return next(r for r in engine.territory("figlio").in_force(day).rules("routing", "rules")
                    if r["id"] == "patto_lavoro")

    before, after = rule(dt.date(2021, 12, 31)), rule(dt.date(2022, 1, 1))
    assert (before["service"], before.get("valid_to"), before["_files"]) == (
        "cpi", "2021-12-31", ["italia/territory.yaml"])
    assert (after["service"], after["valid_from"], after["_files"]) == (
        "ssp", "2022-01-01", ["figlio/territory.yaml"])


def test_an_override_with_valid_to_ends_an_inherited_entry(write_layer: Writer) -> None:
    body = "equipe:\n  formats:\n    multidisciplinare:\n      override: true\n      valid_to: \"2024-06-30\"\n"
    with pytest.raises(ConfigurationError) as info:  # the rule that convenes it would outlive it
        engine_for(write_layer("figlio", child(body))).territory("figlio")
    assert {(d.path, d.rule, d.value) for d in info.value.details} == {
        ("$.equipe.selection[id=quadro_approfondito].format", "period:ref", "multidisciplinare")}
    body += ("  selection:\n    - {id: quadro_approfondito, override: true, valid_to: \"2024-06-30\","
             " format: multidisciplinare, when: {pathway: [equipe_quadro_approfondito]},"
             " message: {it: Fino a giugno, en: Until June}, " + SRC + "}\n")
    root = write_layer("figlio", child(body))
    engine = engine_for(root)
    assert "multidisciplinare" in engine.territory("figlio").in_force(dt.date(2024, 6, 30)).section("equipe", "formats")
    assert "multidisciplinare" not in engine.territory("figlio").in_force(dt.date(2024, 7, 1)).section(
        "equipe", "formats")


def test_a_new_version_never_starts_before_the_one_it_changes(write_layer: Writer) -> None:
    """A zone in force from 2021 overriding a regional format in force from 2023: the change starts in 2023."""
    write_layer("regione", child(
        "equipe:\n  formats:\n    base:\n      label: {it: Base, en: Base}\n      roles: [assistente_sociale]\n"
        "      " + SRC + "\n", territory="regione", header='valid_from: "2023-05-15"\n'))
    root = write_layer("zona", child(
        "equipe:\n  formats:\n    base:\n      override: true\n      roles: [assistente_sociale, operatore_cpi]\n",
        territory="zona", extends="regione", header='valid_from: "2021-12-03"\n'))
    terr = engine_for(root).territory("zona")
    assert "base" not in terr.in_force(dt.date(2022, 6, 1)).section("equipe", "formats")
    fmt = terr.in_force(dt.date(2023, 5, 15)).section("equipe", "formats")["base"]
    assert (fmt["valid_from"], fmt["roles"]) == ("2023-05-15", ["assistente_sociale", "operatore_cpi"])
    assert VERSIONS_KEY not in terr.section("equipe", "formats")["base"]  # nothing of the regional version is left


def test_a_period_that_ends_before_it_starts_is_an_error_at_its_path(write_layer: Writer) -> None:
    body = RULE.replace("      " + SRC, '      valid_from: "2023-05-15"\n      valid_to: "2023-01-01"\n      ' + SRC)
    root = write_layer("figlio", child(body, header='valid_from: "2024-01-01"\nvalid_to: "2023-12-31"\n'))
    with pytest.raises(ConfigurationError) as info:
        engine_for(root).territory("figlio")
    found = {(d.path, d.rule, d.value) for d in info.value.details}
    assert ("$.valid_to", "period", "2023-12-31") in found
    assert ("$.routing.rules[0].valid_to", "period", "2023-01-01") in found
    assert all(d.line is not None for d in info.value.details)


def test_reasons_name_the_period_of_the_version_applied() -> None:
    """Each reason from a dated entry carries the period of the version applied; the provenance each layer's."""
    engine = Engine()
    case = engine.load_case(json.loads((PRATO / "examples" / "nucleo_nel_tempo.json").read_text(encoding="utf-8")))
    result = engine.assess(case, as_of=dt.date(2025, 3, 3))
    routing, selection = result.routing.reasons[0], result.equipe.reasons[0]
    assert (routing.rule, routing.valid_from, routing.valid_to) == (
        "instradamento.pua_prenota_cpi", dt.date(2021, 12, 3), None)
    assert (selection.rule, selection.valid_from) == ("equipe.selezione.essenziale", dt.date(2023, 5, 15))
    rdc = engine.assess(case, as_of=dt.date(2021, 5, 3)).measures[0].reasons[0]
    assert (rdc.valid_from, rdc.valid_to) == (dt.date(2019, 4, 1), dt.date(2023, 12, 31))
    layers = {la.territory: (la.valid_from, la.in_force) for la in result.provenance.layers}
    assert layers == {"italia": (None, None), "toscana": (dt.date(2023, 5, 15), True),
                      "prato": (dt.date(2021, 12, 3), True)}
    old = engine.assess(case, as_of=dt.date(2021, 5, 3))
    assert {la.territory: la.in_force for la in old.provenance.layers} == {
        "italia": None, "toscana": False, "prato": False}
    note = old.routing.reasons[-1]
    assert note.rule == "territorio.nessuna_regola_in_vigore"
    assert note.message_it.startswith("Nessuna regola territoriale in vigore il 2021-05-03")


def _entries(data: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from dated_entries(data, measures=False)


@pytest.mark.parametrize("territory", ["prato", "sil", "toscana"])
@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2035, 12, 31)))
def test_no_entry_outside_its_period_is_ever_in_a_view(territory: str, day: dt.date) -> None:
    """For any as-of date, every rule, format, trigger, intervention, deadline, flow, service of a view is in force."""
    terr = ENGINE.territory(territory)
    view = terr.in_force(day)
    for entry in _entries(view.data):
        assert in_period(entry, day), (entry.get("id"), period_of(entry), day)
        assert VERSIONS_KEY not in entry
    # and nothing in force is left out: each entry with a version in force that day is in the view
    for path in [*DATED, *ORDERED]:
        whole, seen = dig(terr.data, path) or {}, dig(view.data, path) or {}
        items = whole.items() if isinstance(whole, dict) else [(r["id"], r) for r in whole]
        wanted = {code for code, e in items if any(in_period(v, day) for v in [e, *e.get(VERSIONS_KEY, [])])}
        assert set(seen if isinstance(seen, dict) else [r["id"] for r in seen]) == wanted, path


ENGINE = Engine()
PRATO = Path(__file__).resolve().parents[1] / "territories" / "prato"


def test_a_flow_is_judged_in_force_on_the_day_the_data_leave(write_layer: Writer) -> None:
    """A flow ended on 30 June 2024 lets data go out that day and nothing the day after, whatever the as-of date."""
    root = write_layer("figlio", child(
        "privacy:\n  flows:\n    ssp_valutazione:\n      override: true\n      valid_to: \"2024-06-30\"\n"))
    case = minimal_case(territory="figlio")

    def disclosed(day: dt.date) -> set[str]:
        engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root],
                        clock=lambda: dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC))
        view = engine.preview_case(case, recipient="ssp", purpose="assessment", as_of=dt.date(2024, 1, 10))
        return {d.category for d in view.disclosed if d.flow == "ssp_valutazione"}

    assert "identity" in disclosed(dt.date(2024, 6, 30))
    assert disclosed(dt.date(2024, 7, 1)) == set()


def prerequisite_error(write_layer: Writer, period: str) -> ConfigurationError:
    """The load error of a layer whose undated intervention needs one dated by ``period`` (a YAML line)."""
    item = ("    data_category: work\n    providers: [cpi]\n    suitable_when: {always: true}\n    " + SRC + "\n")
    body = ("interventions:\n"
            "  orientamento_base:\n    label: {it: Orientamento, en: Guidance}\n    category: orientamento\n"
            f"    {period}\n" + item +
            "  tirocinio_dopo:\n    label: {it: Tirocinio, en: Traineeship}\n    category: tirocinio\n"
            "    prerequisites: [orientamento_base]\n" + item)
    with pytest.raises(ConfigurationError) as info:
        engine_for(write_layer("figlio", child(body))).territory("figlio")
    return info.value


def test_an_intervention_must_not_outlive_its_prerequisite(write_layer: Writer) -> None:
    """A prerequisite ended before the intervention that needs it is an error at load, not a crash at assessment."""
    error = prerequisite_error(write_layer, 'valid_to: "2024-06-30"')
    assert {(d.path, d.rule, d.value) for d in error.details} == {
        ("$.interventions.tirocinio_dopo.prerequisites", "period:ref", "orientamento_base")}
    assert str(error.details[0].message).startswith("in vigore dal 2024-07-01, rimanda")  # the days it is alone


def test_an_intervention_must_not_precede_its_prerequisite(write_layer: Writer) -> None:
    """An undated entry that needs one in force only from a date: the error gives the days it would be alone."""
    (detail,) = prerequisite_error(write_layer, 'valid_from: "2023-05-15"').details
    assert (detail.path, detail.rule, detail.value) == (
        "$.interventions.tirocinio_dopo.prerequisites", "period:ref", "orientamento_base")
    assert str(detail.message).startswith(
        "in vigore fino al 2023-05-14, rimanda a una voce (intervento: orientamento_base)")
