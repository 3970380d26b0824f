"""Territory configurations: loading, validation per file, extends chains, references, dated values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from inclusione_core import (
    ConfigurationError,
    Engine,
    Household,
    InvalidCaseError,
    Member,
    TerritoryNotFoundError,
    get_plugin_manager,
)
from inclusione_core.testing import minimal_case

Writer = Callable[[str, str], Path]
SRC = "source: {kind: default, note: test}"
LABEL = "label: {it: Prova, en: Test}"


def engine_for(root: Path | None = None) -> Engine:
    """An engine with the core only (no installed plugins) and an optional configuration root."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False),
                  config_dirs=[root] if root else [])


def child(body: str, *, territory: str = "figlio", extends: str = "italia") -> str:
    """The YAML text of a layer extending ``extends``, with ``body`` appended."""
    return f"id: {territory}\n{LABEL}\nlevel: zona\nversion: \"1\"\nextends: {extends}\n{body}"


def config_error(root: Path, territory: str = "figlio") -> ConfigurationError:
    """Compile a territory that must fail and return the error."""
    with pytest.raises(ConfigurationError) as info:
        engine_for(root).territory(territory)
    return info.value


def paths(err: ConfigurationError) -> set[str]:
    """The JSON paths of an error's details."""
    return {d.path for d in err.details}


# --------------------------------------------------------------------------- the national layer


def test_the_italia_layer_loads() -> None:
    """The shipped italia layer compiles: six dimensions, national measures, lineage and layer digest."""
    t = engine_for().territory("italia")
    assert t.lineage == ("italia",)
    assert set(t.section("dimensions")) == {"funzionamenti", "economica", "lavoro", "istruzione", "abitare", "reti"}
    assert {"rdc", "adi", "sfl", "gol"} <= set(t.section("measures"))
    (layer,) = t.layers
    assert layer.file == "italia/territory.yaml" and len(layer.sha256) == 64
    assert t.section("needs")["dipendenze"]["_files"] == ["italia/territory.yaml"]


def test_an_unknown_territory_is_reported_with_the_known_ones() -> None:
    """Asking for a territory nobody provides raises TerritoryNotFoundError listing those available."""
    with pytest.raises(TerritoryNotFoundError) as info:
        engine_for().territory("atlantide")
    assert "italia" in info.value.known


def test_a_child_layer_extends_its_parent(write_layer: Writer) -> None:
    """A child layer inherits the parent's entries and adds its own; lineage runs child to root."""
    root = write_layer("figlio", child(f"needs:\n  sfratto:\n    {LABEL}\n    dimension: abitare\n    {SRC}\n"))
    t = engine_for(root).territory("figlio")
    assert t.lineage == ("figlio", "italia")
    assert [la.territory for la in t.layers] == ["italia", "figlio"]
    needs = t.section("needs")
    assert needs["sfratto"]["_files"] == ["figlio/territory.yaml"]
    assert needs["lavoro"]["_files"] == ["italia/territory.yaml"]
    assert t.within("italia") and not engine_for(root).territory("italia").within("figlio")


# --------------------------------------------------------------------------- validation per file


def test_an_unknown_key_names_the_file_and_the_path(write_layer: Writer) -> None:
    """Unknown keys, at the top and inside an entry, are all reported with the child's file and JSON path."""
    root = write_layer("figlio", child(f"colour: blue\nneeds:\n  sfratto:\n    {LABEL}\n    dimension: abitare\n"
                                       f"    {SRC}\n    colore: rosso\n"))
    err = config_error(root)
    assert err.source.endswith("figlio/territory.yaml")
    assert {"$.colour", "$.needs.sfratto.colore"} <= paths(err)
    assert all(d.rule == "additionalProperties" for d in err.details if d.path in ("$.colour",))


def test_the_layer_id_must_match_its_folder(write_layer: Writer) -> None:
    """A layer whose id differs from its folder name is refused at $.id."""
    root = write_layer("figlio", child("", territory="altro"))
    assert "$.id" in paths(config_error(root))


