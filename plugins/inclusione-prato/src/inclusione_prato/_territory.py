"""Where the ``prato`` configuration is, and its registration with the core."""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

TERRITORY = "prato"
SEED = "000_24df67fb6b651f98.txt"
"""The source document of every Prato rule (SdS Area Pratese, 3 December 2021)."""


def prato_dir() -> Path:
    """The ``prato`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, prato_dir, extends="toscana")
