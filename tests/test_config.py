"""Territory configurations: loading, validation per file, extends chains, references, dated values."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import (
    ConfigurationError,
    Engine,
    ErrorDetail,
    Household,
    InvalidCaseError,
    Member,
    PluginError,
    RuleCollisionError,
    TerritoryNotFoundError,
    get_plugin_manager,
    hookimpl,
)
from inclusione_core.testing import minimal_case, minimal_case_json

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


def test_an_override_replaces_predicates_and_legal_bases_whole(write_layer: Writer) -> None:
    """
    A predicate or a legal basis is not merged key by key: {need: x} over {all: [...]} is
    {need: x}, not a two-key condition; a new act's citation keeps no section of the old one.
    """
    root = write_layer("figlio", child(
        "interventions:\n  tirocinio_inclusione:\n    override: true\n    suitable_when: {need: lavoro}\n"
        "privacy:\n  flows:\n    cpi_invio:\n      override: true\n"
        "      legal_basis: {document: dl_4_2019, section: art. 7}\n"))
    t = engine_for(root).territory("figlio")
    assert t.section("interventions")["tirocinio_inclusione"]["suitable_when"] == {"need": "lavoro"}
    assert t.section("privacy", "flows")["cpi_invio"]["legal_basis"] == {"document": "dl_4_2019",
                                                                         "section": "art. 7"}


# --------------------------------------------------------------------------- references


def test_unknown_references_are_all_reported(write_layer: Writer) -> None:
    """Unknown dimension, service kind, role, service and prerequisite are each reported at their path."""
    root = write_layer("figlio", child(
        f"needs:\n  sfratto:\n    {LABEL}\n    dimension: casa\n    {SRC}\n"
        f"roles:\n  educatore:\n    {LABEL}\n    service: ludoteca\n    {SRC}\n"
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


def test_an_unknown_reference_has_its_line_the_closest_id_and_the_known_ones(write_layer: Writer) -> None:
    """A reference error names the line that wrote the value, the closest known id and every known one."""
    root = write_layer("figlio", child(
        f"equipe:\n  formats:\n    ristretta:\n      {LABEL}\n      roles: [assistente_sociale, operatore_cpii]\n"
        f"      {SRC}\n"
        f"roles:\n  educatore:\n    {LABEL}\n    service: xyz\n    {SRC}\n"))
    by_path = {d.path: d for d in config_error(root).details}
    role = by_path["$.equipe.formats.ristretta.roles"]
    assert role.line == 10 and role.column is not None
    assert "(forse 'operatore_cpi'?)" in role.message
    assert "noti: assistente_sociale, educatore, operatore_casa, operatore_cpi, operatore_csm" in role.message
    kind = by_path["$.roles.educatore.service"]
    assert kind.line == 15
    assert "forse" not in kind.message and "noti: " in kind.message and "cpi" in kind.message
    assert "did you mean 'operatore_cpi'?" in role.text("en")


def test_a_reference_error_of_a_parent_layer_names_its_file_and_line(write_layer: Writer) -> None:
    """A bad reference written by a parent layer is reported with that layer's file and line."""
    write_layer("padre", child(f"equipe:\n  formats:\n    ristretta:\n      {LABEL}\n      roles: [mediatore]\n"
                               f"      {SRC}\n", territory="padre"))
    root = write_layer("figlio", child("", extends="padre"))
    (detail,) = config_error(root).details
    assert detail.path == "$.equipe.formats.ristretta.roles"
    assert "(scritto in padre/territory.yaml, riga 10)" in detail.message
    assert detail.line is None  # the error is reported under the child's file: no line of it


def test_a_redefinition_missing_required_fields_suggests_override(write_layer: Writer) -> None:
    """Redefining a parent's entry with some fields only, without override, says to add `override: true`, once."""
    root = write_layer("figlio", child("services:\n  ssp:\n    label: {it: SSP di zona, en: Zone SSP}\n"))
    (detail,) = config_error(root).details
    assert detail.path == "$.services.ssp" and detail.rule == "override"
    assert "`override: true`" in detail.message and "italia/territory.yaml" in detail.message
    assert "access, kind, level, source" in detail.message
    assert detail.line == 7
    root = write_layer("figlio", child("services:\n  nuovo:\n    label: {it: Nuovo, en: New}\n"))
    assert all(d.rule == "required" for d in config_error(root).details)  # a new entry: no hint


def test_an_unknown_parent_suggests_the_closest_territory(write_layer: Writer) -> None:
    """A misspelt `extends` names the closest territory and the line."""
    root = write_layer("figlio", child("", extends="itallia"))
    (detail,) = config_error(root).details
    assert "(forse 'italia'?)" in detail.message and detail.line == 5