def test_a_yaml_syntax_error_gives_the_line(write_layer: Writer) -> None:
    """Broken YAML raises ConfigurationError with the line and column, not a traceback."""
    root = write_layer("figlio", child("needs:\n  sfratto: [unclosed\n  other: 1\n"))
    err = config_error(root)
    (detail,) = err.details
    assert detail.rule == "yaml"
    assert detail.line == 8 and detail.column is not None
    assert "(riga 8, colonna" in str(detail)
    assert err.source.endswith("figlio/territory.yaml")


# --------------------------------------------------------------------------- merge rules


def test_redefining_a_parent_entry_needs_override(write_layer: Writer) -> None:
    """A child defining a parent's id without `override: true` is an error naming both files."""
    root = write_layer("figlio", child(f"needs:\n  lavoro:\n    {LABEL}\n    dimension: lavoro\n    {SRC}\n"))
    err = config_error(root)
    (detail,) = err.details
    assert detail.path == "$.needs.lavoro"
    assert detail.rule == "override"
    assert "italia/territory.yaml" in detail.message
    assert err.source.endswith("figlio/territory.yaml")


def test_override_merges_and_records_both_files(write_layer: Writer) -> None:
    """With `override: true` the child's entry merges onto the parent's; _files lists both layers."""
    root = write_layer("figlio", child("needs:\n  lavoro:\n    override: true\n"
                                       "    label: {it: Lavoro (zona), en: Work (zone)}\n"
                                       f"    dimension: lavoro\n    {SRC}\n"))
    entry = engine_for(root).territory("figlio").section("needs")["lavoro"]
    assert entry["label"]["it"] == "Lavoro (zona)"
    assert entry["source"] == {"kind": "default", "note": "test"}
    assert entry["_files"] == ["italia/territory.yaml", "figlio/territory.yaml"]
    assert "override" not in entry


def test_override_deep_merges_nested_mappings(write_layer: Writer) -> None:
    """An override merges nested mappings key by key and keeps the parent's keys it does not name."""
    root = write_layer("figlio", child(
        "services:\n  cpi:\n    override: true\n    kind: cpi\n    label: {it: CPI di zona, en: Zone CPI}\n"
        f"    level: primo\n    access: [invio]\n    {SRC}\n"))
    cpi = engine_for(root).territory("figlio").section("services")["cpi"]
    assert cpi["access"] == ["invio"]  # lists are replaced
    assert cpi["label"]["it"] == "CPI di zona"


def test_a_partial_override_changes_one_field(write_layer: Writer) -> None:
    """As documented, an override may name only the fields it changes; the rest is inherited."""
    root = write_layer("figlio", child("needs:\n  lavoro:\n    override: true\n"
                                       "    label: {it: Lavoro (zona), en: Work (zone)}\n"))
    entry = engine_for(root).territory("figlio").section("needs")["lavoro"]
    assert entry["dimension"] == "lavoro"
    assert entry["label"]["it"] == "Lavoro (zona)"


def test_an_override_with_nothing_to_override_is_refused(write_layer: Writer) -> None:
    """`override: true` on an id the parent does not define is an error, not a silently partial entry."""
    root = write_layer("figlio", child("needs:\n  inventato:\n    override: true\n"
                                       "    label: {it: Inventato, en: Made up}\n"))
    assert "$.needs.inventato" in paths(config_error(root))


def test_an_entry_without_override_must_be_complete(write_layer: Writer) -> None:
    """A new entry (no override) still needs every required field, reported by path."""
    root = write_layer("figlio", child("needs:\n  nuovo:\n    label: {it: Nuovo, en: New}\n"))
    assert "$.needs.nuovo.dimension" in paths(config_error(root))


def test_a_single_setting_needs_override_too(write_layer: Writer) -> None:
    """Redefining the parent's monitoring settings without override is refused; with it they merge."""
    body = "monitoring:\n  every: 30\n  unit: days\n  due_soon_days: 7\n  " + SRC + "\n"
    root = write_layer("figlio", child(body))
    assert "$.monitoring" in paths(config_error(root))
    root = write_layer("figlio", child(body.replace("monitoring:\n", "monitoring:\n  override: true\n")))
    monitoring = engine_for(root).territory("figlio").setting("monitoring")
    assert monitoring is not None and monitoring["every"] == 30


