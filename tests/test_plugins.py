"""Plugins and hooks: loading, blocking, precedence, collisions, attributed errors and provenance."""

from __future__ import annotations

import datetime as dt
import sys
import types
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pluggy
import pytest

from inclusione_core import (
    Citation,
    Deadline,
    DeadlineStatus,
    DecidedBy,
    Engine,
    PluginError,
    Reason,
    RoutingOutcome,
    RuleCollisionError,
    get_plugin_manager,
    hookimpl,
)
from inclusione_core import Routing as RoutingModel
from inclusione_core.testing import minimal_case

AS_OF = dt.date(2025, 3, 3)
SRC = "source: {kind: default, note: test}"


def reason(rule: str) -> Reason:
    """A reason for a test rule."""
    return Reason(rule=rule, territory="test", message_it=rule, message_en=rule,
                  source=Citation(document="test", kind="default"))


def routing_to(service: str) -> RoutingModel:
    """A routing answer sending the case to ``service``."""
    return RoutingModel(outcome=RoutingOutcome.ROUTED, service=service, channel="invio", deadline=None,
                        reasons=(reason(f"route.{service}"),))


class RouteTo:
    """A plugin that routes every case to one service (or passes with ``None``)."""

    def __init__(self, service: str | None, territories: dict[str, Path] | None = None,
                 version: str = "1.0") -> None:
        self.service = service
        self.territories = territories or {}
        self.__version__ = version

    @hookimpl
    def inclusione_register_territories(self, register: Callable[[str, Path], None]) -> None:
        for territory, directory in self.territories.items():
            register(territory, directory)

    @hookimpl
    def inclusione_route(self) -> RoutingModel | None:
        return None if self.service is None else routing_to(self.service)


def layer(root: Path, territory: str, extends: str) -> Path:
    """Write a minimal layer ``<root>/<territory>/territory.yaml`` extending ``extends``."""
    folder = root / territory
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "territory.yaml").write_text(
        f"id: {territory}\nlabel: {{it: {territory}, en: {territory}}}\nlevel: zona\nversion: '1'\n"
        f"extends: {extends}\n", encoding="utf-8")
    return folder


def engine_with(*plugins: tuple[str, object]) -> Engine:
    """An engine on a fresh manager with the core defaults and the given inline plugins."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=plugins))


# --------------------------------------------------------------------------- attributed errors


def test_an_exception_in_a_plugin_names_the_plugin_and_the_hook(make_case: Callable[..., Any]) -> None:
    """A plugin raising inside a hook surfaces as PluginError with the plugin name and the hook."""

    class Broken:
        @hookimpl
        def inclusione_compose_equipe(self) -> None:
            raise KeyError("serd")

    with pytest.raises(PluginError) as info:
        engine_with(("rotto", Broken())).assess(make_case(), as_of=AS_OF)
    err = info.value
    assert (err.plugin, err.hook) == ("rotto", "inclusione_compose_equipe")
    assert "KeyError" in str(err) and "serd" in str(err)
    assert isinstance(err.__cause__, KeyError)


@pytest.mark.parametrize(
    ("hook", "answer"),
    [
        ("inclusione_route", "cpi"),
        ("inclusione_assess_profile", {"pathway": "patto_lavoro"}),
        ("inclusione_recommend_interventions", [reason("not a recommendation")]),
        ("inclusione_compute_deadlines", "scadenza"),
    ],
)
def test_a_wrong_return_type_is_a_plugin_error(hook: str, answer: object) -> None:
    """A plugin answering with a value of the wrong type raises PluginError naming it and the hook."""
    plugin = type("Wrong", (), {hook: hookimpl(lambda self: answer)})()
    with pytest.raises(PluginError) as info:
        engine_with(("sbagliato", plugin)).assess(minimal_case(), as_of=AS_OF)
    assert (info.value.plugin, info.value.hook) == ("sbagliato", hook)
    assert "tipo di ritorno errato" in str(info.value)


def test_hookwrappers_are_refused(make_case: Callable[..., Any]) -> None:
    """A hookwrapper on an inclusione_ hook is refused with a PluginError naming the plugin."""

    class Wrapper:
        @hookimpl(wrapper=True)
        def inclusione_route(self) -> Iterator[None]:
            return (yield)

    with pytest.raises(PluginError) as info:
        engine_with(("avvolgente", Wrapper())).assess(make_case(), as_of=AS_OF)
    assert info.value.plugin == "avvolgente"


def test_a_misspelled_hook_fails_at_start_up() -> None:
    """check_pending rejects an implementation of an unknown hook (inclusione_asess_profile)."""

    class Typo:
        @hookimpl
        def inclusione_asess_profile(self) -> None:
            return None

    with pytest.raises(pluggy.PluginValidationError) as info:
        get_plugin_manager(load_entrypoints=False, plugins=[("refuso", Typo())])
    assert "inclusione_asess_profile" in str(info.value)


# --------------------------------------------------------------------------- precedence


@pytest.fixture
def chain(tmp_path: Path) -> dict[str, Path]:
    """Two layers: ``genitore`` extends italia, ``figlio`` extends genitore."""
    return {"genitore": layer(tmp_path, "genitore", "italia"), "figlio": layer(tmp_path, "figlio", "genitore")}


def test_the_territory_owner_beats_the_parents_owner_and_the_core(chain: dict[str, Path]) -> None:
    """For a case in figlio the plugin owning figlio answers before genitore's owner, unowned plugins and the core."""
    engine = engine_with(
        ("parent-plugin", RouteTo("servizio_genitore", {"genitore": chain["genitore"]})),
        ("child-plugin", RouteTo("servizio_figlio", {"figlio": chain["figlio"]}, version="2.1")),
        ("loose-plugin", RouteTo("servizio_libero")),
    )
    result = engine.assess(minimal_case(territory="figlio"), as_of=AS_OF)
    assert result.routing.service == "servizio_figlio"
    assert result.routing.decided_by == DecidedBy(plugin="child-plugin", version="2.1")
    assert engine.assess(minimal_case(territory="genitore"), as_of=AS_OF).routing.service == "servizio_genitore"
    assert engine.assess(minimal_case(territory="italia"), as_of=AS_OF).routing.service == "servizio_libero"


