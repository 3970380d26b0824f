"""
Pytest fixtures for inclusione_core and territory plugins (a ``pytest11`` plugin).

Installing ``inclusione-core`` makes these fixtures available in every test suite, so a
territory package tests its rules exactly as the core does:

* ``inclusione_pm``: a **fresh** plugin manager (core defaults only; installed territory
  plugins are not loaded unless a test marks ``@pytest.mark.inclusione_entrypoints``);
* ``inclusione_engine``: an :class:`~inclusione_core.Engine` on that manager;
* ``make_case``: a factory for a valid minimal :class:`~inclusione_core.Case`;
* ``run_scenario``: runs the scenarios of a YAML scenario file (``check=True`` asserts).

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
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import pluggy

    from ._engine import Engine
    from ._models import Case

__all__ = ["minimal_case", "minimal_case_json"]

ENTRYPOINTS_MARKER = "inclusione_entrypoints"


def pytest_configure(config: pytest.Config) -> None:
    """Declare the plugin's marker (``--strict-markers`` friendly)."""
    config.addinivalue_line(
        "markers",
        f"{ENTRYPOINTS_MARKER}: the inclusione_pm fixture also loads installed territory plugins",
    )


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

    from ._models import Case, Household, Member  # noqa: PLC0415

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


@pytest.fixture
def inclusione_pm(request: pytest.FixtureRequest) -> pluggy.PluginManager:
    """
    A new plugin manager with the core defaults; installed plugins only when marked.

    Mark a test ``@pytest.mark.inclusione_entrypoints`` to load the installed territory
    plugins too (subject to ``INCLUSIONE_LOAD_PLUGINS``/``INCLUSIONE_BLOCK_PLUGINS``).
    """
    from ._plugins import get_plugin_manager  # noqa: PLC0415

    load = request.node.get_closest_marker(ENTRYPOINTS_MARKER) is not None
    return get_plugin_manager(load_entrypoints=load)


@pytest.fixture
def inclusione_engine(inclusione_pm: pluggy.PluginManager) -> Engine:
    """An :class:`~inclusione_core.Engine` on the test's fresh plugin manager."""
    from ._engine import Engine  # noqa: PLC0415

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
        from . import _scenarios  # noqa: PLC0415 - heavy, and optional across core versions
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
