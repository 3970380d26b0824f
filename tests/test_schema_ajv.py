"""
A second implementation: every published schema compiles under ajv's strict mode, and ajv
and jsonschema give the same verdicts on the same instances, dates included.

Valid instances come from hypothesis-jsonschema (each definition of the case, result and
view schemas, and two territory instruments) and from what the CLI really prints; invalid
ones are their mutations (a key dropped, a value of the wrong type, an unknown key, a
trailing newline, impossible dates). All of them go to ONE Node process
(``tools/ajv/ajv.mjs validate``), which prints a verdict per instance.

Without ``node`` (or ``npm ci --prefix tools/ajv``) the tests are skipped with the reason;
with ``INCLUSIONE_REQUIRE_NODE=1`` (set by ``.ci/run``) they fail instead: in CI they always run.
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis_jsonschema import from_schema
from json_outputs import published_schemas

from inclusione_core._schema import BASE_ID, DRAFT, GENERATED, file_validator, load_schema, registry, validator

ROOT = Path(__file__).resolve().parents[1]
AJV = ROOT / "tools" / "ajv" / "ajv.mjs"
REQUIRE_NODE = os.environ.get("INCLUSIONE_REQUIRE_NODE", "") not in ("", "0")
PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
IN_CI = PROFILE == "ci"
INSTRUMENTS = (
    ROOT / "territories" / "prato" / "instruments" / "scheda_invio.schema.json",
    ROOT / "territories" / "sil" / "instruments" / "scheda_personale.schema.json",
)
BAD_DATES = ("0000-01-01", "2025-02-30", "2025-13-01", "2025-01-01\n", "2023-02-29", "1900-02-29",
             "\u0662\u0660\u0662\u0665-01-01", "2025-1-01", "2025-01-01T00:00:00")
GOOD_DATES = ("2024-02-29", "2000-02-29", "0001-01-01", "9999-12-31")
DATE_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _unavailable(reason: str) -> None:
    if REQUIRE_NODE:
        pytest.fail(f"{reason} (INCLUSIONE_REQUIRE_NODE is set: the ajv checks must run here)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def node() -> str:
    """The ``node`` executable, with ajv installed under tools/ajv (skip, or fail in CI, otherwise)."""
    exe = shutil.which("node")
    if exe is None:
        _unavailable("node is not on PATH: the ajv checks (a second JSON Schema implementation) cannot run; "
                     "install Node.js 18+ and run `npm ci --prefix tools/ajv`")
    assert exe is not None
    if not (ROOT / "tools" / "ajv" / "node_modules" / "ajv" / "package.json").is_file():
        _unavailable("ajv is not installed: run `npm ci --prefix tools/ajv`")
    return exe


def _ajv(node: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([node, str(AJV), *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300, check=False)


# --------------------------------------------------------------------------- strict compilation


def test_every_published_schema_compiles_in_strict_mode(node: str) -> None:
    """`ajv.mjs compile` (Ajv2020, strict: true, allErrors, ajv-formats) compiles every published schema."""
    proc = _ajv(node, "compile")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for path in published_schemas():
        assert f"ok    {path.relative_to(ROOT)}" in proc.stdout, proc.stdout


def test_the_strict_compile_lists_every_problem(node: str, tmp_path: Path) -> None:
    """On a schema with strict-mode faults the compile step exits 1 and names each, not only the first."""
    bad = {
        "$schema": DRAFT, "$id": "urn:inclusione-check:bad",
        "properties": {"a": {"type": "string", "x-categroy": "typo"}},
        "anyOf": [{"required": ["a"]}, {"required": ["b"]}],
        "if": {"required": ["a"], "properties": {"a": True}},
    }
    path = tmp_path / "bad.schema.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    proc = _ajv(node, "compile", path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    for problem in ('unknown keyword: "x-categroy"', "strictTypes", "strictRequired"):
        assert problem in proc.stdout, proc.stdout


# --------------------------------------------------------------------------- agreement


def _wrapper(name: str, definition: str) -> dict[str, Any]:
    """A schema that is one definition of a shipped schema, by reference (the same for both implementations)."""
    return {"$schema": DRAFT, "$id": f"urn:inclusione-check:{name}/{definition}",
            "$ref": f"{BASE_ID}{name}.schema.json#/$defs/{definition}"}


def _bundled(name: str) -> dict[str, Any]:
    """A shipped schema with result.schema.json inlined (hypothesis-jsonschema resolves only local refs)."""
    schema = copy.deepcopy(load_schema(name))
    if name == "view":
        result = copy.deepcopy(load_schema("result"))
        schema["$defs"].update(result.pop("$defs"))
        schema["$defs"]["Result"] = {k: v for k, v in result.items() if k not in ("$schema", "$id")}
        schema = json.loads(json.dumps(schema).replace('"$ref": "result.schema.json"', '"$ref": "#/$defs/Result"'))
    return schema


def _draw(schema: dict[str, Any], count: int) -> list[Any]:
    """``count`` instances drawn by hypothesis-jsonschema (derandomized under the ci profile)."""
    found: list[Any] = []

    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(from_schema(schema))
    def collect(instance: Any) -> None:
        found.append(instance)

    collect()
    return found


def _paths(node: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield here, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*here, i))


def _replace(instance: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(instance)
    if not path:
        return value
    parent = out
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = value
    return out


def _mutants(instance: Any, rng: random.Random) -> Iterator[tuple[str, Any]]:
    """Variants of an instance, most of them invalid: the verdicts of both implementations must match."""
    nodes = list(_paths(instance))
    objects = [(p, n) for p, n in nodes if isinstance(n, dict)]
    strings = [(p, n) for p, n in nodes if isinstance(n, str)]
    dates = [(p, n) for p, n in strings if DATE_LIKE.match(n)]
    with_keys = [(p, n) for p, n in objects if n]
    if with_keys:
        path, obj = rng.choice(with_keys)
        key = rng.choice(sorted(obj))
        yield "drop key", _replace(instance, path, {k: v for k, v in obj.items() if k != key})
    if len(nodes) > 1:
        path, value = rng.choice(nodes[1:])
        others = [v for v in (0, 1.5, "x", True, None, [], {}) if type(v) is not type(value)]
        yield "wrong type", _replace(instance, path, rng.choice(others))
    if objects:
        path, obj = rng.choice(objects)
        yield "unknown key", _replace(instance, path, {**obj, "chiave_sconosciuta": 1})
    if strings:
        path, text = rng.choice(strings)
        yield "trailing newline", _replace(instance, path, text + "\n")
    if dates:
        path, _text = rng.choice(dates)
        for day in (*BAD_DATES, *GOOD_DATES):
            yield f"date {day!r}", _replace(instance, path, day)


class _Batch:
    """Instances to check, each with its schema key (a $id) and the Python validator of that schema."""

    def __init__(self) -> None:
        self.extra: list[dict[str, Any]] = []
        self.items: list[tuple[str, str, Any]] = []  # (schema key, label, instance)
        self.python: dict[str, Any] = {}
        self.expected: dict[int, bool] = {}  # index -> verdict both must give

    def target(self, key: str, check: Any, wrapper: dict[str, Any] | None = None) -> None:
        self.python[key] = check
        if wrapper is not None:
            self.extra.append(wrapper)

    def add(self, key: str, label: str, instance: Any, rng: random.Random, *, mutate: bool = True) -> None:
        self.items.append((key, label, instance))
        if mutate:
            for how, mutant in _mutants(instance, rng):
                self.items.append((key, f"{label}, {how}", mutant))

    def expect(self, key: str, label: str, instance: Any, valid: bool) -> None:
        self.expected[len(self.items)] = valid
        self.items.append((key, label, instance))


def _real_instances() -> dict[str, list[Any]]:
    """What the project really produces, by schema key: example cases, CLI lines and views, instrument examples."""
    from json_outputs import EXAMPLES, RECIPIENTS, assess_lines, error_outputs, privacy_views

    lines = [line for r in RECIPIENTS for line in assess_lines(r)]
    real: dict[str, list[Any]] = {
        f"{BASE_ID}case.schema.json": [json.loads(p.read_text(encoding="utf-8")) for p in EXAMPLES],
        f"{BASE_ID}result.schema.json": [line["result"] for line in lines if "result" in line],
        f"{BASE_ID}view.schema.json": [*lines, *privacy_views(), *error_outputs()],
    }
    for path in INSTRUMENTS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        example = path.parent / "examples" / path.name.replace(".schema.json", ".json")
        real[schema["$id"]] = [json.loads(example.read_text(encoding="utf-8"))]
    return real


# Too slow for hypothesis-jsonschema (whole results, minutes): checked on what the CLI prints instead.
NOT_DRAWN = {f"{BASE_ID}result.schema.json", f"{BASE_ID}view.schema.json", "urn:inclusione-check:view/result_view"}
# Slow to draw (seconds each): only under the ci profile.
SLOW = {f"{BASE_ID}case.schema.json", "urn:inclusione-check:view/case_view", "urn:inclusione-check:view/CaseView",
        "https://inclusione-core.example/territories/prato/instruments/scheda_invio.schema.json"}


def _build_batch(rng: random.Random) -> _Batch:
    """
    Under the ci profile every definition (3 drawn instances each) and 10 real instances per schema;
    by default, for a few seconds, 3 definitions drawn at random (2 each) and 2 real instances per schema.
    """
    from jsonschema import Draft202012Validator

    batch = _Batch()
    generated: list[tuple[str, dict[str, Any]]] = []  # (key, schema to draw from)
    for name in GENERATED:
        key = f"{BASE_ID}{name}.schema.json"
        batch.target(key, validator(name))
        bundled = _bundled(name)
        generated.append((key, bundled))
        for definition in sorted(load_schema(name)["$defs"]):
            wrapper = _wrapper(name, definition)
            check = Draft202012Validator(wrapper, registry=registry(),
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
            batch.target(wrapper["$id"], check, wrapper)
            generated.append((wrapper["$id"], {"$ref": f"#/$defs/{definition}", "$defs": bundled["$defs"]}))
    for path in INSTRUMENTS:
        schema = json.loads(path.read_text(encoding="utf-8"))
        batch.target(schema["$id"], file_validator(path))
        generated.append((schema["$id"], schema))
    generated = [(key, schema) for key, schema in generated if key not in NOT_DRAWN]
    if IN_CI:
        count, real = 3, 10
    else:
        count, real = 2, 2
        generated = rng.sample([g for g in generated if g[0] not in SLOW], 3)
    for key, schema in generated:
        for i, instance in enumerate(_draw(schema, count)):
            batch.add(key, f"{key} drawn #{i}", instance, rng)
    for key, instances in _real_instances().items():
        chosen = rng.sample(instances, min(real, len(instances)))
        for i, instance in enumerate(chosen):
            batch.add(key, f"{key} real #{i}", instance, rng)
    case = json.loads((ROOT / "territories" / "prato" / "examples" / "solo_lavoro.json").read_text(encoding="utf-8"))
    for day in BAD_DATES:
        batch.expect(f"{BASE_ID}case.schema.json", f"opened_on {day!r}", {**case, "opened_on": day}, False)
    for day in GOOD_DATES:
        batch.expect(f"{BASE_ID}case.schema.json", f"opened_on {day!r}", {**case, "opened_on": day}, True)
    return batch


def test_jsonschema_and_ajv_give_the_same_verdicts(node: str, tmp_path: Path) -> None:
    """On drawn, real and mutated instances (dates included) Python's jsonschema and ajv agree, in one Node run."""
    rng = random.Random(0 if IN_CI else None)
    batch = _build_batch(rng)
    schemas = [p for p in published_schemas() if p.parent.name == "schemas" and p.parent.parent.name ==
               "inclusione_core"] + list(INSTRUMENTS)
    file = tmp_path / "batch.json"
    file.write_text(json.dumps({"schemas": [str(p) for p in schemas], "extra": batch.extra,
                                "instances": [{"schema": k, "data": d} for k, _label, d in batch.items]}),
                    encoding="utf-8")
    proc = _ajv(node, "validate", file)
    assert proc.returncode == 0, proc.stderr
    verdicts = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [v["i"] for v in verdicts] == list(range(len(batch.items)))
    disagreements = []
    counts = {True: 0, False: 0}
    for i, ((key, label, instance), verdict) in enumerate(zip(batch.items, verdicts, strict=True)):
        python = batch.python[key].is_valid(instance)
        counts[python] += 1
        if python is not verdict["valid"]:
            disagreements.append(f"{label}: jsonschema {python}, ajv {verdict['valid']} {verdict['errors'][:2]}\n"
                                 f"    {json.dumps(instance, ensure_ascii=False)[:400]}")
        if i in batch.expected:
            assert python is batch.expected[i], label
    assert not disagreements, f"{len(disagreements)} of {len(batch.items)} verdicts differ:\n" + \
        "\n".join(disagreements[:10])
    assert counts[True] > 20 and counts[False] > 20, counts  # both kinds were really checked


