"""The docs are checked against the code, so they cannot drift (datasette's test_docs.py model)."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
HEADING = re.compile(r"^(#{1,6}) +(.+?) *$", re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


# --------------------------------------------------------------------------- helpers


def _annotation(value: Any) -> str:
    return value if isinstance(value, str) else inspect.formatannotation(value)


def format_signature(name: str, function: Callable[..., Any]) -> str:
    """
    A hookspec's signature as written in docs/hooks.md: black style, one line up to 88 chars.

    Annotations are shown as written in hookspecs.py (it uses postponed annotations).
    """
    sig = inspect.signature(function)
    params = [f"{p.name}: {_annotation(p.annotation)}" for p in sig.parameters.values()]
    ret = _annotation(sig.return_annotation)
    one_line = f"def {name}({', '.join(params)}) -> {ret}:"
    if len(one_line) <= 88:
        return one_line
    body = "".join(f"    {p},\n" for p in params)
    return f"def {name}(\n{body}) -> {ret}:"


def sections(text: str, level: int) -> dict[str, str]:
    """Heading text -> body, for the headings of exactly ``level`` (body stops at the next one)."""
    out: dict[str, str] = {}
    marks = [m for m in HEADING.finditer(_without_fences(text)) if len(m.group(1)) == level]
    for here, nxt in zip(marks, [*marks[1:], None], strict=True):
        end = nxt.start() if nxt is not None else len(text)
        out[here.group(2).strip("` ")] = text[here.end():end]
    return out


def _without_fences(text: str) -> str:
    """The text with code blocks blanked out (same length), so `# comments` are not headings."""
    return FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def python_blocks(text: str) -> list[str]:
    """The bodies of the ```python blocks of a Markdown text, in order."""
    return [body for lang, body in FENCE.findall(text) if lang == "python"]


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of a Markdown file."""
    text = _without_fences(path.read_text(encoding="utf-8"))
    return {anchor(m.group(2)) for m in HEADING.finditer(text)}


def hook_callers() -> dict[str, Any]:
    """Every hook of a fresh plugin manager (installed plugins not loaded)."""
    from inclusione_core import get_plugin_manager

    pm = get_plugin_manager(load_entrypoints=False)
    return {name: getattr(pm.hook, name) for name in dir(pm.hook) if not name.startswith("_")}


HOOKS = sorted(hook_callers())


@pytest.fixture(scope="module")
def hooks_doc() -> dict[str, str]:
    return sections((DOCS / "hooks.md").read_text(encoding="utf-8"), 2)


# --------------------------------------------------------------------------- hooks.md


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_its_exact_signature(hook: str, hooks_doc: dict[str, str]) -> None:
    """Every hook of the plugin manager has a section in hooks.md showing its exact signature."""
    assert hook in hooks_doc, f"docs/hooks.md has no '## {hook}' section"
    expected = format_signature(hook, hook_callers()[hook].spec.function)
    blocks = python_blocks(hooks_doc[hook])
    assert blocks and blocks[0] == expected + "\n", (
        f"docs/hooks.md, section {hook}: the first code block must be exactly:\n{expected}"
    )


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_section_states_its_call_semantics(hook: str, hooks_doc: dict[str, str]) -> None:
    """A hook's section says first result for firstresult hooks and collected for the others."""
    call = re.search(r"^\*\*Call:\*\*(.*)$", hooks_doc[hook], re.M)
    assert call is not None, f"docs/hooks.md, section {hook}: missing the **Call:** line"
    if hook_callers()[hook].spec.opts["firstresult"]:
        assert "`firstresult=True`" in call.group(1)
    else:
        assert call.group(1).strip().startswith("collected")


def test_hooks_doc_documents_no_hook_that_does_not_exist(hooks_doc: dict[str, str]) -> None:
    """Every hook section of hooks.md names a hook the plugin manager has."""
    documented = {name for name in hooks_doc if name.startswith("inclusione_")}
    assert documented == set(HOOKS)


def _example_module(hook: str, body: str, tmp_path: Path) -> types.ModuleType:
    blocks = python_blocks(body)[1:]  # the first block is the signature
    assert blocks, f"docs/hooks.md, section {hook}: no example implementation"
    module = types.ModuleType(f"hooks_md_{hook}")
    module.__file__ = str(tmp_path / "plugin.py")
    for block in blocks:
        exec(compile(block, f"docs/hooks.md#{hook}", "exec"), module.__dict__)
    return module


def _esempio_case(**extra: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "id": "c-esempio",
        "territory": "esempio",
        "opened_on": "2025-01-10",
        "household": {"id": "n-1", "members": [{"id": "m1", "birth_date": "1985-03-01"}]},
    }
    return case | extra


def test_hook_examples_run_as_plugins(tmp_path: Path, hooks_doc: dict[str, str]) -> None:
    """The example implementations in hooks.md register as plugins and give the answers described."""
    from inclusione_core import DeadlineStatus, Engine, RoutingOutcome, get_plugin_manager

    layer = tmp_path / "territories" / "esempio"
    layer.mkdir(parents=True)
    (layer / "territory.yaml").write_text(
        "id: esempio\nextends: italia\nlevel: zona\nversion: '1'\n"
        "label: {it: Esempio, en: Example}\n"
        "documents:\n  protocollo_esempio: {kind: protocollo, issuer: Comune di Esempio e Centro per l'Impiego,"
        " title: Protocollo d'intesa per l'inclusione}\n",
        encoding="utf-8",
    )
    modules = {hook: _example_module(hook, hooks_doc[hook], tmp_path) for hook in HOOKS}
    pm = get_plugin_manager(
        load_entrypoints=False, plugins=[(f"esempio-{h}", m) for h, m in modules.items()]
    )
    engine = Engine(plugin_manager=pm)
    by = {h: f"esempio-{h}" for h in HOOKS}

    info = {t.id: t for t in engine.territories()}
    assert info["esempio"].provided_by == by["inclusione_register_territories"]
    assert engine.territory("esempio").lineage == ("esempio", "italia")

    sections = dict(engine.index.sections)
    assert sections.pop("journal").name == "journal.schema.json"  # the core's own (the case journal's retention)
    assert sections == {"orari": modules["inclusione_register_sections"].SCHEMA}

    slot_cls = modules["inclusione_configure_converter"].Slot
    slot = engine.converter.structure("mar 09:30", slot_cls)
    assert slot == slot_cls(weekday=1, time="09:30")
    assert engine.converter.unstructure(slot) == "mar 09:30"

    as_of = dt.date(2025, 3, 1)
    complex_case = _esempio_case(
        access={"date": "2025-01-10", "point": "ssp", "channel": "invio", "from_service": "cpi"},
        referrals=[{
            "id": "r1", "from_service": "cpi", "to_service": "ssp", "channel": "scheda_invio",
            "reason": "bisogni oltre il lavoro", "sent_on": "2025-01-09", "status": "accepted",
            "snapshot": {"bisogni_emergenti": "dipendenze"},
            "response": {"on": "2025-01-20", "by": "ssp"},
        }],
        assessment={"date": "2025-01-20", "gol_class": 1,
                    "needs": [{"code": "lavoro"}, {"code": "dipendenze"}]},
        measures=[{"code": "gol", "valid_from": "2024-06-01"}],
        project={"id": "p1", "start": "2025-02-01",
                 "signatures": [{"party": "ssp", "name": "A. Rossi", "signed_on": "2025-02-01"}]},
    )
    result = engine.assess(complex_case, as_of=as_of)
    assert result.profile.decided_by is not None
    assert result.profile.decided_by.plugin == by["inclusione_assess_profile"]
    assert result.profile.profile.pathway == "equipe_quadro_approfondito"
    assert result.routing.outcome is RoutingOutcome.ROUTED  # the scheda di invio is there
    assert result.equipe.format == "multidisciplinare"
    problems = [p for p in result.project_problems if p.reason.rule == "progetto.firme"]
    assert [p.reason.inputs["mancanti"] for p in problems] == [["cpi"]]
    (gol,) = [m for m in result.measures if m.measure == "gol"]
    assert (gol.in_force, gol.eligible) == (True, True)
    assert gol.decided_by is not None and gol.decided_by.plugin == by["inclusione_check_eligibility"]
    (esito,) = [d for d in result.deadlines if d.code == "scheda_esito.r1"]
    assert (esito.due, esito.status, esito.days_overdue) == (dt.date(2025, 2, 19), DeadlineStatus.OVERDUE, 10)

    no_form = _esempio_case(
        access={"date": "2025-01-10", "point": "ssp", "channel": "invio", "from_service": "cpi"}
    )
    refused = engine.assess(no_form, as_of=as_of)
    assert refused.routing.outcome is RoutingOutcome.REFUSED
    assert refused.equipe.format == "nessuna"
    assert refused.equipe.decided_by is not None
    assert refused.equipe.decided_by.plugin == by["inclusione_compose_equipe"]
    assert refused.interventions == ()
    assert by["inclusione_recommend_interventions"] in {p.plugin for p in refused.provenance.plugins}


# --------------------------------------------------------------------------- configuration.md


def _predicate_keys() -> set[str]:
    schema = json.loads(
        (ROOT / "src/inclusione_core/schemas/territory.schema.json").read_text(encoding="utf-8")
    )
    return set(schema["$defs"]["predicate"]["properties"])


def test_predicate_keys_of_schema_and_evaluator_agree() -> None:
    """The predicate keys the schema admits are exactly those the evaluator understands."""
    from inclusione_core._predicates import known_predicates

    assert _predicate_keys() == set(known_predicates())


@pytest.mark.parametrize("key", sorted(_predicate_keys()))
def test_every_predicate_is_documented_with_an_example(key: str) -> None:
    """configuration.md has a heading for every predicate key, followed by a YAML example using it."""
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = sections(text, 4)
    assert key in documented, f"docs/configuration.md has no '#### `{key}`' heading"
    examples = [body for lang, body in FENCE.findall(documented[key]) if lang == "yaml"]
    assert any(re.search(rf"\b{key}:", e) for e in examples), f"no YAML example for `{key}`"


def _schema_property_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                yield from value
            yield from _schema_property_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _schema_property_names(item)


@pytest.mark.parametrize(
    "name",
    sorted(set(_schema_property_names(json.loads(
        (ROOT / "src/inclusione_core/schemas/territory.schema.json").read_text(encoding="utf-8")
    ))) - {"$schema"}),
)
def test_every_configuration_field_is_documented(name: str) -> None:
    """Every field name of territory.schema.json appears, in backticks, in configuration.md."""
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    assert f"`{name}`" in text or re.search(rf"^ *-? *{re.escape(name)}:", text, re.M)


def test_configuration_anchors_cited_by_territories_exist() -> None:
    """Every `docs/<file>.md#anchor` that a territory configuration mentions exists (sources name documents)."""
    cited = set()
    for cfg in ROOT.glob("territories/*/territory.yaml"):
        cited |= set(re.findall(r"docs/([\w./-]+\.md)#([\w-]+)", cfg.read_text(encoding="utf-8")))
    for file, name in sorted(cited):
        assert name in anchors(DOCS / file), f"docs/{file} has no heading with anchor #{name}"


