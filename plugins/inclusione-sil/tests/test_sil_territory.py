"""The inclusione-sil distribution: discovery, the district layer over italia, sources, tables, examples, scenarios."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tomllib
from collections.abc import Callable
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml

import inclusione_sil
from inclusione_core import ConfigurationError, Engine, Grade, RoutingOutcome, Territory, get_plugin_manager
from inclusione_core.cli import main
from inclusione_core.rules import find_texts
from inclusione_core.testing import normalise_text as normalise
from inclusione_core.testing import quote_problems, territory_folder_problems
from inclusione_core.testing import source_blocks as sources

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
TERRITORY_DIR = ROOT / "territories" / "sil"
CONFIG = TERRITORY_DIR / "territory.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
"""Where the source texts are, beside the repository (they are not part of the product)."""
GUIDELINES = inclusione_sil.DOCUMENT
"""The registry id of the SIL guidelines of 4 May 2007 (local operational guidelines, not binding)."""


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- packaging and discovery


def test_entry_point_and_packaging_are_declared() -> None:
    """The distribution declares the ``sil`` entry point, depends on the core only and packages territories/sil."""
    meta = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["name"] == "inclusione-sil"
    assert meta["project"]["entry-points"]["inclusione"] == {"sil": "inclusione_sil"}
    assert meta["project"]["dependencies"] == ["inclusione-core"]
    targets = meta["tool"]["hatch"]["build"]["targets"]
    assert targets["sdist"]["force-include"] == {"../../territories/sil": "territory"}
    assert targets["wheel"]["hooks"]["custom"] == {"sources": ["territory", "../../territories/sil"],
                                                  "target": "inclusione_sil/territory"}
    assert (PACKAGE / "src" / "inclusione_sil" / "py.typed").exists()
    assert (PACKAGE / "src" / "inclusione_sil" / "schemas" / "sil.schema.json").exists()


def test_installed_plugin_is_discovered_through_its_entry_point() -> None:
    """With the distribution installed, a default Engine lists sil, provided by its plugin, over italia."""
    names = {ep.name: ep.value for ep in metadata.entry_points(group="inclusione")}
    if names.get("sil") != "inclusione_sil":
        pytest.skip("inclusione-sil is not installed")
    engine = Engine()
    found = {t.id: t.provided_by for t in engine.territories()}
    assert found["sil"] == "sil"
    assert engine.territory("sil").lineage == ("sil", "italia")


def test_public_api_is_explicit() -> None:
    """The package exports an isort-sorted ``__all__`` with the hooks, the workflow and the territory folder."""
    names = inclusione_sil.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    assert all(hasattr(inclusione_sil, n) for n in names)
    for name in ("inclusione_assess_profile", "inclusione_validate_project", "inclusione_compute_deadlines",
                 "inclusione_route", "inclusione_register_sections", "workflow", "evaluate_paths", "objectives_for",
                 "sil_dir", "tables_for"):
        assert name in inclusione_sil.__all__
    assert inclusione_sil.sil_dir() == TERRITORY_DIR


def test_plugin_answers_only_for_its_territory(engine: Engine) -> None:
    """An italia case is assessed by the core defaults alone: the SIL plugin passes outside sil."""
    case = {"id": "c-it", "territory": "italia", "opened_on": "2025-01-10",
            "household": {"id": "h", "members": [{"id": "m1", "birth_date": "1980-01-01", "disability_percent": 60}]},
            "assessment": {"date": "2025-01-20", "levels": [{"dimension": "lavoro", "level": 2}],
                           "needs": [{"code": "lavoro"}]}}
    result = engine.assess(case, as_of=dt.date(2025, 2, 1))
    deciders = {d.plugin for d in result.provenance.plugins}
    assert deciders == {"inclusione_core"}
    assert not any(r.rule.startswith("sil.") for r in result.profile.reasons)


# --------------------------------------------------------------------------- configuration and sources


def test_layer_header_says_the_seed_names_no_region(sil: Territory) -> None:
    """The layer is a distretto extending italia, and its description says the seed names no region."""
    data = load(CONFIG)
    assert (data["id"], data["level"], data["extends"]) == ("sil", "distretto", "italia")
    assert "non nomina né la regione" in data["description"]
    assert sil.lineage == ("sil", "italia")


def test_every_rule_cites_the_guidelines_or_an_act_or_says_it_is_a_default(sil: Territory) -> None:
    """
    Each source of the layer, its section ``sil`` included, quotes the guidelines (linee guida,
    not binding), cites an act of the registry by article (no text here to quote), or is a
    default with a note.
    """
    documents = sil.documents
    guidelines = documents[GUIDELINES]
    assert (guidelines.kind, guidelines.date, guidelines.binding) == ("linee_guida", dt.date(2007, 5, 4), False)
    assert "non vincolanti" in str(sil.citation({"document": GUIDELINES, "section": "5"}))
    tree = load(CONFIG)
    found = list(sources({k: v for k, v in tree.items() if k != "documents"}))
    assert len(list(sources(tree["sil"]))) >= 30
    assert len(found) > 60
    for path, src in found:
        if src.get("kind") == "default":
            assert src["note"] and "quote" not in src, path
        elif src["document"] == GUIDELINES:
            assert src.get("quote"), path
        else:  # L. 68/1999 for the target; the GDPR and the privacy code for the flows
            assert documents[src["document"]].kind == "norma" and src.get("section"), path
            assert "quote" not in src, path


@pytest.mark.skipif(
    not os.environ.get("CI") and not SEEDS.is_dir(),
    reason="source texts not beside the repository (in CI they are, and the test runs)",
)
def test_every_quote_and_table_text_is_verbatim_in_the_guidelines(sil: Territory) -> None:
    """Quotes (layer, its section sil, instruments), the §2.b, §3 and §4 tables occur verbatim in the guidelines."""
    assert quote_problems(sil, SEEDS, expect=[GUIDELINES]) == []
    seed = normalise(find_texts(sil, SEEDS)[GUIDELINES].read_text(encoding="utf-8"))
    texts: list[tuple[str, str]] = []
    tables = load(CONFIG)["sil"]
    for grade, plan in tables["obiettivi"]["gradi"].items():
        texts += [(f"obiettivi.{grade}", t) for t in plan["obiettivi"] + plan["macroattivita"]]
    for phase in tables["fasi"]:
        texts += [(f"fasi.{phase['codice']}", t) for t in phase["attivita"]]
        texts += [(f"fasi.{phase['codice']}.label", phase["label"]["it"])]
        texts += [(f"fasi.{phase['codice']}.{k}", phase[k]) for k in ("criticita", "note") if k in phase]
    for code, level in tables["valutazione"]["rete"]["livelli"].items():
        texts += [(f"rete.{code}", level["attori"]), *((f"rete.{code}", t) for t in level["strumenti"])]
    texts += [(f"valutazione.{code}", label["it"]) for code, label in tables["valutazione"]["indicatori"].items()]
    missing = [(path, text) for path, text in texts if normalise(text) not in seed]
    assert len(texts) > 60  # the quotes are checked by quote_problems above
    assert missing == []


def test_target_groups_are_profile_flags_with_the_seed_list(sil: Territory, tables: inclusione_sil.Tables) -> None:
    """The seven illustrative target groups of §1 are profile flags; the L. 68 one uses the law's > 45%."""
    flags = sil.section("profile", "flags")
    assert set(tables.target_flags) <= set(flags)
    assert len(tables.target_flags) == 7
    assert flags["target_l68"]["when"] == {"member": {"disability_above": 45}}
    assert "oltre il 46%" in flags["target_l68"]["source"]["quote"]
    assert "L. n. 68/1999, art. 1" in flags["target_l68"]["source"]["note"]
    for code in ("migrante", "mobbing", "disagio_psichico_temporaneo", "professionalita_non_spendibile",
                 "uscita_comunita", "ex_dipendenza", "ex_detenzione", "nuove_poverta"):
        assert code in sil.section("needs")
    assert sil.data_category("needs", "ex_dipendenza") == "addiction"
    assert sil.data_category("needs", "ex_detenzione") == "justice"
    assert sil.data_category("needs", "disagio_psichico_temporaneo") == "mental_health"


