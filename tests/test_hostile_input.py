"""
Issue 11: every bad input a clean error, no good line lost. One regression test per example
of the issue (hostile and careless input to the CLI and the Python API), then the reader's
own guarantees (limits, YAML loaders, line numbers).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from samples import italia_case

from inclusione_core import (
    ConfigurationError,
    Engine,
    ErrorDetail,
    InputError,
    InvalidCaseError,
    Limits,
    get_plugin_manager,
    read_json_lines,
    read_yaml,
)
from inclusione_core.cli import main

AS_OF = "2025-03-01"
DEEP = '{"id": "x", "history": ' + "[" * 100_000 + "]" * 100_000 + "}"
ROOT = Path(__file__).resolve().parents[1]

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``inclusione ARGS...`` in-process with the core only; return (exit status, stdout, stderr)."""
    monkeypatch.setenv("INCLUSIONE_LOAD_PLUGINS", "")

    def _run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return _run


@pytest.fixture(scope="module")
def engine() -> Engine:
    """An engine with the core only (the ``italia`` layer)."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))


def good(i: int) -> str:
    """A valid italia case as one JSON line, with id ``g<i>``."""
    return json.dumps(italia_case(id=f"g{i}"))


def write_lines(path: Path, lines: list[str | bytes]) -> Path:
    """A JSON Lines file from text or raw byte lines."""
    path.write_bytes(b"".join((x if isinstance(x, bytes) else x.encode()) + b"\n" for x in lines))
    return path


def json_records(out: str) -> list[dict[str, Any]]:
    """The JSON objects of a ``--json`` stream, one per line (every line must be one)."""
    return [json.loads(line) for line in out.splitlines()]


def who(record: dict[str, Any]) -> str:
    """A result's case id, or an error line's source."""
    return record.get("case_id") or record["source"]


def case_error(engine: Engine, data: Any) -> InvalidCaseError:
    """Load a value that must be refused; return the error."""
    with pytest.raises(InvalidCaseError) as info:
        engine.load_case(data)
    return info.value


def rules(exc: InputError) -> set[str]:
    """The rules of an error's details."""
    return {d.rule for d in exc.details}


# --------------------------------------------------------------------------- nesting 10^5 deep


def test_a_line_nested_100000_deep_is_one_error_and_the_lines_after_it_are_assessed(run: Run, tmp_path: Path) -> None:
    """The before-stop check: 4 good lines, one nested 100,000 deep, 5 good lines: 10 JSON lines, in order, exit 2."""
    path = write_lines(tmp_path / "cases.jsonl", [good(i) for i in range(4)] + [DEEP] + [good(i) for i in range(4, 9)])
    code, out, err = run("--json", "assess", path, "--as-of", AS_OF)
    assert code == 2
    records = json_records(out)
    assert [who(r) for r in records] == [f"g{i}" for i in range(4)] + [f"{path}:5"] + [f"g{i}" for i in range(4, 9)]
    (detail,) = records[4]["error"]["details"]
    assert detail["rule"] == "limit:max_depth" and detail["path"] == "$"
    assert "casi letti: 10; valutati: 9; non valutati: 1" in err


def test_the_api_refuses_a_value_nested_100000_deep(engine: Engine) -> None:
    """The same value given to load_case or assess is an InvalidCaseError (not a RecursionError)."""
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    error = case_error(engine, italia_case(history=deep))
    assert rules(error) == {"limit:max_depth"}
    assert error.details[0].path.startswith("$.history[0][0]")
    with pytest.raises(InvalidCaseError):
        engine.assess(italia_case(history=deep), as_of=dt.date(2025, 3, 1))


def test_a_value_containing_itself_is_refused(engine: Engine) -> None:
    """A dict that contains itself (only possible from Python) is too deep, not an infinite loop."""
    loop: dict[str, Any] = {}
    loop["a"] = loop
    assert rules(case_error(engine, italia_case(household=loop))) == {"limit:max_depth"}