def test_child_routing_rules_come_before_the_parents(write_layer: Writer) -> None:
    """The child's ordered rules are tried before the parent's (first match wins)."""
    root = write_layer("figlio", child(
        "routing:\n  rules:\n"
        "    - id: sportello_lavoro\n      when: {need: lavoro}\n      outcome: routed\n      service: cpi\n"
        "      channel: invio\n      message: {it: Al CPI, en: To the CPI}\n      " + SRC + "\n"))
    t = engine_for(root).territory("figlio")
    ids = [r["id"] for r in t.rules("routing", "rules")]
    parent = [r["id"] for r in engine_for().territory("italia").rules("routing", "rules")]
    assert ids == ["sportello_lavoro", *parent]


def test_redefining_a_parent_rule_without_override_is_an_error(write_layer: Writer) -> None:
    """An ordered rule reusing a parent's rule id without override is reported by its position."""
    root = write_layer("figlio", child(
        "routing:\n  rules:\n"
        "    - id: patto_lavoro\n      when: {need: lavoro}\n      outcome: routed\n      service: cpi\n"
        "      channel: invio\n      message: {it: Al CPI, en: To the CPI}\n      " + SRC + "\n"))
    assert "$.routing.rules[0]" in paths(config_error(root))


# --------------------------------------------------------------------------- references


def test_unknown_references_are_all_reported(write_layer: Writer) -> None:
    """Unknown dimension, service kind, role, service and prerequisite are each reported at their path."""
    root = write_layer("figlio", child(
        f"needs:\n  sfratto:\n    {LABEL}\n    dimension: casa\n    {SRC}\n"
        f"roles:\n  educatore:\n    {LABEL}\n    service: scuola\n    {SRC}\n"
        f"equipe:\n  formats:\n    ristretta:\n      {LABEL}\n      roles: [assistente_sociale, mediatore]\n"
        f"      {SRC}\n"
        "routing:\n  rules:\n"
        "    - id: altrove\n      when: {need: ludopatia}\n      outcome: routed\n      service: siil\n"
        "      channel: invio\n      message: {it: Via, en: Away}\n      " + SRC + "\n"
        f"interventions:\n  orientamento:\n    {LABEL}\n    category: orientamento\n    providers: [cpi]\n"
        f"    prerequisites: [bilancio_competenze]\n    suitable_when: {{always: true}}\n    {SRC}\n"))
    err = config_error(root)
    by_path = {d.path: d for d in err.details}
    assert by_path["$.needs.sfratto.dimension"].rule == "ref:dimensions"
    assert by_path["$.roles.educatore.service"].rule == "ref:services.kind"
    assert by_path["$.equipe.formats.ristretta.roles"].value == "mediatore"
    assert by_path["$.routing.rules[0].service"].value == "siil"
    assert by_path["$.routing.rules[0].when.need"].rule == "ref:needs"
    assert by_path["$.interventions.orientamento.prerequisites"].value == "bilancio_competenze"


def _intervention(code: str, prerequisites: list[str]) -> str:
    return (f"  {code}:\n    {LABEL}\n    category: orientamento\n    providers: [cpi]\n"
            f"    prerequisites: [{', '.join(prerequisites)}]\n    suitable_when: {{always: true}}\n    {SRC}\n")


def test_a_prerequisite_cycle_is_an_error(write_layer: Writer) -> None:
    """Interventions that are prerequisites of each other are refused, naming the loop."""
    root = write_layer("figlio", child("interventions:\n" + _intervention("a", ["b"]) + _intervention("b", ["c"])
                                       + _intervention("c", ["a"])))
    err = config_error(root)
    (detail,) = [d for d in err.details if d.rule == "acyclic"]
    assert "a -> b -> c -> a" in detail.message


def test_an_extends_cycle_is_an_error(write_layer: Writer) -> None:
    """Two layers extending each other are refused with the chain in the message."""
    write_layer("uno", child("", territory="uno", extends="due"))
    root = write_layer("due", child("", territory="due", extends="uno"))
    err = config_error(root, "uno")
    (detail,) = err.details
    assert detail.path == "$.extends" and "circolare" in detail.message


def test_an_unknown_parent_is_an_error(write_layer: Writer) -> None:
    """Extending a territory nobody provides is a ConfigurationError at $.extends naming the file."""
    root = write_layer("figlio", child("", extends="narnia"))
    err = config_error(root)
    (detail,) = err.details
    assert detail.path == "$.extends" and detail.value == "narnia"
    assert err.source.endswith("figlio/territory.yaml")


