"""The strict converter: JSON round-trips, and agreement with the case schema on bad input."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import cases

from inclusione_core import Case, InvalidCaseError, make_converter
from inclusione_core._convert import structure_case
from inclusione_core._schema import validate_instance
from inclusione_core.testing import minimal_case_json

CONVERTER = make_converter()


def converter_accepts(data: Any) -> bool:
    """Whether the converter structures ``data`` into a Case."""
    try:
        CONVERTER.structure(data, Case)
    except Exception:
        return False
    return True


def schema_accepts(data: Any) -> bool:
    """Whether ``data`` is valid against the shipped case schema."""
    return not validate_instance("case", data)


# --------------------------------------------------------------------------- round trip


@settings(max_examples=150)
@given(cases())
def test_every_case_round_trips_through_json_and_the_schema(case: Case) -> None:
    """Every generated case unstructures to JSON text, is valid against the schema and structures back equal."""
    text = json.dumps(CONVERTER.unstructure(case), ensure_ascii=False, allow_nan=False)
    data = json.loads(text)
    assert validate_instance("case", data) == []
    assert CONVERTER.structure(data, Case) == case


def test_unstructured_dates_and_enums_are_plain_json() -> None:
    """Dates unstructure to ISO strings and enums to their string values."""
    data = CONVERTER.unstructure(CONVERTER.structure(minimal_case_json(status="valutazione"), Case))
    assert data["opened_on"] == "2025-01-15"
    assert data["status"] == "valutazione"
    assert type(data["status"]) is str


def test_defaults_are_filled_when_absent() -> None:
    """Optional fields absent from the JSON get the model's defaults."""
    case = CONVERTER.structure(minimal_case_json(), Case)
    assert case.status.value == "accesso"
    assert case.referrals == () and case.history == () and case.assessment is None
    assert case.household.members[0].in_socio_sanitary_care is False


def test_integral_floats_are_accepted_as_integers() -> None:
    """A JSON number like 2.0 is an integer for both the converter and the schema."""
    data = minimal_case_json(assessment={"date": "2025-01-20", "levels": [{"dimension": "lavoro", "level": 2.0}]})
    assert converter_accepts(data) and schema_accepts(data)
    assert type(CONVERTER.structure(data, Case).assessment.levels[0].level) is int  # type: ignore[union-attr]


# --------------------------------------------------------------------------- agreement on bad input

WRONG_VALUES = [
    None, True, False, 0, 1, 2, 3, 4, -1, 101, 1.5, 168.5, 1e6, "", "x", "Abc", "a b", "abc\n",
    "c1", "2025-02-30", "20250101", "2025-1-5", "2025-01-01\n", "2025-01-01T00:00:00",
    "٢٠٢٥-٠١-٠١", "bassa", "sent", "diretto", [], ["x"], [1], {}, {"x": 1},
]
"""Replacement values: wrong types, out-of-range numbers, malformed dates and ids."""

UNKNOWN_KEYS = ["extra", "Id", "note_", "$schema"]