def test_staff_equipe_and_catalogue_follow_sections_1_and_6(sil: Territory) -> None:
    """The SIL staff has coordinator, educators, referent social worker and account aziendale; §6 is the catalogue."""
    staff = sil.section("equipe", "formats")["staff_sil"]
    assert staff["roles"] == ["coordinatore_sil", "educatore_sil", "assistente_sociale_referente", "account_aziendale"]
    catalogue = sil.section("interventions")
    for code in ("informazione_sportello", "bilancio_competenze_individuale", "bilancio_competenze_gruppo",
                 "incontro_domanda_offerta", "accompagnamento_ricerca_lavoro", "inserimento_lavorativo_mirato",
                 "sostegno_percorso", "monitoraggio_percorso", "consulenza_legislativa_imprese",
                 "consulenza_disagio_imprese", "formazione_tutor_aziendali", "patto_territoriale"):
        assert catalogue[code]["source"]["section"].startswith("6. Tipologia degli interventi"), code
    assert {catalogue[c]["category"] for c in ("consulenza_legislativa_imprese", "formazione_tutor_aziendali")} == {
        "servizi_imprese"}


def test_sil_items_do_not_count_in_the_complexity(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Severe difficulties on the nine SIL items do not make the six-dimension complexity alta."""
    case = example("migrante_occupabilita_bassa.json")
    result = engine.assess(case, as_of=dt.date(2025, 4, 7))
    (reason,) = [r for r in result.profile.reasons if r.rule == "profilo.complessita"]
    assert not any(d.startswith("sil_") for d in reason.inputs["dimensioni_con_livello_>=2"])
    assert result.profile.profile.complexity is Grade.MEDIA  # lavoro 3 and istruzione 2 only


# --------------------------------------------------------------------------- the section sil (the SIL's tables)

DISTRICT = ("id: sil_valle\nlabel: {it: Distretto della valle, en: Valley district}\nlevel: distretto\n"
            "extends: sil\nversion: '1'\n")
"""A district layer of an integrator that extends sil: the section ``sil`` it writes follows."""


def sil_engine(*config_dirs: Path) -> Engine:
    """An engine with the SIL plugin only (and the core), reading the configuration folders given."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=[("sil", inclusione_sil)]),
                  config_dirs=list(config_dirs))