def test_extending_a_parent_examples_compile_and_keep_the_inherited_triggers(tmp_path: Path) -> None:
    """
    The Toscana-zone example of "Extending a parent" validates and keeps the six Toscana
    triggers; as a plain list it gives the error shown there, word for word; the other forms
    shown merge too.
    """
    import yaml

    from inclusione_core import ConfigurationError, Engine, get_plugin_manager
    from inclusione_core._render import detail_line

    section = sections((DOCS / "configuration.md").read_text(encoding="utf-8"), 2)["Extending a parent"]
    zone, other = [body for lang, body in FENCE.findall(section) if lang == "yaml"]
    (shown,) = [body for lang, body in FENCE.findall(section) if lang == "text"]
    folder = tmp_path / "lucca"
    folder.mkdir()

    def compile_zone(text: str) -> Any:
        (folder / "territory.yaml").write_text(text, encoding="utf-8")
        engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False),
                        config_dirs=[ROOT / "territories", tmp_path])
        return engine.territory("lucca")

    six = ["dipendenze", "salute_mentale", "abitativo", "sociosanitario", "scuola", "terzo_settore"]
    triggers = compile_zone(zone).section("equipe", "formats")["allargata"]["triggers"]
    assert [t["id"] for t in triggers] == [*six, "giustizia"]
    head, appended = zone.split("        append:", 1)  # the same trigger as a plain list
    plain = head + "".join(line[2:] + "\n" for line in appended.splitlines()[1:])
    with pytest.raises(ConfigurationError) as info:
        compile_zone(plain)
    (detail,) = info.value.details
    assert f"      - {detail_line(detail, 'it')}" in shown
    data = yaml.safe_load(zone) | yaml.safe_load(other)
    merged = compile_zone(yaml.safe_dump(data, allow_unicode=True))
    triggers = merged.section("equipe", "formats")["allargata"]["triggers"]
    assert [t["id"] for t in triggers] == six[:-1]
    assert triggers[2]["add_roles"] == ["operatore_casa", "operatore_uepe"]
    assert "integrazione_in_equipe" not in [r["id"] for r in merged.rules("routing", "rules")]