def test_an_unknown_territory_suggests_the_closest() -> None:
    """TerritoryNotFoundError says which installed territory was probably meant."""
    with pytest.raises(TerritoryNotFoundError, match="forse 'italia'"):
        engine_for().territory("itallia")


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
    (requirements,) = [r for r in result.reasons if r.rule == "misura.adi.requisiti"]
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


CONFORMING = """scenarios:
  - name: non_valutato
    case: {id: c1, territory: figlio, opened_on: '2025-01-15', household: {id: h, members: [{id: m1}]}}
    as_of: '2025-03-01'
    expected:
      profile: {pathway: PATHWAY}
"""


def test_conformance_problems_runs_the_folder_checks_and_the_scenarios(write_layer: Writer) -> None:
    """conformance_problems: empty for a territory whose scenarios pass; each mismatch, or the configuration error."""
    from inclusione_core.testing import conformance_problems

    root = write_layer("figlio", child("scenarios: [scenarios/s.yaml]\n"))
    (root / "figlio" / "scenarios").mkdir()
    scenario = root / "figlio" / "scenarios" / "s.yaml"
    scenario.write_text(CONFORMING.replace("PATHWAY", "da_valutare"), encoding="utf-8")
    assert conformance_problems(engine_for(root), "figlio") == []
    scenario.write_text(CONFORMING.replace("PATHWAY", "patto_lavoro"), encoding="utf-8")
    (problem,) = conformance_problems(engine_for(root), "figlio")
    assert problem.startswith("s.yaml#non_valutato: profile.pathway")
    write_layer("figlio", child("scenarios: [scenarios/s.yaml]\nroles: {r: {label: {it: R, en: R}}}\n"))
    (problem,) = conformance_problems(engine_for(root), "figlio")
    assert "territory.yaml" in problem


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


# --------------------------------------------------------------------------- plugins' own sections

SECTION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {"soglia": {"type": "integer", "minimum": 0}, "voci": {"type": "object"}},
}


class Sections:
    """A plugin declaring configuration sections."""

    def __init__(self, schema: Path, *names: str) -> None:
        self.schema, self.names = schema, names or ("esempio",)

    @hookimpl
    def inclusione_register_sections(self, register: Callable[[str, Path], None]) -> None:
        for name in self.names:
            register(name, self.schema)


def with_sections(root: Path, *plugins: tuple[str, object]) -> Engine:
    """An engine with the core, the given plugins and a configuration root."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=plugins), config_dirs=[root])


@pytest.fixture
def section_schema(tmp_path: Path) -> Path:
    path = tmp_path / "esempio.schema.json"
    path.write_text(json.dumps(SECTION_SCHEMA), encoding="utf-8")
    return path


def test_a_plugin_section_is_validated_merged_and_digested(write_layer: Writer, section_schema: Path) -> None:
    """A plugin's section is read with each layer, the child's values over the parent's, and in the digest."""
    write_layer("genitore", child("esempio:\n  soglia: 3\n  voci: {a: 1, b: 2}\n", territory="genitore"))
    root = write_layer("figlio", child("esempio:\n  voci: {b: 5}\n", extends="genitore"))
    engine = with_sections(root, ("esempio", Sections(section_schema)))
    figlio = engine.territory("figlio")
    assert figlio.section("esempio") == {"soglia": 3, "voci": {"a": 1, "b": 5},
                                         "_files": ["genitore/territory.yaml", "figlio/territory.yaml"]}
    assert figlio.file_of(figlio.section("esempio")) == "genitore/territory.yaml + figlio/territory.yaml"
    assert figlio.annotated()["esempio"]["_from"][-1]["layer"] == "figlio"
    write_layer("figlio", child("esempio:\n  voci: {b: 6}\n", extends="genitore"))
    changed = with_sections(root, ("esempio", Sections(section_schema))).territory("figlio")
    assert changed.section("esempio")["voci"]["b"] == 6 and changed.digest != figlio.digest


def test_a_bad_plugin_section_names_path_and_line(write_layer: Writer, section_schema: Path) -> None:
    """A section's schema errors carry the path from the layer's root and the YAML line."""
    root = write_layer("figlio", child("esempio:\n  soglia: -1\n  colore: blu\n"))
    with pytest.raises(ConfigurationError) as info:
        with_sections(root, ("esempio", Sections(section_schema))).territory("figlio")
    found = {(d.path, d.rule, d.line) for d in info.value.details}
    assert found == {("$.esempio.soglia", "minimum", 7), ("$.esempio.colore", "additionalProperties", 8)}


