"""Where the ``sil`` configuration is, and its registration with the core."""

from __future__ import annotations

from pathlib import Path

from inclusione_core import hookimpl
from inclusione_core.hookspecs import RegisterTerritory
from inclusione_core.rules import find_territory_dir

TERRITORY = "sil"
SEED = "004_86c0102de81fba5d.txt"
"""The source document of every SIL rule (SIL distretto, guidelines of 4 May 2007)."""


def sil_dir() -> Path:
    """The ``sil`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


@hookimpl
def inclusione_register_territories(register: RegisterTerritory) -> None:
    """Register the district layer ``sil`` (extends ``italia``: the seed names no region)."""
    register(TERRITORY, sil_dir())
