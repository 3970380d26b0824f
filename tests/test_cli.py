"""The ``inclusione`` command, run in-process through ``main([...])``."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from samples import italia_case

from inclusione_core.cli import main

Run = Callable[..., tuple[int, str, str]]

BAD_CASE = {
    "id": "c9",
    "territory": "italia",
    "opened_on": "2025-13-10",
    "colour": "red",
    "household": {"id": "h1", "members": [{"id": "m1", "employment": "boh"}], "isee": -5},
}


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


DISCLOSED_AT = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.UTC)
"""The moment every disclosure of these tests happens (consents are judged on its day)."""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run ``inclusione ARGS...`` in-process, disclosures at DISCLOSED_AT; return (exit status, stdout, stderr)."""
    monkeypatch.setattr("inclusione_core._engine._utcnow", lambda: DISCLOSED_AT)

    def _run(*args: str | Path) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        return code, out, err

    return _run


@pytest.fixture
def only_core(monkeypatch: pytest.MonkeyPatch) -> None:
    """Load no installed territory plugin: only the core and its ``italia`` layer."""
    monkeypatch.setenv("INCLUSIONE_LOAD_PLUGINS", "")


SCENARIOS_OK = """\
scenarios:
  - name: dipendenze e lavoro
    case: examples/c1.json
    as_of: "2025-03-01"
    expected:
      profile: {occupability: media, complexity: alta, pathway: equipe_quadro_approfondito}
      routing: {outcome: routed, service: ssp, channel: equipe_multidisciplinare, deadline: null}
      equipe: {format: multidisciplinare, roles: [operatore_cpi, assistente_sociale]}
      interventions: {order: [tirocinio_inclusione, puc]}
      cites: ["D.Lgs. n. 147/2017"]
"""


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """A configuration directory with ``borgo`` (extends italia), one example and one scenario file."""
    root = tmp_path / "cfg"
    layer = root / "borgo"
    write_json(layer / "examples" / "c1.json", italia_case(territory="borgo"))
    (layer / "scenarios.yaml").write_text(SCENARIOS_OK, encoding="utf-8")
    (layer / "territory.yaml").write_text(
        "id: borgo\n"
        'label: {it: "Borgo di prova", en: "Test village"}\n'
        "level: ambito\n"
        "extends: italia\n"
        'version: "0.1"\n'
        "examples:\n"
        '  - {case: examples/c1.json, as_of: "2025-03-01", title: "Nucleo con dipendenze"}\n'
        "scenarios: [scenarios.yaml]\n",
        encoding="utf-8",
    )
    return root


# --------------------------------------------------------------------------- start-up


def test_help_lists_every_command_in_italian(run: Run) -> None:
    """`--help` exits 0 and describes every command, in Italian by default."""
    code, out, _ = run("--help")
    assert code == 0
    for command in ("territories", "config", "validate", "assess", "schema", "test", "demo", "privacy"):
        assert command in out
    assert "lingua dei messaggi" in out


def test_help_speaks_english_with_lang_en(run: Run) -> None:
    """`--lang en --help` prints the help texts in English, including the default as-of date."""
    code, out, _ = run("--lang", "en", "assess", "--help")
    assert code == 0
    assert "default: today" in out


def test_cli_module_imports_only_the_standard_library() -> None:
    """Importing the CLI loads no third-party library and no engine module but i18n (fast `--help`)."""
    probe = (
        "import sys, inclusione_core.cli;"
        "heavy = {'attr', 'attrs', 'cattrs', 'jsonschema', 'pluggy', 'yaml', 'holidays'};"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy"
        " or (m.startswith('inclusione_core.') and not m.startswith('inclusione_core.cli')"
        " and m != 'inclusione_core.i18n')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_package_exports_resolve_lazily() -> None:
    """Every public name of the package is mapped to a private module and resolves on access."""
    import inclusione_core

    assert set(inclusione_core._EXPORTS) == set(inclusione_core.__all__)
    for name in inclusione_core.__all__:
        assert getattr(inclusione_core, name) is not None
    assert set(inclusione_core.__all__) <= set(dir(inclusione_core))
    with pytest.raises(AttributeError):
        _ = inclusione_core.NoSuchThing


def test_version_option_prints_the_core_version(run: Run) -> None:
    """`--version` prints the installed core version and exits 0."""
    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith("inclusione_core ")


def test_no_command_prints_usage_and_exits_2(run: Run) -> None:
    """Running `inclusione` with no command shows the help on stderr and exits 2."""
    code, _, err = run()
    assert code == 2
    assert "validate" in err


# --------------------------------------------------------------------------- validate


def test_validate_accepts_a_good_case(run: Run, tmp_path: Path) -> None:
    """A case conforming to the exchange format validates with OK and exit 0."""
    code, out, _ = run("validate", write_json(tmp_path / "case.json", italia_case()))
    assert code == 0
    assert out.startswith("OK")


def test_validate_lists_every_error_of_a_bad_case_by_path(run: Run, tmp_path: Path) -> None:
    """A bad case exits 2 and lists each error with its file, JSON path, value and rule."""
    path = write_json(tmp_path / "bad.json", BAD_CASE)
    code, out, _ = run("validate", path)
    assert code == 2
    assert str(path) in out
    for where in ("@ $.colour", "@ $.opened_on", "@ $.household.isee", "@ $.household.members[0].employment"):
        assert where in out
    assert "[regola: additionalProperties]" in out
    assert "(valore: -5)" in out


def test_validate_reports_invalid_json_with_line_and_column(run: Run, tmp_path: Path) -> None:
    """A case file that is not JSON exits 2 naming the line and column of the syntax error."""
    path = tmp_path / "broken.json"
    path.write_text('{"id": "c1",\n  "territory": }', encoding="utf-8")
    code, out, _ = run("validate", path)
    assert code == 2
    assert "riga 2" in out


def test_validate_names_the_file_and_path_of_an_unknown_config_key(run: Run, tmp_path: Path) -> None:
    """A territory layer with an unknown key exits 2, naming the file and the key's JSON path."""
    layer = tmp_path / "cfg" / "rotto" / "territory.yaml"
    layer.parent.mkdir(parents=True)
    layer.write_text(
        'id: rotto\nlabel: {it: Rotto, en: Broken}\nlevel: ambito\nextends: italia\nversion: "1"\ncolour: red\n',
        encoding="utf-8",
    )
    code, out, _ = run("validate", layer)
    assert code == 2
    assert "rotto/territory.yaml" in out
    assert "@ $.colour" in out


def test_validate_checks_a_layer_with_its_chain_examples_and_scenarios(
    run: Run, config_dir: Path, only_core: None
) -> None:
    """A valid layer validates through its extends chain, with its example cases and scenario files."""
    code, out, _ = run("validate", config_dir / "borgo" / "territory.yaml")
    assert code == 0, out
    assert "c1.json" in out
    assert "scenarios.yaml" in out


def test_validate_checks_a_layer_file_with_another_name_on_its_own(run: Run, tmp_path: Path) -> None:
    """A layer file not named territory.yaml is schema-checked alone, with a warning saying so."""
    layer = tmp_path / "bozza.yaml"
    layer.write_text('id: bozza\nlabel: {it: B, en: B}\nlevel: ambito\nextends: italia\nversion: "1"\n')
    code, out, _ = run("validate", layer)
    assert code == 0
    assert "avviso" in out
    layer.write_text('id: bozza\nlevel: ambito\nextends: italia\nversion: "1"\n')
    code, out, _ = run("validate", layer)
    assert code == 2
    assert "campo obbligatorio mancante @ $.label" in out


def test_validate_reports_an_unknown_parent(run: Run, tmp_path: Path) -> None:
    """A layer extending a territory that does not exist is reported with the path $.extends."""
    layer = tmp_path / "orfano" / "territory.yaml"
    layer.parent.mkdir()
    layer.write_text('id: orfano\nlabel: {it: O, en: O}\nlevel: ambito\nextends: atlantide\nversion: "1"\n')
    code, out, _ = run("validate", layer)
    assert code == 2
    assert "@ $.extends" in out


def test_validate_reports_a_malformed_scenario_file(run: Run, tmp_path: Path) -> None:
    """A scenario file breaking its schema exits 2 with every error by path."""
    path = tmp_path / "scen.yaml"
    path.write_text(
        "scenarios:\n  - name: x\n    case: nowhere.json\n    as_of: 2025-31-01\n"
        "    expected: {profile: {colour: red}}\n",
        encoding="utf-8",
    )
    code, out, _ = run("validate", path)
    assert code == 2
    assert "@ $.scenarios[0].as_of" in out
    assert "@ $.scenarios[0].expected.profile.colour" in out
    assert "@ $.scenarios[0].case" in out


def test_validate_reports_each_bad_line_of_json_lines(run: Run, tmp_path: Path) -> None:
    """Each invalid line of a JSON Lines file is reported as file:line; good lines pass."""
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join([json.dumps(italia_case()), "{oops", json.dumps(BAD_CASE)]) + "\n")
    code, out, _ = run("validate", path)
    assert code == 2
    assert f"{path}:2" in out
    assert f"{path}:3" in out
    assert f"{path}:1" not in out


