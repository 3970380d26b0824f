"""
Fixtures for the SIL plugin's tests: engines with the SIL plugin registered explicitly
(independent of what is installed), its territory, tables and example cases.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest

import inclusione_sil
from inclusione_core import Engine, Territory, get_plugin_manager
from inclusione_core.testing import FixedClock

ROOT = Path(__file__).resolve().parents[3]
TERRITORY_DIR = ROOT / "territories" / "sil"
EXAMPLES = TERRITORY_DIR / "examples"
PLUGINS = [("sil", inclusione_sil)]


@pytest.fixture
def inclusione_pm() -> pluggy.PluginManager:
    """A fresh manager with the core defaults and the SIL plugin (used by ``run_scenario``)."""
    return get_plugin_manager(load_entrypoints=False, plugins=PLUGINS)


TODAY = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)
"""When the tests' disclosures happen, unless a test moves its ``clock`` (consents are judged then)."""
_CLOCK = FixedClock(TODAY)


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One engine with the SIL plugin, shared by the read-only tests (its clock: ``clock``)."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=PLUGINS), clock=_CLOCK)


@pytest.fixture
def clock() -> Iterator[FixedClock]:
    """The shared engine's clock, to move within a test; back to TODAY afterwards."""
    yield _CLOCK
    _CLOCK.set(TODAY)


@pytest.fixture(scope="session")
def sil(engine: Engine) -> Territory:
    """The compiled ``sil`` territory."""
    return engine.territory("sil")


@pytest.fixture(scope="session")
def tables(sil: Territory) -> inclusione_sil.Tables:
    """The SIL tables of the reference configuration."""
    return inclusione_sil.tables_for(sil)


@pytest.fixture(scope="session")
def example() -> Callable[[str], dict[str, Any]]:
    """Read an example case of territories/sil/examples as JSON (a fresh copy each time)."""

    def read(name: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
        return data

    return read
