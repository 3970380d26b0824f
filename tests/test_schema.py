"""The JSON Schemas: the shipped case schema is the generated one, and every schema is valid."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from json_outputs import published_schemas

from inclusione_core import Case, Result
from inclusione_core._fields import DATE_PATTERN, DOC_KEY, TIMESTAMP_PATTERN
from inclusione_core._predicates import known_predicates
from inclusione_core._schema import (
    GENERATED,
    SCHEMA_NAMES,
    generate_case_schema,
    generate_schema,
    load_schema,
    schema_text,
    validate_instance,
    validator,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", GENERATED)
def test_shipped_schema_is_the_generated_one(name: str) -> None:
    """The shipped case, result and view schemas equal the generator's output: regenerate after changing a model."""
    assert json.loads(schema_text(name)) == generate_schema(name), (
        f"{name}.schema.json is out of date: regenerate it from the models "
        f"(`python tools/schemas.py`)"
    )


@pytest.mark.parametrize("name", GENERATED)
def test_shipped_schema_is_formatted_as_generated(name: str) -> None:
    """A shipped generated schema is the generator's output written with 2-space indentation."""
    assert schema_text(name) == json.dumps(generate_schema(name), ensure_ascii=False, indent=2) + "\n"


def test_every_shipped_schema_is_published() -> None:
    """The schemas folder holds exactly the published schemas (SCHEMA_NAMES, which the CLI offers)."""
    assert {p.name for p in (ROOT / "src" / "inclusione_core" / "schemas").iterdir()} == {
        f"{name}.schema.json" for name in SCHEMA_NAMES
    }


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


def test_result_schema_covers_every_model_field() -> None:
    """Every field of Result and of every model in it is a described property; required = no default."""
    schema = load_schema("result")
    defs = {"Result": schema, **schema["$defs"]}
    models = __import__("inclusione_core._models", fromlist=["Result"])
    for name, body in defs.items():
        cls = Result if name == "Result" else getattr(models, name)
        fields = {a.name: a for a in attrs.fields(cls)}
        assert set(body["properties"]) == set(fields), name
        assert body["additionalProperties"] is False
        assert all(prop["description"] for prop in body["properties"].values()), name
        required = {n for n, a in fields.items() if a.default is attrs.NOTHING}
        assert set(body.get("required", [])) == required, name


def test_result_schema_accepts_the_values_of_a_masked_view() -> None:
    """What a recipient view puts in a masked result (non_comunicato, null grades and household) is valid."""
    from inclusione_core import Engine
    from inclusione_core.testing import minimal_case

    engine = Engine()
    result = engine.assess(minimal_case(), as_of=__import__("datetime").date(2025, 3, 1))
    data = engine.to_json(result)
    data["routing"].update(outcome="non_comunicato", service=None, channel="non_comunicato", deadline=None)
    data["equipe"].update(format="non_comunicato", label="non_comunicato", household_takes_part=None, modes=[],
                          members=[])
    data["profile"]["profile"].update(occupability=None, complexity=None, activability=None,
                                      pathway="non_comunicato")
    assert validate_instance("result", data) == []
    assert engine.converter.structure(data, Result).routing.outcome == "non_comunicato"
    data["routing"]["outcome"] = "nascosto"
    assert [d.path for d in validate_instance("result", data)] == ["$.routing.outcome"]


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


def test_validation_errors_of_a_date_are_one_error_in_words() -> None:
    """A date that is not a real day gives one error, `format`, whichever of pattern and format caught it."""
    for bad in ("0000-01-01", "2025-02-30", "2025-13-01", "2025-01-01\n", "2025/01/01"):
        data = {"id": "c1", "territory": "italia", "opened_on": bad, "household": {"id": "h", "members": [{"id": "m"}]}}
        (detail,) = validate_instance("case", data)
        expected = ("$.opened_on", "format", "non è una data valida AAAA-MM-GG")
        assert (detail.path, detail.rule, detail.message) == expected, bad


# --------------------------------------------------------------------------- one date rule, one regex dialect


def _real_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) is not None


def test_the_date_pattern_is_the_calendar() -> None:
    """DATE_PATTERN accepts exactly the real days 0001-01-01..9999-12-31 written YYYY-MM-DD (as the converter does)."""
    pattern = re.compile(DATE_PATTERN)
    candidates = [f"{y:04d}-{m:02d}-{d:02d}" for y in (0, 1, 4, 100, 1900, 2000, 2023, 2024, 2025, 2100, 2400, 9999)
                  for m in range(14) for d in range(33)]
    candidates += [f"{y:04d}-02-29" for y in range(10_000)]
    for text in candidates:
        assert bool(pattern.search(text)) is _real_day(text), text
    for text in ("2025-01-01\n", "2025-01-01 ", " 2025-01-01", "\u0662\u0660\u0662\u0665-01-01", "2025-1-01",
                 "20250101", "+2025-01-01", "2025-01-01T00:00:00"):
        assert not pattern.search(text), repr(text)


def test_the_timestamp_pattern_matches_isoformat() -> None:
    """TIMESTAMP_PATTERN accepts what the CLI writes for the moment of a disclosure, and no trailing newline."""
    moment = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
    assert re.search(TIMESTAMP_PATTERN, moment.isoformat(timespec="seconds"))
    assert re.search(TIMESTAMP_PATTERN, moment.astimezone(dt.timezone(dt.timedelta(hours=-5))).isoformat(
        timespec="seconds"))
    assert not re.search(TIMESTAMP_PATTERN, moment.isoformat(timespec="seconds") + "\n")
    assert not re.search(TIMESTAMP_PATTERN, "2025-02-30T09:30:00+00:00")


