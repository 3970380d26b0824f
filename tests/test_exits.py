"""
No path out of the core bypasses the view function (issue 3, "Done when").

Two enumerations, each failing on anything new until it is reviewed:

* **static**: every call in the core and the plugins that serialises or renders data
  (``unstructure``, ``to_json``, ``asdict``, ``json.dumps``, the text renderers) is listed
  with the function it sits in, and the list must equal the reviewed allow-list below;
* **runtime**: the public ways out (the engine's ``disclose_*``/``export_statistics``, the
  CLI commands that print case data, Prato's instruments) each append to the audit, and
  the engine's and the CLI's public surfaces are classified so a new one must be, too.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import inspect
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from privacy_oracle import ZONE, write_zone, zone_engine

from inclusione_core import Engine, MemoryAuditLog, Purpose, cli
from inclusione_core.testing import minimal_case, minimal_case_json

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("src/inclusione_core/**/*.py", "plugins/*/src/**/*.py")
SINKS = {"unstructure", "to_json", "asdict", "astuple", "dumps", "dump", "result_text", "view_text"}

# (file, enclosing function, call) -> why it is not a way around the view. Review before adding.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("src/inclusione_core/_privacy.py", "_Walk.obj", "self.converter.unstructure"):
        "the view itself: a field inside a coded item already admitted by its category",
    ("src/inclusione_core/_privacy.py", "_Walk.value", "self.converter.unstructure"):
        "the view itself: a leaf value whose category was admitted",
    ("src/inclusione_core/_privacy.py", "view_result", "converter.unstructure"):
        "the view itself: the result after every reason was filtered",
    ("src/inclusione_core/_engine.py", "Engine.to_json", "self.converter.unstructure"):
        "the JSON form for the embedding program itself (its own data); never used by an exit (checked below)",
    ("src/inclusione_core/_audit.py", "_seal", "attrs.asdict"):
        "audit writing: the record holds recipients, categories and bases, no case data",
    ("src/inclusione_core/_audit.py", "_canonical", "json.dumps"):
        "audit writing and hashing: audit records and head files, no case data",
    ("src/inclusione_core/_config.py", "_digest", "json.dumps"): "digest of the configuration, no case data",
    ("src/inclusione_core/_config.py", "_DiskCache.save", "pickle.dump"):
        "a compiled territory, kept in the user's own cache folder: configuration, no case data",
    ("src/inclusione_core/_reader.py", "parse_json", "orjson.dumps"):
        "the reader re-serialises what it just parsed only to count ':' (a repeated key); nothing goes out",
    ("src/inclusione_core/_schema.py", "_italian", "json.dumps"): "schema error messages (allowed values)",
    ("src/inclusione_core/_report.py", "_Content.explain", "json.dumps"):
        "renders the inputs of a reason of a result that the caller passes through the view (see the CLI)",
    # the typed JSON forms: each is of a view (what may leave), an error, or a report on the user's own input
    ("src/inclusione_core/_batch.py", "Outcome.to_json", "self.view.to_json"): "a view's JSON: what may leave",
    ("src/inclusione_core/_batch.py", "Outcome.to_json", "self.error.to_json"): "an error's JSON (no case values)",
    ("src/inclusione_core/_batch.py", "_one", "view.to_json"): "a view (audited with its batch), encoded as a line",
    ("src/inclusione_core/_batch.py", "dump_line", "orjson.dumps"): "the JSON Lines writer of views and errors",
    ("src/inclusione_core/_errors.py", "ErrorDetail.to_json", "json.dumps"): "checks an error value is JSON",
    ("src/inclusione_core/_errors.py", "InputError.to_json", "super().to_json"): "an error's JSON",
    ("src/inclusione_core/_errors.py", "InputError.to_json", "d.to_json"): "each detail of an error",
    ("src/inclusione_core/_scenarios.py", "ScenarioOutcome.to_json", "self.error.to_json"):
        "a scenario's error (test fixtures, the user's own files)",
    ("src/inclusione_core/_scenarios.py", "ScenarioFileRun.to_json", "self.error.to_json"): "idem",
    ("src/inclusione_core/_scenarios.py", "ScenarioFileRun.to_json", "o.to_json"): "idem: each scenario's outcome",
    ("src/inclusione_core/_validation.py", "FileReport.to_json", "e.to_json"):
        "errors in the user's own files, for the user",
    # the renderers: each writes views (View.to_json, the report of a view) and errors
    ("src/inclusione_core/_renderers.py", "_dumps", "orjson.dumps"): "the JSON writer of the renderers below",
    ("src/inclusione_core/_renderers.py", "JsonLinesRenderer.view", "view.to_json"): "a view",
    ("src/inclusione_core/_renderers.py", "JsonLinesRenderer.failure", "error.to_json"): "an error",
    ("src/inclusione_core/_renderers.py", "JsonRenderer.view", "view.to_json"): "a view",
    ("src/inclusione_core/_renderers.py", "JsonRenderer.failure", "error.to_json"): "an error",
    ("src/inclusione_core/_renderers.py", "TextRenderer.view", "result_text"): "a result view (refuses anything else)",
    ("src/inclusione_core/_renderers.py", "TextRenderer.view", "view_text"): "a case or document view",
    # the command line: a face writing what the library gives it
    ("src/inclusione_core/cli/_common.py", "emit_json", "json.dumps"):
        "the CLI's JSON writer: its callers pass views, errors, reports or configuration (the calls below)",
    ("src/inclusione_core/cli/_main.py", "_report_exception", "exc.to_json"): "an error (no values when a"
        " recipient is named)",
    ("src/inclusione_core/cli/privacy.py", "view", "shown.to_json"): "a case view (audited)",
    ("src/inclusione_core/cli/privacy.py", "history", "attrs.asdict"):
        "audit records (the data subject's right of access) and the bad lines' numbers, no case data",
    ("src/inclusione_core/cli/privacy.py", "verify", "attrs.asdict"):
        "the audit's verification report: line numbers, kinds, seq numbers and hashes, no case data",
    ("src/inclusione_core/cli/scenarios.py", "run", "run_.to_json"): "scenario outcomes of test fixtures",
    ("src/inclusione_core/cli/territories.py", "run", "exc.to_json"): "a configuration error",
    ("src/inclusione_core/cli/scenarios.py", "_files", "exc.to_json"): "a configuration error",
    ("src/inclusione_core/cli/config.py", "_dump", "yaml.dump"): "a territory's configuration",
    ("src/inclusione_core/_scaffold.py", "_q", "json.dumps"): "a new territory's label, in its territory.yaml",
    ("src/inclusione_core/_scaffold.py", "new_territory", "json.dumps"): "the made-up example case of a new territory",
    ("src/inclusione_core/cli/validate.py", "run", "r.to_json"): "errors in the user's own files, for the user",
    # the monitoring indicators: counts of households over a set of cases, small ones suppressed, no case id
    ("src/inclusione_core/_indicators.py", "IndicatorReport.to_json", "c.to_json"):
        "a cell of the indicators: a count, a share, a difference (an aggregate, no case data)",
    ("src/inclusione_core/_indicators.py", "IndicatorReport.to_json", "i.total.to_json"): "idem: the territory's cell",
    ("src/inclusione_core/cli/report.py", "run", "report.to_json"): "the indicators: aggregates, no case data",
    # the HTTP service: a face writing views (audited by the library) and problems (no value of the request)
    ("src/inclusione_core/http/_app.py", "_Endpoints.evaluate", "view.to_json"): "a result view (audited)",
    ("src/inclusione_core/http/_app.py", "_Endpoints.step.run", "view.to_json"):
        "a part of a result view (the whole view audited)",
    ("src/inclusione_core/http/_app.py", "_Service.outcome_line", "outcome.view.to_json"):
        "a batch line: a view audited by the stream",
    ("src/inclusione_core/http/_app.py", "_Endpoints.batch.out", "orjson.dumps"):
        "the batch's writer: views and problems (outcome_line)",
    ("src/inclusione_core/http/_app.py", "_Service.json", "orjson.dumps"):
        "the service's JSON writer: its callers pass views or their parts, explanations of views, catalogues,"
        " schemas, the status",
    ("src/inclusione_core/http/_app.py", "_Service.problem", "orjson.dumps"):
        "a problem: pointers cut before the client's keys, no value of the request",
    ("src/inclusione_core/http/_app.py", "_Service.__init__", "orjson.dumps"): "the OpenAPI documents",
    ("src/inclusione_core/cli/journal.py", "show", "shown.to_json"):
        "`journal history|export`: the case rebuilt from its journal, as the view of disclose_case (audited)",
    ("src/inclusione_core/cli/journal.py", "expire", "exc.to_json"):
        "`journal expire --json`: why a case could not be shredded, the library's error about the journal (a case"
        " id, a rule, a version), no case data",
    ("src/inclusione_core/journal/_model.py", "to_payload", "converter.unstructure"):
        "an event's payload on its way into the operator's own journal store, split so that its special-category"
        " fields are sealed first; and, in journal.access_export, the data subject's own events given back to"
        " them (GDPR art. 15: the right of access, not a disclosure to a recipient)",
    ("src/inclusione_core/journal/_store.py", "_dumps", "orjson.dumps"):
        "the journal store's columns in the operator's own database: the open part of a payload, and the sealed"
        " part only as plaintext handed to AES-GCM",
}


class _Calls(ast.NodeVisitor):
    """Collects the serialising calls of one file with their enclosing function."""

    def __init__(self, rel: str, found: Counter[tuple[str, str, str]]) -> None:
        self.rel = rel
        self.found = found
        self.stack: list[str] = []

    def scoped(self, node: ast.AST, name: str) -> None:
        self.stack.append(name)
        self.generic_visit(node)
        self.stack.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.scoped(node, node.name)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.scoped(node, node.name)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.scoped(node, node.name)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name in SINKS:
            self.found[self.rel, ".".join(self.stack) or "<module>", ast.unparse(func)] += 1
        self.generic_visit(node)


def _serialising_calls() -> Counter[tuple[str, str, str]]:
    """(file, enclosing qualified function, called expression) of every serialising call, with counts."""
    found: Counter[tuple[str, str, str]] = Counter()
    for pattern in SCANNED:
        for path in sorted(ROOT.glob(pattern)):
            rel = path.relative_to(ROOT).as_posix()
            _Calls(rel, found).visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel))
    return found


def test_every_serialising_call_is_a_reviewed_exit() -> None:
    """The calls that serialise or render data in the core and plugins are exactly the reviewed allow-list."""
    found = set(_serialising_calls())
    new = sorted(found - set(ALLOWED))
    gone = sorted(set(ALLOWED) - found)
    assert not new, "new ways to serialise data: route them through a view, or review and add to ALLOWED:\n" + \
        "\n".join(map(str, new))
    assert not gone, "ALLOWED lists calls that no longer exist: remove them:\n" + "\n".join(map(str, gone))


def test_no_exit_uses_the_unfiltered_json_form() -> None:
    """Engine.to_json (the whole case or result) is called nowhere in the core or the plugins."""
    assert not [k for k in _serialising_calls() if k[2].endswith(("engine.to_json", "eng.to_json"))]
    assert not [k for k in _serialising_calls() if k[2] == "self.to_json" and k[1] != "Engine.to_json"]


def test_the_scan_sees_every_kind_of_sink() -> None:
    """The scanner finds each sink kind in a sample (so an empty allow-list would not pass by accident)."""
    sample = ("import json, attrs\n"
              "def f(c, conv, e):\n"
              "    json.dumps(c); attrs.asdict(c); conv.unstructure(c); e.to_json(c); attrs.astuple(c)\n")
    tree = ast.parse(sample)
    calls = {ast.unparse(n.func).rsplit(".", 1)[-1] for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert calls <= SINKS and len(calls) == 5


# --------------------------------------------------------------------------- the public surfaces, classified

ENGINE_EXITS = {"disclose_case", "disclose_result", "disclose_document", "export_statistics", "assess_stream"}
ENGINE_INTERNAL = {
    "territories": "configuration", "territory": "configuration", "load_case": "input", "check": "input",
    "assess": "the result to the embedding program", "assess_many": "idem", "eligibility": "idem",
    "assess_each": "idem: each result (or error) of a stream, not disclosed, for aggregates",
    "to_json": "the embedding program's own data", "disclosure_history": "the audit (right of access)",
    "grants": "which categories may flow, to the embedding program (no case data)",
    "preview_case": "a view marked preview, not audited: every face and View.to_json refuse it",
    "preview_result": "a view marked preview, not audited: every face and View.to_json refuse it",
    "plugins": "configuration", "renderers": "configuration", "renderer": "a writer of views",
    "validate": "errors in the user's own files", "scenario_files": "configuration",
    "run_scenarios": "scenario outcomes of test fixtures", "with_config_dir": "configuration",
    "territory_warnings": "configuration", "new_territory": "configuration files written for the user",
}
CLI_CASE_OUTPUTS = {"assess", "demo", "privacy view", "journal history", "journal export"}
CLI_OTHER = {
    "territories": "configuration", "validate": "errors in the user's own files", "schema": "schemas",
    "test": "scenario outcomes of test fixtures", "privacy flows": "configuration",
    "privacy history": "the audit (right of access)", "privacy verify": "the audit's integrity, no case data",
    "privacy": "help", "config": "help", "config show": "configuration",
    "new-territory": "a new territory's configuration (its example case is made up)",
    "report": "monitoring indicators: counts of households, small ones suppressed, no case data",
    "serve": "the HTTP service: its answers are the views and problems of inclusione_core.http (listed above)",
    "journal": "help",
    **{f"journal {name}": "the events recorded: ids, types and versions, no case data"
       for name in ("open", "assess", "sign", "consent", "refer", "answer", "review", "withdraw", "close", "erase")},
    "journal access": "what the journal holds about the data subject, to the data subject (right of access),"
                      " recorded in the audit",
    "journal expire": "the ids of the cases shredded, no case data",
}


def test_the_engine_surface_is_classified() -> None:
    """Each public Engine method is either an audited exit or returns data to the embedding program only."""
    public = {n for n, _ in inspect.getmembers(Engine, callable) if not n.startswith("_")}
    assert not public - ENGINE_EXITS - set(ENGINE_INTERNAL), "classify the new Engine methods"
    assert {"disclose_case", "disclose_result", "export_statistics"} <= public


def test_the_cli_surface_is_classified() -> None:
    """Each CLI command either prints case data through a view (audited, below) or prints no case data."""
    def commands(parser: argparse.ArgumentParser, prefix: str = "") -> set[str]:
        names: set[str] = set()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    names |= {prefix + name, *commands(sub, f"{prefix}{name} ")}
        return names

    assert commands(cli.build_parser("it")) == CLI_CASE_OUTPUTS | set(CLI_OTHER)


# --------------------------------------------------------------------------- runtime: each exit audits

DAY = dt.date(2025, 3, 1)


@pytest.fixture(scope="module")
def zone_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A configuration directory with the ``zona_privacy`` layer."""
    return write_zone(tmp_path_factory.mktemp("zone"))


