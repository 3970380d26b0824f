"""
The Piemonte plugin's tests: the shared territory fixtures of ``inclusione_core.testing``, with
the Piemonte plugin registered explicitly (independent of what is installed).
"""

from __future__ import annotations

import pytest

import inclusione_piemonte
from inclusione_core.testing.fixtures import engine

__all__ = ["engine"]


@pytest.fixture(scope="session")
def inclusione_plugins() -> list[tuple[str, object]]:
    """The Piemonte plugin (its layer extends italia, shipped with the core)."""
    return [("piemonte", inclusione_piemonte)]