def test_a_layer_may_give_part_of_a_section_but_the_merged_one_is_whole(write_layer: Writer, tmp_path: Path) -> None:
    """A child gives only what it changes; a field the schema requires is checked on the merged section."""
    schema = tmp_path / "richiesto.schema.json"
    schema.write_text(json.dumps({**SECTION_SCHEMA, "required": ["soglia", "voci"]}), encoding="utf-8")
    write_layer("genitore", child("esempio:\n  soglia: 3\n  voci: {a: 1}\n", territory="genitore"))
    root = write_layer("figlio", child("esempio:\n  soglia: 4\n", extends="genitore"))
    assert with_sections(root, ("esempio", Sections(schema))).territory("figlio").section("esempio") == {
        "soglia": 4, "voci": {"a": 1}, "_files": ["genitore/territory.yaml", "figlio/territory.yaml"]}
    write_layer("genitore", child("esempio:\n  soglia: 3\n", territory="genitore"))
    with pytest.raises(ConfigurationError) as info:
        with_sections(root, ("esempio", Sections(schema))).territory("figlio")
    assert [(d.path, d.rule) for d in info.value.details] == [("$.esempio.voci", "required")]
    assert info.value.source.endswith("figlio/territory.yaml")


def test_a_section_check_runs_when_the_territory_loads(write_layer: Writer, section_schema: Path) -> None:
    """A plugin's own check of its section reports like a configuration error; a crash in it names the plugin."""

    class Checked(Sections):
        def __init__(self, schema: Path, check: Callable[[Any], object]) -> None:
            super().__init__(schema)
            self.check = check

        @hookimpl
        def inclusione_register_sections(self, register: Callable[..., None]) -> None:
            register("esempio", self.schema, check=self.check)

    def at_most_ten(territory: Any) -> None:
        if territory.section("esempio")["soglia"] > 10:
            raise ConfigurationError(str(territory.root), [ErrorDetail("$.esempio.soglia", "oltre 10", 11, "max")])

    def crash(territory: Any) -> None:
        raise ValueError("boom")

    root = write_layer("figlio", child("esempio:\n  soglia: 11\n"))
    with pytest.raises(ConfigurationError) as info:
        with_sections(root, ("esempio", Checked(section_schema, at_most_ten))).territory("figlio")
    assert [d.path for d in info.value.details] == ["$.esempio.soglia"]
    with pytest.raises(PluginError) as crashed:
        with_sections(root, ("esempio", Checked(section_schema, crash))).territory("figlio")
    assert crashed.value.plugin == "esempio" and "boom" in str(crashed.value)
    write_layer("figlio", child("esempio:\n  soglia: 9\n"))
    assert with_sections(root, ("esempio", Checked(section_schema, at_most_ten))).territory("figlio")


def test_a_section_without_its_plugin_is_an_unknown_field(write_layer: Writer) -> None:
    """Without the plugin that declares it, a section is refused like any unknown key."""
    root = write_layer("figlio", child("esempio:\n  soglia: 3\n"))
    assert "$.esempio" in paths(config_error(root))


def test_a_section_name_must_be_free(section_schema: Path) -> None:
    """A plugin may not take a core key, nor a name another plugin declared."""
    with pytest.raises(PluginError, match="profile"):
        engine_with_plugins(("esempio", Sections(section_schema, "profile")))
    with pytest.raises(RuleCollisionError):
        engine_with_plugins(("uno", Sections(section_schema)), ("due", Sections(section_schema)))


def engine_with_plugins(*plugins: tuple[str, object]) -> Engine:
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=plugins))
# --------------------------------------------------------------------------- keyed merges of identified lists

TERRITORIES = Path(__file__).resolve().parents[1] / "territories"
TOSCANA_TRIGGERS = ["dipendenze", "salute_mentale", "abitativo", "sociosanitario", "scuola", "terzo_settore"]
# A Toscana zone with a local justice service (UEPE) that joins the equipe allargata.
ZONA = (
    "services:\n  uepe:\n    kind: uepe\n    label: {it: UEPE, en: Probation office}\n    level: primo\n"
    f"    access: [invio]\n    {SRC}\n"
    f"roles:\n  operatore_uepe:\n    {LABEL}\n    service: uepe\n    {SRC}\n"
)
GIUSTIZIA = ("{id: giustizia, when: {need: giustizia}, add_roles: [operatore_uepe],"
             " message: {it: UEPE in equipe, en: UEPE in the equipe}, " + SRC + "}")


