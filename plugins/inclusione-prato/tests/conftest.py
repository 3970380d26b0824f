"""
The Prato plugin's tests: the shared territory fixtures of ``inclusione_core.testing``, with
the Toscana and Prato plugins registered explicitly (independent of what is installed).
"""

from __future__ import annotations

import datetime as dt

import pytest

import inclusione_prato
import inclusione_toscana
from inclusione_core.testing.fixtures import audited_engine, clock, engine, example
from inclusione_core.testing.fixtures import territory as prato

__all__ = ["audited_engine", "clock", "engine", "example", "prato"]


@pytest.fixture(scope="session")
def inclusione_plugins() -> list[tuple[str, object]]:
    """The Toscana and Prato plugins (Prato extends Toscana)."""
    return [("toscana", inclusione_toscana), ("prato", inclusione_prato)]


@pytest.fixture(scope="session")
def inclusione_now() -> dt.datetime:
    """When the tests' disclosures happen, unless a test moves its ``clock`` (consents are judged then)."""
    return dt.datetime(2025, 4, 15, 9, 0, tzinfo=dt.UTC)