def test_validate_refuses_unknown_file_types_and_missing_files(run: Run, tmp_path: Path) -> None:
    """A missing file or a file of no known kind exits 2 with a message, not a traceback."""
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    code, out, _ = run("validate", tmp_path / "missing.json", other)
    assert code == 2
    assert "file non trovato" in out
    assert "tipo di file non riconosciuto" in out


def test_validate_json_output_parses(run: Run, tmp_path: Path) -> None:
    """`--json validate` prints one JSON document with every error's path, message and rule."""
    code, out, _ = run("validate", "--json", write_json(tmp_path / "bad.json", BAD_CASE))
    assert code == 2
    report = json.loads(out)
    assert report["valid"] is False
    paths = {d["path"] for d in report["files"][0]["errors"][0]["details"]}
    assert {"$.colour", "$.household.isee"} <= paths


# --------------------------------------------------------------------------- assess


def test_assess_explains_the_result_in_italian(run: Run, tmp_path: Path) -> None:
    """The text result shows every section, each decision's reason, source and provenance."""
    path = write_json(tmp_path / "case.json", italia_case())
    code, out, _ = run("assess", "--territory", "italia", path, "--as-of", "2025-03-01")
    assert code == 0
    for heading in ("PROFILO", "INSTRADAMENTO", "EQUIPE", "INTERVENTI RACCOMANDATI", "SCADENZE", "MISURE",
                    "PROVENIENZA"):
        assert heading in out
    assert "Servizio Sociale Professionale (ssp)" in out
    assert "Fonte: D.Lgs. n. 147/2017, art. 5" in out
    assert "Provenienza: inclusione_core@" in out
    assert "italia/territory.yaml" in out
    assert "alla data 2025-03-01" in out


def test_assess_speaks_english_with_lang_en(run: Run, tmp_path: Path) -> None:
    """`--lang en` (also after the command) gives English headings and English reason messages."""
    path = write_json(tmp_path / "case.json", italia_case())
    code, out, _ = run("assess", path, "--as-of", "2025-03-01", "--lang", "en")
    assert code == 0
    assert "ROUTING" in out
    assert "Source: D.Lgs. n. 147/2017, art. 5" in out
    assert "the multidisciplinary team" in out


def test_assess_json_output_is_the_result(run: Run, tmp_path: Path) -> None:
    """`--json assess` prints the social service's view of the result, with provenance, as-of date and basis."""
    path = write_json(tmp_path / "case.json", italia_case())
    code, out, _ = run("--json", "assess", path, "--as-of", "2025-03-01")
    assert code == 0
    view = json.loads(out)
    assert (view["recipient"], view["purpose"], view["not_disclosed"]) == ("ssp", "assessment", [])
    assert {d["basis"] for d in view["disclosed"]} == {"law"}
    result = view["result"]
    assert result["as_of"] == "2025-03-01"
    assert result["routing"]["service"] == "ssp"
    assert result["provenance"]["config_digest"]


def test_assess_as_of_changes_the_measures_in_force(run: Run, tmp_path: Path) -> None:
    """The same case assessed in 2022 and in 2025 sees RdC then AdI in force."""
    path = write_json(tmp_path / "case.json", italia_case(measures=[]))

    def measures(day: str) -> set[str]:
        code, out, _ = run("--json", "assess", path, "--as-of", day)
        assert code == 0
        return {m["measure"] for m in json.loads(out)["result"]["measures"] if m["in_force"]}

    assert "rdc" in measures("2022-06-01")
    assert "adi" not in measures("2022-06-01")
    assert "adi" in measures("2025-06-01")
    assert "rdc" not in measures("2025-06-01")


