"""
Regione Piemonte for inclusione_core: the permanent regional network of CPI and social services.

The rules are data: ``territories/piemonte/territory.yaml`` (EM di base: one social-services
operator and one CPI operator, extended by need; the ambiti territoriali; the priorities of
the interventions when the conditions for a work path are absent or occupability is low),
each citing the article of Agenzia Piemonte Lavoro that describes the regional protocol (the
layer's ``documents:``). This module only tells the core where that configuration is.
"""

from __future__ import annotations

from pathlib import Path

from inclusione_core.rules import find_territory_dir, territory_registration

__all__ = ["TERRITORY", "inclusione_register_territories", "piemonte_dir"]

TERRITORY = "piemonte"


def piemonte_dir() -> Path:
    """The ``piemonte`` configuration: packaged in a wheel, or the repository's ``territories/``."""
    return find_territory_dir(Path(__file__).parent, TERRITORY)


inclusione_register_territories = territory_registration(TERRITORY, piemonte_dir, extends="italia")