# --------------------------------------------------------------------------- UTF-8


def test_an_invalid_utf8_byte_in_json_lines_is_one_error_with_its_column(run: Run, tmp_path: Path) -> None:
    """One invalid UTF-8 byte in a .jsonl: that line is an error naming its column; the others are assessed."""
    path = write_lines(tmp_path / "cases.jsonl", [good(0), good(1), b'{"id": "c\xff"}', good(3)])
    code, out, err = run("--json", "assess", path, "--as-of", AS_OF)
    assert code == 2
    records = json_records(out)
    assert [who(r) for r in records] == ["g0", "g1", f"{path}:3", "g3"]
    (detail,) = records[2]["error"]["details"]
    assert (detail["rule"], detail["column"]) == ("utf-8", 10)
    assert f"{path}:3" in err and "(colonna 10)" in err


def test_a_latin1_json_case_is_named_by_line_and_column_not_byte_offset(run: Run, tmp_path: Path) -> None:
    """A Latin-1 .json file: validate names the line and column of the first bad byte."""
    text = json.dumps(italia_case(operator="Niccolò"), indent=2, ensure_ascii=False)
    path = tmp_path / "latin1.json"
    path.write_bytes(text.encode("latin-1"))
    line = 1 + text[: text.index("ò")].count("\n")
    column = len(text[: text.index("ò")].rsplit("\n", 1)[-1]) + 1
    code, out, _ = run("validate", path)
    assert code == 2
    assert f"(riga {line}, colonna {column})" in out
    assert "[regola: utf-8]" in out


# --------------------------------------------------------------------------- huge integers


def test_a_5000_digit_integer_is_refused_and_validate_checks_the_other_files(run: Run, tmp_path: Path) -> None:
    """validate: the file with a 5,000-digit integer is invalid, the next file is still checked; assess exits 2."""
    big = tmp_path / "big.json"
    big.write_text(json.dumps(italia_case()).replace('"isee": 5000', '"isee": ' + "9" * 5000))
    ok = tmp_path / "ok.json"
    ok.write_text(good(1))
    code, out, _ = run("validate", big, ok)
    assert code == 2
    assert f"NON VALIDO  {big}" in out and f"OK  {ok}" in out
    assert "@ $.household.isee" in out and "[regola: limit:max_int_digits]" in out
    code, out, _ = run("--json", "assess", big, "--as-of", AS_OF)
    assert code == 2
    (record,) = json_records(out)
    assert record["error"]["details"][0]["rule"] == "limit:max_int_digits"
    assert len(out) < 2000


def test_the_api_refuses_10_to_the_5000(engine: Engine) -> None:
    """``10**5000`` in the API is an InvalidCaseError with its path (not the ValueError of int -> str)."""
    error = case_error(engine, italia_case(household={"id": "h", "members": [{"id": "m"}], "isee": 10**5000}))
    (detail,) = error.details
    assert (detail.path, detail.rule) == ("$.household.isee", "limit:max_int_digits")
    assert "5001" in str(detail.value)


def test_integers_orjson_would_round_are_kept_exact_or_refused() -> None:
    """An integer beyond 64 bits is refused (orjson would silently make it a float); 18 digits pass exactly."""
    lines = list(read_json_lines(io.BytesIO(b'{"n": 123456789012345678}\n{"n": 123456789012345678901}\n'), "x"))
    assert lines[0].data == {"n": 123456789012345678}
    assert lines[1].error is not None and rules(lines[1].error) == {"limit:max_int_digits"}


# --------------------------------------------------------------------------- int keys


def test_a_dict_with_an_int_key_is_an_invalid_case(engine: Engine) -> None:
    """load_case with an int key (at the top or nested) is an InvalidCaseError naming where, not an AttributeError."""
    assert rules(case_error(engine, {5: "x"})) == {"key"}
    error = case_error(engine, italia_case(household={"id": "h", 1: 2, "members": [{"id": "m"}]}))
    assert [(d.path, d.rule) for d in error.details] == [("$.household", "key")]