def zone_engine(root: Path) -> Engine:
    """The core with the shipped territories (italia, toscana...) and the test layers of ``root``."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[TERRITORIES, root])


def zone_error(root: Path, territory: str = "zona") -> ConfigurationError:
    with pytest.raises(ConfigurationError) as info:
        zone_engine(root).territory(territory)
    return info.value


def allargata(triggers: str) -> str:
    """A Toscana zone layer overriding equipe.formats.allargata with the given `triggers:` value."""
    return child(ZONA + "equipe:\n  formats:\n    allargata:\n      override: true\n      triggers: " + triggers
                 + "\n", territory="zona", extends="toscana")


def line_of(root: Path, needle: str, nth: int = 1, territory: str = "zona") -> int:
    """The 1-based line of the ``nth`` line holding ``needle`` in a test layer."""
    lines = (root / territory / "territory.yaml").read_text(encoding="utf-8").splitlines()
    return [i for i, line in enumerate(lines, 1) if needle in line][nth - 1]


def trigger_ids(root: Path, territory: str = "zona") -> list[str]:
    fmt = zone_engine(root).territory(territory).section("equipe", "formats")["allargata"]
    return [t["id"] for t in fmt["triggers"]]


def test_a_zone_appends_one_trigger_and_keeps_the_six_inherited_ones(write_layer: Writer) -> None:
    """
    Issue 13: a zone appends one allargata trigger; the six Toscana triggers stay (SerD, CSM,
    housing...), and a case needing them still gets those services in its equipe.
    """
    root = write_layer("zona", allargata("\n        append:\n          - " + GIUSTIZIA))
    engine = zone_engine(root)
    fmt = engine.territory("zona").section("equipe", "formats")["allargata"]
    assert [t["id"] for t in fmt["triggers"]] == [*TOSCANA_TRIGGERS, "giustizia"]
    assert fmt["triggers"][0]["_files"] == ["toscana/territory.yaml"]
    assert fmt["triggers"][-1]["_files"] == ["zona/territory.yaml"]
    assert all("override" not in t for t in fmt["triggers"])
    case = engine.load_case(minimal_case_json(
        territory="zona", access={"date": "2025-03-03", "point": "ssp"},
        assessment={"date": "2025-03-03", "levels": [{"dimension": "lavoro", "level": 3}],
                    "needs": [{"code": c} for c in ("lavoro", "dipendenze", "salute_mentale", "abitativo",
                                                    "giustizia")]}))
    equipe = engine.assess(case, as_of=dt.date(2025, 3, 10)).equipe
    members = {m.role: m for m in equipe.members}
    assert equipe.format == "allargata"
    assert {"operatore_serd", "operatore_csm", "operatore_casa", "operatore_uepe"} <= set(members)
    # each trigger's reason names the layer that defined that trigger
    assert members["operatore_uepe"].reason.defined_in == "zona/territory.yaml"
    assert members["operatore_serd"].reason.defined_in == "toscana/territory.yaml"
    assert members["operatore_serd"].reason.territory == "toscana"


def test_a_plain_list_that_drops_inherited_triggers_is_an_error(write_layer: Writer) -> None:
    """The issue's silent loss: one trigger given as a plain list would drop six; now an error naming them."""
    root = write_layer("zona", allargata("\n        - " + GIUSTIZIA))
    err = zone_error(root)
    (detail,) = err.details
    assert detail.rule == "merge.drops_inherited"
    assert detail.path == "$.equipe.formats.allargata.triggers"
    assert all(t in detail.message for t in TOSCANA_TRIGGERS)
    assert "toscana/territory.yaml" in detail.message
    assert "append" in detail.message and "remove" in detail.message and "replace: true" in detail.message
    assert detail.line == line_of(root, "triggers:")  # located in the zone's file, as the override collisions are
    assert err.source.endswith("zona/territory.yaml")
    assert "dipendenze" in detail.text("en") and "would drop the inherited entries" in detail.text("en")


def test_a_plain_list_naming_every_inherited_id_merges_by_id(write_layer: Writer) -> None:
    """A plain list that drops nothing is merged by id: inherited ids need override and are merged onto theirs."""
    restated = "".join(f"\n        - {{id: {t}, override: true}}" for t in reversed(TOSCANA_TRIGGERS))
    root = write_layer("zona", allargata(restated + "\n        - " + GIUSTIZIA))
    assert trigger_ids(root) == [*reversed(TOSCANA_TRIGGERS), "giustizia"]  # the child's order
    fmt = zone_engine(root).territory("zona").section("equipe", "formats")["allargata"]
    assert fmt["triggers"][0]["add_roles"] == ["operatore_terzo_settore"]  # merged: the inherited fields stay
    assert fmt["triggers"][0]["_files"] == ["toscana/territory.yaml", "zona/territory.yaml"]
    # restating an inherited trigger without override is a collision, as for any keyed entry
    root = write_layer("zona", allargata("".join(f"\n        - {{id: {t}, add_roles: [operatore_csm]}}"
                                                 for t in TOSCANA_TRIGGERS)))
    err = zone_error(root)
    # a whole trigger is needed without override: one hint per trigger says to add it...
    assert {d.rule for d in err.details} == {"override"}
    assert len(err.details) == len(TOSCANA_TRIGGERS)
    root = write_layer("zona", allargata("\n        - " + GIUSTIZIA.replace("giustizia,", "dipendenze,", 1)
                                         + "".join(f"\n        - {{id: {t}, override: true}}"
                                                   for t in TOSCANA_TRIGGERS[1:])))
    (detail,) = zone_error(root).details  # ...and then it collides with the inherited one
    assert (detail.rule, detail.path, detail.value) == ("override", "$.equipe.formats.allargata.triggers[0]",
                                                        "dipendenze")