def _nodes(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object in a schema document, with its JSON pointer (values of enum/const skipped)."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key not in ("enum", "const", "default", "examples", "x-source", "x-category"):
                yield from _nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _nodes(item, f"{path}/{i}")


@pytest.mark.parametrize("path", published_schemas(), ids=lambda p: p.name)
def test_every_date_of_a_published_schema_follows_the_date_rule(path: Path) -> None:
    """Every `format: date` comes with `type: string` and exactly DATE_PATTERN, so that jsonschema and ajv agree."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    for where, node in _nodes(schema):
        if node.get("format") == "date":
            assert node.get("type") == "string" and node.get("pattern") == DATE_PATTERN, f"{path.name} {where}"
        if node.get("pattern") in (DATE_PATTERN, r"^\d{4}-\d{2}-\d{2}$"):
            assert node.get("format") == "date", f"{path.name} {where}: a date pattern without format: date"


@pytest.mark.parametrize("path", published_schemas(), ids=lambda p: p.name)
def test_every_pattern_means_the_same_in_python_and_ecmascript(path: Path) -> None:
    r"""
    Every pattern ends with `$(?!\n)` (Python's `$` also matches before a final newline) and uses no
    `\d \w \s \b` (Unicode-aware in Python, ASCII in ECMA-262): the same strings match in both dialects.
    """
    schema = json.loads(path.read_text(encoding="utf-8"))
    for where, node in _nodes(schema):
        pattern = node.get("pattern")
        if not isinstance(pattern, str):
            continue
        assert pattern.endswith("$(?!\\n)"), f"{path.name} {where}: {pattern}"
        assert not re.search(r"\\[dDwWsSbB]", pattern), f"{path.name} {where}: {pattern}"


# --------------------------------------------------------------------------- the JSON the CLI prints


def test_every_line_of_assess_json_is_valid_against_the_view_schema() -> None:
    """Each line of `inclusione --json assess` (results for ssp and cpi, errors) is valid against view.schema.json."""
    from json_outputs import RECIPIENTS, assess_lines

    check = validator("view")
    masked = errors = 0
    for recipient in RECIPIENTS:
        for line in assess_lines(recipient):
            assert [e.message for e in check.iter_errors(line)] == [], line.get("case_id", line.get("source"))
            if "error" in line:
                errors += 1
                continue
            assert line["recipient"] == recipient
            masked += bool(line["masked"])
    assert errors == 4  # the two bad lines, for each recipient
    assert masked  # some results carry masked parts (non_comunicato, null): the schema accepts them


def test_every_line_of_demo_json_is_valid_against_the_view_schema() -> None:
    """`inclusione --json demo` prints view lines (one per example), each valid against view.schema.json."""
    from json_outputs import run_cli

    code, out, _err = run_cli("--json", "demo")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    check = validator("view")
    assert len(lines) >= 10
    for line in lines:
        assert [e.message for e in check.iter_errors(line)] == [], line["case_id"]


def test_privacy_view_json_and_errors_are_valid_against_the_view_schema() -> None:
    """`inclusione --json privacy view` objects and the errors a command prints are valid against view.schema.json."""
    from json_outputs import error_outputs, privacy_views

    check = validator("view")
    for output in [*privacy_views(), *error_outputs()]:
        assert [e.message for e in check.iter_errors(output)] == [], output
    assert any('": null' in json.dumps(view["data"]) for view in privacy_views())  # withheld fields: null


def test_the_view_schema_refuses_what_the_cli_never_prints() -> None:
    """A result line without its envelope, an unknown key, a result missing a part: each is refused."""
    from json_outputs import assess_lines

    check = validator("view")
    line = next(x for x in assess_lines("ssp") if "result" in x)
    assert not check.is_valid(line["result"])  # the bare result (`.routing`) is not a line: `.result.routing` is
    assert not check.is_valid({**line, "extra": 1})
    assert not check.is_valid({**line, "result": {k: v for k, v in line["result"].items() if k != "routing"}})
    assert not check.is_valid({**line, "data": line["result"]})  # a result view carries `result`, a case view `data`
    assert not check.is_valid({"source": "x", "error": {"type": "InputError", "message": "m", "source": "x"}})


def test_the_readme_jq_examples_work_on_real_output(tmp_path: Path) -> None:
    """Each `inclusione --json assess ... | jq ...` line of the README's JSON output section prints something."""
    import shutil
    import subprocess

    from json_outputs import assess_lines

    if shutil.which("jq") is None:
        pytest.skip("jq is not on PATH: the README's jq examples cannot be run")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## JSON output\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, re.M | re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.startswith("inclusione ")]
    assert len(commands) >= 3
    for command in commands:
        head, _, tail = command.partition(" | ")
        assert head.startswith("inclusione --json assess ") and tail.startswith("jq "), command
        wanted = re.search(r"--recipient (\w+)", head)
        recipient = wanted.group(1) if wanted else "ssp"
        lines = tmp_path / f"{recipient}.jsonl"
        lines.write_text("".join(json.dumps(x) + "\n" for x in assess_lines(recipient)), encoding="utf-8")
        proc = subprocess.run(["bash", "-o", "pipefail", "-c", f"cat {lines} | {tail}"], capture_output=True,
                              text=True, check=False)
        assert proc.returncode == 0 and proc.stdout.strip(), (command, proc.stderr)