# --------------------------------------------------------------------------- a broken territory in a batch


BROKEN_LAYER = 'id: rotto\nlabel: {it: R, en: R}\nlevel: ambito\nextends: italia\nversion: "1"\ncolour: red\n'


def test_a_broken_territory_configuration_does_not_stop_the_batch(run: Run, tmp_path: Path) -> None:
    """Cases of a territory whose configuration is invalid are errors, one JSON line each; later lines are assessed."""
    (tmp_path / "cfg" / "rotto").mkdir(parents=True)
    (tmp_path / "cfg" / "rotto" / "territory.yaml").write_text(BROKEN_LAYER)
    broken = json.dumps(italia_case(id="b", territory="rotto"))
    path = write_lines(tmp_path / "cases.jsonl", [good(0), broken, good(2), broken, good(4)])
    code, out, _ = run("--json", "--config-dir", tmp_path / "cfg", "assess", path, "--as-of", AS_OF)
    assert code == 2
    records = json_records(out)  # one JSON object per line: no pretty-printed error at the end
    assert [who(r) for r in records] == ["g0", f"{path}:2", "g2", f"{path}:4", "g4"]
    assert {records[1]["error"]["type"], records[3]["error"]["type"]} == {"ConfigurationError"}


def test_a_failed_territory_is_compiled_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine remembers a territory that failed to compile: 50 cases of it do not read it 50 times."""
    from inclusione_core import _config

    (tmp_path / "rotto").mkdir()
    (tmp_path / "rotto" / "territory.yaml").write_text(BROKEN_LAYER)
    calls = []
    real = _config.read_layer
    monkeypatch.setattr(_config, "read_layer", lambda *a, **k: calls.append(a) or real(*a, **k))
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[tmp_path])
    for _ in range(50):
        with pytest.raises(ConfigurationError):
            engine.territory("rotto")
    assert len(calls) == 1


def test_a_plugin_error_is_one_error_line_and_the_batch_goes_on(run: Run, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception inside the pipeline for one case (a plugin, a defect) is that case's line; exit 3 for a defect."""
    from inclusione_core._engine import Engine as EngineClass

    real = EngineClass.assess

    def flaky(self: Engine, case: Any, **kw: Any) -> Any:
        if case.id == "g1":
            raise RuntimeError("kaput " + "x" * 1000)
        return real(self, case, **kw)

    monkeypatch.setattr(EngineClass, "assess", flaky)
    path = write_lines(tmp_path / "cases.jsonl", [good(i) for i in range(3)])
    code, out, err = run("--json", "assess", path, "--as-of", AS_OF)
    assert code == 3
    records = json_records(out)
    assert [who(r) for r in records] == ["g0", f"{path}:2", "g2"]
    assert records[1]["error"]["type"] == "InternalError"
    assert "x" * 100 not in out + err


# --------------------------------------------------------------------------- NaN, duplicates, dates


def test_nan_and_infinity_are_refused_and_json_output_stays_json(run: Run, tmp_path: Path, engine: Engine) -> None:
    """NaN/Infinity as isee: validate says invalid, the API refuses float('nan'), --json output is strict JSON."""
    text = json.dumps(italia_case()).replace('"isee": 5000', '"isee": NaN')
    path = tmp_path / "nan.json"
    path.write_text(text)
    code, out, _ = run("validate", path)
    assert code == 2 and "NaN e Infinity non sono numeri JSON" in out
    for bad in (float("nan"), float("inf"), -float("inf")):
        error = case_error(engine, italia_case(household={"id": "h", "members": [{"id": "m"}], "isee": bad}))
        assert [(d.path, d.rule) for d in error.details] == [("$.household.isee", "finite")]
    lines = write_lines(tmp_path / "c.jsonl", [text.replace("NaN", "Infinity"), good(1)])
    code, out, _ = run("--json", "assess", lines, "--as-of", AS_OF)

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in the output")

    assert [json.loads(line, parse_constant=refuse) for line in out.splitlines()]