def district(tmp_path: Path, section: str = "") -> Engine:
    """An engine that knows ``sil_valle``: a district extending sil, with ``section`` (YAML) after its header."""
    folder = tmp_path / "sil_valle"
    folder.mkdir(exist_ok=True)
    (folder / "territory.yaml").write_text(DISTRICT + section, encoding="utf-8")
    return sil_engine(tmp_path)


def test_the_plugin_declares_the_section_sil(engine: Engine, sil: Territory, tables: inclusione_sil.Tables) -> None:
    """The tables are the layer's section ``sil`` (its schema shipped in the package): 8 phases, 3 grades."""
    schema = PACKAGE / "src" / "inclusione_sil" / "schemas" / "sil.schema.json"
    assert engine.index.sections[inclusione_sil.SECTION] == schema
    assert set(engine.index.sections) == {inclusione_sil.SECTION, "journal"}  # and the core's own (case journal)
    assert not (TERRITORY_DIR / "sil_tables.yaml").exists()
    assert "sil" in load(CONFIG)
    assert [p.number for p in tables.phases] == list(range(1, 9))
    assert set(tables.plans) == {Grade.BASSA, Grade.MEDIA, Grade.ALTA}
    assert tables.max_months == 24
    assert (tables.layer, tables.defined_in) == ("sil", "sil/territory.yaml")
    assert inclusione_sil.tables_for(sil) is tables  # compiled once per compiled territory
    assert inclusione_sil.default_tables().defined_in == "sil/territory.yaml"


