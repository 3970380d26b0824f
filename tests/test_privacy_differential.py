"""
Differential privacy test (issue 10): what a recipient receives is the same whatever data it
may not receive.

For each reference territory, generated pairs of cases differ only in data of one category
about one data subject (see ``differential``); for every recipient kind and purpose that
has no basis for that data (no law flow, and no valid consent of its subject), the
recipient's views of the case and of the result, as JSON (data, disclosed, not_disclosed,
masked) and as text, must be byte-identical across the pair. 10,000 pairs per territory in
CI (``HYPOTHESIS_PROFILE=ci``), a few hundred by default.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from differential import World, draw_base, draw_variant, load, world
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from privacy_oracle import CountingLog

from inclusione_core import Engine, Policy, Purpose, Result, View
from inclusione_core._render import result_text, view_text
from inclusione_core.testing import FixedClock

TERRITORIES = ("italia", "toscana", "prato", "sil", "piemonte", "bologna")
NOW = dt.datetime(2025, 6, 2, 10, 0, tzinfo=dt.UTC)
AS_OF = (dt.date(2021, 5, 3), dt.date(2024, 6, 1), dt.date(2025, 4, 15), dt.date(2026, 2, 1))
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
VARIANTS = 4
"""Pairs drawn per example: one base, assessed and viewed once, against four variants."""
CI_PAIRS = 10_000
PAIRS = settings(
    settings.get_profile("privacy"), max_examples=3_600 if PROFILE == "ci" else 60,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

_WORLDS: dict[str, World] = {}


def _world(territory: str) -> World:
    if territory not in _WORLDS:
        engine = Engine(clock=FixedClock(NOW), audit=CountingLog())  # 10,000s of disclosures: counted, not kept
        if territory not in engine.index.ids():
            pytest.skip(f"territory {territory} not installed")
        _WORLDS[territory] = world(engine, territory)
    return _WORLDS[territory]


def _json(engine: Engine, view: View) -> str:
    """What leaves with a view, as the recipient gets it (the per-path withheld list stays with the controller)."""
    return json.dumps({
        "data": view.data, "disclosed": engine.to_json(list(view.disclosed)),
        "not_disclosed": engine.to_json(list(view.not_disclosed)), "masked": list(view.masked),
        "at": view.at.isoformat() if view.at else None,
    }, ensure_ascii=False, sort_keys=True)


def _difference(x: str, y: str, is_json: bool) -> str:
    """Where two outputs first differ: a JSON path and both values, or the first differing lines."""
    if not is_json:
        pairs = [(i, p, q) for i, (p, q) in enumerate(zip(x.splitlines(), y.splitlines(), strict=False)) if p != q]
        return f"line {pairs[0][0]}: {pairs[0][1]!r} != {pairs[0][2]!r}" if pairs else "different lengths"

    def walk(p: Any, q: Any, path: str) -> str | None:
        if isinstance(p, dict) and isinstance(q, dict):
            for k in sorted(set(p) | set(q)):
                found = walk(p.get(k, "<absent>"), q.get(k, "<absent>"), f"{path}.{k}")
                if found:
                    return found
            return None
        if isinstance(p, list) and isinstance(q, list) and len(p) == len(q):
            return next((f for i, (u, v) in enumerate(zip(p, q, strict=True)) if (f := walk(u, v, f"{path}[{i}]"))),
                        None)
        return None if p == q else f"{path}: {json.dumps(p, ensure_ascii=False)[:300]} != " \
                                   f"{json.dumps(q, ensure_ascii=False)[:300]}"

    return walk(json.loads(x), json.loads(y), "$") or "?"


def _outputs(w: World, case: Any, result: Result, kind: str, purpose: Purpose) -> tuple[str, ...]:
    engine = w.engine
    rview = engine.disclose_result(result, case, recipient=kind, purpose=purpose)
    cview = engine.disclose_case(case, recipient=kind, purpose=purpose, as_of=result.as_of)
    return (_json(engine, rview), result_text(rview, w.territory, "it"),
            _json(engine, cview), view_text(cview, w.territory, "it"))


@pytest.fixture(scope="module")
def pairs() -> Iterator[dict[str, int]]:
    """How many pairs each territory compared; in CI at least 10,000 each (checked at the end)."""
    counted: dict[str, int] = {}
    yield counted
    if PROFILE == "ci":
        short = {t: n for t, n in counted.items() if n < CI_PAIRS}
        assert not short, f"fewer than {CI_PAIRS} pairs compared: {short}"


@pytest.mark.parametrize("territory", TERRITORIES)
@PAIRS
@given(data=st.data())
def test_a_recipient_receives_the_same_whatever_it_may_not_receive(territory: str, data: st.DataObject,
                                                                    pairs: dict[str, int]) -> None:
    """Two cases differing only in data a recipient may not receive give it byte-identical views and texts."""
    w = _world(territory)
    base = data.draw(st.composite(lambda draw: draw_base(draw, w))(), label="base")
    a = load(w.engine, base)
    assume(a is not None)
    assert a is not None
    as_of = data.draw(st.sampled_from(AS_OF), label="as_of")
    ra = w.engine.assess(a, as_of=as_of)
    policy = Policy.of(w.territory)
    grants = {(kind, purpose): policy.grants(a, kind, purpose, NOW.date())
              for kind in w.recipients for purpose in Purpose}
    viewed: dict[Any, tuple[str, Purpose, tuple[str, ...]]] = {}  # the base's outputs, once per kind of grants
    for _ in range(VARIANTS):
        variant, category, subject, name = data.draw(st.composite(lambda draw: draw_variant(draw, w, base))(),
                                                     label="variant")
        b = load(w.engine, variant)
        if b is None or not subject:
            continue
        rb = w.engine.assess(b, as_of=as_of)
        compared: set[Any] = set()
        for (kind, purpose), g in grants.items():
            if g.allows(category, subject):
                continue  # the recipient may receive this datum: not a withheld difference
            # recipients and purposes with the same grants get the same views but for their names: one of each
            same = (frozenset(g.law), frozenset(g.consent_flows),
                    frozenset((c, frozenset(m)) for c, m in g.covered.items()))
            if same in compared:
                continue
            compared.add(same)
            if same not in viewed:
                viewed[same] = (kind, purpose, _outputs(w, a, ra, kind, purpose))
            seen_by, for_what, left = viewed[same]
            right = _outputs(w, b, rb, seen_by, for_what)
            for what, x, y in zip(("result JSON", "result text", "case JSON", "case text"), left, right, strict=True):
                assert x == y, (f"{seen_by}/{for_what.value} sees {name} ({category} of {subject}) in its {what}: "
                                f"{_difference(x, y, what.endswith('JSON'))}")
        pairs[territory] = pairs.get(territory, 0) + bool(compared)
