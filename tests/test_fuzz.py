"""
The fuzz suite (issue 11): schema-valid, mutated and hostile inputs to the CLI and the public API.

Every test asserts only that the answer is clean: a result, or an ``InclusioneError``
(exit 2 on the command line) naming where; never another exception, a traceback, a lost
line or invalid JSON. The inputs:

* raw JSON documents and JSON Lines streams, mutated at the byte level and seeded with the
  hostile values of the issue (nesting 10^5 deep, 5,000-digit integers, NaN, repeated keys,
  invalid UTF-8, lone surrogates, over-long texts and lines, truncation);
* cases drawn from the models (schema-valid by construction), then mutated at a random
  path with hostile Python values, given to ``Engine.load_case`` and ``Engine.assess``;
* JSON Lines batches through ``inclusione --json assess`` and ``validate``: exactly one
  output per input line, in order;
* territory layers (YAML) mutated at the byte level and with alias bombs, through the
  reader and the layer check;
* cases and scenario files drawn by hypothesis-jsonschema from the published schemas.

Size: the ``fuzz`` profile (``conftest.py``) holds the number of inputs of the whole suite,
100,000 under ``HYPOTHESIS_PROFILE=ci``, a few hundred otherwise; :data:`SHARES` splits it
between the tests (an input is one document, one line of a stream or one case).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import italia_case
from strategies import cases

from inclusione_core import (
    ConfigurationError,
    Engine,
    InclusioneError,
    InputError,
    Result,
    ScenarioFileError,
    get_plugin_manager,
    make_converter,
    read_json_lines,
)
from inclusione_core import cli as cli_module
from inclusione_core._audit import AuditRecord
from inclusione_core._reader import DEFAULT_LIMITS, Refused, _problems, _quick, check_value, parse_json, parse_yaml

FUZZ = settings.get_profile("fuzz")
TOTAL = FUZZ.max_examples
"""Inputs for the whole suite: 100,000 under the ci profile."""

SHARES: dict[str, tuple[float, int, int]] = {
    # test: (share of the inputs, inputs per example, fewest examples); the shares add up to 1
    "agreement": (0.02, 1, 20),
    "streams": (0.20, 12, 5),
    "api": (0.10, 1, 20),
    "cli": (0.20, 24, 3),
    "validate": (0.03, 24, 2),
    "yaml": (0.046, 1, 10),
    "schema_cases": (0.001, 1, 3),  # hypothesis-jsonschema draws slowly (~0.3 s per case, 1 s per scenario file)
    "schema_scenarios": (0.0003, 1, 2),
}
SHARES["documents"] = (1 - sum(share for share, _n, _f in SHARES.values()), 1, 20)  # the cheapest: the rest


def sized(name: str) -> settings:
    """The settings of one fuzz test: its share of the suite's inputs, as examples."""
    share, per_example, fewest = SHARES[name]
    examples = max(fewest, math.ceil(TOTAL * share / per_example))
    return settings(FUZZ, max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example, HealthCheck.filter_too_much])


@contextlib.contextmanager
def only_clean_errors() -> Iterator[None]:
    """Inside, an exception must be an InclusioneError (a result or a clean refusal)."""
    with contextlib.suppress(InclusioneError):
        yield


