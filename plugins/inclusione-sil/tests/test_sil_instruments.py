"""The SIL instruments: JSON Schemas with filled-in examples, sources, and their use with the core's vocabulary."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest
from jsonschema import Draft202012Validator

import inclusione_sil
from inclusione_core import Engine, Grade, InputError, Territory
from inclusione_sil import consent_from_scheda_privacy, instrument_errors, instrument_path, levels_from_griglia

ROOT = Path(__file__).resolve().parents[3]
INSTRUMENTS = ROOT / "territories" / "sil" / "instruments"
NAMES = ("scheda_personale", "griglia_colloquio", "scheda_privacy", "piano_valutazione", "progetto_intervento",
         "notifica_esito_negativo")


def example_of(sil: Territory, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(instrument_path(sil, name, "example").read_text(encoding="utf-8"))
    return data


def objects(node: Any, path: str = "$") -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every object schema (``type: object``) inside a JSON Schema."""
    if isinstance(node, Mapping):
        if node.get("type") == "object":
            yield path, node
        for key, value in node.items():
            yield from objects(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from objects(value, f"{path}[{i}]")


def test_the_territory_configures_the_five_instruments_and_the_notice(sil: Territory) -> None:
    """The five instruments of §3 and the notice of a negative decision are configured, each citing seed 004."""
    instruments = sil.section("instruments")
    assert set(instruments) == set(NAMES)
    for name in NAMES:
        assert instruments[name]["source"]["document"] == inclusione_sil.DOCUMENT


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_strict_italian_and_cited(sil: Territory, name: str) -> None:
    """Each schema is valid Draft 2020-12, closes every object (additionalProperties false) and cites its source."""
    schema = json.loads(instrument_path(sil, name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["x-source"]["document"] == inclusione_sil.DOCUMENT
    for path, node in objects(schema):
        assert node.get("additionalProperties") is False, path
    assert "case_id" in schema["required"]


@pytest.mark.parametrize("name", NAMES)
def test_each_example_validates(sil: Territory, name: str) -> None:
    """The filled-in example of each instrument validates against its schema."""
    assert instrument_errors(sil, name, example_of(sil, name)) == []


def test_errors_are_listed_by_path(sil: Territory) -> None:
    """A progetto di intervento of 30 months with an unknown field lists both errors by JSON path."""
    doc = example_of(sil, "progetto_intervento")
    doc["tempi"]["durata_mesi"] = 30
    doc["colore"] = "blu"
    paths = [d.path for d in instrument_errors(sil, "progetto_intervento", doc)]
    assert paths == ["$.colore", "$.tempi.durata_mesi"]


def test_negative_decision_needs_its_reason_in_the_scheda_personale(sil: Territory) -> None:
    """A negative decision recorded in the scheda personale without a motivazione does not validate."""
    doc = example_of(sil, "scheda_personale")
    doc["decisione"] = {"data": "2025-03-10", "esito": "negativo"}
    assert [d.path for d in instrument_errors(sil, "scheda_personale", doc)] == ["$.decisione.motivazione"]
    doc["decisione"]["motivazione"] = "Nessuna postazione compatibile"
    assert instrument_errors(sil, "scheda_personale", doc) == []


def test_the_griglia_gives_the_levels_of_the_case(engine: Engine, sil: Territory,
                                                   example: Callable[[str], dict[str, Any]]) -> None:
    """The griglia per colloquio of the 50% invalidity case gives the same levels, hence the same grade (media)."""
    levels = levels_from_griglia(example_of(sil, "griglia_colloquio"), sil)
    assert {lv.dimension for lv in levels} == set(inclusione_sil.tables_for(sil).items())
    data = example("l68_invalidita_50.json")
    case = engine.load_case(data)
    assert case.assessment is not None
    recorded = {lv.dimension: lv.level for lv in case.assessment.levels if lv.dimension.startswith("sil_")}
    assert {lv.dimension: lv.level for lv in levels} == recorded
    lavoro = [lv for lv in case.assessment.levels if lv.dimension == "lavoro"]
    case = attrs.evolve(case, assessment=attrs.evolve(case.assessment, levels=(*lavoro, *levels)))
    assert engine.assess(case, as_of=dt.date(2025, 3, 10)).profile.profile.occupability is Grade.MEDIA
    with pytest.raises(InputError):
        levels_from_griglia({"case_id": "x"}, sil)


def test_the_scheda_privacy_gives_a_consent(engine: Engine, sil: Territory,
                                            example: Callable[[str], dict[str, Any]]) -> None:
    """The scheda privacy of phase 5 becomes a consent of the case, valid from its date to its expiry."""
    scheda = example_of(sil, "scheda_privacy")
    consent = consent_from_scheda_privacy(scheda, sil)
    assert consent is not None
    assert consent.member == "m1"
    assert consent.valid_on(dt.date(2025, 3, 10)) and not consent.valid_on(dt.date(2027, 3, 10))
    assert {str(c) for c in consent.categories} == {"identity", "contact", "work", "education", "health"}
    case = engine.load_case({**example("l68_invalidita_50.json"), "consents": [engine.to_json(consent)]})
    assert case.consents == (consent,)
    scheda["consenso"] = {"prestato": False}
    assert consent_from_scheda_privacy(scheda, sil) is None
