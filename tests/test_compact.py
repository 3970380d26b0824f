"""
The compact form of the views' JSON (issue 18, item 2): the CLI's default, smaller, and
nothing lost that the territory's configuration does not give back.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from inclusione_core import Citation, Engine
from inclusione_core._compact import compact_view
from inclusione_core._schema import validate_instance

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2025, 4, 15)
EXAMPLES = sorted((ROOT / "territories").glob("*/examples/*.json"))
RECIPIENTS = ("ssp", "cpi")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine()


def _views(engine: Engine) -> list[Any]:
    out = []
    for path in EXAMPLES:
        case = engine.load_case(json.loads(path.read_text(encoding="utf-8")), str(path))
        result = engine.assess(case, as_of=AS_OF)
        for recipient in RECIPIENTS:
            out.append(engine.disclose_result(result, case, recipient=recipient, purpose="equipe"))
    return out


def _reasons(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        if "rule" in value and "message_it" in value and "source" in value:
            return [value]
        return [r for v in value.values() for r in _reasons(v)]
    if isinstance(value, list):
        return [r for v in value for r in _reasons(v)]
    return []


def test_the_compact_form_is_valid_smaller_and_keeps_every_reason(engine: Engine) -> None:
    full_bytes = compact_bytes = 0
    for view in _views(engine):
        full, compact = view.to_json("full"), view.to_json("compact")
        assert validate_instance("view", compact) == []
        full_bytes += len(orjson.dumps(full))
        compact_bytes += len(orjson.dumps(compact))
        # the same reasons in the same places: rule, layer, messages and facts unchanged
        pairs = list(zip(_reasons(full["result"]), _reasons(compact["result"]), strict=True))
        for f, c in pairs:
            for key in ("rule", "territory", "message_it", "message_en"):
                assert c[key] == f[key]
            assert c.get("inputs", {}) == f["inputs"]
            assert c.get("categories", ["process"]) == f["categories"]
            assert (c.get("valid_from"), c.get("valid_to")) == (f["valid_from"], f["valid_to"])
        # everything outside the reasons and the legal bases is the same
        assert {k: v for k, v in compact.items() if k not in ("result", "disclosed")} == \
            {k: v for k, v in full.items() if k not in ("result", "disclosed")}
        assert compact["result"]["provenance"] == full["result"]["provenance"]
    assert compact_bytes * 1.5 < full_bytes, (full_bytes, compact_bytes)


def test_what_the_compact_form_leaves_out_the_configuration_gives_back(engine: Engine) -> None:
    """A citation from its document id, section, quote and note; a legal basis from its flow."""
    checked = 0
    for view in _views(engine):
        territory = engine.territory(view.territory)
        full, compact = view.to_json("full"), view.to_json("compact")
        for f, c in zip(_reasons(full["result"]), _reasons(compact["result"]), strict=True):
            source = c["source"]
            via = source.get("via")
            document = territory.documents[source["document"]] if source.get("document") else None
            section = source.get("section", "")
            through = territory.documents[via["id"]] if via else None
            if source["kind"] == "default":  # a project default (naming the document it reads, perhaps)
                rebuilt = Citation.default(source.get("note", ""), document=document, section=section, via=through)
                rebuilt = attrs.evolve(rebuilt, text_en=source["text_en"])  # the English of a note in code
            else:
                assert document is not None
                rebuilt = Citation.of(document, section=section, quote=source.get("quote", ""),
                                      note=source.get("note", ""), via=through)
                checked += 1
            assert engine.converter.unstructure(rebuilt) == f["source"]
        for f, c, d in zip(full["disclosed"], compact["disclosed"], view.disclosed, strict=True):
            assert "legal_basis" not in c
            assert c == {k: v for k, v in f.items() if k != "legal_basis"}
            flows = territory.section("privacy", "flows")
            assert str(territory.citation(flows[d.flow]["legal_basis"])) == f["legal_basis"]
    assert checked > 50


_json = st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["rule", "message_it", "source", "inputs", "note", "document", "x"]),
                         inner, max_size=4), max_leaves=12)


@given(result=_json, disclosed=st.lists(st.dictionaries(st.sampled_from(["flow", "legal_basis", "category"]),
                                                          st.text(max_size=3)), max_size=3))
def test_compacting_never_changes_its_input_and_is_a_function_of_it(result: Any, disclosed: Any) -> None:
    """Whatever it is given (a masked reason, a null): a copy, never the view's own data, changed."""
    full = {"result": result, "disclosed": disclosed, "case_id": "c"}
    before = orjson.dumps(full)
    once = compact_view(full)
    assert orjson.dumps(full) == before
    assert compact_view(orjson.loads(before)) == once
    assert all("legal_basis" not in d for d in once["disclosed"])


def test_the_cli_prints_the_compact_form_and_the_full_one_on_request(tmp_path: Path) -> None:
    case = EXAMPLES[0]
    argv = [sys.executable, "-m", "inclusione_core.cli", "--json", "assess", "--as-of", AS_OF.isoformat(), str(case)]
    compact = orjson.loads(subprocess.run(argv, capture_output=True, check=True).stdout)
    full = orjson.loads(subprocess.run([*argv[:4], "--explain", "full", *argv[4:]], capture_output=True,
                                       check=True).stdout)
    assert {**compact, "at": None} == {**compact_view(full), "at": None}  # two runs: two moments
    assert "text_it" in json.dumps(full) and "text_it" not in json.dumps(compact)
    assert all("legal_basis" in d for d in full["disclosed"])