def test_an_owner_passing_lets_the_next_in_line_answer(chain: dict[str, Path]) -> None:
    """When the child's owner returns None, the parent's owner answers; when both pass, the core default does."""
    engine = engine_with(
        ("parent-plugin", RouteTo("servizio_genitore", {"genitore": chain["genitore"]})),
        ("child-plugin", RouteTo(None, {"figlio": chain["figlio"]})),
    )
    assert engine.assess(minimal_case(territory="figlio"), as_of=AS_OF).routing.service == "servizio_genitore"
    engine = engine_with(("parent-plugin", RouteTo(None, {"genitore": chain["genitore"]})),
                         ("child-plugin", RouteTo(None, {"figlio": chain["figlio"]})))
    routing = engine.assess(minimal_case(territory="figlio"), as_of=AS_OF).routing
    assert routing.service == "ssp"  # italia's rule for a case not yet assessed
    assert routing.decided_by is not None and routing.decided_by.plugin == "inclusione_core"


def test_an_unowned_plugin_beats_the_core_default() -> None:
    """A plugin that owns no territory still answers before the core defaults."""
    result = engine_with(("loose", RouteTo("altro"))).assess(minimal_case(), as_of=AS_OF)
    assert result.routing.service == "altro"


def test_a_plugin_is_asked_only_about_its_own_territories(chain: dict[str, Path], tmp_path: Path) -> None:
    """An owner is not asked about a case outside its chain: its hooks need no guard, and never collide there."""
    asked: list[str] = []

    class Owner(RouteTo):
        @hookimpl
        def inclusione_route(self, case: Any) -> RoutingModel | None:
            asked.append(case.territory)
            return super().inclusione_route()

    other = layer(tmp_path / "altrove", "vicino", "italia")
    engine = engine_with(("child-plugin", Owner("servizio_figlio", {"figlio": chain["figlio"]})),
                         ("near-plugin", Owner("servizio_vicino", {"vicino": other})),
                         ("parent-plugin", RouteTo(None, {"genitore": chain["genitore"]})),
                         ("loose-plugin", RouteTo(None)))
    assert engine.assess(minimal_case(territory="genitore"), as_of=AS_OF).routing.service == "ssp"
    assert engine.assess(minimal_case(territory="italia"), as_of=AS_OF).routing.service == "ssp"
    assert asked == []
    assert engine.assess(minimal_case(territory="figlio"), as_of=AS_OF).routing.service == "servizio_figlio"
    assert engine.assess(minimal_case(territory="vicino"), as_of=AS_OF).routing.service == "servizio_vicino"
    assert asked == ["figlio", "vicino"]


