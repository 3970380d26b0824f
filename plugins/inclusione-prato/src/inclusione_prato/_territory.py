"""Where the ``prato`` configuration is, and its registration with the core."""

from __future__ import annotations

from pathlib import Path

from inclusione_core import hookimpl
from inclusione_core.hookspecs import RegisterTerritory
from inclusione_core.rules import find_territory_dir

TERRITORY = "prato"
SEED = "000_24df67fb6b651f98.txt"
"""The source document of every Prato rule (SdS Area Pratese, 3 December 2021)."""


def prato_dir() -> Path:
    """The ``prato`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


@hookimpl
def inclusione_register_territories(register: RegisterTerritory) -> None:
    """Register the zone layer ``prato`` (extends ``toscana``)."""
    register(TERRITORY, prato_dir())
