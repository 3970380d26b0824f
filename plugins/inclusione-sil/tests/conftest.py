"""
Fixtures for the SIL plugin's tests: engines with the SIL plugin registered explicitly
(independent of what is installed), its territory, tables and example cases.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pluggy
import pytest

import inclusione_sil
from inclusione_core import Engine, Territory, get_plugin_manager

ROOT = Path(__file__).resolve().parents[3]
TERRITORY_DIR = ROOT / "territories" / "sil"
EXAMPLES = TERRITORY_DIR / "examples"
PLUGINS = [("sil", inclusione_sil)]


@pytest.fixture
def inclusione_pm() -> pluggy.PluginManager:
    """A fresh manager with the core defaults and the SIL plugin (used by ``run_scenario``)."""
    return get_plugin_manager(load_entrypoints=False, plugins=PLUGINS)


@pytest.fixture(scope="session")
def engine() -> Engine:
    """One engine with the SIL plugin, shared by the read-only tests."""
    return Engine(plugin_manager=get_plugin_manager(load_entrypoints=False, plugins=PLUGINS))


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