def test_append_overrides_an_inherited_trigger_in_place(write_layer: Writer) -> None:
    """`append` with an inherited id and override: true merges onto it; it keeps its place; without override: error."""
    root = write_layer("zona", allargata(
        "\n        append:\n          - {id: abitativo, override: true, add_roles: [operatore_casa, operatore_uepe]}"))
    fmt = zone_engine(root).territory("zona").section("equipe", "formats")["allargata"]
    assert [t["id"] for t in fmt["triggers"]] == TOSCANA_TRIGGERS
    housing = fmt["triggers"][2]
    assert housing["add_roles"] == ["operatore_casa", "operatore_uepe"]
    assert housing["when"] == {"need_at_least": {"needs": ["abitativo"], "severity": 2}}
    assert housing["_files"] == ["toscana/territory.yaml", "zona/territory.yaml"]
    housing_again = GIUSTIZIA.replace("giustizia,", "abitativo,", 1)
    root = write_layer("zona", allargata("\n        append:\n          - " + housing_again))
    (detail,) = zone_error(root).details
    assert (detail.rule, detail.path) == ("override", "$.equipe.formats.allargata.triggers.append[0]")
    assert "toscana/territory.yaml" in detail.message
    root = write_layer("zona", allargata("\n        append:\n          - {id: inventato, override: true}"))
    (detail,) = zone_error(root).details
    assert (detail.rule, detail.value) == ("override", "inventato")


def test_remove_drops_an_inherited_trigger_by_id(write_layer: Writer) -> None:
    """`remove` drops inherited ids explicitly; an unknown id is an error listing the known ones."""
    root = write_layer("zona", allargata("\n        remove: [terzo_settore]\n        append:\n"
                                         "          - " + GIUSTIZIA))
    assert trigger_ids(root) == [*TOSCANA_TRIGGERS[:-1], "giustizia"]
    root = write_layer("zona", allargata("{remove: [scuola, terzosettore]}"))
    (detail,) = zone_error(root).details
    assert (detail.rule, detail.path, detail.value) == ("merge.unknown_remove",
                                                        "$.equipe.formats.allargata.triggers.remove[1]",
                                                        "terzosettore")
    assert all(t in detail.message for t in TOSCANA_TRIGGERS)
    assert detail.line == line_of(root, "remove:")


def test_remove_then_append_replaces_one_trigger_whole(write_layer: Writer) -> None:
    """An id both removed and appended is replaced whole (no merge), and goes where append puts new entries."""
    root = write_layer("zona", allargata("\n        remove: [dipendenze]\n        append:\n          - "
                                         + GIUSTIZIA.replace("giustizia,", "dipendenze,", 1)))
    fmt = zone_engine(root).territory("zona").section("equipe", "formats")["allargata"]
    assert [t["id"] for t in fmt["triggers"]] == [*TOSCANA_TRIGGERS[1:], "dipendenze"]
    assert fmt["triggers"][-1]["add_roles"] == ["operatore_uepe"]
    assert fmt["triggers"][-1]["_files"] == ["zona/territory.yaml"]


def test_replace_true_replaces_the_whole_inherited_list(write_layer: Writer) -> None:
    """`{replace: true, items: [...]}` replaces the inherited triggers, explicitly; override there is an error."""
    root = write_layer("zona", allargata("\n        replace: true\n        items:\n          - " + GIUSTIZIA))
    assert trigger_ids(root) == ["giustizia"]
    root = write_layer("zona", allargata("{replace: true, items: []}"))
    assert trigger_ids(root) == []
    root = write_layer("zona", allargata("{replace: true, items: [{id: dipendenze, override: true}]}"))
    (detail,) = zone_error(root).details
    assert (detail.rule, detail.path) == ("override", "$.equipe.formats.allargata.triggers.items[0]")


@pytest.mark.parametrize(("form", "path", "rule"), [
    ("{replace: true}", "$.equipe.formats.allargata.triggers.items", "required"),
    ("{replace: true, items: [], append: []}", "$.equipe.formats.allargata.triggers.append", "additionalProperties"),
    ("{}", "$.equipe.formats.allargata.triggers", "anyOf"),
    ("{replace: false, items: []}", "$.equipe.formats.allargata.triggers.replace", "const"),
    ("{add: []}", "$.equipe.formats.allargata.triggers.add", "additionalProperties"),
])
def test_a_malformed_list_form_is_a_schema_error(write_layer: Writer, form: str, path: str, rule: str) -> None:
    """The schema takes a list, {append, remove} or {replace: true, items}; anything else is named by path."""
    root = write_layer("zona", allargata(form))
    assert (path, rule) in {(d.path, d.rule) for d in zone_error(root).details}


