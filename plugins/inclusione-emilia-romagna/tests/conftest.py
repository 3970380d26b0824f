"""
The Emilia-Romagna plugin's tests: the shared territory fixtures of ``inclusione_core.testing``,
with the Emilia-Romagna plugin registered explicitly (independent of what is installed).
"""

from __future__ import annotations

import pytest

import inclusione_emilia_romagna
from inclusione_core.testing.fixtures import engine

__all__ = ["engine"]


@pytest.fixture(scope="session")
def inclusione_plugins() -> list[tuple[str, object]]:
    """The Emilia-Romagna plugin (its layer extends italia, shipped with the core)."""
    return [("emilia_romagna", inclusione_emilia_romagna)]
