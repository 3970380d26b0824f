"""
Pytest fixtures for inclusione_core and territory plugins (a ``pytest11`` plugin).

Installing ``inclusione-core`` makes these fixtures available in every test suite, so a
territory package tests its rules exactly as the core does:

* ``inclusione_plugins``: the plugins the fixtures register, ``(name, module)`` pairs
  (none by default): override it in a plugin's ``conftest.py``;
* ``inclusione_now``: the moment the fixtures' engines disclose at (their
  :class:`FixedClock`); override it to choose another day;
* ``inclusione_pm``: a **fresh** plugin manager (core defaults and ``inclusione_plugins``;
  installed territory plugins are not loaded unless a test marks
  ``@pytest.mark.inclusione_entrypoints``);
* ``inclusione_engine``: an :class:`~inclusione_core.Engine` on that manager;
* ``make_case``: a factory for a valid minimal :class:`~inclusione_core.Case`;
* ``run_scenario``: runs the scenarios of a YAML scenario file (``check=True`` asserts).

A plugin's test suite imports the shared territory fixtures of
:mod:`inclusione_core.testing.fixtures` (``engine``, ``clock``, ``audited_engine``,
``territory``, ``example``) into its ``conftest.py`` and names its plugins there::

    import inclusione_prato
    import inclusione_toscana
    import pytest
    from inclusione_core.testing.fixtures import clock, engine, example, territory

    __all__ = ["clock", "engine", "example", "territory"]


    @pytest.fixture(scope="session")
    def inclusione_plugins():
        return [("toscana", inclusione_toscana), ("prato", inclusione_prato)]

and helpers for checking a territory's reference configuration:

* :func:`source_blocks`: every citation block of a configuration, tables or instrument;
  :func:`quote_problems`: every quote checked against the texts of the registry's
  documents, found by their SHA-256 wherever they are (:func:`inclusione_core.rules.check_quotes`);
* :func:`territory_folder_problems`: the examples listed are valid cases of the territory
  and are all the folder's, and the scenario files listed are all the folder's;
* :func:`conformance_problems`: all of that, and every scenario file of the territory passes.

Register a test plugin inline, on the fresh manager, before building the engine::

    def test_my_rule(inclusione_pm, make_case):
        class Plugin:
            @hookimpl
            def inclusione_route(self, case, territory):
                ...
        inclusione_pm.register(Plugin(), name="my-plugin")
        engine = Engine(plugin_manager=inclusione_pm)

This module is imported by pytest at start-up in every environment where
inclusione-core is installed: it imports nothing heavy at module level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ..i18n import Message

if TYPE_CHECKING:
    import pluggy

    from .._config import Territory
    from .._engine import Engine
    from .._models import Case

__all__ = [
    "FixedClock",
    "conformance_problems",
    "minimal_case",
    "minimal_case_json",
    "normalise_text",
    "quote_problems",
    "registered_territory",
    "source_blocks",
    "territory_folder_problems",
]

ENTRYPOINTS_MARKER = "inclusione_entrypoints"
NOW = dt.datetime(2025, 1, 15, 12, 0, tzinfo=dt.UTC)
"""The default of ``inclusione_now``."""


def pytest_configure(config: pytest.Config) -> None:
    """Declare the plugin's marker (``--strict-markers`` friendly)."""
    config.addinivalue_line(
        "markers",
        f"{ENTRYPOINTS_MARKER}: the inclusione_pm fixture also loads installed territory plugins",
    )


class FixedClock:
    """
    A clock for engines under test: the moment of every disclosure, settable.

    ``Engine(clock=FixedClock(dt.date(2025, 3, 1)))`` discloses at noon UTC of that day (the
    same day in Italy); ``clock.set(day)`` moves it. A disclosure judges consents on the
    clock's day, so a test of a withdrawal moves the clock, not an as-of date.
    """

    def __init__(self, when: dt.date | dt.datetime = dt.date(2025, 1, 15)) -> None:
        self.now = _moment(when)

    def set(self, when: dt.date | dt.datetime) -> None:
        """Move the clock to a day (noon UTC) or to a moment."""
        self.now = _moment(when)

    def __call__(self) -> dt.datetime:
        return self.now

    def __repr__(self) -> str:
        return f"FixedClock({self.now.isoformat()})"


def _moment(when: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)
    return dt.datetime(when.year, when.month, when.day, 12, tzinfo=dt.UTC)