def test_a_duplicate_id_in_one_list_is_an_error_at_its_second_occurrence(write_layer: Writer) -> None:
    """Two entries with one id in a list: an error at the second, naming the first (the first used to win silently)."""
    root = write_layer("zona", allargata("\n        append:\n          - " + GIUSTIZIA + "\n          - "
                                         + GIUSTIZIA))
    (detail,) = zone_error(root).details
    assert (detail.rule, detail.path, detail.value) == ("merge.duplicate_id",
                                                        "$.equipe.formats.allargata.triggers.append[1]", "giustizia")
    assert "$.equipe.formats.allargata.triggers.append[0]" in detail.message
    assert detail.line == line_of(root, "{id: giustizia", nth=2)
    rule = ("    - id: sportello\n      when: {need: lavoro}\n      outcome: routed\n      service: cpi\n"
            "      channel: invio\n      message: {it: Al CPI, en: To the CPI}\n      " + SRC + "\n")
    root = write_layer("figlio", child("routing:\n  rules:\n" + rule + rule))
    (detail,) = config_error(root).details
    assert (detail.rule, detail.path) == ("merge.duplicate_id", "$.routing.rules[1]")
    root = write_layer("zona", allargata("{remove: [scuola, scuola]}"))
    (detail,) = zone_error(root).details
    assert (detail.rule, detail.path) == ("merge.duplicate_id", "$.equipe.formats.allargata.triggers.remove[1]")


def test_a_duplicate_id_in_the_root_layer_is_an_error(write_layer: Writer) -> None:
    """Ids are unique in a layer with no parent too, in an ordered rule list and in a nested one."""
    pathway = ("    - {id: tutti, pathway: da_valutare, when: {always: true}, message: {it: T, en: A}, "
               + SRC + "}\n")
    trigger = "        - {id: sempre, when: {always: true}, add_roles: [ruolo], message: {it: T, en: A}, " + SRC + "}\n"
    root = write_layer("radice", (
        f"id: radice\n{LABEL}\nlevel: nazionale\nversion: \"1\"\n"
        "services:\n  ssp: {kind: ssp, label: {it: S, en: S}, level: primo, access: [diretto], " + SRC + "}\n"
        f"roles:\n  ruolo: {{{LABEL}, service: ssp, {SRC}}}\n"
        f"profile:\n  pathways:\n{pathway}{pathway}"
        f"equipe:\n  formats:\n    unica:\n      {LABEL}\n      roles: [ruolo]\n      {SRC}\n      triggers:\n"
        f"{trigger}{trigger}"))
    err = config_error(root, "radice")
    assert {(d.path, d.rule) for d in err.details} == {
        ("$.profile.pathways[1]", "merge.duplicate_id"),
        ("$.equipe.formats.unica.triggers[1]", "merge.duplicate_id"),
    }
    assert all(d.line is not None for d in err.details)


RULE = ("{id: ID, when: {need: lavoro}, outcome: routed, service: cpi, channel: invio,"
        " message: {it: Al CPI, en: To the CPI}, " + SRC + "}")


def test_ordered_rules_append_before_the_inherited_ones_and_remove_them_by_id(write_layer: Writer) -> None:
    """In a first-match rule list `append` puts the layer's rules before the parent's; `remove` drops one."""
    parent = [r["id"] for r in engine_for().territory("italia").rules("routing", "rules")]
    root = write_layer("figlio", child("routing:\n  rules:\n    append:\n      - " + RULE.replace("ID", "uno")
                                       + "\n      - " + RULE.replace("ID", "due") + f"\n    remove: [{parent[1]}]\n"))
    t = engine_for(root).territory("figlio")
    assert [r["id"] for r in t.rules("routing", "rules")] == ["uno", "due", parent[0], *parent[2:]]
    only = RULE.replace("ID", "solo")
    root = write_layer("figlio", child("routing:\n  rules: {replace: true, items: [" + only + "]}\n"))
    assert [r["id"] for r in engine_for(root).territory("figlio").rules("routing", "rules")] == ["solo"]
    root = write_layer("figlio", child("routing:\n  rules: {remove: [inesistente]}\n"))
    (detail,) = config_error(root).details
    assert detail.rule == "merge.unknown_remove" and parent[0] in detail.message


def test_an_ordered_rule_override_replaces_it_among_the_layers_rules(write_layer: Writer) -> None:
    """As before: a rule with an inherited id and override: true replaces it, at the front with the layer's rules."""
    parent = [r["id"] for r in engine_for().territory("italia").rules("routing", "rules")]
    rule = RULE.replace("ID", parent[-1]).replace("{id:", "{override: true, id:")
    root = write_layer("figlio", child("routing:\n  rules:\n    append: [" + rule + "]\n"))
    rules = engine_for(root).territory("figlio").rules("routing", "rules")
    assert [r["id"] for r in rules] == [parent[-1], *parent[:-1]]
    assert rules[0]["_files"] == ["figlio/territory.yaml"] and "override" not in rules[0]


