"""Where the ``prato`` configuration is, and its registration with the core."""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

TERRITORY = "prato"
DOCUMENT = "buone_pratiche_prato_2021"
"""
The registry id (``documents:`` of the ``prato`` layer) of the article every Prato rule
rests on: F. Di Maria, N. Imprescia, "Inclusione e lavoro: buone pratiche fra CpI e SSP
dell'Ambito Pratese", 3 December 2021, describing the local practice (not binding).
"""


def prato_dir() -> Path:
    """The ``prato`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, prato_dir, extends="toscana")