def test_two_unowned_answers_collide() -> None:
    """Two plugins at the same precedence both answering a firstresult hook raise RuleCollisionError."""
    engine = engine_with(("uno", RouteTo("a")), ("due", RouteTo("b")))
    with pytest.raises(RuleCollisionError) as info:
        engine.assess(minimal_case(), as_of=AS_OF)
    assert set(info.value.by) == {"uno", "due"}
    assert "inclusione_route" in info.value.what


def test_two_unowned_plugins_do_not_collide_when_one_passes() -> None:
    """At the same precedence, one answer and one None is not a collision."""
    result = engine_with(("uno", RouteTo("a")), ("due", RouteTo(None))).assess(minimal_case(), as_of=AS_OF)
    assert result.routing.service == "a"


def test_two_plugins_registering_one_territory_collide(chain: dict[str, Path]) -> None:
    """Two plugins registering the same territory id raise RuleCollisionError naming both."""
    with pytest.raises(RuleCollisionError) as info:
        engine_with(("uno", RouteTo(None, {"genitore": chain["genitore"]})),
                    ("due", RouteTo(None, {"genitore": chain["genitore"]})))
    assert set(info.value.by) == {"uno", "due"}


def test_a_configuration_directory_replaces_a_plugins_copy(chain: dict[str, Path], tmp_path: Path) -> None:
    """An explicit configuration directory takes precedence over the directory a plugin registered."""
    other = tmp_path / "edited"
    layer(other, "genitore", "italia")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=[
        ("parent-plugin", RouteTo(None, {"genitore": chain["genitore"]}))]), config_dirs=[other])
    assert engine.territory("genitore").root == other / "genitore"