def test_no_shipped_territory_copies_parent_content() -> None:
    """The shipped layers extend their parents by id: none restates (copies) an inherited trigger."""
    engine = Engine(config_dirs=[TERRITORIES])  # the installed plugins: sil's layer needs its section `sil`
    for territory in ("toscana", "prato", *(("sil",) if "sil" in engine.index.sections else ())):
        t = engine.territory(territory)
        for fmt in t.section("equipe", "formats").values():
            for trigger in fmt.get("triggers", []):
                assert len(trigger["_files"]) == 1, (territory, trigger["id"])


# --------------------------------------------------------------------------- merge properties

IDS = [f"t{i}" for i in range(10)]


def _layer(territory: str, data: dict[str, Any]) -> Any:
    from inclusione_core._config import _Layer

    body = {"id": territory, **data}
    return _Layer(territory=territory, file=Path(f"/nowhere/{territory}/territory.yaml"),
                  rel=f"{territory}/territory.yaml", data=body, sha256="")


def _merged(parent_ids: list[str], child_list: Any, *, ordered: bool) -> list[dict[str, Any]]:
    """Merge a root layer with ``parent_ids`` and a child layer giving ``child_list``; the merged entries."""
    from inclusione_core._config import _merge

    def entries(ids: list[str]) -> list[dict[str, Any]]:
        return [{"id": i, "add_roles": [i]} for i in ids]

    if ordered:
        root = _merge({}, _layer("radice", {"routing": {"rules": entries(parent_ids)}}))
        child_data: dict[str, Any] = {"routing": {"rules": child_list}}
    else:
        root = _merge({}, _layer("radice", {"equipe": {"formats": {"f": {"triggers": entries(parent_ids)}}}}))
        child_data = {"equipe": {"formats": {"f": {"override": True, "triggers": child_list}}}}
    out = _merge(root, _layer("figlio", {"extends": "radice", **child_data}))
    return list(out["routing"]["rules"]) if ordered else list(out["equipe"]["formats"]["f"]["triggers"])


@given(data=st.data(), ordered=st.booleans())
def test_append_and_remove_keep_every_inherited_entry_not_removed(data: st.DataObject, ordered: bool) -> None:
    """
    Property: merged ids == parent - removed, with the appended ones (after the parent's in a
    nested list, before them in an ordered rule list), in a stable order; overrides keep their
    place in a nested list and merge; nothing else is ever lost.
    """
    parent = data.draw(st.lists(st.sampled_from(IDS), unique=True), "parent")
    removed = data.draw(st.lists(st.sampled_from(parent), unique=True) if parent else st.just([]), "removed")
    kept = [p for p in parent if p not in removed]
    fresh = [i for i in IDS if i not in kept]  # new ids, or removed ones appended again (replaced whole)
    appended = data.draw(st.lists(st.sampled_from(fresh), unique=True) if fresh else st.just([]), "appended")
    overridden = data.draw(st.lists(st.sampled_from(kept), unique=True) if kept else st.just([]), "overridden")
    ops: dict[str, Any] = {"append": [{"id": i, "add_roles": ["nuovo"]} for i in appended]
                           + [{"id": i, "override": True, "add_roles": ["cambiato"]} for i in overridden]}
    if removed or not ops["append"]:
        ops["remove"] = removed
    merged = _merged(parent, ops, ordered=ordered)
    ids = [e["id"] for e in merged]
    if ordered:  # a rule override replaces the rule, among the layer's rules at the front
        assert ids == appended + overridden + [k for k in kept if k not in overridden]
    else:
        assert ids == kept + appended
    assert len(ids) == len(set(ids))
    by_id = {e["id"]: e for e in merged}
    for k in kept:
        files = by_id[k]["_files"]
        if k in overridden:
            assert by_id[k]["add_roles"] == ["cambiato"]
            both = ["radice/territory.yaml", "figlio/territory.yaml"]
            assert files == (["figlio/territory.yaml"] if ordered else both)
        else:
            assert (by_id[k]["add_roles"], files) == ([k], ["radice/territory.yaml"])
    for a in appended:
        assert (by_id[a]["add_roles"], by_id[a]["_files"]) == (["nuovo"], ["figlio/territory.yaml"])


@given(parent=st.lists(st.sampled_from(IDS), unique=True),
       child=st.lists(st.sampled_from(IDS), unique=True))