def source_blocks(
    node: Any, path: str = "$", *, skip: tuple[str, ...] = ()
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """
    Every citation block in a YAML or JSON tree, with its JSON path: the mappings under
    ``source``, ``*_source``, ``legal_basis`` and an instrument's ``x-source``.

    :param skip: keys not to descend into (e.g. ``legal_basis``).
    """
    from .._documents import source_blocks as blocks  # noqa: PLC0415 - keep pytest start-up light

    return blocks(node, path, skip=skip)


def normalise_text(text: str) -> str:
    """Whitespace collapsed and markdown emphasis dropped, to compare a quote with its document's text."""
    from .._documents import normalise_text as normalise  # noqa: PLC0415

    return normalise(text)


def quote_problems(territory: Territory, texts: Path | Iterable[Path], *, files: Iterable[Path] = (),
                   expect: Iterable[str] = ()) -> list[str]:
    """
    What is wrong with the quotes of a territory, against the texts of its registry's documents
    (:func:`inclusione_core.rules.check_quotes`), one line each (empty: every quote is verbatim).

    :param texts: the folder(s) holding the documents' texts, found by their SHA-256.
    :param files: more files whose citations are checked (a plugin's own tables).
    :param expect: the registry ids whose text must be found in ``texts``: a missing one is a
        problem, so that a moved or edited text does not silently skip the check.
    """
    from .._documents import check_quotes, find_texts  # noqa: PLC0415

    found = find_texts(territory, texts)
    lines = [f"{code}: text not found (no file with its sha256)" for code in expect if code not in found]
    for name, details in check_quotes(territory, texts, files=files).items():
        lines += [f"{name}: {d.path}: {d.message} ({d.value!r})" for d in details]
    return lines


def registered_territory(plugins: Sequence[tuple[str, object]]) -> str:
    """
    The territory a test suite is about: the one the last of ``plugins`` registers
    (``italia`` when there is none).

    :raises ValueError: that plugin registers no territory, or several.
    """
    if not plugins:
        return "italia"
    name, plugin = plugins[-1]
    found: list[str] = []
    register = getattr(plugin, "inclusione_register_territories", None)
    if register is not None:
        register(lambda territory, _directory: found.append(territory))
    if len(found) != 1:
        raise ValueError(Message("plugin {name!r} registers {n} territories ({found}): name the one under test"
                                 " yourself", name=name, n=len(found), found=", ".join(found) or "-"))
    return found[0]


def territory_folder_problems(engine: Engine, territory: Territory, directory: Path) -> list[str]:
    """
    What is wrong between a territory's ``examples:``/``scenarios:`` and its folder (empty: nothing).

    Every example listed must be a valid case of the territory (structure and territory
    checks) with a title; every ``examples/*.json`` and ``scenarios/*.yaml`` of the folder
    must be listed.
    """
    from .._reader import read_json  # noqa: PLC0415 - keep pytest start-up light

    problems: list[str] = []
    listed = territory.examples()
    for path, _as_of, title in listed:
        case = engine.load_case(read_json(path, limits=engine.limits), str(path), checked=True)
        engine.check(case)
        if case.territory != territory.id:
            problems.append(f"{path.name}: territorio {case.territory!r}, non {territory.id!r}")
        if not title:
            problems.append(f"{path.name}: esempio senza titolo")
    unlisted = {p.name for p in (directory / "examples").glob("*.json")} ^ {p.name for p, _d, _t in listed}
    if unlisted:
        problems.append(f"esempi nella cartella ma non elencati, o viceversa: {sorted(unlisted)}")
    scenarios = {p.resolve() for p in (directory / "scenarios").glob("*.yaml")} ^ set(territory.scenario_files())
    if scenarios:
        problems.append(f"scenari nella cartella ma non elencati, o viceversa: {sorted(map(str, scenarios))}")
    return problems


def conformance_problems(engine: Engine, territory: str, *, lang: str = "it") -> list[str]:
    """
    What keeps a territory from conforming (empty: nothing): its configuration compiles,
    its folder passes :func:`territory_folder_problems`, and every scenario of its scenario
    files gives the expected results.

    The test of a territory package is one line::

        def test_the_territory_conforms(engine):
            assert conformance_problems(engine, "lucca") == []
    """
    from .._errors import InclusioneError  # noqa: PLC0415

    try:
        compiled = engine.territory(territory)
    except InclusioneError as exc:
        return [exc.text(lang)]
    directory = engine.index.directory(territory)
    problems = territory_folder_problems(engine, compiled, directory)
    if not compiled.scenario_files():
        problems.append(Message("{territory}: no scenario file listed under `scenarios:`", territory=territory))
    for run in engine.run_scenarios(compiled.scenario_files(), lang=lang):
        if run.error is not None:
            problems.append(run.error.text(lang))
        for outcome in run.outcomes:
            if outcome.error is not None:
                problems.append(f"{run.file.name}#{outcome.name}: {outcome.error.text(lang)}")
            problems += [f"{run.file.name}#{outcome.name}: {m}" for m in outcome.mismatches]
    return problems


def minimal_case_json(**overrides: Any) -> dict[str, Any]:
    """
    The JSON form of a valid minimal case (one adult applicant, territory ``italia``).

    :param overrides: top-level keys to replace or add (JSON values).
    :return: a new dict, safe to mutate.
    """
    data: dict[str, Any] = {
        "id": "caso-1",
        "territory": "italia",
        "opened_on": "2025-01-15",
        "household": {
            "id": "nucleo-1",
            "members": [{"id": "m1", "relation": "richiedente", "birth_date": "1985-06-01"}],
        },
    }
    data.update(overrides)
    return data


def minimal_case(**overrides: Any) -> Case:
    """
    A valid minimal :class:`~inclusione_core.Case`, with model-valued overrides.

    :param overrides: fields to replace (model values, e.g. ``assessment=Assessment(...)``;
        dates may be given as ``datetime.date``).
    :return: the case.
    """
    import attrs  # noqa: PLC0415 - keep pytest start-up light

    from .._models import Case, Household, Member  # noqa: PLC0415

    base = Case(
        id="caso-1",
        territory="italia",
        opened_on=dt.date(2025, 1, 15),
        household=Household(
            id="nucleo-1",
            members=(Member(id="m1", relation="richiedente", birth_date=dt.date(1985, 6, 1)),),
        ),
    )
    return attrs.evolve(base, **overrides)


@pytest.fixture(scope="session")
def inclusione_plugins() -> Sequence[tuple[str, object]]:
    """
    The plugins the fixtures register, as ``(name, plugin)`` pairs (default: none).

    Override it in a plugin's ``conftest.py``, listing the plugin and every plugin whose
    territory it extends (a zone's region first)::

        @pytest.fixture(scope="session")
        def inclusione_plugins():
            return [("toscana", inclusione_toscana), ("prato", inclusione_prato)]
    """
    return ()


@pytest.fixture(scope="session")
def inclusione_now() -> dt.datetime:
    """When the fixtures' engines disclose (consents are judged on its day): override it to move the day."""
    return NOW


@pytest.fixture
def inclusione_pm(request: pytest.FixtureRequest,
                  inclusione_plugins: Sequence[tuple[str, object]]) -> pluggy.PluginManager:
    """
    A new plugin manager with the core defaults and ``inclusione_plugins``; installed
    plugins only when marked.

    Mark a test ``@pytest.mark.inclusione_entrypoints`` to load the installed territory
    plugins too (subject to ``INCLUSIONE_LOAD_PLUGINS``/``INCLUSIONE_BLOCK_PLUGINS``).
    """
    from .._plugins import get_plugin_manager  # noqa: PLC0415

    pm = get_plugin_manager(load_entrypoints=request.node.get_closest_marker(ENTRYPOINTS_MARKER) is not None)
    for name, plugin in inclusione_plugins:
        if pm.get_plugin(name) is None and not pm.is_registered(plugin):  # not already loaded by its entry point
            pm.register(plugin, name=name)
    pm.check_pending()
    return pm


@pytest.fixture
def inclusione_engine(inclusione_pm: pluggy.PluginManager) -> Engine:
    """An :class:`~inclusione_core.Engine` on the test's fresh plugin manager."""
    from .._engine import Engine  # noqa: PLC0415

    return Engine(plugin_manager=inclusione_pm)


@pytest.fixture
def make_case() -> Callable[..., Case]:
    """A factory for valid minimal cases: ``make_case(assessment=..., territory="prato")``."""
    return minimal_case


@pytest.fixture
def run_scenario(inclusione_engine: Engine) -> Callable[..., list[Any]]:
    """
    Run every scenario of a YAML scenario file with the test's engine.

    ``run_scenario(path, lang="it")`` returns the list of outcomes (``.name``, ``.passed``,
    ``.mismatches``); ``run_scenario(path, check=True)`` fails the test listing every
    mismatch. The scenario runner (``inclusione_core._scenarios``) is imported on first use;
    the test is skipped when this version of the core has none.
    """
    try:
        from .. import _scenarios  # noqa: PLC0415 - heavy, and optional across core versions
    except ImportError:  # pragma: no cover - depends on the installed core
        pytest.skip("this version of inclusione_core has no scenario runner")

    def run(path: str | Path, *, lang: str = "it", check: bool = False) -> list[Any]:
        outcomes = [
            _scenarios.run_scenario(inclusione_engine, scenario, lang=lang)
            for scenario in _scenarios.load_scenarios(Path(path))
        ]
        failed = [o for o in outcomes if not o.passed]
        if check and failed:
            lines = [f"{o.name}: {m}" for o in failed for m in o.mismatches]
            pytest.fail(f"{len(failed)} scenari non superati in {path}:\n" + "\n".join(lines))
        return outcomes

    return run
