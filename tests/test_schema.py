"""The JSON Schemas: the shipped case schema is the generated one, and every schema is valid."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest
import yaml

from inclusione_core import Case
from inclusione_core._fields import DOC_KEY
from inclusione_core._predicates import known_predicates
from inclusione_core._schema import (
    SCHEMA_NAMES,
    generate_case_schema,
    load_schema,
    schema_text,
    validate_instance,
)

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_case_schema_is_the_generated_one() -> None:
    """The shipped case.schema.json equals generate_case_schema(): regenerate it after changing a model."""
    assert json.loads(schema_text("case")) == generate_case_schema(), (
        "case.schema.json is out of date: regenerate it from the models (`inclusione schema`)"
    )


def test_shipped_case_schema_is_formatted_as_generated() -> None:
    """The shipped case schema is the generator's output written with 2-space indentation."""
    assert schema_text("case") == json.dumps(generate_case_schema(), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    """Each shipped schema passes the Draft 2020-12 metaschema check."""
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"{name}.schema.json")


def test_case_schema_covers_every_model_field() -> None:
    """Every field of every model reachable from Case is a schema property with its description."""
    schema = generate_case_schema()
    defs = {"Case": schema, **schema["$defs"]}
    for name, body in defs.items():
        cls = Case if name == "Case" else getattr(__import__("inclusione_core._models", fromlist=[name]), name)
        fields = {a.name: a for a in attrs.fields(cls)}
        assert set(body["properties"]) == set(fields), name
        assert body["additionalProperties"] is False
        for field_name, prop in body["properties"].items():
            assert prop["description"] == fields[field_name].metadata[DOC_KEY]
        required = {n for n, a in fields.items() if a.default is attrs.NOTHING}
        assert set(body.get("required", [])) == required, name


def test_the_italia_layer_is_valid_against_the_territory_schema() -> None:
    """The shipped national layer validates against territory.schema.json."""
    data = yaml.safe_load((ROOT / "territories" / "italia" / "territory.yaml").read_text(encoding="utf-8"))
    # dates stay strings when the configuration loader reads them; mimic it
    data = json.loads(json.dumps(data, default=str))
    assert validate_instance("territory", data) == []


def test_the_predicate_language_matches_the_schema() -> None:
    """The predicate keys the territory schema allows are exactly those the evaluator understands."""
    predicate = load_schema("territory")["$defs"]["predicate"]
    assert set(predicate["properties"]) == known_predicates()


def test_validation_errors_carry_path_value_and_rule() -> None:
    """validate_instance reports every error with its JSON path, offending value and schema keyword."""
    data = {"id": "c 1", "territory": "italia", "opened_on": "2025-13-01",
            "household": {"id": "h", "members": [{"id": "m1", "extra": 1}]}}
    details = {d.path: d for d in validate_instance("case", data)}
    assert details["$.id"].rule == "pattern" and details["$.id"].value == "c 1"
    assert details["$.opened_on"].rule == "format"
    assert details["$.household.members[0].extra"].rule == "additionalProperties"
