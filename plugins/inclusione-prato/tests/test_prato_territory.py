"""The inclusione-prato distribution: discovery, the zone layer over Toscana, instruments, examples and scenarios."""

from __future__ import annotations

import datetime as dt
import json
import os
import tomllib
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

import inclusione_prato
from inclusione_core import Engine, RoutingOutcome, Territory
from inclusione_core.testing import quote_problems, territory_folder_problems
from inclusione_core.testing import source_blocks as sources

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parents[1]
TERRITORY_DIR = ROOT / "territories" / "prato"
CONFIG = TERRITORY_DIR / "territory.yaml"
SEEDS = ROOT.parent / "shared" / "seeds"
"""Where the source texts are, beside the repository (they are not part of the product)."""
ARTICLE = "buone_pratiche_prato_2021"
"""The registry id of the article describing the Prato practice (Di Maria, Imprescia, 3 December 2021)."""
DGRT = "dgrt_544_2023"
TOSCANA_ARTICLE = "integrazione_intersettoriale"
TUESDAY = 1


# --------------------------------------------------------------------------- packaging and discovery


def test_entry_point_and_dependencies_are_declared() -> None:
    """The distribution declares the ``prato`` entry point and depends on the core and on the Toscana plugin."""
    meta = tomllib.loads((PACKAGE / "pyproject.toml").read_text(encoding="utf-8"))
    assert meta["project"]["name"] == "inclusione-prato"
    assert meta["project"]["entry-points"]["inclusione"] == {"prato": "inclusione_prato"}
    assert set(meta["project"]["dependencies"]) == {"inclusione-core", "inclusione-toscana"}
    targets = meta["tool"]["hatch"]["build"]["targets"]
    assert targets["sdist"]["force-include"] == {"../../territories/prato": "territory"}
    assert targets["wheel"]["hooks"]["custom"] == {"sources": ["territory", "../../territories/prato"],
                                                  "target": "inclusione_prato/territory"}
    assert (PACKAGE / "src" / "inclusione_prato" / "py.typed").exists()


def test_installed_plugins_are_discovered_through_entry_points() -> None:
    """With both distributions installed, a default Engine lists toscana and prato, each from its plugin."""
    names = {ep.name: ep.value for ep in metadata.entry_points(group="inclusione")}
    if names.get("prato") != "inclusione_prato" or names.get("toscana") != "inclusione_toscana":
        pytest.skip("inclusione-toscana and inclusione-prato are not both installed")
    engine = Engine()
    found = {t.id: t.provided_by for t in engine.territories()}
    assert found["toscana"] == "toscana"
    assert found["prato"] == "prato"
    assert engine.territory("prato").lineage == ("prato", "toscana", "italia")


def test_public_api_is_explicit() -> None:
    """The package exports a sorted ``__all__`` naming the builders, the hook and the territory folder."""
    assert inclusione_prato.__all__ == sorted(inclusione_prato.__all__)
    for name in ("build_elenco_nominativo", "build_scheda_invio", "inclusione_validate_project", "prato_dir"):
        assert name in inclusione_prato.__all__
    assert inclusione_prato.prato_dir() == TERRITORY_DIR


