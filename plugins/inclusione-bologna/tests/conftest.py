"""
The Bologna plugin's tests: the shared territory fixtures of ``inclusione_core.testing``, with
the Emilia-Romagna and Bologna plugins registered explicitly (independent of what is installed).
"""

from __future__ import annotations

import pytest

import inclusione_bologna
import inclusione_emilia_romagna
from inclusione_core.testing.fixtures import engine

__all__ = ["engine"]


@pytest.fixture(scope="session")
def inclusione_plugins() -> list[tuple[str, object]]:
    """Emilia-Romagna (extends italia, shipped with the core) and Bologna (extends emilia_romagna)."""
    return [("emilia_romagna", inclusione_emilia_romagna), ("bologna", inclusione_bologna)]