def test_the_engine_exits_each_append_one_record_per_case(zone_root: Path) -> None:
    """disclose_case, disclose_result, disclose_document, export_statistics and assess_stream: one record per case."""
    audit = MemoryAuditLog()
    engine = zone_engine(zone_root, audit=audit)
    case = minimal_case(territory=ZONE)
    engine.disclose_case(case, recipient="zq_cpi", purpose=Purpose.REFERRAL, as_of=DAY)
    assert len(audit.records()) == 1
    engine.disclose_result(engine.assess(case, as_of=DAY), case, recipient="zq_serd", purpose="equipe")
    assert len(audit.records()) == 2
    engine.export_statistics([case, minimal_case(territory=ZONE, id="caso-2")], key=b"k" * 16, as_of=DAY,
                             recipient="zq_stat")
    assert [r.case_id for r in audit.records()] == ["caso-1", "caso-1", "caso-1", "caso-2"]
    if not hasattr(engine, "disclose_document"):
        return
    view = engine.disclose_document(case, {"lavoro": "x", "salute": "y"}, categories={"lavoro": "work",
                                    "salute": "health"}, recipient="zq_cpi", purpose="referral", as_of=DAY,
                                    channel="modulo")
    assert view.data == {"lavoro": "x", "salute": None} and [w.path for w in view.withheld] == ["$.salute"]
    assert [r.channel for r in audit.records()][-1] == "modulo" and len(audit.records()) == 5
    outcomes = list(engine.assess_stream([case, {"bad": 1}, minimal_case(territory=ZONE, id="caso-3")], as_of=DAY,
                                         recipient="zq_cpi", purpose="referral", channel="flusso"))
    assert [o.view is not None for o in outcomes] == [True, False, True]  # one outcome per case, in order
    assert [r.case_id for r in audit.records() if r.channel == "flusso"] == ["caso-1", "caso-3"]


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(args)
    return code, capsys.readouterr().out