# --------------------------------------------------------------------------- the HTTP contract


def _openapi_bundle() -> dict[str, Any]:
    """The OpenAPI document's components as one Draft 2020-12 schema (``#/components/schemas/X`` -> ``#/$defs/X``)."""
    from inclusione_core.http import TrustedHeaders
    from inclusione_core.http._openapi import openapi_document

    schemas = openapi_document(version="0", headers=TrustedHeaders().names())["components"]["schemas"]
    text = json.dumps(schemas).replace('"#/components/schemas/', '"#/$defs/')
    return {"$schema": DRAFT, "$id": "urn:inclusione-check:openapi", "$defs": json.loads(text)}


def _http_instances() -> dict[str, list[Any]]:
    """What the service really answers, by component: views, steps, explanations, problems, catalogues."""
    from starlette.testclient import TestClient

    from inclusione_core.http import create_app

    app = create_app()
    example, _day = app.state.service._example()
    who = {"X-Inclusione-Subject": "op", "X-Inclusione-Recipient": "cpi", "X-Inclusione-Purpose": "equipe"}
    body = {"case": example, "as_of": "2025-04-15"}
    with TestClient(app) as c:
        return {
            "View.result_view": [c.post("/v1/evaluate", json=body, headers=who).json()],
            "Step.routing": [c.post("/v1/routing", json=body, headers=who).json()],
            "Step.interventions": [c.post("/v1/interventions", json=body, headers=who).json()],
            "Explanation": [c.post("/v1/explain/equipe", json=body, headers=who).json()],
            "Problem": [c.post("/v1/evaluate", json={"case": {"id": "x"}}, headers=who).json(),
                        c.post("/v1/evaluate", json=body).json()],
            "TerritoryList": [c.get("/v1/territories").json()],
            "Catalogue": [c.get("/v1/territories/prato/interventions").json()],
            "EvaluationRequest": [body],
        }