@pytest.fixture(scope="module")
def engine() -> Engine:
    """One engine with the core only (italia), shared by the API examples."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))


# --------------------------------------------------------------------------- hostile material

DEEP_LIST = "[" * 100_000 + "]" * 100_000
HOSTILE_TOKENS = [
    "NaN", "Infinity", "-Infinity", "1e400", "-1e400", "9" * 19, "9" * 20, "-" + "9" * 25, "9" * 300, "9" * 5000,
    "[" * 63 + "]" * 63, "[" * 64 + "]" * 64, "[" * 65 + "]" * 65, "[" * 1025 + "]" * 1025, DEEP_LIST,
    '{"a": 1, "a": 2}', '{"\\u0061": 1, "a": 2}', '"\\ud800"', '"\\udc00x"', '"' + "x" * 100_001 + '"',
    "[" + ",".join(["0"] * 10_001) + "]", '"2199-12-31"', '"9999-12-30"', '"0001-01-01"', '"2025-02-30"',
    "true", "null", "{}", "[]", '""', "-0", "0.1e-400", '"\\u0000"', '{"":{"":{"":""}}}',
]
HOSTILE_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\n", b"\r", b'"', b"\\", b":"]


@st.composite
def mutated_json(draw: st.DrawFn, base: str | None = None) -> bytes:
    """A JSON text (a valid case by default), then a few mutations: hostile tokens, bytes, cuts."""
    text = base if base is not None else json.dumps(italia_case(), ensure_ascii=draw(st.booleans()))
    raw = text.encode()
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["token", "byte", "cut", "delete", "repeat", "digits"]))
        at = draw(st.integers(0, len(raw)))
        if kind == "token":  # replace the value after a ':' with a hostile token
            colon = raw.find(b":", at)
            if colon < 0:
                continue
            end = colon + 1
            while end < len(raw) and raw[end:end + 1] not in b",}]":
                end += 1
            raw = raw[:colon + 1] + b" " + draw(st.sampled_from(HOSTILE_TOKENS)).encode() + raw[end:]
        elif kind == "byte":
            raw = raw[:at] + draw(st.sampled_from(HOSTILE_BYTES) | st.binary(min_size=1, max_size=3)) + raw[at:]
        elif kind == "cut":
            raw = raw[:at]
        elif kind == "delete":
            raw = raw[:at] + raw[at + draw(st.integers(1, 20)):]
        elif kind == "repeat":
            span = raw[at:at + draw(st.integers(1, 40))]
            raw = raw[:at] + span + raw[at:]
        else:
            raw = raw[:at] + b"9" * draw(st.integers(15, 25)) + raw[at:]
    return raw


def documents() -> st.SearchStrategy[bytes]:
    """Raw documents: mutated cases, a hostile token alone, or arbitrary bytes."""
    return (
        mutated_json()
        | st.sampled_from(HOSTILE_TOKENS).map(str.encode)
        | st.binary(max_size=64)
        | mutated_json(base='{"a": [1, 2.5, "x:y", {"b": null}], "c": true}')
    )


# --------------------------------------------------------------------------- the reader


@sized("documents")
@given(raw=documents())
def test_fuzz_a_document_is_parsed_or_refused_cleanly(raw: bytes) -> None:
    """Any bytes: parse_json returns JSON within the limits (as the standard library reads it) or refuses cleanly."""
    try:
        value = parse_json(raw)
    except Refused as exc:
        assert exc.details and all(d.path.startswith("$") and d.rule for d in exc.details)
        assert all(len(str(d.value)) <= 80 for d in exc.details if d.value is not None)
        return
    assert _quick(value, DEFAULT_LIMITS) >= 0
    assert check_value(value) == []
    text = json.dumps(value, allow_nan=False)  # strict JSON, nothing lost
    assert json.loads(text) == value
    assert json.loads(raw.decode("utf-8").removeprefix("\ufeff")) == value  # the same value, not rounded


@sized("agreement")
@given(value=st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3),
    max_leaves=30,
))
def test_fuzz_the_fast_and_the_detailed_check_agree(value: Any) -> None:
    """The fast check of a value and the detailed one (with paths) always agree on whether it is within the limits."""
    limits = DEFAULT_LIMITS.parse(["max_depth=4", "max_int_digits=5", "max_string=4", "max_items=3"])
    fast = _quick(value, limits) >= 0
    detailed = _problems(value, limits, "it", json_only=False, text_check=True)
    assert fast == (not detailed), detailed


@st.composite
def streams(draw: st.DrawFn) -> list[bytes]:
    """JSON Lines: good cases, blank lines and hostile lines, mixed."""
    lines = []
    for i in range(SHARES["streams"][1]):
        kind = draw(st.sampled_from(["good", "good", "blank", "hostile", "deep", "long"]))
        if kind == "good":
            lines.append(json.dumps(italia_case(id=f"g{i}")).encode())
        elif kind == "blank":
            lines.append(draw(st.sampled_from([b"", b"   ", b"\t"])))
        elif kind == "deep":
            lines.append(b'{"id": "x", "history": ' + DEEP_LIST.encode() + b"}")
        elif kind == "long":
            lines.append(b'{"x": "' + b"y" * (DEFAULT_LIMITS.max_case_bytes + 10) + b'"}')
        else:
            lines.append(draw(documents()).replace(b"\n", b" ").replace(b"\r", b" "))
    return lines


@sized("streams")
@given(lines=streams(), crlf=st.booleans())
def test_fuzz_json_lines_give_one_answer_per_line_in_order(lines: list[bytes], crlf: bool) -> None:
    """A JSON Lines stream: exactly one value or error per non-blank line, in order, each error naming file:line."""
    raw = (b"\r\n" if crlf else b"\n").join(lines) + b"\n"
    got = list(read_json_lines(io.BytesIO(raw), "f.jsonl"))
    expected = [n for n, line in enumerate(lines, 1) if line.strip()]
    assert [g.number for g in got] == expected
    for g in got:
        assert g.source == f"f.jsonl:{g.number}"
        assert g.error is None or g.data is None  # (a line may hold null: data None, no error)
        if g.error is not None:
            assert isinstance(g.error, InputError) and g.error.source == g.source


# --------------------------------------------------------------------------- the Python API


class _Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def _self_containing() -> dict[str, Any]:
    loop: dict[str, Any] = {}
    loop["again"] = loop
    return loop


def _deep(levels: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(levels):
        value = [value]
    return value


HOSTILE_VALUES = st.sampled_from([
    float("nan"), float("inf"), -float("inf"), 10**5000, -(10**19), 10**18 - 1, "x" * 100_001, "",
    {1: "int key"}, {None: 1}, {(1, 2): 3}, (1, 2), {1, 2}, b"bytes", bytearray(b"x"), dt.date.max, dt.date.min,
    dt.datetime(2025, 1, 1), "9999-12-30", "1899-12-31", "2199-12-31", "2025-02-30", True, None, [],
    list(range(10_001)), _Unprintable(), object(), 1.5, -1, 10**6, "\ud800", "a\x00b",
    _self_containing(), _deep(5_000), _deep(64), {"a": _deep(70)},
])  # built once and shared: the mutations copy what they change, never these values


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Where a value can be replaced (not inside an earlier hostile value: they may be 5,000 deep)."""
    yield path
    if len(path) > 8 or (isinstance(value, list) and len(value) > 50):
        return
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*path, i))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(copy[head], tuple(rest), new)
    return copy


