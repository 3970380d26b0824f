"""
Predicates compiled into plain callables (issue 18, item 1) decide exactly as the
condition language's definition: the recursive reading kept here as the reference, in two
and in three values, with the same inputs recorded and the same data named as missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import _predicates
from inclusione_core._predicates import Inputs, Unknown, evaluate, evaluate3
from inclusione_core.i18n import Message


def _leaf(name: str, answer: bool | None) -> Any:
    def test(value: Any, facts: Any, inputs: Inputs) -> bool | None:
        inputs[f"{name}.{value}"] = answer
        inputs.uses(name)
        if answer is None:
            inputs.lacks(f"{name}:{value}", Message("the score of {instrument} (not recorded)", instrument=name))
        return answer

    return test


LEAVES = {"t": _leaf("t", True), "f": _leaf("f", False), "u": _leaf("u", None)}


def reference2(predicate: Mapping[str, Any], inputs: Inputs) -> bool:
    ((key, value),) = predicate.items()
    if key == "all":
        return all([reference2(p, inputs) for p in value])  # noqa: C419
    if key == "any":
        return any([reference2(p, inputs) for p in value])  # noqa: C419
    if key == "not":
        return not reference2(value, inputs)
    hit = bool(LEAVES[key](value, None, inputs))
    inputs.unknown.clear()
    return hit


def reference3(predicate: Mapping[str, Any], inputs: Inputs) -> tuple[bool | None, list[Unknown]]:
    ((key, value),) = predicate.items()
    if key in ("all", "any"):
        parts = [reference3(p, inputs) for p in value]
        decisive = key == "any"
        if any(v is decisive for v, _ in parts):
            return decisive, []
        missing = [u for v, us in parts if v is None for u in us]
        return (None, missing) if any(v is None for v, _ in parts) else (not decisive, [])
    if key == "not":
        v, missing = reference3(value, inputs)
        return (None if v is None else not v), missing
    hit = LEAVES[key](value, None, inputs)
    missing = list(inputs.unknown)
    inputs.unknown.clear()
    return (None if hit is None else bool(hit)), missing if hit is None else []


leaves = st.builds(lambda k, n: {k: n}, st.sampled_from(sorted(LEAVES)), st.integers(0, 3))
predicates = st.recursive(leaves, lambda inner: st.one_of(
    st.builds(lambda ps: {"all": ps}, st.lists(inner, max_size=4)),
    st.builds(lambda ps: {"any": ps}, st.lists(inner, max_size=4)),
    st.builds(lambda p: {"not": p}, inner)), max_leaves=12)


@pytest.fixture(autouse=True)
def _test_leaves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_predicates, "_EVALUATORS", LEAVES)
    monkeypatch.setattr(_predicates, "_TWO", {})
    monkeypatch.setattr(_predicates, "_THREE", {})


@given(predicate=predicates)
def test_compiled_predicates_decide_as_the_definition(predicate: dict[str, Any]) -> None:
    for _ in range(2):  # compiled on the first call, found again on the second
        expected, seen = reference2(predicate, Inputs()), Inputs()
        ref = Inputs()
        assert reference2(predicate, ref) is expected
        assert evaluate(predicate, None, seen)[0] is expected  # type: ignore[arg-type]
        assert dict(seen) == dict(ref) and seen.categories == ref.categories

        ref3 = Inputs()
        value, missing = reference3(predicate, ref3)
        got, seen3, named = evaluate3(predicate, None, Inputs())  # type: ignore[arg-type]
        assert got is value
        assert named == (() if value is not None else tuple({u.code: u for u in missing}.values()))
        assert dict(seen3) == dict(ref3) and seen3.categories == ref3.categories


def test_a_predicate_is_compiled_once_and_a_new_one_never_takes_its_place(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = _predicates._two

    def counting(p: Mapping[str, Any]) -> Any:
        calls.append(p)
        return real(p)

    monkeypatch.setattr(_predicates, "_two", counting)
    predicate = {"all": [{"t": 1}, {"not": {"f": 2}}]}
    for _ in range(3):
        assert evaluate(predicate, None)[0] is True  # type: ignore[arg-type]
    assert [p for p in calls if p is predicate] == [predicate]
    for answer in range(20):  # predicates made for one call, freed at once: each its own answer
        assert evaluate({"t" if answer % 2 else "f": answer}, None)[0] is bool(answer % 2)  # type: ignore[arg-type]
