"""
The SIL plugin's tests: the shared territory fixtures of ``inclusione_core.testing``, with the
SIL plugin registered explicitly (independent of what is installed), and the SIL's tables.
"""

from __future__ import annotations

import datetime as dt

import pytest

import inclusione_sil
from inclusione_core import Territory
from inclusione_core.testing.fixtures import clock, engine, example
from inclusione_core.testing.fixtures import territory as sil

__all__ = ["clock", "engine", "example", "sil", "tables"]


@pytest.fixture(scope="session")
def inclusione_plugins() -> list[tuple[str, object]]:
    """The SIL plugin (its layer extends italia, shipped with the core)."""
    return [("sil", inclusione_sil)]


@pytest.fixture(scope="session")
def inclusione_now() -> dt.datetime:
    """When the tests' disclosures happen, unless a test moves its ``clock`` (consents are judged then)."""
    return dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def tables(sil: Territory) -> inclusione_sil.Tables:
    """The SIL tables of the reference configuration."""
    return inclusione_sil.tables_for(sil)
