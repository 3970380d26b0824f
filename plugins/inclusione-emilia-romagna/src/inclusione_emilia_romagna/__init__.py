"""
Regione Emilia-Romagna for inclusione_core: the regional law on the work inclusion of fragile
and vulnerable people (L.R. n. 14/2015).

The rules are data: ``territories/emilia_romagna/territory.yaml`` (the L.R. 14 equipe, the
programmes and measure paths a member may be in). This module only tells the core where the
configuration is.
"""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

__all__ = ["TERRITORY", "emilia_romagna_dir", "inclusione_register_territories"]

TERRITORY = "emilia_romagna"


def emilia_romagna_dir() -> Path:
    """The ``emilia_romagna`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, emilia_romagna_dir, extends="italia")