def test_duplicate_json_keys_are_refused_with_their_path(run: Run, tmp_path: Path) -> None:
    """A key repeated in one object (last would win) is an error at its path, top-level or nested."""
    text = json.dumps(italia_case())
    text = text.replace('"id": "c1"', '"id": "c1", "id": "c2"').replace('"isee": 5000', '"isee": 5000, "isee": 1')
    path = tmp_path / "dup.json"
    path.write_text(text)
    code, out, _ = run("validate", path)
    assert code == 2
    assert "@ $.id [regola: duplicate_key]" in out
    assert "@ $.household.isee [regola: duplicate_key]" in out


def test_a_key_written_as_an_escape_is_still_a_duplicate() -> None:
    """``"\\u0061"`` is ``"a"``: a key repeated through an escape is found too (the slow path)."""
    (line,) = read_json_lines(io.BytesIO(b'{"a": 1, "\\u0061": 2}\n'), "x")
    assert line.error is not None and [d.path for d in line.error.details] == ["$.a"]
    (line,) = read_json_lines(io.BytesIO(b'{"a": "x:y", "\\u003a": 2}\n'), "x")
    assert line.data == {"a": "x:y", ":": 2}


def test_a_project_starting_in_9999_is_refused_by_validate_with_its_path(run: Run, tmp_path: Path,
                                                                        engine: Engine) -> None:
    """Dates outside 1900-01-01..2199-12-31 are refused where they are (validate, API, a case built in Python)."""
    data = italia_case(project={"id": "p1", "start": "9999-12-30"})
    path = tmp_path / "far.json"
    path.write_text(json.dumps(data))
    code, out, _ = run("validate", path)
    assert code == 2 and "@ $.project.start" in out and "[regola: limit:dates]" in out
    assert [d.path for d in case_error(engine, data).details] == ["$.project.start"]
    case = engine.load_case(italia_case(project={"id": "p1", "start": "2025-01-01"}))
    built = attrs.evolve(case, project=attrs.evolve(case.project, start=dt.date(9999, 12, 30)))
    with pytest.raises(InvalidCaseError) as info:
        engine.assess(built, as_of=dt.date(2025, 3, 1))
    assert [d.path for d in info.value.details] == ["$.project.start"]
    with pytest.raises(InputError) as as_of_error:
        engine.assess(case, as_of=dt.date.max)
    assert rules(as_of_error.value) == {"limit:dates"}


def test_a_member_born_after_the_as_of_date_is_refused(run: Run, tmp_path: Path, engine: Engine) -> None:
    """A birth date after the as-of date would count the person as a minor: it is an error at its path."""
    data = italia_case(household={"id": "h", "members": [{"id": "m", "birth_date": "2026-01-01"}]})
    with pytest.raises(InvalidCaseError) as info:
        engine.assess(data, as_of=dt.date(2025, 3, 1))
    assert [(d.path, d.rule) for d in info.value.details] == [("$.household.members[0].birth_date", "birth_date")]
    future = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    path = tmp_path / "future.json"
    path.write_text(json.dumps(italia_case(household={"id": "h", "members": [{"id": "m", "birth_date": future}]})))
    code, out, _ = run("validate", path)
    assert code == 2 and "@ $.household.members[0].birth_date" in out


# --------------------------------------------------------------------------- YAML aliases