def test_results_record_the_prato_plugin_in_their_provenance(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """A Prato result lists the layers italia -> toscana -> prato and the plugin that checked the project."""
    result = engine.assess(example("progetto_in_corso.json"), as_of=dt.date(2025, 3, 20))
    assert [layer.territory for layer in result.provenance.layers] == ["italia", "toscana", "prato"]
    problem = result.project_problems[0]
    assert problem.decided_by is not None
    assert problem.decided_by.plugin in ("prato", "inclusione-prato")


# --------------------------------------------------------------------------- configuration


def test_zone_overrides_are_explicit(prato: Territory) -> None:
    """Prato relabels the PUA, gives the CPI a weekly booking and makes both Toscana formats participatory."""
    services = prato.section("services")
    assert services["pua"]["label"]["it"].startswith("PUA e Segretariato Sociale")
    assert services["pua"]["source"]["document"] == ARTICLE
    booking = services["cpi"]["booking"]
    assert booking["weekday"] == TUESDAY
    assert booking["source"]["kind"] == "default"  # the article says weekly, not which day
    assert "non è indicato" in booking["source"]["note"]
    formats = prato.section("equipe", "formats")
    for code in ("essenziale", "allargata"):
        fmt = formats[code]
        assert fmt["household_takes_part"] is True
        assert fmt["household_source"]["document"] == ARTICLE
        assert "beneficiario/nucleo familiare" in fmt["household_source"]["quote"]
        assert fmt["modes"] == ["in_presenza", "online"]
        assert fmt["roles"] == ["operatore_cpi", "assistente_sociale_titolare"]
    assert [t["id"] for t in formats["allargata"]["triggers"]][:2] == ["dipendenze", "salute_mentale"]
    assert prato.section("roles")["assistente_sociale_titolare"]["service"] == "ssp"


def test_every_rule_cites_the_article_or_the_dgrt_or_says_it_is_a_default(prato: Territory) -> None:
    """
    Each source of the zone layer quotes the Prato article (a practice, not binding), or the
    DGRT through the regional article; a default has a note and no quote.
    """
    documents = prato.data["documents"]
    assert documents[ARTICLE]["kind"] == "articolo_descrittivo"
    assert documents[ARTICLE]["date"] == "2021-12-03"
    assert documents[ARTICLE]["issuer"] == "F. Di Maria, N. Imprescia"
    assert not prato.documents[ARTICLE].binding
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    found = list(sources({k: v for k, v in data.items() if k != "documents"}, skip=("legal_basis",)))
    assert len(found) > 20
    for path, src in found:
        if src.get("kind") == "default":
            assert src["note"] and "quote" not in src, path
            continue
        assert src.get("quote"), path
        assert (src["document"], src.get("via")) in ((ARTICLE, None), (DGRT, TOSCANA_ARTICLE)), path


def test_every_instrument_field_cites_the_registry(prato: Territory) -> None:
    """Every x-source of the instruments' schemas names a registry document (or is a default), never a file."""
    documents = prato.data["documents"]
    for path in sorted((TERRITORY_DIR / "instruments").glob("*.json")):
        found = list(sources(json.loads(path.read_text(encoding="utf-8"))))
        assert found, path.name
        for where, src in found:
            assert src.get("kind") == "default" or src["document"] in documents, (path.name, where)


@pytest.mark.skipif(
    not os.environ.get("CI") and not SEEDS.is_dir(),
    reason="source texts not beside the repository (in CI they are, and the test runs)",
)
def test_every_quote_is_verbatim_in_its_document(prato: Territory) -> None:
    """Every quote of the chain and of the instruments' x-source occurs in its document's text, found by sha256."""
    assert quote_problems(prato, SEEDS, expect=[ARTICLE, TOSCANA_ARTICLE]) == []


def test_instruments_point_at_valid_schemas_and_examples(prato: Territory) -> None:
    """Each configured instrument has a Draft 2020-12 schema and an example that validates against it."""
    instruments = prato.section("instruments")
    assert set(instruments) == {"scheda_invio", "scheda_esito", "verbale_condivisione_progettuale", "elenco_nominativo"}
    for name in instruments:
        schema = json.loads(inclusione_prato.instrument_path(prato, name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        document = json.loads(inclusione_prato.instrument_path(prato, name, "example").read_text(encoding="utf-8"))
        assert inclusione_prato.instrument_errors(prato, name, document) == [], name


def test_examples_are_valid_cases_listed_by_the_territory(engine: Engine, prato: Territory) -> None:
    """Every example listed is a valid prato case with a title; every example and scenario file is listed."""
    assert len(prato.examples()) >= 7
    assert territory_folder_problems(engine, prato, TERRITORY_DIR) == []


# --------------------------------------------------------------------------- scenarios and issue 2, Done when


@pytest.mark.parametrize("path", sorted((TERRITORY_DIR / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_scenario_files_pass(run_scenario: Callable[..., list[Any]], path: Path) -> None:
    """Every scenario of the Prato scenario files gives its expected results."""
    outcomes = run_scenario(path, check=True)
    assert len(outcomes) >= {"storia.yaml": 4}.get(path.name, 8)


def test_a_wrong_expectation_is_reported(tmp_path: Path, run_scenario: Callable[..., list[Any]]) -> None:
    """The scenarios are really checked: changing one expected format makes its scenario fail."""
    text = (TERRITORY_DIR / "scenarios" / "prato.yaml").read_text(encoding="utf-8")
    text = text.replace("format: allargata", "format: essenziale", 1)
    text = text.replace("../examples/", f"{TERRITORY_DIR}/examples/")
    path = tmp_path / "prato_sbagliato.yaml"
    path.write_text(text, encoding="utf-8")
    failed = [o for o in run_scenario(path) if not o.passed]
    assert [o.name for o in failed] == ["dipendenza_e_lavoro_equipe_allargata_con_serd"]


def test_done_when_addiction_gives_allargata_with_serd_citing_the_dgrt(
    engine: Engine, example: Callable[[str], dict[str, Any]]
) -> None:
    """Done when: an addiction need in Prato gives the equipe allargata with SerD, the reason citing DGRT 544/2023."""
    result = engine.assess(example("dipendenze_e_lavoro.json"), as_of=dt.date(2025, 4, 15))
    assert result.equipe.format == "allargata"
    (serd,) = [m for m in result.equipe.members if m.role == "operatore_serd"]
    assert (serd.reason.source.document, serd.reason.source.via.id) == (DGRT, TOSCANA_ARTICLE)
    assert result.equipe.reasons[0].source.document == DGRT
    household = [m for m in result.equipe.members if m.role == "nucleo"]
    assert household and household[0].reason.source.document == ARTICLE
    assert "articolo descrittivo di una prassi, non vincolante" in household[0].reason.source.text("it")


def test_done_when_only_work_needs_give_essenziale(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Done when: a household with only work needs gets the equipe essenziale, in 2021 (RdC) as in 2025 (AdI)."""
    case = example("solo_lavoro.json")
    formats = {}
    for as_of in (dt.date(2021, 5, 3), dt.date(2025, 3, 3)):
        result = engine.assess(case, as_of=as_of)
        formats[as_of.year] = (result.equipe.format, sorted(m.role for m in result.equipe.members))
    assert formats[2021] == formats[2025] == ("essenziale", ["assistente_sociale_titolare", "nucleo", "operatore_cpi"])


def test_done_when_direct_request_to_siil_is_refused(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """Done when: a direct request to the SIIL is refused with its reason; in Prato the alternative is the PUA."""
    result = engine.assess(example("accesso_diretto_siil.json"), as_of=dt.date(2025, 2, 12))
    assert result.routing.outcome is RoutingOutcome.REFUSED
    assert result.routing.alternatives == ("pua",)
    (reason,) = result.routing.reasons
    assert reason.source.document == DGRT
    assert "PUA e Segretariato Sociale" in reason.message_it


@settings(max_examples=30, deadline=None)
@given(day=st.dates(min_value=dt.date(2021, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_pua_books_the_next_weekly_cpi_slot(
    engine: Engine, example: Callable[[str], dict[str, Any]], day: dt.date
) -> None:
    """Whatever the day of access to the PUA, the CPI appointment is the next weekly slot, within 7 days."""
    case = example("pua_non_valutato.json")
    case["access"]["date"] = day.isoformat()
    case["opened_on"] = day.isoformat()
    case["referrals"] = []
    routing = engine.assess(case, as_of=day).routing
    assert (routing.service, routing.channel) == ("cpi", "prenotazione_settimanale")
    assert routing.deadline is not None
    assert routing.deadline.weekday() == TUESDAY
    assert 1 <= (routing.deadline - day).days <= 7
    assert routing.deadline.isoformat() in routing.reasons[0].message_it


def test_cpi_sends_back_to_ssp_only_with_social_needs(engine: Engine, example: Callable[[str], dict[str, Any]]) -> None:
    """The CPI re-sends a case to the SSP when social needs emerge; with work needs only it keeps the case."""
    case = example("cpi_reinvio_ssp.json")
    result = engine.assess(case, as_of=dt.date(2025, 5, 20))
    assert (result.routing.service, result.routing.channel) == ("ssp", "scheda_esito")
    assert result.routing.reasons[0].source.document == ARTICLE
    case["assessment"]["needs"] = [{"code": "lavoro", "member": "m1"}]
    case["assessment"]["levels"] = [{"dimension": "lavoro", "level": 2}]
    result = engine.assess(case, as_of=dt.date(2025, 5, 20))
    assert result.routing.service == "cpi"
