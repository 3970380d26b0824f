"""
Regione Toscana (DGRT 544/2023) for inclusione_core.

The rules are data: ``territories/toscana/territory.yaml`` (equipe essenziale and
allargata, SIIL, One Stop Shop, inserimento socio-terapeutico, tirocini formativi, borse
lavoro), each citing the DGRT through the article of the Comunità di Pratica that
describes it (the layer's ``documents:``). This module only tells the core where that
configuration is.
"""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

__all__ = ["TERRITORY", "inclusione_register_territories", "toscana_dir"]

TERRITORY = "toscana"


def toscana_dir() -> Path:
    """The ``toscana`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, toscana_dir, extends="italia")