def alias_bomb(depth: int) -> str:
    """A small territory layer whose profile flags nest ``all:`` ten times per level through aliases."""
    lines = ["id: bomba", "label: {it: B, en: B}", "level: ambito", "extends: italia", 'version: "1"',
             "profile:", "  flags:",
             "    f0: {when: &p0 {need: lavoro}, label: {it: x, en: x}, source: {kind: default, note: x}}"]
    for d in range(1, depth + 1):
        refs = ", ".join([f"*p{d - 1}"] * 10)
        lines.append(f"    f{d}: {{when: &p{d} {{all: [{refs}]}}, label: {{it: x, en: x}},"
                     " source: {kind: default, note: x}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("depth", [6, 7, 12])
def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path: Path, depth: int) -> None:
    """A 1.5 KB layer expanding to millions of nodes is refused while loading (it took 52 s and more)."""
    path = tmp_path / "bomba" / "territory.yaml"
    path.parent.mkdir()
    path.write_text(alias_bomb(depth))
    assert len(path.read_bytes()) < 2500
    start = time.perf_counter()
    with pytest.raises(ConfigurationError) as info:
        Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[tmp_path]).territory("bomba")
    assert time.perf_counter() - start < 5
    (detail,) = info.value.details
    assert detail.rule == "limit:max_yaml_nodes" and detail.line is not None


def test_a_small_alias_expansion_is_fine_and_counted_expanded(tmp_path: Path) -> None:
    """The reference configurations use anchors; a few aliases load, and their nodes count once expanded."""
    path = tmp_path / "a.yaml"
    path.write_text(alias_bomb(2))
    assert read_yaml(path).data["profile"]["flags"]["f2"]["when"]["all"][0]["all"][0] == {"need": "lavoro"}
    with pytest.raises(ConfigurationError) as info:
        read_yaml(path, limits=Limits(max_yaml_nodes=100))
    assert rules(info.value) == {"limit:max_yaml_nodes"}
    with pytest.raises(ConfigurationError) as info:
        read_yaml(path, limits=Limits(max_yaml_aliases=5))
    assert rules(info.value) == {"limit:max_yaml_aliases"}


@pytest.mark.parametrize("text", ["a: &x [*x]\n", "a: &x {b: *x}\n"])
def test_a_recursive_yaml_alias_is_refused(tmp_path: Path, text: str) -> None:
    """An alias inside its own anchor would be an infinite value: refused with its line."""
    path = tmp_path / "r.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError) as info:
        read_yaml(path)
    assert info.value.details[0].line == 1


@pytest.mark.parametrize(("text", "rule"), [
    ("a: [" * 200 + "]" * 200 + "\n", "limit:max_depth"),
    ("a: " + "9" * 5000 + "\n", "yaml"),
    ("a: " + "9" * 40 + "\n", "limit:max_int_digits"),
    ("a: .nan\n", "finite"),
    ("1: x\n", "yaml"),
    ("[a, b]: x\n", "yaml"),
    ("a: 1\na: 2\n", "yaml"),
    ("a: !!binary aGVsbG8=\n", "type"),
    ("a: !!python/object:os.system {}\n", "yaml"),
    ("a: b\n\x00\n", "yaml"),
    ("a: 'x\xff'\n", "utf-8"),
])
def test_hostile_yaml_is_a_clean_error(tmp_path: Path, text: str, rule: str) -> None:
    """Deep nesting, huge integers, NaN, non-text and repeated keys, unsafe tags, bad bytes: one clean error each."""
    path = tmp_path / "h.yaml"
    path.write_bytes(text.encode("utf-8", "surrogateescape") if "\xff" not in text else text.encode("latin-1"))
    with pytest.raises(ConfigurationError) as info:
        read_yaml(path)
    assert rule in rules(info.value)


# --------------------------------------------------------------------------- paths outside the folder


SECRET = "root:SEGRETISSIMO:19000:0:99999:7:::\ndaemon:ANCHE_QUESTO:19000:0:99999:7:::\n"


def layer_with(tmp_path: Path, body: str) -> tuple[Path, Path]:
    """A configuration root with layer ``borgo`` (extending italia) plus ``body``, and a secret file outside it."""
    secret = tmp_path / "shadow"
    secret.write_text(SECRET)
    root = tmp_path / "cfg"
    (root / "borgo").mkdir(parents=True)
    (root / "borgo" / "territory.yaml").write_text(
        f'id: borgo\nlabel: {{it: B, en: B}}\nlevel: ambito\nextends: italia\nversion: "1"\n{body}')
    return root, secret


