"""
Fixtures for the Prato plugin's tests: engines with the Toscana and Prato plugins registered
explicitly (independent of what is installed), and the example cases of the territory.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest

import inclusione_prato
import inclusione_toscana
from inclusione_core import Engine, MemoryAuditLog, Territory, get_plugin_manager
from inclusione_core.testing import FixedClock

ROOT = Path(__file__).resolve().parents[3]
TERRITORY_DIR = ROOT / "territories" / "prato"
EXAMPLES = TERRITORY_DIR / "examples"
PLUGINS = [("toscana", inclusione_toscana), ("prato", inclusione_prato)]


@pytest.fixture
def inclusione_pm() -> pluggy.PluginManager:
    """A fresh manager with the core defaults and the Toscana and Prato plugins (used by ``run_scenario``)."""
    return get_plugin_manager(load_entrypoints=False, plugins=PLUGINS)


TODAY = dt.datetime(2025, 4, 15, 9, 0, tzinfo=dt.UTC)
"""When the tests' disclosures happen, unless a test moves its ``clock`` (consents are judged then)."""
_CLOCK = FixedClock(TODAY)


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One engine with the Toscana and Prato plugins, shared by the read-only tests (its clock: ``clock``)."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=PLUGINS), clock=_CLOCK)


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """The shared engine's clock, to move within a test; back to TODAY afterwards."""
    yield _CLOCK
    _CLOCK.set(TODAY)


@pytest.fixture
def audited_engine() -> Engine:
    """A fresh engine with its own in-memory disclosure audit and a fixed clock, for tests that read the audit."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=PLUGINS), audit=MemoryAuditLog(),
                  clock=FixedClock(dt.datetime(2025, 4, 10, 9, 0, tzinfo=dt.UTC)))


@pytest.fixture(scope="session")
def prato(engine: Engine) -> Territory:
    """The compiled ``prato`` territory."""
    return engine.territory("prato")


@pytest.fixture(scope="session")
def example() -> Callable[[str], dict[str, Any]]:
    """Read an example case of territories/prato/examples as JSON (a fresh copy each time)."""

    def read(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
        return data

    return read