def _audit_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_cli_assess_prints_only_an_audited_view(zone_root: Path, tmp_path: Path, as_json: bool,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione assess` appends one audit record per case printed, on channel cli, for the recipient asked."""
    case = tmp_path / "caso.json"
    case.write_text(json.dumps(minimal_case_json(territory=ZONE)), encoding="utf-8")
    audit = tmp_path / "audit.jsonl"
    args = ["assess", str(case), "--as-of", "2025-03-01", "--recipient", "zq_cpi", "--purpose", "referral",
            "--config-dir", str(zone_root), "--audit", str(audit), *(["--json"] if as_json else [])]
    code, out = _cli(args, capsys)
    assert code == 0, out
    (record,) = _audit_lines(audit)
    assert (record["case_id"], record["recipient"], record["purpose"], record["channel"]) == (
        "caso-1", "zq_cpi", "referral", "cli")
    if as_json:
        assert json.loads(out)["not_disclosed"] is not None


def test_cli_privacy_view_prints_only_an_audited_view(zone_root: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione privacy view` appends one audit record for the case shown."""
    case = tmp_path / "caso.json"
    case.write_text(json.dumps(minimal_case_json(territory=ZONE)), encoding="utf-8")
    audit = tmp_path / "audit.jsonl"
    code, out = _cli(["privacy", "view", str(case), "--recipient", "zq_cpi", "--purpose", "referral",
                      "--as-of", "2025-03-01", "--config-dir", str(zone_root), "--audit", str(audit), "--json"],
                     capsys)
    assert code == 0, out
    (record,) = _audit_lines(audit)
    assert (record["recipient"], record["purpose"], record["as_of"]) == ("zq_cpi", "referral", "2025-03-01")
    shown = json.loads(out)
    member = shown["data"]["household"]["members"][0]
    assert member["disability_percent"] is None  # health: not to zq_cpi without consent (the key stays)
    assert "health" in {w["category"] for w in shown["not_disclosed"]}  # said by category, not by path


@pytest.mark.parametrize("view", ["history", "export"])
def test_cli_journal_prints_a_case_only_through_an_audited_view(zone_root: Path, tmp_path: Path, view: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione journal history|export` append one audit record for the case shown, on channel journal."""
    store = f"sqlite:{tmp_path / 'journal.db'}"
    code, out = _cli(["journal", "open", "c-9", "--territory", ZONE, "--household", "h", "--member", "m1",
                      "--on", "2025-03-01", "--store", store, "--actor", "rossi", "--config-dir", str(zone_root)],
                     capsys)
    assert code == 0, out
    audit = tmp_path / "audit.jsonl"
    code, out = _cli(["journal", view, "c-9", "--store", store, "--recipient", "zq_cpi", "--purpose", "referral",
                      "--as-of", "2025-03-01", "--config-dir", str(zone_root), "--audit", str(audit), "--json"],
                     capsys)
    assert code == 0, out
    (record,) = _audit_lines(audit)
    assert (record["case_id"], record["recipient"], record["channel"]) == ("c-9", "zq_cpi", "journal")
    shown = json.loads(out)
    assert "not_disclosed" in shown


def test_cli_journal_access_is_audited_as_a_disclosure_to_the_data_subject(
        zone_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione journal access` appends one audit record: to the data subject, for the right of access."""
    store = f"sqlite:{tmp_path / 'journal.db'}"
    code, out = _cli(["journal", "open", "c-9", "--territory", ZONE, "--household", "h", "--member", "m1",
                      "--member", "m2", "--on", "2025-03-01", "--store", store, "--config-dir", str(zone_root)],
                     capsys)
    assert code == 0, out
    audit = tmp_path / "audit.jsonl"
    code, out = _cli(["journal", "access", "c-9", "--subject", "m1", "--store", store, "--audit", str(audit)], capsys)
    assert code == 0, out
    (record,) = _audit_lines(audit)
    assert (record["case_id"], record["recipient"], record["recipient_name"], record["purpose"]) == (
        "c-9", "interessato", "m1", "subject_access")
    export = json.loads(out)
    assert [e["about"] for e in export["events"]] == ["household", "m1"]  # not m2's


def test_cli_demo_audits_every_example_it_prints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`inclusione demo --json` appends exactly one audit record per example printed, on channel demo."""
    audit = tmp_path / "audit.jsonl"
    _code, out = _cli(["demo", "--json", "--audit", str(audit)], capsys)  # an example that fails is not shown
    shown = [json.loads(line) for line in out.splitlines() if line.strip()]
    records = _audit_lines(audit)
    if not shown:
        pytest.skip("no installed territory has examples")
    assert len(records) == len(shown)
    assert {r["channel"] for r in records} == {"demo"}
    assert [r["case_id"] for r in records] == [s["case_id"] for s in shown]


def _prato_builders() -> tuple[Any, Any]:
    prato = pytest.importorskip("inclusione_prato")
    builders = (prato.build_scheda_invio, prato.build_elenco_nominativo)
    if any("engine" not in inspect.signature(b).parameters for b in builders):
        pytest.skip("the Prato builders do not take an engine yet")
    return builders


PRATO_EXAMPLES = ROOT / "territories" / "prato" / "examples"


def test_prato_instruments_go_through_audited_views() -> None:
    """The scheda di invio and the elenco nominativo each append audit records, and carry no need code withheld."""
    build_scheda_invio, build_elenco_nominativo = _prato_builders()
    engine = Engine(audit=MemoryAuditLog())
    data = json.loads((PRATO_EXAMPLES / "pua_non_valutato.json").read_text(encoding="utf-8"))
    case = engine.load_case(data)
    (referral,) = case.referrals
    form = build_scheda_invio(case, referral=referral.id, sender_operator="Operatore", engine=engine)
    (record,) = engine.disclosure_history(case.id)
    assert (record.channel, record.purpose) == ("scheda_invio", "referral")
    view = engine.disclose_case(case, recipient=record.recipient, purpose="referral", as_of=referral.sent_on)
    text = json.dumps(form, ensure_ascii=False)
    for w in view.withheld:
        if w.path.startswith("$.assessment.needs["):
            code = case.assessment.needs[int(w.path.split("[")[1].rstrip("]"))].code  # type: ignore[union-attr]
            assert f'"{code}"' not in text

    dipendenze = json.loads((PRATO_EXAMPLES / "dipendenze_e_lavoro.json").read_text(encoding="utf-8"))
    before = len(engine.audit.records())
    build_elenco_nominativo([dipendenze], meeting_date=dt.date(2025, 4, 15), engine=engine)
    added = engine.audit.records()[before:]
    assert added and {r.channel for r in added} == {"elenco_nominativo"}