def _locations(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (sequence of keys/indexes) to a value inside a JSON document."""
    out = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _locations(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _locations(value, (*path, i))
    return out


def _containers(data: Any) -> list[tuple[Any, ...]]:
    return [p for p in _locations(data) if isinstance(_at(data, p), dict)]


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@st.composite
def mutated_cases(draw: st.DrawFn) -> tuple[str, Any]:
    """A valid case's JSON with one mutation: drop a key, add a key, or replace a value."""
    data = CONVERTER.unstructure(draw(cases()))
    data = json.loads(json.dumps(data))
    kind = draw(st.sampled_from(["replace", "add", "drop"]))
    if kind == "replace":
        path = draw(st.sampled_from(_locations(data)[1:]))
        value = copy.deepcopy(draw(st.sampled_from(WRONG_VALUES)))
        _at(data, path[:-1])[path[-1]] = value
        return f"replace {path} with {value!r}", data
    path = draw(st.sampled_from(_containers(data)))
    target = _at(data, path)
    if kind == "drop" and target:
        key = draw(st.sampled_from(sorted(target)))
        del target[key]
        return f"drop {(*path, key)}", data
    key = draw(st.sampled_from(UNKNOWN_KEYS))
    target[key] = draw(st.sampled_from(WRONG_VALUES[:8]))
    return f"add {(*path, key)}", data


@settings(max_examples=400)
@given(mutated_cases())
@example(("top-level string", "a case"))
@example(("id with trailing newline", minimal_case_json(id="c1\n")))
@example(("territory with trailing newline", minimal_case_json(territory="italia\n")))
@example(("date with trailing newline", minimal_case_json(opened_on="2025-01-01\n")))
@example(("impossible date", minimal_case_json(opened_on="2025-02-30")))
@example(("compact date", minimal_case_json(opened_on="20250101")))
@example(("bool for an int", minimal_case_json(
    assessment={"date": "2025-01-02", "levels": [{"dimension": "lavoro", "level": True}]})))
@example(("1.5 for an int", minimal_case_json(
    assessment={"date": "2025-01-02", "levels": [{"dimension": "lavoro", "level": 1.5}]})))
@example(("string for a list", minimal_case_json(
    household={"id": "h", "members": "m1"})))
@example(("empty members", minimal_case_json(household={"id": "h", "members": []})))
@example(("unknown enum value", minimal_case_json(status="aperto")))
@example(("integer for an enum", minimal_case_json(status=1)))
def test_schema_rejects_what_the_converter_rejects(mutation: tuple[str, Any]) -> None:
    """For any one mutation of a valid case, the converter accepts it exactly when the schema does."""
    what, data = mutation
    assert converter_accepts(data) == schema_accepts(data), what


@settings(max_examples=100)
@given(mutated_cases())
def test_a_refused_case_is_explained_by_path(mutation: tuple[str, Any]) -> None:
    """Whenever the converter refuses a case, InvalidCaseError lists at least one error with a JSON path."""
    _what, data = mutation
    if converter_accepts(data):
        return
    with pytest.raises(InvalidCaseError) as info:
        structure_case(CONVERTER, data, "mutated.json")
    assert info.value.details
    assert all(d.path.startswith("$") for d in info.value.details)


def test_every_error_is_listed_at_once() -> None:
    """A case with several errors raises one InvalidCaseError listing each with its JSON path."""
    data = minimal_case_json(
        opened_on="2025-02-30",
        colour="blue",
        household={"id": "nucleo 1", "members": [{"id": "m1", "disability_percent": 120}], "isee": "low"},
    )
    del data["territory"]
    with pytest.raises(InvalidCaseError) as info:
        structure_case(CONVERTER, data, "bad.json")
    err = info.value
    paths = {d.path for d in err.details}
    assert {
        "$.territory", "$.opened_on", "$.colour", "$.household.id",
        "$.household.members[0].disability_percent", "$.household.isee",
    } <= paths
    assert err.source == "bad.json"
    assert any(d.rule == "required" and d.path == "$.territory" for d in err.details)
    text = str(err)
    assert "bad.json" in text and "$.household.members[0].disability_percent" in text
    assert f"({len(err.details)} errori)" in text


def test_the_converter_reports_paths_without_the_schema() -> None:
    """errors_of turns a cattrs error group into details with JSON paths, list indexes included."""
    from inclusione_core._convert import errors_of

    data = minimal_case_json(household={"id": "h", "members": [{"id": "m1"}, {"id": "m2", "care_load": 1}]},
                             unknown=1)
    try:
        CONVERTER.structure(data, Case)
    except Exception as exc:  # the cattrs exception group
        details = errors_of(exc)
    else:  # pragma: no cover
        pytest.fail("converter accepted a bad case")
    paths = {d.path for d in details}
    assert "$.household.members[1].care_load" in paths
    assert "$.unknown" in paths