CONVERTER = make_converter()


@st.composite
def api_cases(draw: st.DrawFn) -> Any:
    """A case from the models (schema-valid), as JSON or mutated at one random path with a hostile value."""
    # mostly the sample case (cheap to draw), one time in six a case drawn from the models (13 ms a draw)
    data = CONVERTER.unstructure(draw(cases())) if draw(st.integers(0, 5)) == 0 else italia_case()
    for _ in range(draw(st.integers(0, 2))):
        paths = list(_paths(data))
        path = paths[draw(st.integers(0, len(paths) - 1))]
        data = _replace(data, path, draw(HOSTILE_VALUES))
    return data


@sized("api")
@given(data=api_cases(), as_of=st.dates(min_value=dt.date(1850, 1, 1), max_value=dt.date(2250, 1, 1)))
def test_fuzz_the_api_answers_or_refuses_cleanly(engine: Engine, data: Any, as_of: dt.date) -> None:
    """assess (and so load_case) on schema-valid and mutated cases: a Result or an InclusioneError, nothing else."""
    with only_clean_errors():
        assert isinstance(engine.assess(data, as_of=as_of, territory="italia"), Result)


# --------------------------------------------------------------------------- the command line


class _NoAudit:
    """An audit that keeps nothing (the fuzz runs disclose many thousand results)."""

    def append(self, record: AuditRecord) -> None:
        pass

    def records(self, case_id: str | None = None) -> list[AuditRecord]:
        return []


@pytest.fixture(scope="module")
def cli_engine() -> Iterator[Engine]:
    """The CLI's engine, built once for every example (building it costs the configuration's compilation)."""
    shared = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), audit=_NoAudit())
    from inclusione_core.cli import assess, validate

    with pytest.MonkeyPatch.context() as patch:
        for command in (assess, validate):
            patch.setattr(command, "engine", lambda *_a, **_k: shared)
        yield shared