# --------------------------------------------------------------------------- README


def test_readme_example_is_docs_examples_embed() -> None:
    """The README's Python block is docs/examples/embed.py, character for character."""
    (block,) = python_blocks(README.read_text(encoding="utf-8"))
    assert block == (DOCS / "examples" / "embed.py").read_text(encoding="utf-8")


def test_readme_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's embedding example runs on the italia territory and prints the explained result."""
    (block,) = python_blocks(README.read_text(encoding="utf-8"))
    exec(compile(block, "README.md", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "percorso: equipe_quadro_approfondito" in out
    assert "instradamento: routed ssp equipe_multidisciplinare" in out
    assert "equipe: multidisciplinare" in out
    assert "assistente_sociale (ssp)" in out and "operatore_cpi (cpi)" in out
    assert "D.Lgs. n. 147/2017, art. 5" in out  # every member's reason cites its source, as an operator reads it
    assert re.search(r"provenienza: 2025-02-01 [0-9a-f]{12}", out)
    assert "inclusione_core " in out


def test_readme_setup_is_exactly_two_commands() -> None:
    """The README's set-up block is exactly the two commands: install and demo, then the tests."""
    setup = sections(README.read_text(encoding="utf-8"), 2)["Set-up"]
    (block,) = [body for lang, body in FENCE.findall(setup) if lang == "sh"]
    assert block.splitlines() == [
        "python -m pip install -r requirements-dev.txt && inclusione demo",
        "python -m pytest",
    ]
    assert (ROOT / "requirements-dev.txt").is_file()


def test_readme_lists_every_cli_command() -> None:
    """The README's command table names every subcommand of the `inclusione` parser."""
    import argparse

    from inclusione_core.cli import build_parser

    (sub,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    table = sections(README.read_text(encoding="utf-8"), 2)["Command line"]
    for command in sub.choices:
        assert f"`inclusione {command}" in table, f"README: command {command} not listed"


# --------------------------------------------------------------------------- plugins.md


def _plugins_doc() -> str:
    return (DOCS / "plugins.md").read_text(encoding="utf-8")


def test_plugins_doc_scenario_example_is_valid_and_passes(tmp_path: Path) -> None:
    """The scenario file shown in plugins.md validates against the schema and passes on Toscana."""
    import yaml

    from inclusione_core._schema import validate_instance

    (block,) = [b for lang, b in FENCE.findall(_plugins_doc()) if lang == "yaml" and "scenarios:" in b]
    assert validate_instance("scenario", yaml.safe_load(block)) == []
    toscana = pytest.importorskip("inclusione_toscana")
    from inclusione_core import Engine, get_plugin_manager
    from inclusione_core._scenarios import load_scenarios, run_scenario

    pm = get_plugin_manager(load_entrypoints=False, plugins=[("toscana", toscana)])
    engine = Engine(plugin_manager=pm)
    path = tmp_path / "scenari.yaml"
    path.write_text(block, encoding="utf-8")
    outcomes = [run_scenario(engine, s) for s in load_scenarios(path)]
    assert [(o.name, o.mismatches) for o in outcomes if not o.passed] == []


def test_plugins_doc_test_example_passes() -> None:
    """The pytest example in plugins.md passes when given the fixtures it names."""
    pytest.importorskip("inclusione_toscana")
    from inclusione_core import get_plugin_manager
    from inclusione_core.testing import minimal_case

    (block,) = [b for b in python_blocks(_plugins_doc()) if "def test_" in b and "make_case" in b]
    namespace: dict[str, Any] = {"__name__": "plugins_md_example"}
    exec(compile(block, "docs/plugins.md", "exec"), namespace)
    (test,) = [v for k, v in namespace.items() if k.startswith("test_")]
    test(inclusione_pm=get_plugin_manager(load_entrypoints=False), make_case=minimal_case)


def test_plugins_doc_data_only_territory_works_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """
    The data-only steps of plugins.md, as written: new-territory, the territory.yaml shown, the
    local intervention with a prerequisite; validate and test pass, the intervention after its prerequisite.
    """
    import yaml

    from inclusione_core import Engine
    from inclusione_core.cli import main

    if "toscana" not in Engine().index.ids():
        pytest.skip("inclusione-toscana is not installed")
    doc = _plugins_doc()
    (command,) = [line for lang, b in FENCE.findall(doc) if lang == "sh" for line in b.splitlines()
                  if line.startswith("inclusione new-territory") and "--plugin" not in line]
    monkeypatch.chdir(tmp_path)
    assert main(command.split()[1:]) == 0
    layer = tmp_path / "territori" / "lucca" / "territory.yaml"
    (header,) = [b for lang, b in FENCE.findall(doc) if lang == "yaml" and b.startswith("$schema")]
    written = yaml.safe_load(layer.read_text(encoding="utf-8"))
    assert {k: v for k, v in written.items() if k != "scenarios"} == yaml.safe_load(header)
    (local,) = [b for lang, b in FENCE.findall(doc) if lang == "yaml" and b.startswith("interventions:")]
    (trigger,) = [b for lang, b in FENCE.findall(doc) if lang == "yaml" and b.startswith("equipe:")]
    layer.write_text(layer.read_text(encoding="utf-8") + local + trigger, encoding="utf-8")
    scenario = tmp_path / "territori" / "lucca" / "scenarios" / "lucca.yaml"
    (code,) = yaml.safe_load(local)["interventions"]
    (added,) = [b for lang, b in FENCE.findall(doc) if lang == "yaml" and b.startswith("  - name: ")]
    scenario.write_text(scenario.read_text(encoding="utf-8").replace(
        "    expected:\n", f"    expected:\n      interventions: {{order: [tirocinio_formativo, {code}]}}\n") + added,
        encoding="utf-8")
    engine = Engine(config_dirs=[tmp_path / "territori"])
    triggers = [t["id"] for t in engine.territory("lucca").section("equipe", "formats")["allargata"]["triggers"]]
    inherited = [t["id"] for t in engine.territory("toscana").section("equipe", "formats")["allargata"]["triggers"]]
    assert triggers == [*inherited, "reti_fragili"] and len(inherited) == 6  # appended, the inherited ones kept
    capsys.readouterr()
    for step in [line for lang, b in FENCE.findall(doc) if lang == "sh" for line in b.splitlines()
                 if line.startswith("inclusione --config-dir territori")]:
        assert main(step.split("#")[0].split()[1:]) == 0, capsys.readouterr()
    capsys.readouterr()
    assert main(["--config-dir", "territori", "test", "lucca"]) == 0
    out = capsys.readouterr().out
    assert "✓ esempio_lavoro" in out and "✓ dipendenze_e_reti_fragili" in out


def test_plugins_doc_pyproject_matches_the_prato_plugin() -> None:
    """The pyproject.toml shown in plugins.md declares the same entry point as the Prato plugin."""
    import tomllib

    (block,) = [b for lang, b in FENCE.findall(_plugins_doc()) if lang == "toml"]
    shown = tomllib.loads(block)
    real = tomllib.loads((ROOT / "plugins/inclusione-prato/pyproject.toml").read_text(encoding="utf-8"))
    assert shown["project"]["entry-points"] == real["project"]["entry-points"]
    assert shown["project"]["entry-points"]["inclusione"] == {"prato": "inclusione_prato"}
    assert shown["project"]["name"] == real["project"]["name"]


# --------------------------------------------------------------------------- links, glossary


DOC_FILES = sorted([README, *DOCS.glob("*.md")])


@pytest.mark.parametrize("doc", DOC_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    """Every relative link in README and docs points to an existing file and heading."""
    text = doc.read_text(encoding="utf-8")
    for target in LINK.findall(_without_fences(text)):
        if re.match(r"^[a-z]+:", target):
            continue  # an external URL
        file, _, name = target.partition("#")
        path = (doc.parent / file).resolve() if file else doc
        assert path.exists(), f"{doc.name}: link to a missing file: {target}"
        if name and path.suffix == ".md":
            assert name in anchors(path), f"{doc.name}: link to a missing heading: {target}"


def test_docs_index_links_every_doc() -> None:
    """docs/index.md links every other page of docs/."""
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = {t.partition("#")[0] for t in LINK.findall(text)}
    pages = {p.name for p in DOCS.glob("*.md")} - {"index.md"}
    assert pages <= linked


def test_glossary_has_the_profile_codes() -> None:
    """The glossary lists every activability value and the pathway of a case not yet assessed."""
    from inclusione_core import Activability
    from inclusione_core._pipeline.stage1_profile import NOT_ASSESSED

    text = (DOCS / "glossary.md").read_text(encoding="utf-8")
    for code in [*(a.value for a in Activability), NOT_ASSESSED]:
        assert re.search(rf"^\| `{code}` \|", text, re.M), f"glossary: no row for `{code}`"


# --------------------------------------------------------------------------- privacy.md


def _cell(value: str) -> str:
    return value.replace("|", "\\|").replace("\n", " ")


def categories_table() -> str:
    """The data-category table of privacy.md, from DataCategory."""
    from inclusione_core import DataCategory

    rows = ["| code | Italian label | special (GDPR art. 9/10) |", "|---|---|---|"]
    rows += [f"| `{c.value}` | {c.label_it} | {'yes' if c.special else 'no'} |" for c in DataCategory]
    return "\n".join(rows) + "\n"


# The plugins each documented territory needs (its own and its parents'), by import name.
TERRITORY_PLUGINS = {"prato": ("toscana", "prato"), "sil": ("sil",), "piemonte": ("piemonte",),
                     "bologna": ("emilia_romagna", "bologna")}


def _engine_for(territory: str) -> Any:
    """An engine with only the plugins of ``territory`` (skips the test if one is not installed)."""
    from inclusione_core import Engine, get_plugin_manager

    plugins = [(name, pytest.importorskip(f"inclusione_{name}")) for name in TERRITORY_PLUGINS[territory]]
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=plugins))


def flows_table(territory: str) -> str:
    """The data-flow table of a territory for privacy.md, from ``Policy(...).table()``."""
    from inclusione_core import Policy

    rows = ["| recipient | purpose | categories | basis | legal basis | source | flow (defined in) |",
            "|---|---|---|---|---|---|---|"]
    for r in Policy(_engine_for(territory).territory(territory)).table():
        who = f"`{r['recipient']}` {r['recipient_label']}".strip()
        cats = ", ".join(f"`{c}`" for c in r["categories"])
        rows.append(f"| {_cell(who)} | `{r['purpose']}` | {cats} | {r['basis']} | {_cell(r['legal_basis'])} | "
                    f"{_cell(r['source'])} | `{r['flow']}` ({_cell(r['defined_in'])}) |")
    return "\n".join(rows) + "\n"


def special_codes_table(territory: str) -> str:
    """
    The codes of a territory whose data category is special (GDPR art. 9/10, or ``records``),
    for privacy.md: services, needs, dimensions, interventions and programmes, as the views classify them.
    """
    from inclusione_core import DataCategory

    terr = _engine_for(territory).territory(territory)
    rows = ["| section | code | Italian label | category | defined in |", "|---|---|---|---|---|"]
    for section in ("services", "needs", "dimensions", "interventions", "programmes"):
        for code, entry in sorted(terr.section(section).items()):
            category = DataCategory(terr.data_category(section, code))
            if category.special:
                rows.append(f"| `{section}` | `{code}` | {_cell(entry['label']['it'])} | `{category.value}` | "
                            f"{_cell(terr.file_of(entry))} |")
    return "\n".join(rows) + "\n"


def generated_block(text: str, name: str) -> str:
    """The text between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` (markers on their own lines)."""
    match = re.search(rf"^<!-- {re.escape(name)}:start -->\n(.*?)^<!-- {re.escape(name)}:end -->$", text, re.M | re.S)
    assert match is not None, f"docs/privacy.md has no block <!-- {name}:start --> ... <!-- {name}:end -->"
    return match.group(1)


def _privacy_doc() -> str:
    return (DOCS / "privacy.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("territory", sorted(TERRITORY_PLUGINS))
def test_privacy_doc_flow_table_is_generated_from_the_configuration(territory: str) -> None:
    """Each data-flow table of privacy.md (Prato, SIL) is exactly the one generated from the configuration."""
    assert generated_block(_privacy_doc(), f"flows:{territory}") == flows_table(territory), (
        f"regenerate it: python -c 'import tests.test_docs as t; print(t.flows_table(\"{territory}\"), end=\"\")'"
    )


@pytest.mark.parametrize("territory", sorted(TERRITORY_PLUGINS))
def test_privacy_doc_special_codes_table_is_generated_from_the_configuration(territory: str) -> None:
    """Each table of privacy.md of the codes that reveal special-category data matches the configuration."""
    assert generated_block(_privacy_doc(), f"codes:{territory}") == special_codes_table(territory), (
        "regenerate it: python -c 'import tests.test_docs as t; "
        f"print(t.special_codes_table(\"{territory}\"), end=\"\")'"
    )


def test_privacy_doc_category_table_is_generated_from_the_code() -> None:
    """The data-category table of privacy.md lists every DataCategory, its Italian label and whether it is special."""
    assert generated_block(_privacy_doc(), "categories") == categories_table()


def test_privacy_doc_names_every_exit_of_the_core() -> None:
    """privacy.md names each way data leave the core: engine methods, CLI commands, Prato's and SIL's instruments."""
    text = _privacy_doc()
    for exit_ in ("Engine.disclose_case", "Engine.disclose_result", "Engine.disclose_document",
                  "Engine.export_statistics", "inclusione assess", "inclusione demo", "inclusione privacy view",
                  "build_scheda_invio", "build_elenco_nominativo", "Notification.send"):
        assert exit_ in text, exit_


def test_privacy_doc_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The Python example of privacy.md runs on the italia layer and prints what it says it prints."""
    (block,) = python_blocks(_privacy_doc())
    exec(compile(block, "docs/privacy.md", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "bisogni visti dal CPI: ['lavoro']" in out
    assert "non comunicabili al CPI: ['health', 'addiction', 'mental_health', 'justice', 'records']" in out
    assert "$.assessment.needs[1] addiction" in out  # the controller's per-path list
    assert "con il consenso: ['lavoro', 'dipendenze']" in out
    assert "statistica: p- 1981" in out
    assert re.search(r"cpi referral api .*addiction", out)