def test_assess_defaults_to_today(run: Run, tmp_path: Path) -> None:
    """Without --as-of the case is assessed as of today."""
    code, out, _ = run("--json", "assess", write_json(tmp_path / "case.json", italia_case()))
    assert code == 0
    assert json.loads(out)["result"]["as_of"] == dt.date.today().isoformat()


def test_assess_streams_json_lines_and_reports_the_bad_line(run: Run, tmp_path: Path) -> None:
    """A bad line in JSON Lines is reported as file:n, the others are assessed, and the exit is 2."""
    path = tmp_path / "cases.jsonl"
    lines = [italia_case(id="a"), "{oops", BAD_CASE, italia_case(id="d")]
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n")
    code, out, err = run("--json", "assess", path, "--as-of", "2025-03-01")
    assert code == 2
    records = [json.loads(line) for line in out.splitlines()]
    assert [r.get("case_id") or r["source"] for r in records] == ["a", f"{path}:2", f"{path}:3", "d"]
    assert records[2]["error"]["details"]
    assert f"{path}:2" in err
    assert f"{path}:3" in err


def test_assess_reads_json_lines_from_stdin(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """`assess -` reads cases from stdin, one per line, as they come."""
    text = json.dumps(italia_case(id="x")) + "\n" + json.dumps(italia_case(id="y")) + "\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = run("assess", "-", "--json", "--as-of", "2025-03-01")
    assert code == 0
    assert [json.loads(line)["case_id"] for line in out.splitlines()] == ["x", "y"]
    assert [json.loads(line)["result"]["case_id"] for line in out.splitlines()] == ["x", "y"]


def test_assess_reads_a_pretty_printed_case_from_stdin(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """A multi-line JSON document on stdin is read as one case."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(json.dumps(italia_case(), indent=2)))
    code, out, _ = run("assess", "-", "--as-of", "2025-03-01")
    assert code == 0
    assert "Caso c1" in out


def test_assess_unknown_territory_exits_2(run: Run, tmp_path: Path) -> None:
    """Asking for a territory that is not installed exits 2 and lists the available ones."""
    code, _, err = run("assess", "--territory", "atlantide", write_json(tmp_path / "c.json", italia_case()))
    assert code == 2
    assert "atlantide" in err
    assert "italia" in err


def test_assess_rejects_a_bad_as_of_date(run: Run, tmp_path: Path) -> None:
    """An impossible --as-of date is refused with exit 2 and a message in Italian."""
    code, _, err = run("assess", write_json(tmp_path / "c.json", italia_case()), "--as-of", "2025-02-30")
    assert code == 2
    assert "data non valida" in err


def test_missing_config_dir_exits_2(run: Run, tmp_path: Path) -> None:
    """A --config-dir that does not exist is bad input (exit 2), named in the message."""
    code, _, err = run("--config-dir", tmp_path / "nope", "territories")
    assert code == 2
    assert "nope" in err


def test_internal_error_is_short_and_exits_3(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected exception prints a short internal-error message with a hint, exit 3."""
    from inclusione_core._engine import Engine

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(Engine, "assess", boom)
    code, _, err = run("assess", write_json(tmp_path / "c.json", italia_case()))
    assert code == 3
    assert "errore interno" in err
    assert "INCLUSIONE_DEBUG=1" in err


def test_internal_error_shows_the_traceback_with_debug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With INCLUSIONE_DEBUG=1 an unexpected exception propagates (so a developer sees it)."""
    from inclusione_core._engine import Engine

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("kaput")

    monkeypatch.setattr(Engine, "assess", boom)
    monkeypatch.setenv("INCLUSIONE_DEBUG", "1")
    with pytest.raises(RuntimeError, match="kaput"):
        main(["assess", str(write_json(tmp_path / "c.json", italia_case()))])


@st.composite
def not_a_case(draw: st.DrawFn) -> Any:
    """Arbitrary JSON, or a valid case with one field replaced, dropped or added."""
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    anything = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
        max_leaves=8,
    )
    if draw(st.booleans()):
        return draw(anything)
    case = italia_case()
    key = draw(st.sampled_from([*case, "unknown_key"]))
    if draw(st.booleans()) and key in case:
        del case[key]
    else:
        case[key] = draw(anything)
    return case


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=not_a_case())
def test_any_json_that_is_not_a_case_exits_2_without_traceback(data: Any) -> None:
    """Whatever JSON is given as a case, if it is not a valid case: exit 2, errors listed, no traceback."""
    from inclusione_core._convert import make_converter, structure_case
    from inclusione_core._errors import InvalidCaseError

    try:
        structure_case(make_converter(), data)
    except InvalidCaseError:
        pass
    else:
        return  # the mutation happened to keep the case valid: nothing to check
    with tempfile.TemporaryDirectory() as tmp:
        path = write_json(Path(tmp) / "case.json", data)
        for command in (["validate", str(path)], ["assess", str(path), "--as-of", "2025-03-01"]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main(command)
            text = out.getvalue() + err.getvalue()
            assert code == 2, text
            assert "Traceback" not in text
            assert " @ $" in text


# --------------------------------------------------------------------------- schema


def test_schema_out_writes_every_schema(run: Run, tmp_path: Path) -> None:
    """`schema --out DIR` writes the case, territory, scenario, result, view and report schemas, each valid 2020-12."""
    from jsonschema import Draft202012Validator

    code, out, _ = run("schema", "--out", tmp_path / "out")
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["case.schema.json", "report.schema.json", "result.schema.json", "scenario.schema.json",
                     "territory.schema.json", "view.schema.json"]
    for name in names:
        schema = json.loads((tmp_path / "out" / name).read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert name in out
    case_schema = json.loads((tmp_path / "out" / "case.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(case_schema).validate(italia_case())


def test_schema_with_an_unknown_name_lists_the_published_ones(run: Run) -> None:
    """`schema --name NAME` with a name not published: exit 2, the value and every published name."""
    code, out, err = run("--lang", "en", "schema", "--name", "caso")
    assert (code, out) == (2, "")
    assert "'caso'" in err or "caso" in err
    assert "case, territory, scenario, result, view" in err


def test_schema_without_name_or_out_writes_nothing(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`schema` alone prints nothing on stdout, names the schemas on stderr, exits 2, writes no file."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run("--lang", "en", "schema")
    assert code == 2
    assert out == ""
    assert "--name (case, territory, scenario, result, view, report)" in err and "--out DIR" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["case", "territory", "scenario", "result", "view", "report"])
def test_schema_name_prints_one_schema(run: Run, name: str) -> None:
    """`schema --name NAME` prints that schema on stdout, as shipped."""
    from inclusione_core._schema import load_schema

    code, out, _ = run("schema", "--name", name)
    assert code == 0
    assert json.loads(out) == load_schema(name)


def test_schema_matches_the_models(run: Run) -> None:
    """The case schema written is the one generated from the models now."""
    from inclusione_core._schema import generate_case_schema

    code, out, _ = run("schema", "--name", "case")
    assert code == 0
    assert json.loads(out) == generate_case_schema()


# --------------------------------------------------------------------------- test


def write_scenarios(tmp_path: Path, text: str, name: str = "scen.yaml") -> Path:
    write_json(tmp_path / "examples" / "c1.json", italia_case())
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_test_command_passes_matching_scenarios(run: Run, tmp_path: Path) -> None:
    """A scenario whose expectations match the result is ticked and the exit status is 0."""
    code, out, _ = run("test", write_scenarios(tmp_path, SCENARIOS_OK))
    assert code == 0, out
    assert "✓ dipendenze e lavoro" in out


def test_test_command_fails_with_expected_and_actual(run: Run, tmp_path: Path) -> None:
    """A failing scenario is crossed, each mismatch shows field, expected and actual; exit 1."""
    text = SCENARIOS_OK.replace("service: ssp", "service: cpi").replace("complexity: alta", "complexity: bassa")
    code, out, _ = run("test", write_scenarios(tmp_path, text))
    assert code == 1
    assert "✗ dipendenze e lavoro" in out
    assert "routing.service: atteso 'cpi', ottenuto 'ssp'" in out
    assert "profile.complexity: atteso 'bassa', ottenuto 'alta'" in out


def test_test_command_reports_a_malformed_scenario_file(run: Run, tmp_path: Path) -> None:
    """A malformed scenario file is reported with its errors by path and exit 2, other files still run."""
    good = write_scenarios(tmp_path, SCENARIOS_OK)
    bad = write_scenarios(tmp_path, "scenarios:\n  - name: x\n    as_of: oggi\n", name="bad.yaml")
    code, out, _ = run("test", bad, good)
    assert code == 2
    assert "@ $.scenarios[0]" in out
    assert "campo obbligatorio mancante @ $.scenarios[0].case" in out
    assert "✓ dipendenze e lavoro" in out


def test_test_command_runs_a_directory(run: Run, tmp_path: Path) -> None:
    """A directory runs every scenario file under it and skips other YAML files."""
    write_scenarios(tmp_path, SCENARIOS_OK, name="a.yaml")
    (tmp_path / "other.yaml").write_text("hello: world\n")
    code, out, _ = run("test", tmp_path)
    assert code == 0, out
    assert "a.yaml" in out
    assert "other.yaml" not in out


def test_test_command_runs_a_territory_and_all_installed(run: Run, config_dir: Path, only_core: None) -> None:
    """A territory id runs its scenario files; no PATH runs those of every available territory."""
    for args in (["test", "borgo"], ["test"]):
        code, out, _ = run("--config-dir", config_dir, *args)
        assert code == 0, out
        assert "scenarios.yaml" in out
        assert "✓ dipendenze e lavoro" in out


def test_test_command_refuses_an_unknown_path(run: Run) -> None:
    """A PATH that is neither a file, a directory nor a territory exits 2 naming it."""
    code, _, err = run("test", "atlantide")
    assert code == 2
    assert "atlantide" in err


def test_test_command_json_output(run: Run, tmp_path: Path) -> None:
    """`--json test` reports each scenario with passed and mismatches."""
    text = SCENARIOS_OK.replace("service: ssp", "service: cpi")
    code, out, _ = run("--json", "test", write_scenarios(tmp_path, text))
    assert code == 1
    report = json.loads(out)
    (scenario,) = report["files"][0]["scenarios"]
    assert scenario["passed"] is False
    assert any(m.startswith("routing.service") for m in scenario["mismatches"])


# --------------------------------------------------------------------------- integrator tools


def test_validate_takes_a_territory_id_or_folder(run: Run, config_dir: Path, only_core: None) -> None:
    """`validate ID` and `validate FOLDER` check the configuration with its chain, examples and scenario files."""
    for target in ("borgo", config_dir / "borgo"):
        code, out, _ = run("--config-dir", config_dir, "validate", target)
        assert code == 0, out
        assert f"OK  {config_dir / 'borgo' / 'territory.yaml'} (configurazione)" in out
        assert "c1.json (esempio)" in out
        assert "scenarios.yaml (scenari)" in out


def test_validate_an_unknown_id_suggests_the_installed_ones(run: Run, config_dir: Path, only_core: None) -> None:
    """A name that is neither a file nor a territory: the closest territory and the installed ones."""
    code, out, _ = run("--config-dir", config_dir, "validate", "borgho", "lucca", tmp := config_dir / "vuota")
    assert code == 2
    assert "file non trovato, né territorio installato (forse 'borgo'?); installati: borgo, italia" in out
    assert "lucca" in out and "installati: borgo, italia" in out
    tmp.mkdir()
    code, out, _ = run("--config-dir", config_dir, "validate", tmp)
    assert code == 2 and "una cartella senza territory.yaml" in out


def test_validate_and_test_warn_of_scenario_files_not_listed(run: Run, config_dir: Path, only_core: None) -> None:
    """A scenario file in the territory's scenarios/ folder that the configuration does not list is a warning."""
    (config_dir / "borgo" / "scenarios").mkdir()
    (config_dir / "borgo" / "scenarios" / "dimenticato.yaml").write_text(SCENARIOS_OK, encoding="utf-8")
    code, out, _ = run("--config-dir", config_dir, "validate", "borgo")
    assert code == 0
    assert "avviso: il file di scenari scenarios/dimenticato.yaml non è elencato in `scenarios:`" in out
    code, out, err = run("--config-dir", config_dir, "test", "borgo")
    assert code == 0
    assert "avviso: borgo: il file di scenari scenarios/dimenticato.yaml" in err
    assert "dimenticato.yaml" not in out
    code, out, _ = run("--config-dir", config_dir, "--json", "test", "borgo")
    assert any("dimenticato.yaml" in w["warning"] for w in json.loads(out)["warnings"])


def test_validate_warns_of_a_role_whose_service_gets_no_privacy_flow(
    run: Run, config_dir: Path, only_core: None
) -> None:
    """A role whose kind of service is no privacy recipient, or receives no flow, passes with a warning."""
    layer = config_dir / "borgo" / "territory.yaml"
    text = layer.read_text(encoding="utf-8")
    src = "source: {kind: default, note: test}"
    service = "    label: {it: S, en: S}\n    level: primo\n    access: [invio]\n    " + src + "\n"
    layer.write_text(text + "services:\n  bottega:\n    kind: bottega\n" + service
                     + "  mediazione:\n    kind: mediatore\n" + service
                     + "roles:\n  artigiano:\n    label: {it: A, en: A}\n    service: bottega\n    " + src + "\n"
                     "privacy:\n  recipients:\n    mediatore:\n      label: {it: M, en: M}\n      " + src + "\n",
                     encoding="utf-8")
    code, out, _ = run("--config-dir", config_dir, "validate", "borgo")
    assert code == 0, out
    assert ("avviso: il tipo di servizio bottega (di artigiano, bottega) non è un destinatario privacy:"
            " `inclusione assess --recipient bottega` sarebbe rifiutato") in out
    assert "avviso: nessun flusso privacy dà dati a mediatore (il tipo di servizio di mediazione)" in out
    code, out, _ = run("--lang", "en", "--config-dir", config_dir, "validate", "borgo")
    assert "warning: the service kind bottega (of artigiano, bottega) is not a privacy recipient" in out


def test_demo_runs_the_examples_of_the_territories_named(run: Run, config_dir: Path, only_core: None) -> None:
    """`demo ID` shows only that territory's examples; an unknown id is refused with the closest one."""
    code, out, _ = run("--config-dir", config_dir, "demo", "borgo")
    assert code == 0
    assert "Nucleo con dipendenze" in out
    code, out, _ = run("--config-dir", config_dir, "demo", "italia")
    assert code == 0 and "Nucleo con dipendenze" not in out
    code, _, err = run("--config-dir", config_dir, "demo", "borgi")
    assert code == 2 and "(forse 'borgo'?)" in err


SCENARIOS_TWO = SCENARIOS_OK + """\
  - name: solo lavoro
    case: examples/c1.json
    as_of: "2025-03-01"
    expected:
      routing: {outcome: routed}
"""


def test_test_k_selects_scenarios_by_name(run: Run, tmp_path: Path) -> None:
    """`test -k NAME` runs the scenarios whose name contains NAME (any of several); none matching exits 2."""
    path = write_scenarios(tmp_path, SCENARIOS_TWO)
    code, out, _ = run("test", path, "-k", "LAVORO")
    assert code == 0 and "✓ dipendenze e lavoro" in out and "✓ solo lavoro" in out
    code, out, _ = run("test", path, "-k", "solo")
    assert code == 0 and "✓ solo lavoro" in out and "dipendenze" not in out
    assert "1 scenari: 1 superati" in out
    code, out, _ = run("test", path, "-k", "solo", "-k", "dipendenze")
    assert "2 scenari: 2 superati" in out
    code, out, err = run("test", path, "-k", "nessuno")
    assert code == 2 and "nessun nome di scenario contiene 'nessuno'" in err
    code, out, _ = run("--json", "test", path, "-k", "solo")
    assert [s["name"] for f in json.loads(out)["files"] for s in f["scenarios"]] == ["solo lavoro"]


def test_test_reports_a_configuration_error_once(run: Run, config_dir: Path, only_core: None) -> None:
    """A broken configuration fails each of its scenarios, but its error is printed once; the others still run."""
    (config_dir / "borgo" / "scenarios.yaml").write_text(SCENARIOS_TWO, encoding="utf-8")
    layer = config_dir / "borgo" / "territory.yaml"
    layer.write_text(layer.read_text(encoding="utf-8") + "roles:\n  x:\n    label: {it: X, en: X}\n"
                     "    service: nessuno\n    source: {kind: default, note: test}\n", encoding="utf-8")
    code, out, _ = run("--config-dir", config_dir, "test", config_dir / "borgo" / "scenarios.yaml")
    assert code == 2
    assert out.count("tipo di servizio sconosciuto/a") == 1
    assert out.count("(segnalato sopra)") == 1
    assert "$.roles.x.service (riga 12, colonna 5)" in out
    code, out, _ = run("--config-dir", config_dir, "test")
    assert code == 2
    assert out.count("tipo di servizio sconosciuto/a") == 1
    assert "1 territori con la configurazione non valida" in out


def _without_origins(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_origins(v) for k, v in node.items() if k != "_from"}
    if isinstance(node, list):
        return [_without_origins(v) for v in node]
    return node


def test_config_show_prints_the_merged_configuration_with_each_entrys_files(
    run: Run, config_dir: Path, only_core: None
) -> None:
    """`config show ID`: YAML with each entry under a comment naming its layers' files; the same data as --json."""
    layer = config_dir / "borgo" / "territory.yaml"
    layer.write_text(layer.read_text(encoding="utf-8") + "needs:\n  lavoro:\n    override: true\n"
                     "    label: {it: Lavoro in borgo, en: Work in the village}\n", encoding="utf-8")
    code, text, _ = run("--config-dir", config_dir, "config", "show", "borgo")
    assert code == 0
    assert "# territorio borgo: configurazione effettiva di borgo -> italia" in text
    assert f"#   borgo/territory.yaml: {layer}" in text
    lines = text.splitlines()
    needs = lines[lines.index("needs:"):]
    assert needs[needs.index("  lavoro:") - 1] == "  # italia/territory.yaml + borgo/territory.yaml"
    assert needs[needs.index("  dipendenze:") - 1] == "  # italia/territory.yaml"
    code, raw, _ = run("--config-dir", config_dir, "--json", "config", "show", "borgo")
    shown = json.loads(raw)
    assert shown["lineage"] == ["borgo", "italia"] and [la["file"] for la in shown["layers"]] == [
        "italia/territory.yaml", "borgo/territory.yaml"]
    lavoro = shown["configuration"]["needs"]["lavoro"]
    assert [o["layer"] for o in lavoro["_from"]] == ["italia", "borgo"]
    assert lavoro["_from"][1]["path"] == str(layer)
    assert lavoro["label"]["it"] == "Lavoro in borgo"
    import yaml

    assert yaml.safe_load(text) == _without_origins(shown["configuration"])  # the text is that YAML


def test_config_show_prints_a_section_and_names_what_is_there(run: Run, config_dir: Path, only_core: None) -> None:
    """`config show ID SECTION` prints that part; a wrong step lists the keys there; an unknown id, the closest."""
    code, text, _ = run("--config-dir", config_dir, "config", "show", "borgo", "routing.rules")
    assert code == 0
    assert "\nrules:\n  # italia/territory.yaml\n  - id: " in text
    code, _, err = run("--config-dir", config_dir, "config", "show", "borgo", "equipe.formatz")
    assert code == 2 and "nessun 'formatz' in equipe; presenti: formats, selection" in err
    code, _, err = run("--config-dir", config_dir, "config", "show", "borgho")
    assert code == 2 and "(forse 'borgo'?)" in err
    code, _, err = run("config")
    assert code == 2 and "show" in err


# --------------------------------------------------------------------------- territories and demo


def test_territories_lists_chain_provider_and_digest(run: Run, config_dir: Path, only_core: None) -> None:
    """`territories` shows each territory with its extends chain, provider, directory and digest."""
    code, out, _ = run("--config-dir", config_dir, "territories")
    assert code == 0
    assert "borgo — Borgo di prova [ambito]" in out
    assert "borgo -> italia" in out
    assert f"dir:{config_dir}" in out
    code, out, _ = run("territories", "--json", "--config-dir", config_dir)  # options after the command
    rows = {t["id"]: t for t in json.loads(out)["territories"]}
    assert rows["borgo"]["extends"] == ["italia"]
    assert len(rows["borgo"]["digest"]) == 64
    assert rows["italia"]["provided_by"].startswith("inclusione_core")
    (core,) = [p for p in json.loads(out)["plugins"] if p["core"]]
    assert "italia" in core["territories"]


def test_territories_reports_a_broken_configuration(run: Run, tmp_path: Path, only_core: None) -> None:
    """A broken configuration is listed as invalid with its errors, and the exit status is 2."""
    layer = tmp_path / "rotto" / "territory.yaml"
    layer.parent.mkdir()
    layer.write_text('id: rotto\nlabel: {it: R, en: R}\nlevel: ambito\nextends: italia\nversion: "1"\nx: 1\n')
    code, out, _ = run("--config-dir", tmp_path, "territories")
    assert code == 2
    assert "rotto — NON VALIDO" in out
    assert "@ $.x" in out


def test_demo_explains_the_examples_in_italian(run: Run, config_dir: Path, only_core: None) -> None:
    """`demo` assesses each territory's examples and prints explained results in Italian."""
    code, out, _ = run("--config-dir", config_dir, "demo")
    assert code == 0
    assert "Nucleo con dipendenze" in out
    assert "PROFILO" in out
    assert "Fonte:" in out


def test_demo_runs_every_installed_territory(run: Run) -> None:
    """`demo` over the installed territory plugins exits 0 and prints no traceback."""
    code, out, err = run("demo")
    assert code == 0, err
    assert out


# --------------------------------------------------------------------------- privacy


def test_purposes_of_the_parser_are_those_of_the_model() -> None:
    """The purposes the CLI accepts (written out to keep start-up light) are exactly the Purpose values."""
    from inclusione_core import Purpose
    from inclusione_core.cli._common import PURPOSES

    assert list(PURPOSES) == [p.value for p in Purpose]


def test_assess_for_the_cpi_withholds_the_addiction_need(run: Run, tmp_path: Path, only_core: None) -> None:
    """The CPI's view of a result drops what used the addiction need; the categories it may not get are listed."""
    path = write_json(tmp_path / "case.json", italia_case())
    code, out, _ = run("--json", "assess", path, "--as-of", "2025-03-01", "--recipient", "cpi",
                       "--purpose", "referral")
    assert code == 0
    view = json.loads(out)
    assert (view["recipient"], view["purpose"]) == ("cpi", "referral")
    assert "addiction" in {w["category"] for w in view["not_disclosed"]}
    assert all(w["reason_it"] and w["reason_en"] for w in view["not_disclosed"])
    assert "withheld" not in view  # where the data was would reveal it: paths stay in the audit
    assert "dipendenze" not in json.dumps(view["result"])
    assert {d["flow"] for d in view["disclosed"]} == {"cpi_invio"}


def test_assess_text_names_the_recipient_and_lists_what_was_withheld(
    run: Run, tmp_path: Path, only_core: None
) -> None:
    """The text result says for whom it is and ends with the categories not disclosed, with the reason."""
    path = write_json(tmp_path / "case.json", italia_case())
    code, out, err = run("assess", path, "--as-of", "2025-03-01", "--recipient", "cpi", "--purpose", "equipe")
    assert code == 0
    assert "Destinatario: Centro per l'Impiego (cpi) · Finalità: equipe (equipe)" in " ".join(out.split())
    withheld = out.split("DATI NON COMUNICATI AL DESTINATARIO")[1]
    assert "dipendenze (art. 9 GDPR): non comunicabile al destinatario (Centro per l'Impiego) per la finalità «equipe»"\
        " senza il consenso valido di ogni componente del nucleo al 2025-03-01" in (
        " ".join(withheld.split()))
    assert "$." not in withheld
    assert err.count("--audit FILE") == 1  # no persistent audit: said once


def test_assess_default_is_the_case_holding_social_service(run: Run, tmp_path: Path, only_core: None) -> None:
    """By default the result is the view of the social service holding the case, which withholds nothing."""
    code, out, _ = run("assess", write_json(tmp_path / "case.json", italia_case()), "--as-of", "2025-03-01")
    assert code == 0
    assert "Finalità: valutazione (assessment)" in " ".join(out.split())
    assert "(nessuno: il destinatario può ricevere tutti i dati usati)" in out


def test_assess_unknown_recipient_exits_2_and_lists_the_known(run: Run, tmp_path: Path, only_core: None) -> None:
    """A recipient kind the privacy configuration does not provide for is bad input, with the known kinds."""
    code, _, err = run("assess", write_json(tmp_path / "c.json", italia_case()), "--as-of", "2025-03-01",
                       "--recipient", "giornale")
    assert code == 2
    assert "giornale" in err
    assert "cpi, csm" in err


def test_audit_file_records_every_disclosure_and_history_reads_it(
    run: Run, tmp_path: Path, only_core: None
) -> None:
    """With --audit each view is appended to the file, and `privacy history` shows who received what, on which basis."""
    audit = tmp_path / "audit.jsonl"
    path = write_json(tmp_path / "case.json", italia_case())
    for recipient, purpose in (("ssp", "assessment"), ("cpi", "referral")):
        code, _, err = run("--audit", audit, "assess", path, "--as-of", "2025-03-01", "--recipient", recipient,
                           "--purpose", purpose)
        assert code == 0
        assert "--audit" not in err  # kept: no warning
    lines = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    assert [(r["recipient"], r["purpose"], r["channel"]) for r in lines] == [("ssp", "assessment", "cli"),
                                                                            ("cpi", "referral", "cli")]
    code, out, _ = run("privacy", "history", "c1", "--audit", audit)
    assert code == 0
    assert "Destinatario: cpi · invio (referral) · canale cli · alla data 2025-03-01" in out
    assert "comunicati per legge (cpi_invio): " in out
    assert "non comunicati: dipendenze (art. 9 GDPR)" in out
    code, out, _ = run("--json", "privacy", "history", "c1", "--audit", audit)
    assert [r["recipient"] for r in json.loads(out)["records"]] == ["ssp", "cpi"]
    code, out, _ = run("privacy", "history", "altro", "--audit", audit)
    assert code == 0
    assert "nessuna comunicazione registrata" in out


def test_audit_file_can_come_from_the_environment(
    run: Run, tmp_path: Path, only_core: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """INCLUSIONE_AUDIT names the audit file when --audit is not given."""
    audit = tmp_path / "env.jsonl"
    monkeypatch.setenv("INCLUSIONE_AUDIT", str(audit))
    code, _, _ = run("assess", write_json(tmp_path / "case.json", italia_case()), "--as-of", "2025-03-01")
    assert code == 0
    code, out, _ = run("--json", "privacy", "history", "c1")
    assert code == 0
    assert len(json.loads(out)["records"]) == 1


def test_history_without_an_audit_file_exits_2(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """`privacy history` without --audit or INCLUSIONE_AUDIT says where the history comes from and exits 2."""
    monkeypatch.delenv("INCLUSIONE_AUDIT", raising=False)
    code, out, err = run("privacy", "history", "c1")
    assert code == 2
    assert out == ""
    assert "--audit FILE" in err and "INCLUSIONE_AUDIT" in err


def test_history_of_an_unreadable_audit_file_exits_2(run: Run, tmp_path: Path) -> None:
    """An audit file that is not JSON Lines of audit records is bad input, named, not an internal error."""
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{non json\n", encoding="utf-8")
    code, _, err = run("privacy", "history", "c1", "--audit", bad)
    assert code == 2
    assert "bad.jsonl" in err


def test_privacy_without_a_subcommand_exits_2(run: Run) -> None:
    """`inclusione privacy` alone prints its subcommands on stderr and exits 2."""
    code, _, err = run("privacy")
    assert code == 2
    assert "flows" in err and "history" in err and "view" in err


def test_privacy_flows_prints_the_table_of_the_configuration(run: Run, only_core: None) -> None:
    """`privacy flows` prints every flow of the territory; its JSON is the Policy table."""
    from inclusione_core import Engine, Policy

    code, out, _ = run("privacy", "flows", "--territory", "italia")
    assert code == 0
    assert "cpi — Centro per l'Impiego · invio (referral) · per legge" in out
    assert "base giuridica: D.Lgs. n. 147/2017" in out
    assert "flusso: udp_statistiche (italia/territory.yaml)" in out
    code, out, _ = run("--json", "privacy", "flows", "--territory", "italia")
    assert json.loads(out)["flows"] == Policy(Engine().territory("italia")).table()


def test_privacy_flows_unknown_territory_exits_2(run: Run) -> None:
    """`privacy flows` for a territory that is not installed exits 2 and names it."""
    code, _, err = run("privacy", "flows", "--territory", "atlantide")
    assert code == 2
    assert "atlantide" in err


def test_privacy_view_shows_consent_at_work(run: Run, tmp_path: Path, only_core: None,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """
    The CPI sees the addiction need only while a consent covers it, judged on the day the
    view is produced: not before it, not after its withdrawal, whatever --as-of says.
    """
    consent = {"id": "k1", "member": "m1", "categories": ["addiction"], "recipients": ["cpi"],
               "purposes": ["equipe"], "given_on": "2025-02-01", "withdrawn_on": "2025-04-01"}
    path = write_json(tmp_path / "case.json", italia_case(consents=[consent]))

    def needs(today: str, as_of: str = "2025-03-01") -> list[str]:
        moment = dt.datetime.fromisoformat(f"{today}T10:00:00+00:00")
        monkeypatch.setattr("inclusione_core._engine._utcnow", lambda: moment)
        code, out, _ = run("--json", "privacy", "view", path, "--recipient", "cpi", "--purpose", "equipe",
                           "--as-of", as_of)
        assert code == 0
        view = json.loads(out)
        assert view["recipient"] == "cpi" and view["at"] == f"{today}T10:00:00+00:00"
        return [n["code"] for n in view["data"]["assessment"]["needs"]]

    assert needs("2025-01-31") == []
    assert needs("2025-02-01") == ["dipendenze"]
    assert needs("2025-03-31") == ["dipendenze"]
    assert needs("2025-04-01") == []
    # back-dating the view does not bring the consent back: the withdrawal holds today
    assert needs("2025-06-01", as_of="2025-03-01") == []
    assert needs("2025-03-01", as_of="2025-06-01") == ["dipendenze"]
    monkeypatch.setattr("inclusione_core._engine._utcnow", lambda: DISCLOSED_AT)
    code, out, _ = run("privacy", "view", path, "--recipient", "cpi", "--purpose", "equipe", "--as-of", "2025-03-01")
    assert code == 0
    assert "con consenso k1 (m1) (cpi_equipe_consenso): dipendenze (art. 9 GDPR)" in out
    assert "household.members[0].employment: disoccupato" in out
    assert "salute (art. 9 GDPR): non comunicabile" in " ".join(out.split())


def test_demo_shows_the_social_service_view(run: Run, config_dir: Path, only_core: None) -> None:
    """`demo` goes through the view of the social service too, and says nothing about the audit."""
    code, out, err = run("--json", "--config-dir", config_dir, "demo")
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert (record["recipient"], record["purpose"], record["not_disclosed"]) == ("ssp", "assessment", [])
    assert record["result"]["case_id"] == "c1"
    assert "--audit" not in err


# --------------------------------------------------------------------------- new-territory

LOCAL_INTERVENTIONS = """
interventions:
  bilancio_competenze_locale:
    label: {it: "Bilancio di competenze", en: "Skills assessment"}
    category: orientamento
    providers: [cpi]
    suitable_when: {need: lavoro}
    priority: 5
    source: {kind: default, note: "a local intervention"}
  laboratorio_locale:
    label: {it: "Laboratorio di ricerca attiva", en: "Job search workshop"}
    category: orientamento
    providers: [cpi]
    prerequisites: [bilancio_competenze_locale]
    suitable_when: {need: lavoro}
    priority: 1
    source: {kind: default, note: "after the skills assessment"}
"""


def yaml_load(path: Path) -> Any:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_new_territory_validates_and_passes_its_scenario_at_once(run: Run, tmp_path: Path, only_core: None) -> None:
    """A data-only territory from new-territory validates (by id and folder), passes test and the conformance check."""
    from inclusione_core import Engine
    from inclusione_core.testing import conformance_problems

    cfg = tmp_path / "cfg"
    code, out, _ = run("new-territory", "borgo_nuovo", "--extends", "italia", "--dir", cfg)
    assert code == 0, out
    folder = cfg / "borgo_nuovo"
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == {
        "territory.yaml", "README.md", "examples/esempio.json", "scenarios/borgo_nuovo.yaml"}
    assert f"inclusione --config-dir {cfg} test borgo_nuovo" in out
    for target in ("borgo_nuovo", folder):
        code, out, _ = run("--config-dir", cfg, "validate", target)
        assert code == 0, out
        assert "avviso" not in out
    code, out, _ = run("--config-dir", cfg, "test", "borgo_nuovo")
    assert code == 0 and "✓ esempio_lavoro" in out, out
    layer = yaml_load(folder / "territory.yaml")
    assert (layer["id"], layer["extends"], layer["level"]) == ("borgo_nuovo", "italia", "regione")
    assert layer["label"] == {"it": "Borgo Nuovo", "en": "Borgo Nuovo"}
    assert conformance_problems(Engine(config_dirs=[cfg]), "borgo_nuovo") == []
    # the author's first rules: a local intervention with a prerequisite, and a scenario for it
    with (folder / "territory.yaml").open("a", encoding="utf-8") as f:
        f.write(LOCAL_INTERVENTIONS)
    with (folder / "scenarios" / "borgo_nuovo.yaml").open("a", encoding="utf-8") as f:
        f.write("      interventions: {order: [bilancio_competenze_locale, laboratorio_locale]}\n")
    code, out, _ = run("--config-dir", cfg, "test", "borgo_nuovo")
    assert code == 0 and "✓ esempio_lavoro" in out, out


def test_new_territory_refuses_clearly_and_writes_nothing(run: Run, tmp_path: Path, only_core: None) -> None:
    """An invalid or taken id, an unknown parent (the closest named), an existing folder: exit 2, nothing written."""
    cfg = tmp_path / "cfg"
    code, _, err = run("new-territory", "Lucca!", "--extends", "italia", "--dir", cfg)
    assert code == 2 and "id di territorio non valido" in err
    code, _, err = run("new-territory", "italia", "--extends", "italia", "--dir", cfg)
    assert code == 2 and "il territorio italia esiste già" in err
    code, _, err = run("new-territory", "lucca", "--extends", "itallia", "--dir", cfg)
    assert code == 2 and "territorio genitore sconosciuto (forse 'italia'?); noti: italia" in err
    code, _, err = run("new-territory", "lucca", "--extends", "italia", "--dir", cfg, "--level", "provincia")
    assert code == 2 and "livello sconosciuto" in err
    assert not cfg.exists()
    (cfg / "lucca").mkdir(parents=True)
    code, _, err = run("new-territory", "lucca", "--extends", "italia", "--dir", cfg)
    assert code == 2 and "esiste già: non è stato scritto nulla" in err
    assert not any((cfg / "lucca").iterdir())
    run("new-territory", "borgo", "--extends", "italia", "--dir", cfg)
    code, _, err = run("--config-dir", cfg, "new-territory", "frazione", "--extends", "borgo", "--plugin",
                       "--dir", tmp_path / "plugins")
    assert code == 2 and "viene da una cartella di configurazione" in err
    assert not (tmp_path / "plugins").exists()


def test_new_territory_plugin_passes_its_own_tests_once_installed(run: Run, tmp_path: Path) -> None:
    """
    With --plugin, the distribution (its territory folder inside) installs as a wheel; its tests
    pass on the shared fixtures, and the installed plugin's territory validates and passes `test`.
    """
    pytest.importorskip("hatchling", reason="hatchling (requirements-dev.txt) builds the wheel offline")
    if "toscana" not in {ep.name for ep in metadata.entry_points(group="inclusione")}:
        pytest.skip("inclusione-toscana is not installed")
    code, out, _ = run("new-territory", "lucca", "--extends", "toscana", "--plugin", "--dir", tmp_path)
    assert code == 0, out
    dist = tmp_path / "inclusione-lucca"
    assert (dist / "territories" / "lucca" / "territory.yaml").is_file()
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                           "--target", str(site), str(dist)], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert (site / "inclusione_lucca" / "territory" / "scenarios" / "lucca.yaml").is_file()
    env = {**os.environ, "PYTHONPATH": str(site)}
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=dist, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert "2 passed" in tests.stdout
    for command in ("validate", "test"):
        done = subprocess.run([sys.executable, "-m", "inclusione_core.cli", command, "lucca"], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