def test_a_plain_list_never_loses_an_inherited_entry_silently(parent: list[str], child: list[str]) -> None:
    """
    Property: a plain list for an inherited (nested) list either keeps every inherited id or is
    an error naming exactly the ones it would drop; in an ordered rule list it only adds rules.
    """
    from inclusione_core._config import ConfigurationError

    entries = [{"id": i, "override": True} if i in parent else {"id": i, "add_roles": ["nuovo"]} for i in child]
    missing = [p for p in parent if p not in child]
    if missing:
        with pytest.raises(ConfigurationError) as info:
            _merged(parent, entries, ordered=False)
        (detail,) = info.value.details
        assert detail.rule == "merge.drops_inherited" and detail.value == ", ".join(missing)
    else:
        assert [e["id"] for e in _merged(parent, entries, ordered=False)] == child
    ordered = _merged(parent, entries, ordered=True)  # the layer's rules first, then the parent's others
    assert [e["id"] for e in ordered] == child + missing


@given(ids=st.lists(st.sampled_from(IDS), min_size=1), ordered=st.booleans(), explicit=st.booleans())
def test_a_repeated_id_is_always_reported(ids: list[str], ordered: bool, explicit: bool) -> None:
    """Property: any id repeated in a layer's list is an error at each later occurrence, never a silent first-wins."""
    from inclusione_core._config import ConfigurationError

    entries = [{"id": i, "add_roles": [i]} for i in ids]
    repeated = [n for n, i in enumerate(ids) if i in ids[:n]]
    if not repeated:
        assert [e["id"] for e in _merged([], entries, ordered=ordered)] == ids
        return
    with pytest.raises(ConfigurationError) as info:
        _merged([], {"append": entries} if explicit else entries, ordered=ordered)
    at = "append" if explicit else None
    assert {d.path for d in info.value.details if d.rule == "merge.duplicate_id"} == {
        ("$.routing.rules" if ordered else "$.equipe.formats.f.triggers") + (f".{at}" if at else "") + f"[{n}]"
        for n in repeated}


# --------------------------------------------------------------------------- governance

GOVERNANCE = (
    "governance:\n"
    "  partner_kinds:\n"
    "    comuni:\n      label: {it: Comuni, en: Municipalities}\n"
    "    sanita:\n      label: {it: Sanità, en: Health}\n      services: [serd]\n"
    "  bodies:\n"
    "    coordinamento:\n      kind: coordinamento\n      " + LABEL + "\n      level: regione\n"
    "      partners: [comuni]\n      " + SRC + "\n"
    "    patto:\n      kind: patto_territoriale\n      " + LABEL + "\n      level: ambito\n      practice: true\n"
    "      partners: [comuni, sanita]\n      valid_to: \"2024-12-31\"\n      " + SRC + "\n"
)


def test_governance_bodies_are_dated_and_read_as_of_a_day(write_layer: Writer) -> None:
    """A body out of its period leaves the territory's view of that day; the others stay."""
    territory = engine_for(write_layer("figlio", child(GOVERNANCE))).territory("figlio")
    assert set(territory.in_force(dt.date(2024, 6, 1)).section("governance", "bodies")) == {"coordinamento", "patto"}
    assert set(territory.in_force(dt.date(2025, 1, 1)).section("governance", "bodies")) == {"coordinamento"}
    assert territory.section("governance", "partner_kinds")["sanita"]["services"] == ["serd"]


def test_governance_references_are_checked(write_layer: Writer) -> None:
    """A partner kind, a service kind or an ambito's body that is not configured is an error at its path."""
    body = GOVERNANCE.replace("partners: [comuni]\n", "partners: [comuni, fondazioni]\n").replace(
        "services: [serd]", "services: [ospedale]")
    body += ("network:\n  source: {kind: default, note: test}\n  ambiti:\n"
             "    a1:\n      " + LABEL + "\n      services: {cpi: CPI}\n      bodies: [patto, coordinamento, tavolo]\n"
             "  municipalities:\n    \"001\": {label: Uno, ambito: a1}\n")
    details = {(d.path, d.rule, d.value) for d in config_error(write_layer("figlio", child(body))).details}
    assert details == {
        ("$.governance.bodies.coordinamento.partners", "ref:governance.partner_kinds", "fondazioni"),
        ("$.governance.partner_kinds.sanita.services", "ref:services.kind", "ospedale"),
        ("$.network.ambiti.a1.bodies", "governance.level", "coordinamento"),  # a regional body, not the ambito's
        ("$.network.ambiti.a1.bodies", "ref:governance.bodies", "tavolo"),
    }


def test_a_child_layer_ends_an_inherited_body(write_layer: Writer) -> None:
    """Governance bodies merge by key like other entries: override with valid_to ends one."""
    write_layer("figlio", child(GOVERNANCE))
    root = write_layer("nipote", child("governance:\n  bodies:\n    coordinamento:\n      override: true\n"
                                       "      valid_to: \"2023-12-31\"\n", territory="nipote", extends="figlio"))
    territory = engine_for(root).territory("nipote")
    assert set(territory.in_force(dt.date(2024, 6, 1)).section("governance", "bodies")) == {"patto"}
    assert set(territory.in_force(dt.date(2023, 6, 1)).section("governance", "bodies")) == {"coordinamento", "patto"}