@pytest.mark.parametrize("body", [
    'scenarios: ["../../../../../../../../etc/shadow", "../../shadow"]\n',
    'examples: [{case: "../../shadow", as_of: "2025-01-01"}]\n',
    "scenarios: [/etc/passwd]\n",
])
def test_a_configuration_cannot_name_a_file_outside_its_folder(run: Run, tmp_path: Path, body: str) -> None:
    """``scenarios: [../../etc/shadow]`` is refused at its path: never read, never echoed by test or validate."""
    root, _secret = layer_with(tmp_path, body)
    for command in (["validate", root / "borgo" / "territory.yaml"], ["--config-dir", root, "test", "borgo"]):
        code, out, err = run(*command)
        assert code == 2
        assert "SEGRETISSIMO" not in out + err and "ANCHE_QUESTO" not in out + err and "root:x" not in out + err
        assert "[regola: path]" in out + err


def test_a_symlink_out_of_the_folder_is_refused(run: Run, tmp_path: Path) -> None:
    """A scenario file inside the folder that is a symlink to a file outside it is refused too (resolved first)."""
    root, secret = layer_with(tmp_path, "scenarios: [scenari.yaml]\n")
    (root / "borgo" / "scenari.yaml").symlink_to(secret)
    code, out, err = run("--config-dir", root, "test", "borgo")
    assert code == 2
    assert "SEGRETISSIMO" not in out + err and "@ $.scenarios[0]" in out + err


def test_a_territory_scenario_cannot_read_a_case_outside_the_folder(run: Run, tmp_path: Path) -> None:
    """The case files of a territory's scenario file stay inside the territory's folder."""
    root, _secret = layer_with(tmp_path, "scenarios: [scenari.yaml]\n")
    (root / "borgo" / "scenari.yaml").write_text(
        "scenarios:\n  - {name: x, case: ../../shadow, as_of: '2025-01-01', expected: {}}\n")
    code, out, err = run("--config-dir", root, "test", "borgo")
    assert code == 2
    assert "SEGRETISSIMO" not in out + err and "[regola: path]" in out


def test_an_instrument_outside_the_folder_is_refused(tmp_path: Path) -> None:
    """An instrument schema named outside the layer's folder is a configuration error at its path."""
    root, _secret = layer_with(tmp_path, (
        "instruments:\n  scheda:\n    label: {it: S, en: S}\n    schema: ../../shadow\n"
        "    source: {kind: default, note: x}\n"))
    with pytest.raises(ConfigurationError) as info:
        Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[root]).territory("borgo")
    assert [(d.path, d.rule) for d in info.value.details] == [("$.instruments.scheda.schema", "path")]


# --------------------------------------------------------------------------- values in errors


def test_an_error_never_copies_a_value_whole(run: Run, tmp_path: Path, engine: Engine) -> None:
    """A 3 MB line and a 200,000-character text give short errors: at most 80 characters of any value."""
    huge = json.dumps(italia_case(operator="x" * 3_000_000))
    long = json.dumps(italia_case(operator="y" * 200_000))
    path = write_lines(tmp_path / "c.jsonl", [huge, long, good(2)])
    code, out, err = run("--json", "assess", path, "--as-of", AS_OF)
    assert code == 2
    assert len(out.splitlines()[0]) < 1000 and len(out.splitlines()[1]) < 1000
    assert "x" * 81 not in out + err and "y" * 81 not in out + err
    records = json_records(out)
    assert [d["rule"] for r in records[:2] for d in r["error"]["details"]] == ["limit:max_case_bytes",
                                                                               "limit:max_string"]
    assert ErrorDetail("$", "m", "z" * 10**6).value == "z" * 79 + "…"
    assert ErrorDetail("$", "m", 10**5000).value == "<intero di circa 5001 cifre>"
    assert ErrorDetail("$." + "k" * 10**5, "m").path == "$." + "k" * 39 + "…"