def run_cli(*args: str) -> tuple[int, str, str]:
    """``inclusione ARGS`` in-process; (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_module.main(list(args))
    return code, out.getvalue(), err.getvalue()


def _no_constants(name: str) -> Any:
    raise AssertionError(f"{name} in the output: not JSON")


@st.composite
def batches(draw: st.DrawFn) -> list[bytes]:
    """A JSON Lines batch: good cases, mutated cases (model-drawn too) and hostile lines."""
    lines = []
    for i in range(SHARES["cli"][1]):
        kind = draw(st.sampled_from(["good", "good", "model", "mutated", "hostile", "blank"]))
        if kind == "good":
            lines.append(json.dumps(italia_case(id=f"g{i}")).encode())
        elif kind == "model":
            data = draw(api_cases())
            try:
                lines.append(json.dumps(data, allow_nan=bool(draw(st.booleans())), default=str).encode())
            except Exception:  # a hostile value json.dumps cannot write (it fails, or its str() does)
                lines.append(b'{"not": "serialisable"}')
        elif kind == "mutated":
            lines.append(draw(mutated_json(base=json.dumps(italia_case(id=f"m{i}")))).replace(b"\n", b" "))
        elif kind == "hostile":
            lines.append(draw(st.sampled_from(HOSTILE_TOKENS)).encode())
        else:
            lines.append(b"")
    return [line.replace(b"\r", b" ") for line in lines]


@sized("cli")
@given(lines=batches(), recipient=st.sampled_from([None, "ssp", "cpi", "giornale"]))
def test_fuzz_a_batch_gives_exactly_one_json_line_per_case(
    cli_engine: Engine, tmp_path_factory: pytest.TempPathFactory, lines: list[bytes], recipient: str | None,
) -> None:
    """``inclusione --json assess FILE``: one strict JSON line per input line, in order; exit 0 or 2; no traceback."""
    path = tmp_path_factory.mktemp("fuzz") / "batch.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    args = ["--json", "assess", str(path), "--as-of", "2025-03-01"]
    code, out, err = run_cli(*args, *(["--recipient", recipient] if recipient else []))
    assert code in (0, 2), err
    assert "Traceback" not in out + err and "errore interno" not in err
    expected = [n for n, line in enumerate(lines, 1) if line.strip()]
    records = [json.loads(line, parse_constant=_no_constants) for line in out.splitlines()]
    assert len(records) == len(expected)
    for n, record in zip(expected, records, strict=True):
        if "error" in record:
            assert record["source"] == f"{path}:{n}"
            if recipient is not None:
                assert all(d["value"] is None for d in record["error"].get("details", []))
        else:
            assert record["case_id"] == json.loads(lines[n - 1])["id"]
    assert (code == 0) == all("error" not in r for r in records)


@sized("validate")
@given(lines=batches())
def test_fuzz_validate_reports_every_line(cli_engine: Engine, tmp_path_factory: pytest.TempPathFactory,
                                          lines: list[bytes]) -> None:
    """``inclusione --json validate FILE``: a clean report (exit 0 or 2) naming each bad line as file:line."""
    path = tmp_path_factory.mktemp("fuzz") / "batch.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    code, out, err = run_cli("--json", "validate", str(path))
    assert code in (0, 2), err
    assert "Traceback" not in out + err
    report = json.loads(out, parse_constant=_no_constants)
    sources = [e["source"] for f in report["files"] for e in f["errors"]]
    assert all(s.startswith(f"{path}:") for s in sources)
    assert len(sources) == len(set(sources))


# --------------------------------------------------------------------------- YAML


LAYER = (Path(__file__).resolve().parents[1] / "territories" / "prato" / "territory.yaml").read_text(encoding="utf-8")
HOSTILE_YAML = [
    "&a [*a]", "*nowhere", "!!python/object:os.system {}", "!!binary aGVsbG8=", "!!set {a, b}", ".nan", "-.inf",
    "9" * 5000, "9" * 30, "[" * 2000 + "]" * 2000, "{" * 70 + "}" * 70, "'\\ud800'", '"\\ud800"', "? [a]\n: b",
    "<<: *x", "on", "2025-01-01", "0x" + "f" * 40, "a\tb", "\x00", "---\n---", "%YAML 1.1\n---\nx",
]


@st.composite
def yaml_layers(draw: st.DrawFn) -> bytes:
    """The Prato layer (or a small one), mutated: hostile scalars and tags, bytes, cuts, repeated lines."""
    text = draw(st.sampled_from([LAYER, 'id: borgo\nlabel: {it: B, en: B}\nlevel: ambito\nversion: "1"\n']))
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines)))
        kind = draw(st.sampled_from(["value", "line", "repeat", "cut", "bytes"]))
        if kind == "value" and at < len(lines) and ":" in lines[at]:
            key = lines[at].split(":", 1)[0]
            lines[at] = f"{key}: {draw(st.sampled_from(HOSTILE_YAML))}"
        elif kind == "line":
            lines.insert(at, draw(st.sampled_from(HOSTILE_YAML)))
        elif kind == "repeat" and at < len(lines):
            lines.insert(at, lines[at])
        elif kind == "cut":
            lines = lines[:at]
    raw = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(HOSTILE_BYTES)) + raw[at:]
    return raw


@sized("yaml")
@given(raw=yaml_layers())
def test_fuzz_a_yaml_layer_is_read_or_refused_cleanly(tmp_path_factory: pytest.TempPathFactory, raw: bytes) -> None:
    """A mutated territory layer: read and schema-checked, or a ConfigurationError with its lines; nothing else."""
    from inclusione_core._config import read_layer

    path = tmp_path_factory.mktemp("yaml") / "territory.yaml"
    path.write_bytes(raw)
    try:
        doc = parse_yaml(raw, path)
        json.dumps(doc.data, allow_nan=False)  # plain, finite JSON-like data
    except Refused as exc:
        assert exc.details
    with only_clean_errors():
        read_layer(path)


# --------------------------------------------------------------------------- the published schemas


def _hypothesis_jsonschema_compat() -> None:
    """
    hypothesis-jsonschema 0.23 calls ``many.more()``, which recent hypothesis removed (6.1xx
    turned ``many`` into an iterator): give it back the old protocol, built on the new one.
    """
    from hypothesis.internal.conjecture import utils

    if hasattr(utils.many, "more"):
        return

    def more(self: Any) -> bool:
        if self._depth is None:
            self._depth = self.data.depth
        if self._in_element:
            self._finish_element()
        if self._done or not self._decide():
            return False
        self.count += 1
        self._in_element = True
        self._rejected = False
        return True

    utils.many.more = more


def from_published_schema(name: str) -> st.SearchStrategy[Any]:
    """Documents valid against a shipped schema, drawn by hypothesis-jsonschema."""
    from hypothesis_jsonschema import from_schema

    from inclusione_core._schema import load_schema

    _hypothesis_jsonschema_compat()
    return from_schema(copy.deepcopy(load_schema(name)))  # it rewrites the schema it is given: not the cached one


@sized("schema_cases")
@given(data=st.deferred(lambda: from_published_schema("case")))
def test_fuzz_cases_valid_against_the_published_schema(engine: Engine, data: Any) -> None:
    """Any document the published case schema accepts: load_case and assess answer or refuse cleanly."""
    with only_clean_errors():
        case = engine.load_case(data)
        with only_clean_errors():
            engine.assess(case, as_of=dt.date(2025, 3, 1), territory="italia")


@sized("schema_scenarios")
@given(data=st.deferred(lambda: from_published_schema("scenario")))
def test_fuzz_scenario_files_valid_against_the_published_schema(
    engine: Engine, tmp_path_factory: pytest.TempPathFactory, data: Any,
) -> None:
    """Any scenario file the published schema accepts: loaded and run, or a clean error (file or case)."""
    from inclusione_core._scenarios import load_scenarios, run_scenario

    path = tmp_path_factory.mktemp("scen") / "s.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        scenarios = load_scenarios(path)
    except (ScenarioFileError, ConfigurationError):
        return
    for scenario in scenarios:
        with only_clean_errors():
            run_scenario(engine, scenario)