# --------------------------------------------------------------------------- dated values and digest


@pytest.mark.parametrize(("as_of", "threshold", "eligible"),
                         [(dt.date(2024, 6, 1), 9360, False), (dt.date(2025, 6, 1), 10140, True)])
def test_dated_values_follow_the_as_of_date(as_of: dt.date, threshold: float, eligible: bool) -> None:
    """AdI's ISEE threshold is 9360 in 2024 and 10140 from 2025: ISEE 10000 is eligible only in 2025."""
    household = Household(id="h", isee=10000.0, members=(
        Member(id="m1", birth_date=dt.date(1980, 1, 1)), Member(id="m2", relation="figlio",
                                                                birth_date=dt.date(2015, 1, 1))))
    case = minimal_case(household=household)
    result = engine_for().eligibility("adi", case, as_of=as_of)
    assert result.in_force is True
    assert result.eligible is eligible
    requirements = result.reasons[-1]
    assert requirements.inputs["soglia_isee"] == threshold
    assert requirements.inputs["isee"] == 10000.0


def test_a_measure_out_of_force_is_not_eligible() -> None:
    """RdC is not in force in 2025: in_force and eligible are false, with the period as inputs."""
    result = engine_for().eligibility("rdc", minimal_case(), as_of=dt.date(2025, 1, 1))
    assert (result.in_force, result.eligible) == (False, False)
    assert result.reasons[0].inputs == {"dal": "2019-04-01", "al": "2023-12-31"}


def test_the_digest_is_stable_and_follows_the_configuration(write_layer: Writer) -> None:
    """The same configuration gives the same digest in any engine; changing a value changes it."""
    assert engine_for().territory("italia").digest == engine_for().territory("italia").digest
    body = f"needs:\n  sfratto:\n    {LABEL}\n    dimension: abitare\n    {SRC}\n"
    root = write_layer("figlio", child(body))
    first = engine_for(root).territory("figlio")
    again = engine_for(root).territory("figlio")
    assert first.digest == again.digest
    write_layer("figlio", child(body.replace("abitare", "economica")))
    changed = engine_for(root).territory("figlio")
    assert changed.digest != first.digest
    assert changed.layers[-1].sha256 != first.layers[-1].sha256
    assert changed.layers[0] == first.layers[0]  # the parent layer is untouched


def test_a_compiled_territory_is_reused() -> None:
    """The engine compiles a territory once and returns the same object afterwards."""
    engine = engine_for()
    assert engine.territory("italia") is engine.territory("italia")


def test_a_repeated_yaml_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    """YAML keeps the last of two equal keys; the loader refuses it instead, naming the line."""
    from inclusione_core._config import load_yaml

    path = tmp_path / "territory.yaml"
    path.write_text("id: a\nlabel: {it: A, en: A}\nid: b\n", encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_yaml(path)
    (detail,) = info.value.details
    assert detail.line == 3 and "'id'" in detail.message


def test_territory_folder_problems_finds_unlisted_examples_and_invalid_ones(write_layer: Writer) -> None:
    """The shared plugin-test helper reports an example file not listed and a listed example inconsistent with it."""
    from inclusione_core.testing import minimal_case_json, territory_folder_problems

    root = write_layer("figlio", child('examples: [{case: examples/a.json, as_of: "2025-03-01", title: A}]\n'))
    (root / "figlio" / "examples").mkdir()
    (root / "figlio" / "examples" / "a.json").write_text(
        json.dumps(minimal_case_json(territory="figlio")), encoding="utf-8")
    engine = engine_for(root)
    assert territory_folder_problems(engine, engine.territory("figlio"), root / "figlio") == []
    (root / "figlio" / "examples" / "b.json").write_text("{}", encoding="utf-8")
    (problem,) = territory_folder_problems(engine, engine.territory("figlio"), root / "figlio")
    assert "b.json" in problem
    bad = minimal_case_json(territory="figlio") | {"measures": [{"code": "inventata", "valid_from": "2025-01-01"}]}
    (root / "figlio" / "examples" / "a.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(InvalidCaseError):
        territory_folder_problems(engine, engine.territory("figlio"), root / "figlio")
