"""
The fixtures of a territory plugin's test suite, to import into its ``conftest.py``.

They are not registered everywhere (unlike those of :mod:`inclusione_core.testing`):
a ``conftest.py`` imports the ones its tests use, under the names they use, and names its
plugins in ``inclusione_plugins``::

    import inclusione_prato
    import inclusione_toscana
    import pytest
    from inclusione_core.testing.fixtures import audited_engine, clock, engine, example
    from inclusione_core.testing.fixtures import territory as prato

    __all__ = ["audited_engine", "clock", "engine", "example", "prato"]


    @pytest.fixture(scope="session")
    def inclusione_plugins():
        return [("toscana", inclusione_toscana), ("prato", inclusione_prato)]

* ``engine`` (session): one :class:`~inclusione_core.Engine` with the core and
  ``inclusione_plugins`` only (whatever else is installed), shared by the read-only tests;
  it discloses at ``inclusione_now`` unless a test moves its ``clock``;
* ``clock``: that engine's :class:`~inclusione_core.testing.FixedClock`, to move within a
  test (consents are judged on its day); back to ``inclusione_now`` afterwards;
* ``audited_engine``: a new engine of its own (in-memory audit, fixed clock) for a test
  that reads the disclosure audit;
* ``territory`` (session): the compiled territory under test, the one the last of
  ``inclusione_plugins`` registers (:func:`~inclusione_core.testing.registered_territory`);
* ``example`` (session): ``example("caso.json")`` reads an example case of that
  territory's ``examples/`` folder as JSON (a new copy each time).
"""

from __future__ import annotations

import datetime as dt
import json
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pytest

from . import FixedClock, registered_territory

if TYPE_CHECKING:
    from .._config import Territory
    from .._engine import Engine

__all__ = ["audited_engine", "clock", "engine", "example", "territory"]

_CLOCKS: weakref.WeakKeyDictionary[Engine, FixedClock] = weakref.WeakKeyDictionary()
"""The clock of each shared engine."""


def _engine(plugins: Sequence[tuple[str, object]], clock: FixedClock) -> Engine:
    from .._audit import MemoryAuditLog  # noqa: PLC0415 - keep pytest start-up light
    from .._engine import Engine  # noqa: PLC0415
    from .._plugins import get_plugin_manager  # noqa: PLC0415

    pm = get_plugin_manager(load_entrypoints=False, plugins=list(plugins))
    return Engine(plugin_manager=pm, audit=MemoryAuditLog(), clock=clock)


@pytest.fixture(scope="session")
def engine(inclusione_plugins: Sequence[tuple[str, object]], inclusione_now: dt.datetime) -> Engine:
    """One engine with the core and ``inclusione_plugins``, shared by the read-only tests (its clock: ``clock``)."""
    shared_clock = FixedClock(inclusione_now)
    built = _engine(inclusione_plugins, shared_clock)
    _CLOCKS[built] = shared_clock
    return built


@pytest.fixture
def clock(engine: Engine, inclusione_now: dt.datetime) -> Iterator[FixedClock]:
    """The shared engine's clock, to move within a test; back to ``inclusione_now`` afterwards."""
    shared_clock = _CLOCKS[engine]
    yield shared_clock
    shared_clock.set(inclusione_now)


@pytest.fixture
def audited_engine(inclusione_plugins: Sequence[tuple[str, object]], inclusione_now: dt.datetime) -> Engine:
    """A new engine with its own in-memory disclosure audit and a fixed clock, for tests that read the audit."""
    return _engine(inclusione_plugins, FixedClock(inclusione_now))


@pytest.fixture(scope="session")
def territory(engine: Engine, inclusione_plugins: Sequence[tuple[str, object]]) -> Territory:
    """The compiled territory under test: the one the last of ``inclusione_plugins`` registers."""
    return engine.territory(registered_territory(inclusione_plugins))


@pytest.fixture(scope="session")
def example(engine: Engine, inclusione_plugins: Sequence[tuple[str, object]]) -> Callable[[str], dict[str, Any]]:
    """Read an example case of the territory's ``examples/`` folder as JSON (a new copy each time)."""
    folder = engine.index.directory(registered_territory(inclusione_plugins)) / "examples"

    def read(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((folder / name).read_text(encoding="utf-8"))
        return data

    return read