def test_the_openapi_components_compile_and_both_implementations_agree(node: str, tmp_path: Path) -> None:
    """The contract's schemas compile under ajv's strict mode; ajv and jsonschema agree on real answers and mutants."""
    pytest.importorskip("starlette", reason="the HTTP extra is not installed")
    from jsonschema import Draft202012Validator, FormatChecker

    bundle = _openapi_bundle()
    path = tmp_path / "openapi.schema.json"
    # every component referenced from the root, so that compiling the root compiles them all
    path.write_text(json.dumps({**bundle, "anyOf": [{"$ref": f"#/$defs/{k}"} for k in bundle["$defs"]]}),
                    encoding="utf-8")
    compiled = _ajv(node, "compile", path)
    assert compiled.returncode == 0, compiled.stdout + compiled.stderr
    rng = random.Random(17)
    batch = _Batch()
    for component, instances in _http_instances().items():
        key = f"urn:inclusione-check:openapi/{component}"
        check = Draft202012Validator({**bundle, "$id": key, "$ref": f"#/$defs/{component}"},
                                     format_checker=FormatChecker())
        batch.target(key, check, {"$schema": DRAFT, "$id": key, "$ref": f"urn:inclusione-check:openapi#/$defs/"
                                                                         f"{component}"})
        for i, instance in enumerate(instances):
            batch.expect(key, f"{component} {i}", instance, True)
            for how, mutant in _mutants(instance, rng):
                batch.items.append((key, f"{component} {i}, {how}", mutant))
    request = tmp_path / "batch.json"
    request.write_text(json.dumps({"schemas": [str(path)], "extra": batch.extra,
                                   "instances": [{"schema": k, "data": d} for k, _, d in batch.items]}),
                       encoding="utf-8")
    proc = _ajv(node, "validate", request)
    assert proc.returncode == 0, proc.stderr
    verdicts = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(verdicts) == len(batch.items)
    disagree = []
    for (key, label, data), verdict in zip(batch.items, verdicts, strict=True):
        python = batch.python[key].is_valid(data)
        if python != verdict["valid"]:
            disagree.append(f"{label}: jsonschema {python}, ajv {verdict['valid']} {verdict['errors'][:2]}")
        expected = batch.expected.get(verdicts.index(verdict))
        assert expected is None or expected == python, label
    assert not disagree, "\n".join(disagree[:10])