def test_provenance_names_the_plugin_and_version_or_the_folder_of_each_layer(
    chain: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each layer records who provided it: a plugin with its version, or the configuration folder read."""
    edited = tmp_path / "edited"
    layer(edited, "figlio", "genitore")
    monkeypatch.setenv("INCLUSIONE_CONFIG_DIR", str(edited))
    engine = engine_with(("parent-plugin", RouteTo(None, {"genitore": chain["genitore"]}, version="3.2")),
                         ("child-plugin", RouteTo(None, {"figlio": chain["figlio"]}, version="2.1")))
    layers = engine.assess(minimal_case(territory="figlio"), as_of=AS_OF).provenance.layers
    assert [(la.territory, la.plugin, la.version, la.folder) for la in layers] == [
        ("italia", "inclusione_core", engine.hooks.distribution("inclusione_core._territory_italia")[1], None),
        ("genitore", "parent-plugin", "3.2", None),
        ("figlio", None, None, str(edited)),  # INCLUSIONE_CONFIG_DIR wins over the plugin's copy
    ]


def test_a_missing_configuration_folder_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A configuration folder that does not exist is refused, naming where it was given, never ignored."""
    from inclusione_core import InputError

    monkeypatch.setenv("INCLUSIONE_CONFIG_DIR", str(tmp_path / "manca"))
    with pytest.raises(InputError) as info:
        engine_with()
    (detail,) = info.value.details
    assert (detail.value, detail.rule) == (str(tmp_path / "manca"), "INCLUSIONE_CONFIG_DIR")
    monkeypatch.delenv("INCLUSIONE_CONFIG_DIR")
    with pytest.raises(InputError) as info:
        Engine(plugin_manager=get_plugin_manager(load_entrypoints=False), config_dirs=[tmp_path / "nessuna"])
    assert [d.rule for d in info.value.details] == ["config-dir"]


def test_contribution_hooks_collect_every_answer() -> None:
    """compute_deadlines gathers the plugin's deadlines together with the core's."""

    class Extra:
        @hookimpl
        def inclusione_compute_deadlines(self) -> list[Deadline]:
            return [Deadline(code="colloquio", label="Colloquio", due=AS_OF, status=DeadlineStatus.DUE,
                             reason=reason("colloquio"))]

    from inclusione_core import MeasureEnrolment

    case = minimal_case(measures=(MeasureEnrolment(code="adi", valid_from=dt.date(2025, 1, 2)),))
    deadlines = engine_with(("extra", Extra())).assess(case, as_of=AS_OF).deadlines
    by_code = {d.code: d for d in deadlines}
    assert {"colloquio", "adi_primo_appuntamento"} <= set(by_code)
    assert by_code["colloquio"].decided_by == DecidedBy(plugin="extra", version="0+unknown")
    assert by_code["adi_primo_appuntamento"].decided_by.plugin == "inclusione_core"  # type: ignore[union-attr]


# --------------------------------------------------------------------------- entry points and switches


class FakeDist:
    """The part of a Distribution the loader reads."""

    def __init__(self, name: str, version: str) -> None:
        self.name = name
        self.version = version


class FakeEntryPoint:
    """An entry point of the ``inclusione`` group, loading an object already in memory."""

    def __init__(self, name: str, plugin: object, dist: FakeDist) -> None:
        self.name = name
        self.group = "inclusione"
        self.value = f"{name}:plugin"
        self.dist = dist
        self._plugin = plugin

    def load(self) -> object:
        return self._plugin


# Module objects, alive for the whole session (the loader remembers plugins by identity).
FAKE_A = types.ModuleType("inclusione_fake_a")
FAKE_B = types.ModuleType("inclusione_fake_b")
FAKE_A.inclusione_route = hookimpl(lambda: routing_to("servizio_a"))  # type: ignore[attr-defined]
FAKE_B.inclusione_route = hookimpl(lambda: None)  # type: ignore[attr-defined]


@pytest.fixture
def fake_entry_points(monkeypatch: pytest.MonkeyPatch) -> list[FakeEntryPoint]:
    """Replace the installed entry points with two fakes: ``fake-a`` (answers) and ``fake-b`` (passes)."""
    eps = [FakeEntryPoint("fake-a", FAKE_A, FakeDist("inclusione-fake-a", "3.4.5")),
           FakeEntryPoint("fake-b", FAKE_B, FakeDist("inclusione-fake-b", "0.1"))]

    def entry_points(**params: Any) -> list[FakeEntryPoint]:
        return eps if params.get("group") == "inclusione" else []

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    monkeypatch.delenv("INCLUSIONE_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("INCLUSIONE_BLOCK_PLUGINS", raising=False)
    return eps


def test_entry_points_are_loaded_with_their_distribution(fake_entry_points: list[FakeEntryPoint]) -> None:
    """Plugins from the `inclusione` entry-point group load, and decisions name their distribution and version."""
    pm = get_plugin_manager()
    assert pm.get_plugin("fake-a") is FAKE_A and pm.get_plugin("fake-b") is FAKE_B
    result = Engine(plugin_manager=pm).assess(minimal_case(), as_of=AS_OF)
    assert result.routing.service == "servizio_a"
    assert result.routing.decided_by == DecidedBy(plugin="inclusione-fake-a", version="3.4.5")
    assert DecidedBy(plugin="inclusione-fake-a", version="3.4.5") in result.provenance.plugins


def test_entry_points_are_not_loaded_on_request(fake_entry_points: list[FakeEntryPoint]) -> None:
    """get_plugin_manager(load_entrypoints=False) registers only the core defaults."""
    pm = get_plugin_manager(load_entrypoints=False)
    assert pm.get_plugin("fake-a") is None
    assert all(name.startswith("inclusione_core.") for name, _p in pm.list_name_plugin())


def test_block_plugins_by_name(fake_entry_points: list[FakeEntryPoint], monkeypatch: pytest.MonkeyPatch) -> None:
    """INCLUSIONE_BLOCK_PLUGINS keeps the named plugins out."""
    monkeypatch.setenv("INCLUSIONE_BLOCK_PLUGINS", "fake-a, altro")
    pm = get_plugin_manager()
    assert pm.get_plugin("fake-a") is None and pm.get_plugin("fake-b") is FAKE_B
    assert pm.is_blocked("fake-a")


@pytest.mark.parametrize(("allow", "loaded"),
                         [("fake-b", {"fake-b"}), ("", set()), ("fake-a,fake-b", {"fake-a", "fake-b"})])
def test_load_only_the_listed_plugins(fake_entry_points: list[FakeEntryPoint], monkeypatch: pytest.MonkeyPatch,
                                      allow: str, loaded: set[str]) -> None:
    """INCLUSIONE_LOAD_PLUGINS loads only the listed entry points (empty: none)."""
    monkeypatch.setenv("INCLUSIONE_LOAD_PLUGINS", allow)
    pm = get_plugin_manager()
    assert {name for name in ("fake-a", "fake-b") if pm.get_plugin(name) is not None} == loaded


def test_blocking_a_core_default_removes_its_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocking a core stage by module name removes its contributions; a firstresult hook then has no answer."""
    monkeypatch.setenv("INCLUSIONE_BLOCK_PLUGINS", "inclusione_core._pipeline.stage6_deadlines")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    assert engine.assess(minimal_case(), as_of=AS_OF).deadlines == ()
    monkeypatch.setenv("INCLUSIONE_BLOCK_PLUGINS", "inclusione_core._pipeline.stage2_routing")
    engine = Engine(plugin_manager=get_plugin_manager(load_entrypoints=False))
    with pytest.raises(PluginError) as info:
        engine.assess(minimal_case(), as_of=AS_OF)
    assert info.value.hook == "inclusione_route"


def test_tracing_prints_who_answered(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """INCLUSIONE_TRACE_PLUGINS=1 prints each hook call and the plugin that answered to stderr."""
    monkeypatch.setenv("INCLUSIONE_TRACE_PLUGINS", "1")
    engine_with(("loose", RouteTo("altro"))).assess(minimal_case(), as_of=AS_OF)
    err = capsys.readouterr().err
    assert "inclusione_route <- loose" in err
    assert "inclusione_assess_profile <- inclusione_core._pipeline.stage1_profile" in err


# --------------------------------------------------------------------------- provenance


def test_every_decision_records_who_made_it() -> None:
    """Each decision carries the plugin and version that made it; the provenance lists them all with the digest."""
    engine = engine_with(("loose", RouteTo("altro", version="9.9")))
    result = engine.assess(minimal_case(), as_of=AS_OF)
    decisions = [result.profile, result.routing, result.equipe, *result.interventions, *result.deadlines,
                 *result.measures, *result.project_problems]
    assert all(d.decided_by is not None for d in decisions)
    assert result.routing.decided_by == DecidedBy(plugin="loose", version="9.9")
    core = result.profile.decided_by
    assert core is not None and core.plugin == "inclusione_core"
    assert set(result.provenance.plugins) == {d.decided_by for d in decisions}
    prov = result.provenance
    assert prov.as_of == AS_OF and prov.territory == "italia"
    assert prov.config_digest == engine.territory("italia").digest
    assert [la.file for la in prov.layers] == ["italia/territory.yaml"]


def test_the_testing_plugin_is_registered_with_pytest(pytestconfig: pytest.Config) -> None:
    """inclusione_core.testing is loaded through the pytest11 entry point."""
    assert pytestconfig.pluginmanager.has_plugin("inclusione")
    assert "inclusione_core.testing" in sys.modules


def test_the_testing_plugin_imports_nothing_heavy() -> None:
    """Importing the pytest plugin (done in every pytest run) loads neither cattrs, jsonschema nor the engine."""
    import subprocess

    heavy = ("cattrs", "jsonschema", "yaml", "inclusione_core._engine")
    code = f"import sys, inclusione_core.testing; print(','.join(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


# --------------------------------------------------------------------------- the shipped fixtures


def test_the_pm_fixture_skips_installed_plugins(fake_entry_points: list[FakeEntryPoint],
                                                inclusione_pm: pluggy.PluginManager) -> None:
    """By default inclusione_pm holds the core defaults only."""
    assert inclusione_pm.get_plugin("fake-a") is None


@pytest.mark.inclusione_entrypoints
def test_the_pm_fixture_loads_installed_plugins_when_marked(fake_entry_points: list[FakeEntryPoint],
                                                            inclusione_pm: pluggy.PluginManager) -> None:
    """With the inclusione_entrypoints marker, inclusione_pm loads the installed plugins too."""
    assert inclusione_pm.get_plugin("fake-a") is FAKE_A


def test_the_engine_fixture_uses_the_tests_manager(inclusione_pm: pluggy.PluginManager,
                                                   inclusione_engine: Engine) -> None:
    """inclusione_engine runs on the same fresh manager the test receives."""
    assert inclusione_engine.hooks.pm is inclusione_pm
    assert [t.id for t in inclusione_engine.territories()] == ["italia"]


def test_make_case_builds_valid_cases_with_overrides(make_case: Callable[..., Any]) -> None:
    """make_case gives a valid minimal case; keyword overrides replace fields."""
    from inclusione_core import make_converter
    from inclusione_core.testing import minimal_case_json

    case = make_case(id="c-9", opened_on=dt.date(2024, 1, 1))
    assert (case.id, case.opened_on, case.territory) == ("c-9", dt.date(2024, 1, 1), "italia")
    assert make_converter().structure(minimal_case_json(), type(case)) == make_case()


SCENARIO = """scenarios:
  - name: non_valutato
    case: {id: c1, territory: italia, opened_on: '2025-01-15', household: {id: h, members: [{id: m1}]}}
    as_of: '2025-03-01'
    expected:
      profile: {pathway: PATHWAY}
      routing: {service: ssp}
"""


def test_run_scenario_runs_a_scenario_file(tmp_path: Path, run_scenario: Callable[..., Any]) -> None:
    """run_scenario returns one outcome per scenario; check=True fails the test listing the mismatches."""
    good = tmp_path / "ok.yaml"
    good.write_text(SCENARIO.replace("PATHWAY", "da_valutare"), encoding="utf-8")
    (outcome,) = run_scenario(good, check=True)
    assert outcome.passed and outcome.name == "non_valutato"
    bad = tmp_path / "ko.yaml"
    bad.write_text(SCENARIO.replace("PATHWAY", "patto_lavoro"), encoding="utf-8")
    (outcome,) = run_scenario(bad)
    assert not outcome.passed
    with pytest.raises(pytest.fail.Exception, match="non_valutato"):
        run_scenario(bad, check=True)


def _zone_plugin(territories: list[str]) -> types.ModuleType:
    """A plugin module registering some territories (their directories are never read here)."""
    plugin = types.ModuleType("zone_plugin")

    @hookimpl
    def inclusione_register_territories(register: Callable[[str, Path], None]) -> None:
        for territory in territories:
            register(territory, Path("/nonexistent") / territory)

    plugin.inclusione_register_territories = inclusione_register_territories  # type: ignore[attr-defined]
    return plugin


ZONE = _zone_plugin(["zona"])


@pytest.mark.parametrize("inclusione_plugins", [[("zona", ZONE)]])
def test_the_pm_fixture_registers_the_suites_plugins(inclusione_pm: pluggy.PluginManager,
                                                     inclusione_engine: Engine) -> None:
    """A suite names its plugins in inclusione_plugins: the fresh manager and the engine fixture have them."""
    assert inclusione_pm.get_plugin("zona") is ZONE
    assert [t.id for t in inclusione_engine.territories()] == ["italia", "zona"]


def test_the_territory_under_test_is_the_last_plugins() -> None:
    """registered_territory: the territory the last plugin registers; italia with none; a clear error otherwise."""
    from inclusione_core.testing import registered_territory

    assert registered_territory([]) == "italia"
    assert registered_territory([("a", _zone_plugin(["regione"])), ("b", ZONE)]) == "zona"
    with pytest.raises(ValueError, match="registra 2 territori"):
        registered_territory([("c", _zone_plugin(["x", "y"]))])
    with pytest.raises(ValueError, match="registra 0 territori"):
        registered_territory([("d", types.ModuleType("nothing"))])


# --------------------------------------------------------------------------- listing


def test_the_engine_lists_its_plugins_with_distribution_version_and_territories() -> None:
    """Engine.plugins(): the core first (its defaults as one), then each plugin with its territories."""
    engine = Engine()
    engine.territory("prato")  # territories are registered when first asked for
    rows = {p.name: p for p in engine.plugins()}
    first = engine.plugins()[0]
    assert first.core and first.name == "inclusione_core" and "italia" in first.territories
    for name, dist, territory in (("prato", "inclusione-prato", "prato"), ("sil", "inclusione-sil", "sil"),
                                  ("toscana", "inclusione-toscana", "toscana"),
                                  ("piemonte", "inclusione-piemonte", "piemonte"),
                                  ("emilia_romagna", "inclusione-emilia-romagna", "emilia_romagna"),
                                  ("bologna", "inclusione-bologna", "bologna")):
        row = rows[name]
        assert metadata.Distribution.from_name(row.distribution).metadata["Name"] == dist
        assert row.version == metadata.version(dist)
        assert row.territories == (territory,) and not row.core


def test_a_module_registered_without_entry_point_reports_its_distribution_version() -> None:
    """No plugin writes a ``__version__`` shim: the core finds the distribution of the module's package."""
    import inclusione_prato

    assert not hasattr(inclusione_prato, "__version__")
    pm = get_plugin_manager(load_entrypoints=False, plugins=(("a-mano", inclusione_prato),))
    rows = {p.name: p for p in Engine(plugin_manager=pm).plugins()}
    assert rows["a-mano"].version == metadata.version("inclusione-prato")
    # an object that is no module: its __version__, else unknown
    pm = get_plugin_manager(load_entrypoints=False, plugins=(("versionato", RouteTo(None, version="2.5")),
                                                             ("anonimo", types.SimpleNamespace())))
    rows = {p.name: p for p in Engine(plugin_manager=pm).plugins()}
    assert (rows["versionato"].version, rows["anonimo"].version) == ("2.5", "0+unknown")