def test_a_district_changes_one_threshold_and_keeps_the_rest(tmp_path: Path,
                                                              example: Callable[[str], dict[str, Any]]) -> None:
    """A district writes only `alta_da`: the grade follows it, the rest is sil's, the reason names both files."""
    engine = district(tmp_path, "sil:\n  occupabilita:\n    soglie: {alta_da: 1.5}\n")
    territory = engine.territory("sil_valle")
    tables = inclusione_sil.tables_for(territory)
    reference = inclusione_sil.default_tables()
    assert (tables.low_below, tables.high_from) == (reference.low_below, Fraction(3, 2))
    assert (tables.groups, tables.phases, tables.max_months) == (reference.groups, reference.phases, 24)
    assert tables.thresholds_source == reference.thresholds_source  # the citation is inherited whole
    case = {**example("l68_invalidita_50.json"), "territory": "sil_valle"}
    result = engine.assess(case, as_of=dt.date(2025, 3, 10))
    assert result.profile.profile.occupability is Grade.ALTA  # total 1.64 >= 1.5 (media in sil)
    (reason,) = [r for r in result.profile.reasons if r.rule == "sil.occupabilita.grado"]
    assert reason.inputs["soglie"] == {"bassa_sotto": 1.0, "alta_da": 1.5}
    assert (reason.territory, reason.defined_in) == ("sil_valle", "sil/territory.yaml + sil_valle/territory.yaml")
    assert "alta da 1,50" in reason.message_it
    assert result.provenance.config_digest == territory.digest


def test_a_sil_value_is_part_of_the_configuration_digest(tmp_path: Path) -> None:
    """Changing one value of the section changes the digest of the configuration (recorded in provenance)."""
    plain = district(tmp_path).territory("sil_valle")
    same = district(tmp_path, "sil:\n  durata: {mesi_massimi: 24}\n").territory("sil_valle")
    changed = district(tmp_path, "sil:\n  durata: {mesi_massimi: 18}\n").territory("sil_valle")
    assert inclusione_sil.tables_for(changed).max_months == 18
    assert inclusione_sil.tables_for(plain).max_months == 24
    assert len({plain.digest, changed.digest}) == 2
    assert same.digest != changed.digest


def test_an_invalid_value_in_a_district_is_an_error_with_path_and_line(tmp_path: Path) -> None:
    """The schema's errors in a district's `sil:` are reported by the core, with the path from the root and the line."""
    engine = district(tmp_path, "sil:\n  durata:\n    mesi_massimi: -3\n  colore: rosso\n")
    with pytest.raises(ConfigurationError) as info:
        engine.territory("sil_valle")
    found = {(d.path, d.line) for d in info.value.details}
    assert found == {("$.sil.durata.mesi_massimi", 8), ("$.sil.colore", 9)}
    assert info.value.source.endswith("sil_valle/territory.yaml")


def test_contradicting_values_are_all_reported_with_their_lines(tmp_path: Path) -> None:
    """What the schema cannot say (a growing scale, thresholds in the wrong order) is an error at each path and line."""
    engine = district(tmp_path, "sil:\n  occupabilita:\n    scala:\n      punteggi: [0, 1, 2, 3]\n"
                                "    soglie: {bassa_sotto: 2.5}\n")
    with pytest.raises(ConfigurationError) as info:  # valid for the schema: the plugin's own check, at load
        engine.territory("sil_valle")
    found = {(d.path, d.line) for d in info.value.details}
    assert found == {("$.sil.occupabilita.scala.punteggi", 9), ("$.sil.occupabilita.soglie", 10)}
    assert info.value.source == str(tmp_path / "sil_valle" / "territory.yaml")
    assert str(tmp_path / "sil_valle" / "territory.yaml") in str(info.value)