def test_errors_carry_no_value_of_a_special_category(run: Run, tmp_path: Path) -> None:
    """An error on a health field, a need code (category by code) or a note shows no value; an economic one does."""
    data = italia_case(household={"id": "h1", "isee": -5, "members": [
        {"id": "m1", "disability_percent": 4242, "birth_date": "1980-01-01"}]})
    data["assessment"]["needs"] = [{"code": "dipendenza_da_eroina", "note": 5}]
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    code, out, _ = run("validate", path)
    assert code == 2
    assert "@ $.household.members[0].disability_percent" in out and "4242" not in out
    assert "@ $.assessment.needs[0].note" in out
    assert "(valore: -5)" in out  # economic data: its value helps and may be shown
    code, out, _ = run("validate", write_lines(tmp_path / "c.jsonl", [json.dumps(italia_case(
        assessment={"date": "2025-01-20", "needs": [{"code": "dipendenza_da_eroina"}]}))]))
    assert code == 2 and "@ $.assessment.needs[0].code" in out and "eroina" not in out


def test_errors_carry_no_value_when_a_recipient_is_named(run: Run, tmp_path: Path) -> None:
    """``assess --recipient cpi --json``: the error lines carry no value at all (not even a common one)."""
    data = italia_case(household={"id": "h1", "isee": -5, "members": [{"id": "m1", "relation": "Diagnosi HIV"}]})
    path = write_lines(tmp_path / "c.jsonl", [json.dumps(data), good(1)])
    code, out, err = run("--json", "assess", path, "--as-of", AS_OF, "--recipient", "cpi")
    assert code == 2
    records = json_records(out)
    assert [d["value"] for d in records[0]["error"]["details"]] == [None] * len(records[0]["error"]["details"])
    shown = (out + err).replace(str(path), "<file>")  # the temporary path may hold "-5" (pytest-5xx)
    assert "HIV" not in shown and "-5" not in shown and "valore" not in err
    code, out, _ = run("--json", "assess", path, "--as-of", AS_OF)
    assert "-5" in out  # without a named recipient, a common value is shown


# --------------------------------------------------------------------------- where errors are


def test_json_lines_errors_name_file_line_and_the_real_column(run: Run, tmp_path: Path) -> None:
    """A truncated line is named by its real column; a territory error by ``file.jsonl:6``, not ``caso L6``."""
    unknown_need = json.dumps(italia_case(id="L6", assessment={"date": "2025-01-20", "needs": [{"code": "boh"}]}))
    truncated = good(1)[:40]
    path = write_lines(tmp_path / "c.jsonl", [good(0), truncated, good(2), "", good(4), unknown_need])
    code, out, err = run("--json", "assess", path, "--as-of", AS_OF)
    assert code == 2
    records = json_records(out)
    assert [who(r) for r in records] == ["g0", f"{path}:2", "g2", "g4", f"{path}:6"]
    assert records[1]["error"]["details"][0]["column"] == 41
    assert records[4]["error"]["source"] == f"{path}:6"
    assert "caso L6" not in err


def test_schema_errors_in_yaml_name_their_line(tmp_path: Path) -> None:
    """A schema error in a layer is mapped back from its JSON path to the YAML line and column."""
    path = tmp_path / "figlio" / "territory.yaml"
    path.parent.mkdir()
    path.write_text('id: figlio\nlabel: {it: F, en: F}\nlevel: zona\nversion: "1"\nextends: italia\n'
                    "needs:\n  sfratto:\n    label: {it: S, en: S}\n    dimension: abitare\n    colour: red\n")
    with pytest.raises(ConfigurationError) as info:
        Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[tmp_path]).territory("figlio")
    found = {(d.path, d.line, d.column) for d in info.value.details}
    assert ("$.needs.sfratto.colour", 10, 5) in found
    assert ("$.needs.sfratto.source", 7, 3) in found  # missing: the line of the entry that lacks it