def test_validate_reports_what_the_schema_cannot_say(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione validate` runs the plugin's own check of the section: thresholds in the wrong order are refused."""
    district(tmp_path, "sil:\n  occupabilita:\n    soglie: {bassa_sotto: 2.5}\n")
    assert main(["--config-dir", str(tmp_path), "validate", "sil_valle"]) == 2
    out = capsys.readouterr().out
    assert "$.sil.occupabilita.soglie" in out and "[regola: order]" in out


def test_an_unknown_dimension_in_the_section_is_refused(tmp_path: Path) -> None:
    """An item that is not a dimension of the territory is an error naming the item, at its path and line."""
    engine = district(tmp_path, "sil:\n  occupabilita:\n    dimensioni:\n      benessere_soggettivo:\n"
                                "        voci: [{dimensione: sil_felicita, peso: 1}]\n")
    with pytest.raises(ConfigurationError) as info:
        engine.territory("sil_valle")
    (detail,) = info.value.details
    assert (detail.path, detail.value, detail.line) == (
        "$.sil.occupabilita.dimensioni.benessere_soggettivo.voci[0].dimensione", "sil_felicita", 10)


def test_an_inherited_value_made_wrong_by_a_district_names_its_file_and_line(tmp_path: Path) -> None:
    """A district that drops the L. 68 flag from the targets: the error is at sil's `l68.flag`, with sil's line."""
    engine = district(tmp_path, "sil:\n  target:\n    flags: [target_migranti]\n")
    with pytest.raises(ConfigurationError) as info:
        engine.territory("sil_valle")
    (detail,) = info.value.details
    assert (detail.path, detail.value, detail.line) == ("$.sil.target.l68.flag", "target_l68", None)
    line = next(i for i, text in enumerate(CONFIG.read_text(encoding="utf-8").splitlines(), 1)
                if text.strip() == "flag: target_l68")
    assert f"sil/territory.yaml, riga {line}" in str(detail.message)
    assert info.value.source.endswith("sil_valle/territory.yaml")


def test_an_edited_copy_of_the_sil_folder_is_used_with_config_dir(tmp_path: Path,
                                                                   example: Callable[[str], dict[str, Any]]) -> None:
    """An integrator's copy of territories/sil with another threshold replaces the plugin's layer, and its section."""
    copy = tmp_path / "sil"
    shutil.copytree(TERRITORY_DIR, copy)
    text = (copy / "territory.yaml").read_text(encoding="utf-8")
    assert text.count("    alta_da: 2\n") == 1
    (copy / "territory.yaml").write_text(text.replace("    alta_da: 2\n", "    alta_da: 1.5\n"), encoding="utf-8")
    result = sil_engine(tmp_path).assess(example("l68_invalidita_50.json"), as_of=dt.date(2025, 3, 10))
    assert result.profile.profile.occupability is Grade.ALTA  # total 1.64 >= 1.5
    (reason,) = [r for r in result.profile.reasons if r.rule == "sil.occupabilita.grado"]
    assert reason.inputs["soglie"] == {"bassa_sotto": 1.0, "alta_da": 1.5}


def test_the_section_without_the_plugin_is_an_unknown_field(tmp_path: Path) -> None:
    """Without the SIL plugin a layer's `sil:` is refused like any unknown key: nothing reads it silently."""
    shutil.copytree(TERRITORY_DIR, tmp_path / "sil")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=[]), config_dirs=[tmp_path])
    with pytest.raises(ConfigurationError) as info:
        engine.territory("sil")
    assert [(d.path, d.rule) for d in info.value.details] == [("$.sil", "additionalProperties")]


def test_config_show_prints_the_section(capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione config show sil sil.durata` prints the merged section, under the file that gave it."""
    names = {ep.name: ep.value for ep in metadata.entry_points(group="inclusione")}
    if names.get("sil") != "inclusione_sil":
        pytest.skip("inclusione-sil is not installed")
    from inclusione_core.cli import main  # noqa: PLC0415

    assert main(["config", "show", "sil", "sil.durata"]) == 0
    out = capsys.readouterr().out
    assert "mesi_massimi: 24" in out and "preavviso_giorni: 90" in out
    assert main(["--json", "config", "show", "sil", "sil"]) == 0
    shown = json.loads(capsys.readouterr().out)["configuration"]
    assert [o["file"] for o in shown["_from"]] == ["sil/territory.yaml"]
    assert shown["durata"]["mesi_massimi"] == 24


# --------------------------------------------------------------------------- examples and scenarios


def test_examples_are_valid_cases_listed_by_the_territory(engine: Engine, sil: Territory) -> None:
    """Every example listed is a valid sil case with a title; every example and scenario file is listed."""
    assert len(sil.examples()) >= 8
    assert territory_folder_problems(engine, sil, TERRITORY_DIR) == []


@pytest.mark.parametrize("path", sorted((TERRITORY_DIR / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_scenario_files_pass(run_scenario: Callable[..., list[Any]], path: Path) -> None:
    """Every scenario of the SIL scenario files gives its expected results."""
    outcomes = run_scenario(path, check=True)
    assert len(outcomes) >= {"sil.yaml": 9, "fasi.yaml": 6, "rifiuti.yaml": 2}.get(path.name, 1)


def test_a_wrong_expectation_is_reported(tmp_path: Path, run_scenario: Callable[..., list[Any]]) -> None:
    """The scenarios are really checked: expecting alta for the 50% invalidity case makes that scenario fail."""
    text = (TERRITORY_DIR / "scenarios" / "sil.yaml").read_text(encoding="utf-8")
    text = text.replace("occupability: media", "occupability: alta", 1)
    text = text.replace("../examples/", f"{TERRITORY_DIR}/examples/")
    path = tmp_path / "sil_sbagliato.yaml"
    path.write_text(text, encoding="utf-8")
    failed = [o for o in run_scenario(path) if not o.passed]
    assert [o.name for o in failed] == ["invalidita_50_target_l68_occupabilita_media"]


# --------------------------------------------------------------------------- issue 4, Done when


def test_done_when_invalidity_50_is_a_l68_target(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Done when: invalidity 50% flags an L. 68 target, with reasons citing the guidelines and the law."""
    case = example("l68_invalidita_50.json")
    # accepted (phases 5 and 6): the staff and the interventions come after the decision (issue 14)
    case["history"] += [{"on": "2025-03-03", "kind": "sil_fase_decisione"},
                        {"on": "2025-03-10", "kind": "sil_fase_accettazione"}]
    result = engine.assess(case, as_of=dt.date(2025, 3, 10))
    assert "target_l68" in result.profile.profile.flags
    reasons = {r.rule: r for r in result.profile.reasons}
    flag = reasons["profilo.flag.target_l68"]
    assert flag.source.document == GUIDELINES
    assert flag.inputs == {"componenti:disability_above=45": ["m1"]}
    assert flag.categories == ("health", "identity")  # the invalidity, and which member has it
    law = reasons["sil.target.l68.soglia"]
    assert (law.source.document, law.source.binding) == ("l_68_1999", True)
    assert str(law.source).startswith("L. n. 68/1999, art. 1")
    assert "oltre il 46%" in law.message_it and "superiore al 45%" in law.message_it
    cpi = [m for m in result.equipe.members if m.role == "operatore_cpi"]
    # the guidelines never name the CPI: adding it is the project's default, referring to the law
    assert cpi and cpi[0].reason.source.is_default and cpi[0].reason.source.document == "l_68_1999"
    assert str(cpi[0].reason.source).startswith("impostazione predefinita, modificabile: le linee guida del SIL non")
    assert "collocamento_mirato" in [i.code for i in result.interventions]


@pytest.mark.parametrize(("percent", "flagged"), [(45, False), (46, True), (50, True), (100, True), (30, False)])
def test_l68_threshold_is_above_45(engine: Engine, example: Callable[[str], dict[str, Any]], percent: int,
                                   flagged: bool) -> None:
    """The L. 68 flag holds from 46% (above the law's 45%, the guidelines' "oltre il 46%" read as from 46%)."""
    case = example("l68_invalidita_50.json")
    case["household"]["members"][0]["disability_percent"] = percent
    result = engine.assess(case, as_of=dt.date(2025, 3, 10))
    assert ("target_l68" in result.profile.profile.flags) is flagged


def test_done_when_grade_and_objectives_follow_the_table(engine: Engine, tables: inclusione_sil.Tables,
                                                         example: Callable[[str], dict[str, Any]]) -> None:
    """Done when: the grade and its objectives follow the §2.b table, with reasons citing the guidelines."""
    for name, as_of, grade in (("migrante_occupabilita_bassa.json", dt.date(2025, 4, 7), Grade.BASSA),
                               ("l68_invalidita_50.json", dt.date(2025, 3, 10), Grade.MEDIA),
                               ("mobbing_occupabilita_alta.json", dt.date(2025, 2, 17), Grade.ALTA)):
        result = engine.assess(example(name), as_of=as_of)
        assert result.profile.profile.occupability is grade
        reasons = {r.rule: r for r in result.profile.reasons}
        plan = reasons[f"sil.obiettivi.{grade.value}"]
        assert plan.source.document == GUIDELINES
        assert plan.inputs["obiettivi"] == list(tables.plans[grade].objectives)
        assert plan.inputs["macroattivita"] == list(tables.plans[grade].activities)
        assert all(t in plan.message_it for t in tables.plans[grade].objectives)
        assert reasons["sil.occupabilita.grado"].source.document == GUIDELINES
        assert reasons["sil.occupabilita.parametri"].source.kind == "default"


def test_done_when_a_negative_decision_notifies_the_sender(engine: Engine,
                                                           example: Callable[[str], dict[str, Any]]) -> None:
    """Done when: a negative decision at phase 5 goes back to the sender with the reason, citing the guidelines."""
    result = engine.assess(example("decisione_negativa.json"), as_of=dt.date(2025, 3, 28))
    routing = result.routing
    assert routing.outcome is RoutingOutcome.REFUSED
    assert (routing.channel, routing.alternatives) == ("notifica_ente_inviante", ("segretariato",))
    (reason,) = routing.reasons
    assert reason.source.document == GUIDELINES
    assert reason.source.quote == "In caso di esito negativo segnalazione ente inviante"
    assert "Nessuna postazione lavorativa compatibile" in reason.message_it
    assert reason.inputs["destinatario"] == "segretariato"
    assert result.interventions == ()
    assert result.equipe.format == "nessuna"


def test_the_decision_only_counts_from_its_date(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Before the date of the negative decision the case is still routed to the SIL's path."""
    result = engine.assess(example("decisione_negativa.json"), as_of=dt.date(2025, 3, 20))
    assert result.routing.outcome is RoutingOutcome.ROUTED


def test_done_when_a_30_month_project_is_refused(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Done when: a 30-month project is refused by a problem citing §5 of the guidelines ("max due anni")."""
    result = engine.assess(example("progetto_30_mesi.json"), as_of=dt.date(2025, 2, 3))
    problems = {p.reason.rule: p for p in result.project_problems}
    problem = problems["sil.durata_massima"]
    assert problem.path == "$.project.end"
    assert problem.reason.source.document == GUIDELINES
    assert problem.reason.source.quote == "La durata massima del percorso è caratterizzata da max due anni"
    assert problem.reason.inputs["mesi"] == 30.0
    assert "30 mesi" in problem.reason.message_it
    assert problems["sil.durata_massima.intervento"].path == "$.project.interventions[1].end"


def test_a_case_outside_the_target_list_is_not_refused(engine: Engine,
                                                       example: Callable[[str], dict[str, Any]]) -> None:
    """A case in no group of the illustrative list is routed and graded like any other, and a reason says why."""
    result = engine.assess(example("fuori_elenco.json"), as_of=dt.date(2025, 5, 12))
    assert result.routing.outcome is RoutingOutcome.ROUTED
    assert result.profile.profile.occupability is Grade.MEDIA
    (reason,) = [r for r in result.profile.reasons if r.rule == "sil.target.fuori_elenco"]
    assert "a titolo esemplificativo" in reason.source.quote
    (grade,) = [r for r in result.profile.reasons if r.rule == "sil.occupabilita.grado"]
    assert grade.inputs["voci_non_rilevate"] == ["sil_benessere_soggettivo"]


def test_a_district_extending_sil_uses_the_sil_tables(tmp_path: Path, example: Callable[[str], dict[str, Any]]) -> None:
    """A district layer of an integrator that extends sil, with no `sil:` of its own, gets the SIL rules and tables."""
    engine = district(tmp_path)
    territory = engine.territory("sil_valle")
    assert inclusione_sil.tables_for(territory).defined_in == "sil/territory.yaml"  # sil's section, unchanged
    case = {**example("l68_invalidita_50.json"), "territory": "sil_valle"}
    result = engine.assess(case, as_of=dt.date(2025, 3, 10))
    assert result.profile.profile.occupability is Grade.MEDIA
    (reason,) = [r for r in result.profile.reasons if r.rule == "sil.occupabilita.grado"]
    assert (reason.territory, reason.defined_in) == ("sil", "sil/territory.yaml")