# --------------------------------------------------------------------------- pipes


def closed_stdout_run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run ``inclusione ARGS`` with a stdout whose reader is already gone (every write fails)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run([sys.executable, "-m", "inclusione_core.cli", *args], stdout=write,
                              stderr=subprocess.PIPE, input=stdin, timeout=120, check=False,
                              env={**os.environ, "INCLUSIONE_LOAD_PLUGINS": ""})
    finally:
        os.close(write)


@pytest.mark.parametrize("args", [
    ["--json", "privacy", "history", "X", "--audit", "/nonexistent/audit.jsonl"],
    ["--help"],
    ["territories"],
    ["schema", "--name", "case"],
])
def test_a_closed_stdout_ends_any_command_quietly_with_141(args: list[str]) -> None:
    """``inclusione ... | head -c1``: exit 141, no traceback (it printed two and exited 1)."""
    done = closed_stdout_run(*args)
    assert done.returncode == 141, done.stderr.decode()
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


def test_a_closed_stdout_stops_a_batch_with_141(tmp_path: Path) -> None:
    """A batch writing to a closed pipe stops at once with 141."""
    path = write_lines(tmp_path / "c.jsonl", [good(i) for i in range(3)])
    done = closed_stdout_run("--json", "assess", str(path), "--as-of", AS_OF)
    assert done.returncode == 141 and b"Traceback" not in done.stderr


# --------------------------------------------------------------------------- limits


def test_limits_are_configuration(run: Run, tmp_path: Path) -> None:
    """--limit NAME=VALUE changes a limit; an unknown name or a bad value is an input error (exit 2)."""
    path = write_lines(tmp_path / "c.jsonl", [good(0)])
    code, out, _ = run("--json", "--limit", "max_depth=2", "assess", path, "--as-of", AS_OF)
    assert code == 2 and json_records(out)[0]["error"]["details"][0]["rule"] == "limit:max_depth"
    code, _, _ = run("--json", "assess", path, "--as-of", AS_OF, "--limit", "max_string=1000")
    assert code == 0
    code, _, err = run("--limit", "max_depht=3", "assess", path)
    assert code == 2 and "max_depth" in err
    code, _, err = run("--limit", "min_date=ieri", "assess", path)
    assert code == 2
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False),
                    limits=Limits(min_date=dt.date(2000, 1, 1)))
    assert rules(case_error(engine, italia_case())) == {"limit:dates"}  # born in 1980
    with pytest.raises(ValueError, match="max_depth"):
        Limits(max_depth=0)


def test_the_c_and_the_python_yaml_loaders_read_the_same_values() -> None:
    """Every YAML file of the reference territories reads the same with libyaml's parser and PyYAML's own."""
    from inclusione_core._reader import parse_yaml

    files = sorted((ROOT / "territories").rglob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        booleans = "strict" if "scenarios" in path.parts else "yaml11"
        fast = parse_yaml(path.read_bytes(), path, booleans=booleans)
        pure = parse_yaml(path.read_bytes(), path, booleans=booleans, pure=True)
        assert fast.data == pure.data, path


def test_scenario_files_keep_on_as_a_key() -> None:
    """In scenario files only true/false are booleans: ``on:`` stays a key (YAML 1.1 would make it True)."""
    from inclusione_core._reader import parse_yaml

    doc = parse_yaml(b"a: {on: 2025-01-01, yes: no}\n", Path("s.yaml"), booleans="strict")
    assert doc.data == {"a": {"on": "2025-01-01", "yes": "no"}}
    with pytest.raises(Exception, match="chiave non ammessa"):
        parse_yaml(b"a: {on: 1}\n", Path("t.yaml"))

